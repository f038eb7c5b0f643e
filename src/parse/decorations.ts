// strace `-y` decorations (`3</etc/passwd>`): fd arguments and return values that name a path.

import type { SyscallEvent } from "../model/trace.js";
import { parseNumber, showBytes, checkPathBytes } from "./arg-text.js";
import { decodeCString, fastDecorationEnd, ownCopy } from "./args.js";
import { isDigit } from "./scan.js";
import { stripComments } from "./strace-number.js";

/**
 * How strace wrote `-y` decorations in this run, learnt as the run is read. Since strace 5.19 a
 * deleted file shows as `3</tmp/x>(deleted)`, outside the brackets; before, as `3</tmp/x (deleted)>`,
 * indistinguishable from a file really named `/tmp/x (deleted)`.
 */
export interface DecorationStyle {
  /** A `>(deleted)` was seen: ` (deleted)` inside a decoration is part of the name. */
  deletedOutside: boolean;
}

/**
 * A `-y` decoration read: `text` exactly as strace printed it. `orDeleted` is set when it ends in
 * ` (deleted)` and the strace version is unknown: the name is `text` (strace 5.19+) or `orDeleted`
 * (older strace, the file was deleted). Only a path argument can tell which; nothing else trusts it.
 */
export type DecorationText = { ok: true; text: string; orDeleted?: string } | { ok: false; message: string };

// What may follow a decoration's `>` on the result: strace 5.19's `(deleted)`, `-e inject`'s
// `(INJECTED)`/`(DELAYED)`, `-T`'s `<0.000012>`. Anything else (`3</tmp/a>b>`) means a raw `>` was
// inside the name (strace before 4.22 did not escape it) and the decoration cannot be read.
const DECORATION_TAIL = /^(?:\(deleted\))?(?:\s+\([A-Z][^()<>]*\))*(?:\s+<\d+(?:\.\d+)?>)?\s*$/;
// A nested decoration is only `-yy`'s device form (`/dev/null<char 1:3>`).
const DEVICE_SUFFIX = /<(?:char|block) \d+:\d+>$/;

/**
 * The content of a `-y` decoration (`3</usr/lib/x.so>` gives `/usr/lib/x.so`), decoded; undefined when
 * absent. `tail` is the text after it that belongs to the same token or result; a decoration that
 * cannot be read unambiguously (a raw `<` or `>` in the name, as strace before 4.22 printed) is not ok:
 * never a prefix of it.
 */
function decorationText(s: string, lt: number, style: DecorationStyle, inArgument = false): DecorationText | undefined {
  const end = fastDecorationEnd(s, lt);
  if (end < 0)
    return {
      ok: false,
      message: `-y decoration ${showBytes(s.slice(lt))} is not closed: a raw "<" or ">" in the name (strace before 4.22); the path argument is used instead`,
    };
  const inner = s.slice(lt + 1, end - 1);
  if (end < s.length) {
    const tail = s.slice(end);
    // In an argument only strace 5.19's `(deleted)` may follow (no -T, no injection notes there).
    if (inArgument ? tail !== "(deleted)" : !isTimingTail(tail) && !DECORATION_TAIL.test(tail)) {
      return {
        ok: false,
        message: `-y decoration ${showBytes(s.slice(lt))} cannot be read unambiguously: a raw ">" in the name (strace before 4.22); the path argument is used instead`,
      };
    }
    if (tail.startsWith("(deleted)")) style.deletedOutside = true;
  }
  // The same decorations recur (`= 3</usr/lib/x.so>` in every process): read each once. Only what
  // does not depend on the style (no ` (deleted)` ending) and reads well is kept; results are shared, read only.
  const hit = DECORATION_CACHE.get(inner);
  if (hit !== undefined) return hit;
  const own = ownCopy(inner);
  const r = innerText(own, s, lt, style);
  if (r?.ok && r.orDeleted === undefined && !r.text.endsWith(" (deleted)")) {
    if (DECORATION_CACHE.size >= DECORATION_CACHE_MAX) DECORATION_CACHE.clear();
    DECORATION_CACHE.set(own, r);
  }
  return r;
}

const DECORATION_CACHE = new Map<string, DecorationText>();
const DECORATION_CACHE_MAX = 8192;

