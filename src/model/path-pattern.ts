// The pattern format of generalized paths (see aggregate/generalize.ts): a `glob: true` path whose bare
// `*` are globs within one segment and whose `\*`, `\\` are literal. Written by aggregate/, read by
// the emitters and the diff, so it lives in the model.

import type { FileUse } from "./resources.js";

/** A piece of a path: literal text, or a glob for any characters within one segment. */
export type PathPiece = { kind: "text"; text: string } | { kind: "glob" };

/**
 * The pieces of a file's path. A literal path (no `glob`) is one text piece, whatever it contains;
 * a pattern is split at its bare `*`, with `\*` and `\\` turned back into `*` and `\`.
 */
export function pathPieces(file: Pick<FileUse, "path" | "glob">): PathPiece[] {
  if (file.glob !== true) return [{ kind: "text", text: file.path }];
  const out: PathPiece[] = [];
  let text = "";
  const p = file.path;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "\\" && i + 1 < p.length) {
      text += p[++i];
    } else if (c === "*") {
      if (text !== "") out.push({ kind: "text", text });
      text = "";
      out.push({ kind: "glob" });
    } else text += c;
  }
  if (text !== "") out.push({ kind: "text", text });
  return out;
}

/** Escapes a literal name for use inside a pattern (`*` -> `\*`, `\` -> `\\`). */
export function escapePatternText(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}
