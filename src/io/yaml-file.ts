import * as yaml from "js-yaml";
import type { z } from "zod";
import { type ErrorCode, UserError } from "../model/diagnostics.js";

/**
 * The 1-based line of the node at `path` in a block-style YAML text (best effort: keys are looked
 * up in order, each deeper than the last; sequence items by their `- `). 0 when not found.
 */
export function lineOfPath(text: string, path: readonly PropertyKey[]): number {
  const lines = text.split("\n");
  let from = 0;
  let indent = -1;
  let found = 0;
  for (const seg of path) {
    let hit = -1;
    let seen = 0;
    for (let i = from; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\s*(#|$)/.test(l)) continue;
      const ind = l.length - l.trimStart().length;
      if (ind <= indent && i > from) break;
      const body = l.trimStart();
      if (typeof seg === "number") {
        if (body.startsWith("- ") || body === "-") {
          if (seen === seg) {
            hit = i;
            indent = ind;
            break;
          }
          seen++;
        }
      } else {
        const key = String(seg);
        const m = /^(?:- )?(["']?)(.*?)\1\s*:(\s|$)/.exec(body);
        if (m && m[2] === key) {
          hit = i;
          indent = ind + (body.startsWith("- ") ? 2 : 0);
          break;
        }
      }
    }
    if (hit < 0) return found;
    found = hit + 1;
    from = hit + 1;
  }
  return found;
}

/**
 * Reads YAML that syscage or a user wrote and checks it against `schema`, reporting every problem
 * at once as `file:line: path: message (CODE)`.
 */
export function parseYamlFile<S extends z.ZodType>(text: string, file: string, schema: S, code: ErrorCode): z.infer<S> {
  let data: unknown;
  try {
    data = yaml.load(text, { filename: file });
  } catch (e) {
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const where = mark ? `${file}:${mark.line + 1}:${mark.column + 1}` : file;
    throw new UserError(`${where}: not valid YAML: ${(e as { reason?: string }).reason ?? (e as Error).message}`, code, { cause: e });
  }
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const line = lineOfPath(text, i.path);
    const path = i.path.length ? i.path.map(String).join(".") : "(top level)";
    return `${file}${line ? `:${line}` : ""}: ${path}: ${i.message}`;
  });
  throw new UserError(`${problems.join("\n")}`, code);
}
