// The resource tracker's shortcuts against the plain readings they replace: lazy argument splitting
// (ArgList, argAt) against splitArgs, fastDecorationEnd against decorationEnd, statShowsDir against
// its regular expression. Inputs are strace's usual shapes and the hostile ones a shortcut could miss.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArgList, argAt, fastDecorationEnd, splitArgs } from "./args.js";
import { modeType, statShowsDir } from "./capability-args.js";
import { decorationEnd, isDecorationStart, skipString } from "./scan.js";

const ARGS = [
  "",
  " ",
  "3",
  "3</etc/passwd>",
  'AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC',
  'AT_FDCWD</home/u>, "a,b", O_WRONLY|O_CREAT|O_TRUNC, 0666',
  '3</usr/lib/x.so>, "", {st_mode=S_IFREG|0644, st_size=1234, ...}, AT_EMPTY_PATH',
  'AT_FDCWD, "/tmp/x", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0',
  "NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0",
  "child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f9b2931aa10",
  "3<TCP:[127.0.0.1:45678->127.0.0.1:80]>, {sa_family=AF_INET, sin_port=htons(80)}, 16",
  '3<UNIX-STREAM:[5,"/run/a>b"]>, "x", 1',
  '3</tmp/a<b>, "y"',
  '3</tmp/a>b>, "z"',
  "4</dev/null<char 1:3>>, 0",
  '"a\\"b,c", [1, 2], (x, y), {a, b}',
  '"unterminated, 1',
  "a, , b, ",
  ",",
  "1<<CAP_CHOWN, 2",
  'AT_FDCWD, "\\xff\\xfe", 0',
  "\u00a0x\u00a0, y",
];

/**
 * The plain reading, as splitArgs was written before it became ArgList read to the end: a comma at
 * depth 0, outside strings and `-y` decorations (found with decorationEnd, not the fast path), ends
 * an item; items are trimmed; an empty text has none.
 */
function referenceSplit(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  let i = 0;
  while (i < args.length) {
    const c = args.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(args, i);
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x3c && i > 0 && isDecorationStart(args, i)) {
      const j = decorationEnd(args, i);
      if (j > 0) {
        i = j;
        continue;
      }
    } else if (c === 0x2c && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  const last = args.slice(start).trim();
  if (last !== "" || out.length > 0) out.push(last);
  return out;
}

describe("ArgList", () => {
  it("gives the plain reading's items, however far it is read and in whatever order; so does splitArgs", () => {
    for (const text of ARGS) {
      const all = referenceSplit(text);
      assert.deepEqual(splitArgs(text), all, JSON.stringify(text));
      const forward = new ArgList().reset(text);
      for (let i = 0; i <= all.length + 1; i++) assert.equal(forward.at(i), all[i], `${JSON.stringify(text)} item ${i}`);
      const backward = new ArgList().reset(text);
      for (let i = all.length + 1; i >= 0; i--) assert.equal(backward.at(i), all[i], `${JSON.stringify(text)} item ${i} (backwards)`);
      for (let i = 0; i <= all.length; i++) assert.equal(argAt(text, i), all[i]);
    }
  });

  it("forgets the previous text on reset, and resetWhole gives the text as its one item", () => {
    const list = new ArgList();
    assert.equal(list.reset("a, b, c").at(2), "c");
    assert.equal(list.reset("x").at(1), undefined);
    assert.equal(list.at(0), "x");
    assert.equal(list.resetWhole(" 3 ").at(0), " 3 ");
    assert.equal(list.at(1), undefined);
  });
});

describe("fastDecorationEnd", () => {
  it("finds where decorationEnd does", () => {
    for (const text of ARGS) {
      for (let i = text.indexOf("<"); i >= 0; i = text.indexOf("<", i + 1))
        assert.equal(fastDecorationEnd(text, i), decorationEnd(text, i), `${JSON.stringify(text)} at ${i}`);
    }
  });
});

describe("statShowsDir", () => {
  // The reading it replaces: a pre-check, then the first `\bstx?_mode=` field.
  const reference = (args: string): boolean => {
    if (args.indexOf("S_IFDIR") < 0 && args.indexOf("_mode=04") < 0) return false;
    const m = /\bstx?_mode=([^,}]*)/.exec(args);
    return m !== null && modeType(m[1]!) === S_IFDIR_BITS;
  };
  const S_IFDIR_BITS = 0o040000;
  const cases = [
    'AT_FDCWD, "/x", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0',
    'AT_FDCWD, "/x", {st_mode=S_IFREG|0644, st_size=4096, ...}, 0',
    'AT_FDCWD, "/x", {st_mode=S_IFREG|S_IFDIR, ...}, 0',
    'AT_FDCWD, "/x", {st_mode=S_IFREG|0644 /* S_IFDIR */, ...}, 0',
    'AT_FDCWD, "/x", 0, STATX_ALL, {stx_mask=STATX_BASIC_STATS, stx_mode=040755, ...}',
    'AT_FDCWD, "/x", {st_mode=0x41ed, ...}, 0',
    'AT_FDCWD, "/x", {st_mode=16877, ...}, 0',
    'AT_FDCWD, "/tmp/st_mode=040755", {st_mode=S_IFREG|0644, ...}, 0',
    'AT_FDCWD, "/tmp/xst_mode=S_IFDIR", {st_mode=S_IFREG|0644, ...}, 0',
    'AT_FDCWD, "/tmp/S_IFDIR", {st_mode=S_IFREG|0644, ...}, 0',
    'AT_FDCWD, "/tmp/x", {st_mode=S_IFDIR|0755}',
    '"/x", {st_mode=S_IFLNK|0777, ...}',
    '"/x", {st_mode=S_IFCHR|S_IFDIR, ...}',
    '"/x", {_mode=S_IFDIR}',
    '"/x", {st_mode=S_IFREG|0644|S_IFDIR, ...}',
    '"/x", {st_mode=S_IFREG|0644 /* S_IFDIR|0755 */, ...}',
    '"/x", {st_mode=S_IFREG|0644',
    '"/x", {st_mode=S_IFREG|040755, ...}',
    '"/x", {st_mode=S_IFREG|S_IFDIR',
    '"/x", {st_mode=',
    "",
  ];
  it("reads what the regular expression read", () => {
    for (const args of cases) assert.equal(statShowsDir(args), reference(args), args);
  });
});