/** decorationText's reading of the text between `<` and `>` (`inner`) of the decoration at `lt` in `s`. */
function innerText(inner: string, s: string, lt: number, style: DecorationStyle): DecorationText | undefined {
  // Not a path (`TCP:[...]`, `UNIX-STREAM:[5,"/run/a<b>"]`, `pipe:[7]`): only its kind is read.
  if (inner.charCodeAt(0) !== 0x2f) return { ok: true, text: inner };
  const nested = inner.indexOf("<");
  if (nested >= 0) {
    const dev = DEVICE_SUFFIX.exec(inner);
    if (!dev || dev.index !== nested)
      return {
        ok: false,
        message: `-y decoration ${showBytes(s.slice(lt))} cannot be read unambiguously: a raw "<" in the name (strace before 4.22); the path argument is used instead`,
      };
    inner = inner.slice(0, nested);
  }
  const d = inner.indexOf("\\") < 0 ? { bytes: inner, truncated: false } : decodeCString(`"${inner}"`);
  if (!d) return undefined;
  const t = checkPathBytes(d.bytes, false);
  if (t.ok && !style.deletedOutside && t.text.endsWith(" (deleted)")) return { ok: true, text: t.text, orDeleted: t.text.slice(0, -10) };
  return t;
}

/** A result's decoration without a `-T` time at its end (`</etc/passwd> <0.000012>` gives `</etc/passwd>`). */
export function withoutTiming(d: string): string {
  const i = d.lastIndexOf(" <");
  if (i >= 0) return isTimingTail(d.slice(i)) ? d.slice(0, i) : d;
  return d.charCodeAt(0) === 0x3c && isTimingTail(` ${d}`) ? "" : d;
}

/** ` <0.000048>` (`-T`), the usual tail: one of DECORATION_TAIL's forms, recognized without the regular expression. */
function isTimingTail(t: string): boolean {
  const n = t.length;
  if (n < 4 || t.charCodeAt(0) !== 0x20 || t.charCodeAt(1) !== 0x3c || t.charCodeAt(n - 1) !== 0x3e) return false;
  let i = 2;
  while (i < n - 1 && isDigit(t.charCodeAt(i))) i++;
  if (i === 2) return false;
  if (i === n - 1) return true;
  if (t.charCodeAt(i) !== 0x2e) return false;
  const frac = ++i;
  while (i < n - 1 && isDigit(t.charCodeAt(i))) i++;
  return i === n - 1 && i > frac;
}

/** An fd argument: the number (`"cwd"` for AT_FDCWD) and its `-y` decoration when printed. */
export interface FdArg {
  fd: number | "cwd";
  deco: DecorationText | undefined;
}

/** The fd number of an fd argument (`3`, `3</etc/passwd>`, `AT_FDCWD`, `-100 /* AT_FDCWD *\/`), without decoding its decoration. */
function parseFdHead(token: string): { fd: number | "cwd"; lt: number } | undefined {
  const lt = token.indexOf("<");
  const head = lt < 0 ? token : token.slice(0, lt);
  const n = parseNumber(head);
  if (n !== undefined) return { fd: n === -100 ? "cwd" : n, lt };
  const h = stripComments(head);
  return h === "AT_FDCWD" ? { fd: "cwd", lt } : undefined;
}

export function parseFdArg(token: string, style: DecorationStyle): FdArg | undefined {
  const h = parseFdHead(token);
  if (!h) return undefined;
  return { fd: h.fd, deco: h.lt < 0 ? undefined : decorationText(token.trim(), token.trim().indexOf("<"), style, true) };
}

/** The path a return value's `-y` decoration names (`= 3</usr/lib/x.so> <0.000012>`), if any. */
export function retDecorPath(e: SyscallEvent, style: DecorationStyle): DecorationText | undefined {
  return hasFdDecoration(e) ? decorationText(e.retDecor, 0, style) : undefined;
}

/** The return value carries a `-y` decoration (`<...>` but not `-T`'s `<0.000012>`). */
export function hasFdDecoration(e: SyscallEvent): boolean {
  const d = e.retDecor;
  return d.charCodeAt(0) === 0x3c && !isDigit(d.charCodeAt(1));
}

export function fdNumber(tok: string | undefined): number | undefined {
  if (tok === undefined) return undefined;
  // A number before any decoration (`close(3)`, `close(3</etc/passwd>)`): parseFdHead's reading without its object.
  const lt = tok.indexOf("<");
  const n = parseNumber(lt < 0 ? tok : tok.slice(0, lt));
  if (n !== undefined) return n === -100 ? undefined : n;
  const h = parseFdHead(tok);
  return h && h.fd !== "cwd" ? h.fd : undefined;
}
