// Capabilities from argument values: file modes, unchanged owners, set*id calls.

import { parseNumber, parseFlags } from "./arg-text.js";

const S_IFMT = 0o170000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;

export function modeType(token: string): number | undefined {
  const f = parseFlags(token);
  if (f.names.has("S_IFCHR")) return S_IFCHR;
  if (f.names.has("S_IFBLK")) return S_IFBLK;
  if (f.names.has("S_IFDIR")) return S_IFDIR;
  for (const n of f.names) if (n.startsWith("S_IF")) return -1;
  return f.bits & S_IFMT;
}

/** `{st_mode=S_IFDIR|0755, ...}` / `stx_mode=040755`: the call's result shows a directory. */
export function statShowsDir(args: string): boolean {
  // The first `\bstx?_mode=` field, found without a regular expression: every stat call comes here.
  let i = args.indexOf("_mode=");
  for (; i >= 0; i = args.indexOf("_mode=", i + 6)) {
    if (fieldStart(args, i, "st") || fieldStart(args, i, "stx")) break;
  }
  if (i < 0) return false;
  const from = i + 6;
  const n = args.length;
  // Most files: `S_IFREG|0644` with no other `S_IF` name nor comment after it is not a directory.
  if (args.startsWith("S_IFREG|", from)) {
    let j = from + 8;
    for (; j < n; j++) {
      const c = args.charCodeAt(j);
      if (c === 0x2c || c === 0x7d) return false;
      if (c === 0x53 || c === 0x2f) break; // `S`, `/`: maybe a name or a comment, read it all below
    }
    if (j === n) return false;
  }
  let end = from;
  for (; end < n; end++) {
    const c = args.charCodeAt(end);
    if (c === 0x2c || c === 0x7d) break;
  }
  if (modeType(args.slice(from, end)) !== S_IFDIR) return false;
  // Only a symbolic `S_IFDIR` or an octal mode 04xxxx (`-X raw`) counts (not `0x41ed`).
  return args.indexOf("S_IFDIR") >= 0 || args.indexOf("_mode=04") >= 0;
}

/** `prefix` ends just before `_mode=` at `i` and starts a word. */
function fieldStart(s: string, i: number, prefix: string): boolean {
  const at = i - prefix.length;
  return at >= 0 && s.startsWith(prefix, at) && (at === 0 || !isWordChar(s.charCodeAt(at - 1)));
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** uid/gid `-1` (and its unsigned spellings) leaves the owner as is. */
export function isNoChange(token: string | undefined): boolean {
  if (token === undefined) return true;
  const n = parseNumber(token);
  return n === -1 || n === 0xffffffff || n === 0xffff;
}

export const SETUID_CALLS = new Set(["setuid", "setuid32", "setreuid", "setreuid32", "setresuid", "setresuid32", "setfsuid", "setfsuid32"]);
export const SETGID_CALLS = new Set(["setgid", "setgid32", "setregid", "setregid32", "setresgid", "setresgid32", "setgroups", "setgroups32"]);
