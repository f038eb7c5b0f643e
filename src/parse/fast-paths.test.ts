// The resource tracker's shortcuts against the plain readings they replace: lazy argument splitting
// (ArgList, argAt) against splitArgs, fastDecorationEnd against decorationEnd, statShowsDir against
// its regular expression, IDLE_WHEN (calls sent to the tracker as a pid only) against the handlers
// themselves. Inputs are strace's usual shapes and the hostile ones a shortcut could miss.

import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, it } from "node:test";
import { SAMPLES } from "../test/support/paths.js";
import { ArgList, argAt, fastDecorationEnd, splitArgs } from "./args.js";
import { modeType, statShowsDir } from "./capability-args.js";
import { decorationEnd, isDecorationStart, skipString } from "./scan.js";
import { ResourceCollector } from "./resources.js";
import { IDLE_WHEN } from "./syscall-handlers.js";
import { TraceParser } from "./trace-parser.js";

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

describe("IDLE_WHEN: calls sent to the tracker as a pid only", () => {
  /** Resources of a process with fds 0-12 open on files and directories (by -y decoration too), then `call` if given, handled as an event. */
  function resourcesAfter(call: string | undefined): string {
    const c = new ResourceCollector({ file: "t" });
    // No idleWhen: every call reaches its handler.
    const parser = new TraceParser({ id: "t", files: ["t"] }, { arch: "x86_64", onSyscall: (e) => c.observe(e) });
    parser.beginFile("t");
    const lines = ['100 chdir("/srv") = 0'];
    for (let fd = 0; fd <= 12; fd++) {
      lines.push(fd % 2 === 0 ? `100 openat(AT_FDCWD, "/srv/d${fd}", O_RDONLY|O_DIRECTORY) = ${fd}` : `100 openat(AT_FDCWD, "/srv/f${fd}", O_RDONLY) = ${fd}`);
    }
    if (call !== undefined) lines.push(`100 ${call}`);
    for (const [i, l] of lines.entries()) parser.line(l, i + 1, true);
    parser.finish();
    return JSON.stringify([c.result(), c.problems()]);
  }

  /** Every successful call the tests name in the samples, as `name(args) = result`. */
  function sampleCalls(names: Set<string>): { name: string; args: string; line: string }[] {
    const out = new Map<string, { name: string; args: string; line: string }>();
    const files = readdirSync(SAMPLES, { recursive: true, encoding: "utf8" }).filter((f) => /\.trace(\.gz)?$/.test(f) || f.includes("-ff/"));
    for (const f of files.sort()) {
      const path = join(SAMPLES, f);
      if (!statSync(path).isFile()) continue;
      const raw = readFileSync(path);
      const text = (f.endsWith(".gz") ? gunzipSync(raw) : raw).toString("latin1");
      const parser = new TraceParser(
        { id: f, files: [f] },
        {
          arch: "x86_64",
          onSyscall: (e) => {
            if (!names.has(e.name) || e.outcome !== "ok") return;
            const line = `${e.name}(${e.args}) = ${e.retval}`;
            out.set(line, { name: e.name, args: e.args, line });
          },
        },
      );
      parser.beginFile(f);
      for (const [i, l] of text.split("\n").entries()) parser.line(l, i + 1, true);
      parser.finish();
    }
    return [...out.values()];
  }

  const HOSTILE = [
    ["mmap", "NULL, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_DENYWRITE, 3, 0"],
    ["mmap", "NULL, 8192, 0x5, MAP_PRIVATE, 3, 0"],
    ["mmap", "NULL, 8192, PROT_READ|0x4, MAP_PRIVATE, 3, 0"],
    ["mmap", "NULL, 8192, 0x5 /* PROT_READ|PROT_EXEC */, 0x2 /* MAP_PRIVATE */, 3, 0"],
    ["mmap", "NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, 3</srv/f3>, 0"],
    ["mmap", "NULL, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE, 5</srv/f5>, 0"],
    ["mmap2", "NULL, 8192, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"],
    ["mmap", "NULL, 8192"],
    ["newfstatat", 'AT_FDCWD, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4, "", {st_mode=S_IFREG|0644, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4, "", {st_mode=040755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4</srv/d, "">, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4, ""x", {st_mode=S_IFREG|0644, st_size=1, ...}, 0'],
    ["newfstatat", '4, "", {st_mode=S_IFREG|0644, st_size=1, ...}, 0'],
    ["newfstatat", 'AT_FDCWD, "/srv/new", {st_mode=S_IFREG|0644, st_size=1, ...}, 0'],
    ["statx", '6, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL, stx_mode=S_IFDIR|0755, ...}'],
    ["statx", '7, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL, stx_mode=S_IFREG|0644, ...}'],
    ["fstatat64", '8, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '3</srv/f3>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '4</srv/d4>, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '5</srv/a, "", b>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '6</srv/a, "", b>, "x", {st_mode=S_IFREG|0644, st_size=1, ...}, 0'],
    ["newfstatat", '3</srv/f3>, "/srv/g", {st_mode=S_IFREG|0644, st_size=1, ...}, 0'],
    ["newfstatat", '7<TCP:[127.0.0.1:1->127.0.0.1:2]>, "", {st_mode=S_IFSOCK|0777, st_size=0, ...}, AT_EMPTY_PATH'],
    ["newfstatat", 'AT_FDCWD</srv>, "", {st_mode=S_IFDIR|0755, st_size=4096, ...}, AT_EMPTY_PATH'],
    ["newfstatat", '8<</srv/x>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH'],
  ].map(([name, args]) => ({ name: name!, args: args!, line: `${name}(${args}) = ${name!.startsWith("mmap") ? "0x7f0000000000" : "0"}` }));

  it("a call IDLE_WHEN calls idle changes nothing the tracker keeps; the others it may", () => {
    const calls = [...sampleCalls(new Set(IDLE_WHEN.keys())), ...HOSTILE];
    const before = resourcesAfter(undefined);
    let idle = 0;
    let changed = 0;
    for (const { name, args, line } of calls) {
      const after = resourcesAfter(line);
      if (IDLE_WHEN.get(name)!(` ${args}) `, 1, 1 + args.length)) {
        idle++;
        assert.equal(after, before, `${line} was called idle but changes the tracker's result`);
      } else if (after !== before) changed++;
    }
    // The samples hold both kinds, and the hostile ones include calls that do change the result (so
    // the comparison above can fail).
    assert.ok(idle > 20, `only ${idle} idle calls`);
    assert.ok(changed >= 6, `only ${changed} calls that change the result`);
  });

  it("reads the same as the handler on the hostile shapes", () => {
    const idle = HOSTILE.filter(({ name, args }) => IDLE_WHEN.get(name)!(args, 0, args.length)).map((c) => c.line);
    assert.deepEqual(idle, [
      "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, 3</srv/f3>, 0) = 0x7f0000000000",
      "mmap2(NULL, 8192, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
      'newfstatat(4, "", {st_mode=S_IFREG|0644, st_size=4096, ...}, AT_EMPTY_PATH) = 0',
      'newfstatat(4, "", {st_mode=S_IFREG|0644, st_size=1, ...}, 0) = 0',
      'statx(7, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_ALL, {stx_mask=STATX_ALL, stx_mode=S_IFREG|0644, ...}) = 0',
      'newfstatat(3</srv/f3>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0',
      'newfstatat(5</srv/a, "", b>, "", {st_mode=S_IFREG|0644, st_size=1, ...}, AT_EMPTY_PATH) = 0',
      'newfstatat(7<TCP:[127.0.0.1:1->127.0.0.1:2]>, "", {st_mode=S_IFSOCK|0777, st_size=0, ...}, AT_EMPTY_PATH) = 0',
    ]);
  });
});
