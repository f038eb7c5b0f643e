/** `-X verbose` puts the symbolic form in a comment after the number: drop comments. */
export function stripComments(t: string): string {
  return t.indexOf("/*") < 0 ? t.trim() : t.replace(/\/\*.*?\*\//g, "").trim();
}

/**
 * A number as strace prints one: decimal (`2`, `-1`), `0x` hex, `0` octal (`0644`: modes, `-X raw`),
 * possibly commented (`0x2 /* AF_INET *\/`). Undefined for anything else (`09` is not a number).
 * The one reader of numbers in argument text: parse/arg-values.ts and parse/resources.ts use it.
 */
export function straceNumber(token: string): number | undefined {
  const t = stripComments(token);
  if (/^-?(?:0|[1-9]\d*)$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  return undefined;
}
