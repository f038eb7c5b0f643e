// Character-level scanning of strace text. These run once per line on gigabyte traces: no regular
// expressions and no intermediate arrays on the common path.

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LT = 0x3c;
const SPACE = 0x20;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `[a-z0-9_]`: what a syscall name is made of. */
export function isNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * Index just after the string literal that opens at `i` (which holds `"`), honouring `\"` escapes;
 * `s.length` when the literal is not closed on this line.
 */
export function skipString(s: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0) return s.length;
    // An odd run of backslashes before the quote escapes it.
    let k = q - 1;
    while (k >= j && s.charCodeAt(k) === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q + 1;
    j = q + 1;
  }
}

/**
 * A `-y` decoration opens at `i`: `3</path>`, `AT_FDCWD</cwd>` (the path inside is not quoted).
 * `1<<CAP_CHOWN` (capability and flag sets) is a shift, not a decoration: none starts with `<`.
 */
export function isDecorationStart(s: string, i: number): boolean {
  if (s.charCodeAt(i + 1) === 0x3c) return false;
  return isDigit(s.charCodeAt(i - 1)) || (i >= 8 && s.startsWith("AT_FDCWD", i - 8));
}

/**
 * Index just after the `-y` decoration opening at `i`, or -1. `<` nests, and the `->` of a `-yy`
 * socket (`3<TCP:[127.0.0.1:45678->127.0.0.1:80]>`) does not close it, nor does a `<` or `>` in
 * the quoted path of a unix socket (`3<UNIX-STREAM:[5,"/run/a>b"]>`, which strace does not escape).
 */
export function decorationEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    // A path decoration escapes its quotes (`3</tmp/a\"b>`): only an unescaped `"` opens a string.
    if (c === QUOTE && s.charCodeAt(j - 1) !== BACKSLASH) j = skipString(s, j) - 1;
    else if (c === 0x3c) depth++;
    else if (c === 0x3e && s.charCodeAt(j - 1) !== 0x2d && --depth === 0) return j + 1;
  }
  return -1;
}

/**
 * Index of the `)` that closes the argument list whose text starts at `from` (depth 0 there), or -1
 * when the line ends first. Skips string literals and `-y` decorations (`3</path (with) parens>`,
 * `<` right after a digit), so parentheses inside either do not count.
 */
export function findCloseParen(s: string, from: number): number {
  let depth = 0;
  const n = s.length;
  let i = from;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(s, i);
      continue;
    }
    if (c === LPAREN) depth++;
    else if (c === RPAREN) {
      if (depth === 0) return i;
      depth--;
    } else if (c === LT && i > from && isDecorationStart(s, i)) {
      const j = decorationEnd(s, i);
      if (j < 0) return -1;
      i = j;
      continue;
    }
    i++;
  }
  return -1;
}

export function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === SPACE) i++;
  return i;
}

/**
 * The parsed tail of a call line after its closing parenthesis: ` = RESULT [decorations]`. The value
 * and decorations stay indexes into the line (`src`) until someone asks: most consumers only count.
 */
export interface CallResult {
  outcome: "ok" | "error" | "unfinished";
  /** The error name (`ENOENT`, `errno 22`); empty unless outcome is `error`. */
  errno: string;
  src: string;
  retStart: number;
  retEnd: number;
  decorFrom: number;
}

export const NO_RESULT: CallResult = { outcome: "unfinished", errno: "", src: "", retStart: 0, retEnd: 0, decorFrom: 0 };

/** The return value token (`3`, `0x7f..`, `-1`, `?`); empty when unfinished. */
export function retvalOf(r: CallResult): string {
  return r.outcome === "unfinished" ? "" : r.src.slice(r.retStart, r.retEnd);
}

/** What strace printed after the value (`</etc/passwd>`, `(flags O_RDWR)`, `<0.000012>`). */
export function decorOf(r: CallResult): string {
  const s = r.src;
  let i = r.decorFrom;
  if (i >= s.length) return "";
  // Usually ` <0.000012>` or `</etc/passwd>`: skip the spaces before slicing, so one string, not two.
  while (s.charCodeAt(i) === SPACE) i++;
  const t = s.slice(i);
  const n = t.length;
  if (n === 0) return t;
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(n - 1);
  return a <= 0x20 || b <= 0x20 || a === 0xa0 || b === 0xa0 || a > 0xff || b > 0xff ? t.trim() : t;
}

/**
 * Reads ` = 3`, `   = -1 ENOENT (No such file or directory)`, `= ? ERESTARTSYS (...)`, `= ?`,
 * `= -1 (errno 22)`, `= 0x7f12 <0.000012>`, `= 3</etc/passwd>` starting at `i` (just after `)`).
 * Error text is ignored (it is localized); only the `E...` name counts. Returns null when there is no
 * `=` result.
 */
export function parseResult(s: string, i: number, into?: CallResult): CallResult | null {
  i = skipSpaces(s, i);
  if (s.charCodeAt(i) !== 0x3d /* = */) return null;
  i++;
  i = skipSpaces(s, i);
  const n = s.length;
  if (i >= n) return null;
  let end = i;
  // The value token ends at a space or a `<` (a `-y` decoration directly after the number).
  while (end < n) {
    const c = s.charCodeAt(end);
    if (c === SPACE || c === LT) break;
    end++;
  }
  let outcome: CallResult["outcome"] = "ok";
  let errno = "";
  let decorFrom = end;
  const first = s.charCodeAt(i);
  if (first === 0x3f /* ? */ || first === 0x2d /* - */) {
    // `-1 ENOENT (...)`, `? ERESTARTSYS (...)`, `-1 (errno 22)`
    const e = end + 1;
    if (s.charCodeAt(end) === SPACE && s.charCodeAt(e) === 0x45 /* E */) {
      let k = e + 1;
      while (k < n) {
        const c = s.charCodeAt(k);
        if (!((c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f)) break;
        k++;
      }
      errno = s.slice(e, k);
      outcome = "error";
      decorFrom = k;
    } else if (s.startsWith(" (errno ", end)) {
      const k = s.indexOf(")", end);
      errno = s.slice(end + 2, k < 0 ? n : k);
      outcome = "error";
      decorFrom = k < 0 ? n : k + 1;
    } else if (first === 0x3f) {
      outcome = "unfinished";
    }
  }
  if (into) {
    into.outcome = outcome;
    into.errno = errno;
    into.src = s;
    into.retStart = i;
    into.retEnd = end;
    into.decorFrom = decorFrom;
    return into;
  }
  return { outcome, errno, src: s, retStart: i, retEnd: end, decorFrom };
}

/** Removes ANSI colour sequences (strace 7 can colour its output). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}
