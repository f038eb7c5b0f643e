// Untrusted values as Falco filter literals: which values can be written as one double-quoted
// literal that every filter grammar in use reads back unchanged, the quoting, and the list-name check
// (Falco pastes list items into conditions as text). Verified against sysdig's filter compiler and
// the libs lexer; see falco.test.ts.

import { unsafeCharacterProblem } from "../model/untrusted-text.js";

/**
 * The longest string literal Falco's filter compiler stores: libs `sinsp_filter_check::add_filter_value`
 * grows a value's buffer up to `s_max_filter_value_buf_size` (256) and `string_to_rawval` needs room
 * for the terminating NUL, so 255 bytes. A longer literal fails the whole rules file at load time
 * ("filter parameter too long"); Debian's sysdig 0.29 has the same limit.
 */
export const FALCO_MAX_LITERAL_BYTES = 255;
const UTF8 = new TextEncoder();

/**
 * Why `value` cannot be a double-quoted Falco filter literal, or undefined when it can. What is
 * accepted reads back as exactly `value` in both filter grammars in use:
 * - libs >= 0.6 (every Falco that loads this file): a `"` string ends at the first `"` whose
 *   preceding character is not a backslash, then `\\` and `\"` are unescaped. So a value ending in
 *   a backslash cannot be written: its escaped `\\` makes the closing quote look escaped.
 * - the legacy compiler in Debian's sysdig 0.29 (used to check and replay conditions): a quoted
 *   string ends at the first unescaped `"` *or* `'`, so a value holding `'` breaks out there.
 * Control characters are refused: the literal must stay on one line of the rule file.
 */
export function falcoStringProblem(value: string): string | undefined {
  if (value === "") return "is empty";
  const unsafe = unsafeCharacterProblem(value, "filter literals are kept on one line");
  if (unsafe !== undefined) return unsafe;
  if (value.endsWith("\\")) return "ends in a backslash: Falco's lexer would take the closing quote for an escaped one";
  if (value.includes("'")) return "contains ', which ends a double-quoted string in sysdig's legacy filter compiler";
  const bytes = UTF8.encode(value).length;
  if (bytes > FALCO_MAX_LITERAL_BYTES)
    return `is ${bytes} bytes long; Falco's filter compiler stores at most ${FALCO_MAX_LITERAL_BYTES} bytes per value and would refuse the whole rules file`;
  return undefined;
}

/** `value` as a double-quoted filter literal (`\` and `"` escaped). Throws when falcoStringProblem finds one. */
export function quoteFalcoString(value: string): string {
  const problem = falcoStringProblem(value);
  if (problem !== undefined) throw new Error(`${JSON.stringify(value)} ${problem}`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * Falco pastes a list's items wherever the list's name stands between two of these characters
 * (or the ends of the condition), inside string literals too (`resolve_list`). A literal of ours
 * that holds one of our list names that way would get that list's (quoted, attacker-chosen) items
 * pasted into it, breaking out of the quotes: such literals are refused.
 */
const LIST_NAME_DELIMITERS = " \t\n\r(),=";

export function embedsListName(literal: string, listNames: readonly string[]): string | undefined {
  for (const name of listNames) {
    for (let at = literal.indexOf(name); at >= 0; at = literal.indexOf(name, at + 1)) {
      const before = at === 0 ? undefined : literal[at - 1];
      const after = literal[at + name.length];
      if ((before === undefined || LIST_NAME_DELIMITERS.includes(before)) && (after === undefined || LIST_NAME_DELIMITERS.includes(after))) return name;
    }
  }
  return undefined;
}
