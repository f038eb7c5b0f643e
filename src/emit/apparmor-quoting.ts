// Quoting of untrusted paths for AppArmor rules: which paths can be written at all, which `*` are
// globs, and the escaping apparmor_parser reads back literally (verified under --warn=all --Werror,
// see the table in apparmor.test.ts).

import { pathPieces } from "../model/path-pattern.js";
import type { FileUse } from "../model/resources.js";
import { unsafeCharacterProblem } from "../model/untrusted-text.js";

/** `[A-Za-z0-9][A-Za-z0-9._-]*`: the name is pasted unquoted into `profile NAME` and `peer=NAME`. */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Linux PATH_MAX is 4096 bytes with the NUL: a longer path never came from a successful syscall.
 * The limit also keeps the quoted rule (at most twice as long once escaped) far below the 16 KiB
 * token buffer of apparmor_parser's scanner, which fails with "input buffer overflow" at 16384.
 */
export const APPARMOR_MAX_PATH_BYTES = 4095;

/**
 * Characters a backslash makes literal inside a quoted AppArmor path. Measured with apparmor_parser
 * 3.0.8: unescaped, `"` and `\` break the quoting, `* ? [ ] { }` become glob syntax (`@{` becomes a
 * variable because `{` is escaped here, giving `@\{`), `^` is literal outside `[]` but harmless to
 * escape. Escaping any other printable character except `$ ,` and the escape letters
 * `0-7 a e f n r t x` is "quoted unnecessarily" (an error under --Werror); `\n`, `\t`, `\x..` and
 * octal turn into other characters. So exactly this set is escaped and nothing else, with one
 * exception: a backslash that ends the path is written as octal `\134` (see quotePath).
 */
const ESCAPED_IN_PATH = new Set(["\\", '"', "*", "?", "[", "]", "{", "}", "^"]);

/** Why `path` cannot be written into a profile, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (!path.startsWith("/")) return "not an absolute path";
  const unsafe = unsafeCharacterProblem(path, "AppArmor rules are kept free of them so a rule cannot span lines or hide text");
  if (unsafe !== undefined) return unsafe;
  const bytes = utf8Length(path);
  if (bytes > APPARMOR_MAX_PATH_BYTES)
    return `is ${bytes} bytes long; paths longer than ${APPARMOR_MAX_PATH_BYTES} bytes (PATH_MAX) cannot come from a successful call`;
  return undefined;
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * A file's path as text plus the UTF-16 indexes of the `*` that are globs. A `*` is a literal
 * character (a file can be named `*`) unless the model marks the path as a pattern (`glob: true`),
 * and even then only a bare `*` is a glob; `\*` and `\\` are a real name's `*` and `\`.
 */
export function literalAndGlobs(f: Pick<FileUse, "path" | "glob">): { text: string; globs: ReadonlySet<number> } {
  let text = "";
  const globs = new Set<number>();
  for (const piece of pathPieces(f)) {
    if (piece.kind === "glob") {
      globs.add(text.length);
      text += "*";
    } else text += piece.text;
  }
  return { text, globs };
}

/**
 * The globs the `pid` rule made: whole segments at `/proc/<pid>` and `/proc/<x>/task/<tid>`. They
 * stood for numbers in every run. Only trusted when no rule but many-files (which makes the last
 * segment a glob) was also applied, so a uuid or hash glob is never mistaken for a pid.
 */
export function pidGlobs(text: string, globs: ReadonlySet<number>, generalizedBy: string | undefined): ReadonlySet<number> {
  const rules = new Set(generalizedBy?.split(",") ?? []);
  if (!rules.has("pid") || [...rules].some((r) => r !== "pid" && r !== "many-files")) return new Set();
  const out = new Set<number>();
  for (const i of globs) {
    const wholeSegment = text[i - 1] === "/" && (i + 1 === text.length || text[i + 1] === "/");
    const last = text.indexOf("/", i) === -1;
    const before = text.slice(0, i);
    const place = before === "/proc/" || /^\/proc\/[^/]+\/task\/$/.test(before);
    if (wholeSegment && place && !(last && rules.has("many-files"))) out.add(i);
  }
  return out;
}

/** `path` as an AppArmor quoted path: everything literal except the `*` at `globs`. */
export function quotePath(path: string, globs: ReadonlySet<number> = new Set()): string {
  let out = '"';
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "*" && globs.has(i)) out += "*";
    // `\\"` would not close the string: apparmor_parser's lexer reads `\"` as an escaped quote and,
    // taking the longest match, runs on to the next `"` of the profile. Octal 134 is the same byte.
    else if (c === "\\" && i === path.length - 1) out += "\\134";
    else if (ESCAPED_IN_PATH.has(c)) out += `\\${c}`;
    else out += c;
  }
  return `${out}"`;
}
