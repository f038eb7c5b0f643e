// Lazy decoding of a call's argument text. The parser keeps arguments as the raw text strace printed;
// consumers that need paths, flags, fds or addresses decode only the calls they care about.

import { decorationEnd, isDecorationStart, skipString } from "./scan.js";

export { decorationEnd };

/**
 * Splits argument text at the commas that separate arguments (outside strings, brackets, braces,
 * parentheses and `-y` decorations). `openat(AT_FDCWD, "/a,b", O_RDONLY)` gives three items.
 */
export function splitArgs(args: string): string[] {
  // One scan for both readings: ArgList's, read to the end.
  const list = new ArgList().reset(args);
  const out: string[] = [];
  for (let item = list.at(0); item !== undefined; item = list.at(out.length)) out.push(item);
  return out;
}

/** The characters ArgList's scan acts on: `"`, `(`, `[`, `{`, `)`, `]`, `}`, `<`, `,` (1), others (0). */
const SPLIT_CLASS = new Uint8Array(128);
for (const ch of '"([{)]}<,') SPLIT_CLASS[ch.charCodeAt(0)] = 1;

/**
 * The arguments of one call, split lazily: `at(i)` scans only as far as item `i`, the same items
 * splitArgs gives. Most calls a handler reads need the first two or three arguments of a text whose
 * bulk is a stat struct, a buffer or an argv after them. Reusable (`reset`) to spare the allocation.
 */
export class ArgList {
  private text = "";
  private readonly items: string[] = [];
  /** How many of `items` belong to `text` (the rest are stale: cheaper than truncating). */
  private count = 0;
  /** Where the next item starts. */
  private pos = 0;
  private done = false;

  /** Splits `text` from now on. */
  reset(text: string): this {
    this.text = text;
    this.count = 0;
    this.pos = 0;
    this.done = false;
    return this;
  }

  /** `text` is the only item, as is (close's one fd argument: nothing to split). */
  resetWhole(text: string): this {
    this.text = text;
    this.items[0] = text;
    this.count = 1;
    this.done = true;
    return this;
  }

  /** The trimmed item `i` (0-based), as splitArgs(text)[i]. */
  at(i: number): string | undefined {
    while (this.count <= i && !this.done) this.next();
    return i < this.count ? this.items[i] : undefined;
  }

  private next(): void {
    const args = this.text;
    const n = args.length;
    const start = this.pos;
    let depth = 0;
    let i = start;
    while (i < n) {
      const c = args.charCodeAt(i);
      // Most characters are none of the ones below: one table lookup passes them.
      if (c >= 0x80 || SPLIT_CLASS[c] === 0) {
        i++;
        continue;
      }
      if (c === 0x22) {
        i = skipString(args, i);
        continue;
      }
      if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x29 || c === 0x5d || c === 0x7d) depth--;
      else if (c === 0x3c && i > 0 && isDecorationStart(args, i)) {
        const j = fastDecorationEnd(args, i);
        if (j > 0) {
          i = j;
          continue;
        }
      } else if (c === 0x2c && depth === 0) {
        this.items[this.count++] = trimmedSlice(args, start, i);
        this.pos = i + 1;
        return;
      }
      i++;
    }
    this.done = true;
    const last = trimmedSlice(args, start, n);
    if (last !== "" || this.count > 0) this.items[this.count++] = last;
  }
}

/**
 * decorationEnd(s, i), without a character loop in the usual case: a decoration up to the first `>`
 * that holds no `<` (nesting), no `"` (a quoted unix socket path) and is not `->`.
 */
export function fastDecorationEnd(s: string, i: number): number {
  const gt = s.indexOf(">", i + 1);
  if (gt > 0 && s.charCodeAt(gt - 1) !== 0x2d) {
    const lt = s.indexOf("<", i + 1);
    if (lt < 0 || lt > gt) {
      const q = s.indexOf('"', i + 1);
      if (q < 0 || q > gt) return gt + 1;
    }
  }
  return decorationEnd(s, i);
}

