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
  // Cheap pre-check: symbolic `S_IFDIR`, or an octal mode 04xxxx (`-X raw`).
  if (args.indexOf("S_IFDIR") < 0 && args.indexOf("_mode=04") < 0) return false;
  const m = /\bstx?_mode=([^,}]*)/.exec(args);
  return m !== undefined && m !== null && modeType(m[1]!) === S_IFDIR;
}

/** uid/gid `-1` (and its unsigned spellings) leaves the owner as is. */
export function isNoChange(token: string | undefined): boolean {
  if (token === undefined) return true;
  const n = parseNumber(token);
  return n === -1 || n === 0xffffffff || n === 0xffff;
}

export const SETUID_CALLS = new Set(["setuid", "setuid32", "setreuid", "setreuid32", "setresuid", "setresuid32", "setfsuid", "setfsuid32"]);
export const SETGID_CALLS = new Set(["setgid", "setgid32", "setregid", "setregid32", "setresgid", "setresgid32", "setgroups", "setgroups32"]);
