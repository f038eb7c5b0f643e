// Argument text helpers: numbers and flag sets as strace prints them, struct fields, open flags, and
// path bytes checked before they are trusted.

import type { Arch } from "../model/arch.js";
import { unsafeCharacterProblem } from "../model/untrusted-text.js";
import { READ, WRITE, APPEND, CREATE, STAT } from "./access-bits.js";
import { bytesToUtf8, decodeCString, ownCopy } from "./args.js";
import { skipString } from "./scan.js";
import { straceNumber, stripComments } from "./strace-number.js";

/** A number as strace prints one: decimal, `0x` hex, `0` octal, possibly commented. */
export function parseNumber(token: string): number | undefined {
  // Fast path: a plain decimal (return values, fds).
  const n = token.length;
  if (n > 0 && n < 16) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = token.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    if (i === n && (n === 1 || token.charCodeAt(0) !== 0x30)) return v;
  }
  return straceNumber(token);
}

/** `O_RDONLY|O_CLOEXEC`, `0x80000`, `0x80000 /* O_RDONLY|O_CLOEXEC *\/`, `0x1200000|17`: names and numeric bits. */
interface FlagSet {
  names: Set<string>;
  bits: number;
}

// Flag texts repeat (`O_RDONLY|O_CLOEXEC` thousands of times): memoize, bounded.
const FLAG_CACHE = new Map<string, FlagSet>();
const FLAG_CACHE_MAX = 4096;

export function parseFlags(token: string): FlagSet {
  let f = FLAG_CACHE.get(token);
  if (f === undefined) {
    if (FLAG_CACHE.size >= FLAG_CACHE_MAX) FLAG_CACHE.clear();
    const own = ownCopy(token);
    f = parseFlagsUncached(own);
    FLAG_CACHE.set(own, f);
  }
  return f;
}

function parseFlagsUncached(token: string): FlagSet {
  const names = new Set<string>();
  let bits = 0;
  for (const part of stripComments(token).split("|")) {
    const p = part.trim();
    if (p === "") continue;
    const n = parseNumber(p);
    if (n !== undefined) bits |= n;
    else names.add(p);
  }
  return { names, bits: bits >>> 0 };
}

export function hasFlag(f: FlagSet, name: string, bit: number): boolean {
  return f.names.has(name) || (bit !== 0 && (f.bits & bit) !== 0);
}

