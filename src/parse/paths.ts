// Lexical path helpers: absolute or not, normalization, joining.

export function isAbsolute(p: string): boolean {
  return p.charCodeAt(0) === 0x2f;
}

/** Lexical normalization: `//`, `.`, `..` (above `/` stays `/`). */
export function normalizePath(p: string): string {
  if (p.indexOf("//") < 0 && (p.length === 1 || !p.endsWith("/")) && (p.indexOf("/.") < 0 || (isAbsolute(p) && !hasDotSegment(p)))) return p;
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** A `.` or `..` segment (`/a/./b`, `/a/..`): not merely a name starting with a dot (`/home/u/.config`). */
function hasDotSegment(p: string): boolean {
  for (let i = p.indexOf("/."); i >= 0; i = p.indexOf("/.", i + 2)) {
    if (i + 2 === p.length || p.charCodeAt(i + 2) === 0x2f) return true; // `/.` at the end, `/./`
    if (p.charCodeAt(i + 2) === 0x2e && (i + 3 === p.length || p.charCodeAt(i + 3) === 0x2f)) return true; // `/..`, `/../`
  }
  return false;
}

export function joinPath(base: string, rel: string): string {
  return normalizePath(base === "/" ? `/${rel}` : `${base}/${rel}`);
}
