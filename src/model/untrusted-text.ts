// Text that came from a trace (paths, names, addresses) or from a file the tool reads back is
// untrusted. This module is the one place that decides what such text may hold to become part of a
// rule, and how it is shown to a person: every message that carries trace content goes through
// `terminalSafe` (formatDiagnostic and the CLI's error line call it), every quoted value through
// `displayValue`.

/** C0 controls, DEL and C1 controls (U+0080-U+009F: U+009B starts a terminal escape, U+0085 is a line break). */
export const CONTROL = /\p{Cc}/u;
/** Half of a UTF-16 pair: its bytes are unknown. */
export const LONE_SURROGATE = /\p{Cs}/u;
/** Bidirectional controls and line separators: representable, but text then reads differently from what it is. */
export const MISLEADING = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

const SHOWN_ESCAPED = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;
/** The same, but a tab stays: harmless on a terminal line, and reports align with it. */
const SHOWN_ESCAPED_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/gu;

/** `U+202E` for the first character of `s`. */
export function codePointName(s: string): string {
  return `U+${(s.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Why `value` cannot stand in a rule or a one-line message as it is (a control, a lone surrogate,
 * a bidirectional or line-separator character), or undefined. Each format adds its own checks.
 */
export function unsafeCharacterProblem(value: string, purpose = "rules are kept free of them so a rule cannot span lines or hide text"): string | undefined {
  const control = CONTROL.exec(value);
  if (control) return `contains control character ${codePointName(control[0])}; ${purpose}`;
  if (LONE_SURROGATE.test(value)) return "is not valid Unicode (a lone surrogate), so its bytes are unknown";
  const misleading = MISLEADING.exec(value);
  if (misleading)
    return `contains ${codePointName(misleading[0])}, a bidirectional or line-separator character that makes the rule read differently from what it matches`;
  return undefined;
}

/** A value quoted for a one-line message: JSON string syntax, with C1, DEL, bidirectional and separator characters escaped too. */
export function displayValue(s: string): string {
  return JSON.stringify(s).replace(SHOWN_ESCAPED, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`);
}

/**
 * Any text made safe to write to a terminal on one line: controls but tab (newline, ESC, C1), lone
 * surrogates, bidirectional and separator characters become `\u{...}`; the rest is unchanged.
 */
export function terminalSafe(s: string): string {
  return s.replace(SHOWN_ESCAPED_BUT_TAB, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

/** Untrusted text for a comment in a generated file: one line, nothing hidden, at most `max` characters. */
export function commentText(s: string, max = 200): string {
  const out = terminalSafe(s);
  return out.length > max ? `${out.slice(0, max)}...` : out;
}

/**
 * One value an emitter cannot write safely, and why. `item` is the model object (file, endpoint,
 * socket kind...) it came from, when leaving out that object is what removes the problem and
 * `value` alone does not identify it (a port, a socket kind).
 */
export interface ValueProblem<Code extends string> {
  code: Code;
  /** What the value is: `profile name`, `file`, `exec`, `socket`, `connect`, `listen`, `image`... */
  what: string;
  /** The offending value as the input holds it (may contain control characters: print it with displayValue). */
  value: string;
  reason: string;
  item?: object;
}