/** The value of `key=` inside a struct argument (`{flags=O_RDONLY, resolve=0}`), up to `,` or `}`. */
export function structField(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[{,\\s])${key}=`).exec(text);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  const from = i;
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(text, i);
      continue;
    }
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const e = text.indexOf("*/", i + 2);
      i = e < 0 ? text.length : e + 2;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth === 0) break;
      depth--;
    } else if (c === 0x2c && depth === 0) break;
    i++;
  }
  return text.slice(from, i).trim();
}

// Open flags that differ by architecture (asm-generic vs arm/arm64 `asm/fcntl.h`); symbolic names
// are the same everywhere.
const O_DIRECTORY_BIT: Record<Arch, number> = { x86_64: 0x10000, i386: 0x10000, x32: 0x10000, aarch64: 0x4000, arm: 0x4000 };
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
const O_APPEND = 0x400;
export const O_CLOEXEC = 0x80000;
const O_PATH = 0x200000;
const O_TMPFILE_BIT = 0x400000;

/** Shared between calls (openMode memoizes): read only. */
export interface OpenMode {
  readonly access: number;
  readonly dir: boolean;
  readonly cloexec: boolean;
}

/**
 * What an open's flags ask for. `O_WRONLY`/`O_RDWR` write (RDWR also read), `O_APPEND` append
 * instead of write (AppArmor's `a` is narrower than `w`; a file opened both ways keeps both facts and
 * the emitter decides), `O_CREAT` create, `O_TRUNC` write, `O_DIRECTORY` a directory, `O_PATH` only
 * a stat-like handle (no data access).
 */
export function openMode(token: string, arch: Arch): OpenMode {
  // Memoized like parseFlags (the same few flag texts): callers only read the result.
  let byToken = OPEN_MODE_CACHE.get(arch);
  if (byToken === undefined) OPEN_MODE_CACHE.set(arch, (byToken = new Map()));
  let m = byToken.get(token);
  if (m === undefined) {
    if (byToken.size >= FLAG_CACHE_MAX) byToken.clear();
    m = openModeUncached(token, arch);
    byToken.set(ownCopy(token), m);
  }
  return m;
}

const OPEN_MODE_CACHE = new Map<Arch, Map<string, OpenMode>>();

function openModeUncached(token: string, arch: Arch): OpenMode {
  const f = parseFlags(token);
  const dirBit = O_DIRECTORY_BIT[arch];
  const cloexec = hasFlag(f, "O_CLOEXEC", O_CLOEXEC);
  if (hasFlag(f, "O_PATH", O_PATH)) return { access: STAT, dir: hasFlag(f, "O_DIRECTORY", dirBit), cloexec };
  const accmode = f.names.has("O_RDWR") ? 2 : f.names.has("O_WRONLY") ? 1 : f.bits & 3;
  const append = hasFlag(f, "O_APPEND", O_APPEND);
  let access = 0;
  if (accmode === 0 || accmode === 2) access |= READ;
  if (accmode === 1 || accmode === 2) access |= append ? APPEND : WRITE;
  if (hasFlag(f, "O_CREAT", O_CREAT)) access |= CREATE;
  if (hasFlag(f, "O_TRUNC", O_TRUNC)) access |= WRITE;
  const tmpfile = f.names.has("O_TMPFILE") || f.names.has("__O_TMPFILE") || (f.bits & O_TMPFILE_BIT) !== 0;
  // O_TMPFILE creates an unnamed file in the directory named by the path.
  if (tmpfile) access |= CREATE | WRITE;
  return { access, dir: tmpfile || hasFlag(f, "O_DIRECTORY", dirBit), cloexec };
}

/** A decoded `"..."` path argument: text when trustworthy, else why not. */
export type PathText = { ok: true; text: string } | { ok: false; message: string };

/** Shows untrusted bytes in a message: printable ASCII as is, everything else escaped. */
export function showBytes(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length && i < 160; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${bytes[i]}`;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += bytes[i];
  }
  return `"${out}"${bytes.length > 160 ? "..." : ""}`;
}

export function checkPathBytes(bytes: string, truncated: boolean): PathText {
  if (truncated) return { ok: false, message: `path cut by strace's -s limit: ${showBytes(bytes)}...; record with a larger -s (e.g. -s 4096)` };
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return { ok: false, message: `path holds control characters: ${showBytes(bytes)}` };
    if (c > 0x7f) ascii = false;
  }
  if (ascii) return { ok: true, text: bytes };
  const text = bytesToUtf8(bytes);
  if (text === undefined) return { ok: false, message: `path is not valid UTF-8: ${showBytes(bytes)}` };
  // C1 controls (U+0085, U+009B) and bidirectional characters: caught here, where the trace line is known.
  const unsafe = unsafeCharacterProblem(text, "profiles are kept free of them");
  if (unsafe !== undefined) return { ok: false, message: `path ${unsafe}: ${showBytes(bytes)}` };
  return { ok: true, text };
}

/**
 * Decodes a `"..."` token like decodeCString; the common case (no escape, no `...`) without a
 * character-by-character copy.
 */
export function decodeString(token: string): { bytes: string; truncated: boolean } | undefined {
  const n = token.length;
  if (n >= 2 && token.charCodeAt(0) === 0x22 && token.charCodeAt(n - 1) === 0x22 && token.indexOf("\\") < 0) {
    const inner = token.slice(1, n - 1);
    if (inner.indexOf('"') < 0) return { bytes: inner, truncated: false };
  }
  return decodeCString(token);
}
