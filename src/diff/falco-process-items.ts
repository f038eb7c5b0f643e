import type { Item } from "../model/diff.js";
import { parseCondition, type Cond, type CondValue } from "../parse/falco-condition.js";

/** The macros syscage writes for rules scoped by process: an OR of terms, each allowing pairs. */
const PROCESS_MACRO = /^syscage_[a-z0-9_]+_process_[a-z]+$/;

function literal(v: CondValue): string {
  return v.quoted ? `"${v.text.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v.text;
}

/** One conjunct as text for each single value it allows (`fd.name in ("a", "b")` gives two). */
function alternatives(c: Cond): string[] | undefined {
  switch (c.k) {
    case "cmp":
      return [`${c.field}${c.op === "=" ? " = " : ` ${c.op} `}${literal(c.value)}`];
    case "in":
      return c.values.map((v) => `${c.field} = ${literal(v)}`);
    case "glob":
      return [`${c.field} glob ${literal({ text: c.pattern, quoted: true })}`];
    case "not": {
      const inner = alternatives(c.of);
      return inner?.length === 1 ? [`not ${inner[0]}`] : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * A per-process macro (`syscage_web_process_writes`) as one item per allowed pair, so that the
 * semantic diff shows a new (executable, path) or (parent, program) pair as one added item:
 * `macro syscage_web_process_writes: proc.exepath = "/usr/bin/python3" and fd.name = "/tmp/x"`.
 * Undefined for other macros, or for a condition of another shape (then compared whole).
 */
export function processMacroItems(name: string, condition: string): Item[] | undefined {
  if (!PROCESS_MACRO.test(name)) return undefined;
  let cond: Cond;
  try {
    cond = parseCondition(condition, new Map());
  } catch {
    return undefined;
  }
  const terms = cond.k === "or" ? cond.of : [cond];
  const items: Item[] = [{ id: `macro ${name}`, value: "", kind: "fact", group: "macros" }];
  for (const term of terms) {
    const parts = term.k === "and" ? term.of : [term];
    let combos: string[] = [""];
    for (const p of parts) {
      const alts = alternatives(p);
      if (alts === undefined) return undefined;
      combos = combos.flatMap((prefix) => alts.map((a) => (prefix === "" ? a : `${prefix} and ${a}`)));
    }
    for (const c of combos) items.push({ id: `macro ${name}: ${c}`, value: "", kind: "permission", group: "macros" });
  }
  return items;
}