/**
 * A copy of `s` that holds on to nothing else. Argument text is sliced from the reader's 64 KiB window
 * strings (or a part's 32K text chunks), and a slice keeps its whole window alive: what a cache keeps for long must be a copy.
 */
export function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/** splitArgs(args)[index], scanning no further than that item. */
export function argAt(args: string, index: number): string | undefined {
  // One list for all calls: at() never calls back into argAt, and its result is a plain string.
  return SHARED_LIST.reset(args).at(index);
}

const SHARED_LIST = new ArgList();

/** `s.slice(from, to).trim()` with one allocation in the usual case (strace separates arguments with `, `). */
function trimmedSlice(s: string, from: number, to: number): string {
  while (from < to && s.charCodeAt(from) === 0x20) from++;
  const t = s.slice(from, to);
  const n = t.length;
  if (n === 0) return t;
  const a = t.charCodeAt(0);
  const b = t.charCodeAt(n - 1);
  // Whatever trim() could remove: ASCII controls and space, NBSP, and anything beyond latin1.
  return a <= 0x20 || b <= 0x20 || a === 0xa0 || b === 0xa0 || a > 0xff || b > 0xff ? t.trim() : t;
}

/** A C string literal decoded to its bytes (held as a latin1 string, one char per byte). */
export interface DecodedString {
  bytes: string;
  /** strace cut the string at `-s` bytes (`"..."...`): the value is a prefix. */
  truncated: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", v: "\v", f: "\f", a: "\x07", b: "\b", '"': '"', "\\": "\\", "'": "'", "?": "?" };

/** Decodes `"..."` (C escapes, `\x..`, octal, `-x`/`-xx` hex) and a trailing `...`; undefined if not a string literal. */
export function decodeCString(token: string): DecodedString | undefined {
  const t = token.trim();
  if (t.charCodeAt(0) !== 0x22) return undefined;
  const end = skipString(t, 0);
  if (end > t.length || t.charCodeAt(end - 1) !== 0x22 || end < 2) return undefined;
  let out = "";
  for (let i = 1; i < end - 1; i++) {
    const ch = t[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const nx = t[i + 1];
    if (nx === undefined) break;
    if (nx === "x") {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(t.slice(i + 2, i + 4))?.[0] ?? "";
      out += String.fromCharCode(parseInt(hex || "0", 16));
      i += 1 + hex.length;
    } else if (nx >= "0" && nx <= "7") {
      const oct = /^[0-7]{1,3}/.exec(t.slice(i + 1, i + 4))![0];
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else {
      out += SIMPLE_ESCAPES[nx] ?? nx;
      i += 1;
    }
  }
  return { bytes: out, truncated: t.startsWith("...", end) };
}

/** Bytes (latin1 string) as text, when they are valid UTF-8; undefined otherwise. */
export function bytesToUtf8(bytes: string): string | undefined {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes;
  const buf = Buffer.from(bytes, "latin1");
  const text = buf.toString("utf8");
  return Buffer.from(text, "utf8").equals(buf) ? text : undefined;
}

/** The decoded string argument at `index` (0-based), as text; undefined when it is not a whole string. */
export function firstStringArg(args: string, index: number): string | undefined {
  const tok = argAt(args, index);
  if (tok === undefined) return undefined;
  const d = decodeCString(tok);
  if (!d || d.truncated) return undefined;
  return bytesToUtf8(d.bytes) ?? d.bytes;
}

/** `3</etc/passwd>` (strace -y) gives `{ fd: 3, path: "/etc/passwd" }`; a bare `3` gives no path. */
export function parseFd(token: string): { fd: number; path?: string } | undefined {
  const t = token.trim();
  const m = /^(-?\d+)(?:<(.*)>)?$/s.exec(t);
  if (!m) return undefined;
  const fd = Number(m[1]);
  return m[2] === undefined ? { fd } : { fd, path: m[2] };
}
