// Falco rules files read back: lists, macros and rules (with `override: append`), and their
// conditions parsed into a tree, for `syscage falco --replay` and the semantic diff. Only the
// condition shapes syscage writes are understood (and, or, not, parentheses, macro names,
// `field op value`, `field in (...)` with list names inside, `field glob "..."`); anything else is
// refused with FalcoConditionError rather than guessed. Falco itself, and sysdig's compiler in the
// tests, remain the parsers of record.
//
// Strings are read as libs 0.25 reads them (filter/parser.cpp `lex_quoted_str`, escaping.cpp): a
// string ends at the first quote of its kind not preceded by a backslash, then `\\` and `\"` unescape.

import * as yaml from "js-yaml";

export class FalcoConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FalcoConditionError";
  }
}

/** A value as written: a quoted string's content, or a bare word (number, `true`, event name, list name). */
export interface CondValue {
  text: string;
  quoted: boolean;
}

export type Cond =
  | { k: "and"; of: Cond[] }
  | { k: "or"; of: Cond[] }
  | { k: "not"; of: Cond }
  | { k: "macro"; name: string }
  | { k: "cmp"; field: string; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: CondValue }
  | { k: "in"; field: string; values: CondValue[] }
  | { k: "glob"; field: string; pattern: string };

type Tok = { t: "str"; v: string } | { t: "word"; v: string } | { t: "op"; v: string } | { t: "("; v: "(" } | { t: ")"; v: ")" } | { t: ","; v: "," };

const SIMPLE_ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", "\\": "\\", "/": "/" };

function lexCondition(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (" \t\r\n".includes(c)) i++;
    else if (c === '"' || c === "'") {
      let j = i + 1;
      let prev = c;
      while (j < text.length && !(text[j] === c && prev !== "\\")) prev = text[j++] as string;
      if (j >= text.length) throw new FalcoConditionError(`unclosed string at offset ${i}`);
      let v = "";
      for (let k = i + 1; k < j; k++) {
        const ch = text[k] as string;
        if (ch !== "\\") {
          v += ch;
          continue;
        }
        const next = text[++k] as string;
        if (next === c) v += c;
        else if (next in SIMPLE_ESCAPES) v += SIMPLE_ESCAPES[next];
        else throw new FalcoConditionError(`invalid escape \\${next} at offset ${k - 1}`);
      }
      out.push({ t: "str", v });
      i = j + 1;
    } else if (c === "(" || c === ")" || c === ",") {
      out.push({ t: c, v: c } as Tok);
      i++;
    } else if ("=!<>".includes(c)) {
      const two = text.slice(i, i + 2);
      const op = two === "!=" || two === "<=" || two === ">=" ? two : c;
      if (op === "!") throw new FalcoConditionError(`unexpected ! at offset ${i}`);
      out.push({ t: "op", v: op });
      i += op.length;
    } else {
      let j = i;
      while (j < text.length && !` \t\r\n(),"'=!<>`.includes(text[j] as string)) j++;
      out.push({ t: "word", v: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const FIELD = /^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?:\[[0-9]+\])?$/;
const IDENT = /^[a-zA-Z][a-zA-Z0-9_]*$/;

/**
 * Parses a condition; `lists` resolves list names inside `in (...)` (Falco pastes list items
 * there). Macro names stay references, resolved when evaluating.
 */
export function parseCondition(text: string, lists: ReadonlyMap<string, CondValue[]>): Cond {
  const toks = lexCondition(text);
  let at = 0;
  const peek = (): Tok | undefined => toks[at];
  const fail = (what: string): never => {
    const t = peek();
    throw new FalcoConditionError(`expected ${what}, got ${t === undefined ? "the end" : JSON.stringify(t.v)}`);
  };
  const isWord = (v: string): boolean => {
    const t = peek();
    return t?.t === "word" && t.v === v;
  };
  const values = (): CondValue[] => {
    if (peek()?.t !== "(") fail("(");
    at++;
    const out: CondValue[] = [];
    while (peek()?.t !== ")") {
      const t = peek();
      if (t?.t === "str") out.push({ text: t.v, quoted: true });
      else if (t?.t === "word") {
        const list = lists.get(t.v);
        if (list !== undefined) out.push(...list);
        else out.push({ text: t.v, quoted: false });
      } else fail("a value");
      at++;
      if (peek()?.t === ",") at++;
      else if (peek()?.t !== ")") fail(", or )");
    }
    at++;
    return out;
  };
  const primary = (): Cond => {
    const t = peek();
    if (t?.t === "(") {
      at++;
      const e = or();
      if (peek()?.t !== ")") fail(")");
      at++;
      return e;
    }
    if (t?.t !== "word") return fail("a field, a macro or (");
    at++;
    const next = peek();
    if (next?.t === "op") {
      if (!FIELD.test(t.v)) throw new FalcoConditionError(`${JSON.stringify(t.v)} is not a field`);
      at++;
      const v = peek();
      if (v?.t === "str" || v?.t === "word") {
        at++;
        return { k: "cmp", field: t.v, op: next.v as "=", value: { text: v.v, quoted: v.t === "str" } };
      }
      return fail("a value");
    }
    if (next?.t === "word" && next.v === "in") {
      at++;
      return { k: "in", field: t.v, values: values() };
    }
    if (next?.t === "word" && next.v === "glob") {
      at++;
      const v = peek();
      if (v?.t !== "str") return fail("a quoted glob pattern");
      at++;
      return { k: "glob", field: t.v, pattern: v.v };
    }
    if (!IDENT.test(t.v) || FIELD.test(t.v))
      throw new FalcoConditionError(`unsupported condition shape at ${JSON.stringify(t.v)} (syscage's replay reads only the shapes syscage writes)`);
    return { k: "macro", name: t.v };
  };
  const not = (): Cond => {
    if (isWord("not")) {
      at++;
      return { k: "not", of: not() };
    }
    return primary();
  };
  const and = (): Cond => {
    const of = [not()];
    while (isWord("and")) {
      at++;
      of.push(not());
    }
    return of.length === 1 ? (of[0] as Cond) : { k: "and", of };
  };
  const or = (): Cond => {
    const of = [and()];
    while (isWord("or")) {
      at++;
      of.push(and());
    }
    return of.length === 1 ? (of[0] as Cond) : { k: "or", of };
  };
  const e = or();
  if (at < toks.length) fail("and, or, or the end");
  return e;
}

/** A list item as the YAML holds it (`'"/bin/sh"'`, `8080`, `execve`): one literal. */
function listItem(item: unknown, list: string): CondValue {
  if (typeof item === "number") return { text: String(item), quoted: false };
  if (typeof item !== "string") throw new FalcoConditionError(`list ${list}: item ${JSON.stringify(item)} is not a string or a number`);
  const toks = lexCondition(item);
  const t = toks[0];
  // Falco quotes an unquoted item that holds a space; a quoted one must be a single literal.
  if (toks.length !== 1 || (t?.t !== "str" && t?.t !== "word")) return { text: item, quoted: true };
  return { text: t.v, quoted: t.t === "str" };
}

export interface FalcoRuleDef {
  rule: string;
  condition: Cond;
  priority: string;
  tags: string[];
  enabled: boolean;
}

export interface FalcoRulesModel {
  lists: Map<string, CondValue[]>;
  macros: Map<string, Cond>;
  rules: FalcoRuleDef[];
}

/**
 * Reads one or more rules files in load order, as Falco does: a later `list` or `macro` with
 * `override: {items: append}` / `{condition: append}` (or the deprecated `append: true`) extends the
 * earlier one, one without replaces it; a rule with `override: {enabled: replace}` or `enabled:` only
 * switches it. Throws FalcoConditionError (with the file) on anything it cannot read.
 */
export function readFalcoRules(files: readonly { name: string; text: string }[]): FalcoRulesModel {
  const rawLists = new Map<string, unknown[]>();
  const rawMacros = new Map<string, string>();
  const rawRules = new Map<string, { condition: string; priority: string; tags: string[]; enabled: boolean }>();
  for (const f of files) {
    let doc: unknown;
    try {
      doc = yaml.load(f.text, { filename: f.name });
    } catch (e) {
      throw new FalcoConditionError(`${f.name}: not YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    if (doc === null || doc === undefined) continue;
    if (!Array.isArray(doc)) throw new FalcoConditionError(`${f.name}: a Falco rules file is a YAML list`);
    for (const entry of doc as Record<string, unknown>[]) {
      if (entry === null || typeof entry !== "object") continue;
      const override = (entry.override ?? {}) as Record<string, unknown>;
      if (typeof entry.list === "string") {
        const items = Array.isArray(entry.items) ? (entry.items as unknown[]) : [];
        const append = override.items === "append" || entry.append === true;
        rawLists.set(entry.list, append ? [...(rawLists.get(entry.list) ?? []), ...items] : items);
      } else if (typeof entry.macro === "string") {
        const cond = String(entry.condition ?? "");
        const append = override.condition === "append" || entry.append === true;
        const prev = rawMacros.get(entry.macro);
        rawMacros.set(entry.macro, append && prev !== undefined ? `${prev} ${cond}` : cond);
      } else if (typeof entry.rule === "string") {
        const prev = rawRules.get(entry.rule);
        if (prev !== undefined && (typeof entry.override === "object" || entry.append === true || entry.condition === undefined)) {
          if (typeof entry.condition === "string") prev.condition = override.condition === "replace" ? entry.condition : `${prev.condition} ${entry.condition}`;
          if (typeof entry.enabled === "boolean") prev.enabled = entry.enabled;
          continue;
        }
        if (typeof entry.condition !== "string") throw new FalcoConditionError(`${f.name}: rule ${JSON.stringify(entry.rule)} has no condition`);
        rawRules.set(entry.rule, {
          condition: entry.condition,
          priority: String(entry.priority ?? ""),
          tags: Array.isArray(entry.tags) ? entry.tags.map(String) : [],
          enabled: entry.enabled !== false,
        });
      }
    }
  }
  const lists = new Map<string, CondValue[]>();
  // Lists may name earlier lists among their items.
  for (const [name, items] of rawLists) {
    const values: CondValue[] = [];
    for (const it of items) {
      const v = listItem(it, name);
      const nested = !v.quoted ? lists.get(v.text) : undefined;
      if (nested) values.push(...nested);
      else values.push(v);
    }
    lists.set(name, values);
  }
  const parse = (what: string, text: string): Cond => {
    try {
      return parseCondition(text, lists);
    } catch (e) {
      throw new FalcoConditionError(`${what}: ${(e as Error).message}`);
    }
  };
  const macros = new Map([...rawMacros].map(([name, c]) => [name, parse(`macro ${name}`, c)]));
  const rules = [...rawRules].map(([rule, r]) => ({
    rule,
    condition: parse(`rule ${JSON.stringify(rule)}`, r.condition),
    priority: r.priority,
    tags: r.tags,
    enabled: r.enabled,
  }));
  return { lists, macros, rules };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** An event's field values as text (`fd.sport` -> `"8080"`); a field absent cannot be extracted. */
export type FieldValues = ReadonlyMap<string, string>;

/**
 * fnmatch(3) with flags 0, as Falco's `glob` calls it: `*` and `?` also match `/`, `[...]` classes
 * (`!` or `^` negates), `\` escapes the next character.
 */
export function fnmatch(pattern: string, s: string): boolean {
  const match = (pi: number, si: number): boolean => {
    while (pi < pattern.length) {
      const c = pattern[pi] as string;
      if (c === "*") {
        while (pattern[pi] === "*") pi++;
        if (pi === pattern.length) return true;
        for (let k = si; k <= s.length; k++) if (match(pi, k)) return true;
        return false;
      }
      if (si >= s.length) return false;
      if (c === "?") {
        pi++;
        si++;
        continue;
      }
      if (c === "[") {
        let j = pi + 1;
        const negate = pattern[j] === "!" || pattern[j] === "^";
        if (negate) j++;
        let ok = false;
        let first = true;
        while (j < pattern.length && (first || pattern[j] !== "]")) {
          first = false;
          let lo = pattern[j] as string;
          if (lo === "\\" && j + 1 < pattern.length) lo = pattern[++j] as string;
          let hi = lo;
          if (pattern[j + 1] === "-" && pattern[j + 2] !== undefined && pattern[j + 2] !== "]") {
            hi = pattern[j + 2] as string;
            j += 2;
          }
          if ((s[si] as string) >= lo && (s[si] as string) <= hi) ok = true;
          j++;
        }
        if (j >= pattern.length) {
          // No closing bracket: a literal `[`.
          if (s[si] !== "[") return false;
          pi++;
          si++;
          continue;
        }
        if (ok === negate) return false;
        pi = j + 1;
        si++;
        continue;
      }
      let lit = c;
      if (c === "\\" && pi + 1 < pattern.length) lit = pattern[++pi] as string;
      if (s[si] !== lit) return false;
      pi++;
      si++;
    }
    return si === s.length;
  };
  return match(0, 0);
}

function compare(actual: string, op: Extract<Cond, { k: "cmp" }>["op"], expected: string): boolean {
  if (op === "=") return actual === expected;
  if (op === "!=") return actual !== expected;
  const a = Number(actual);
  const b = Number(expected);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
}

/**
 * The condition's value on an event. As in Falco, a check on a field the event does not have is
 * false (so `not` of it is true).
 */
export function evaluateCondition(c: Cond, fields: FieldValues, macros: ReadonlyMap<string, Cond>, depth = 0): boolean {
  if (depth > 50) throw new FalcoConditionError("macros nested too deep (a macro that uses itself?)");
  switch (c.k) {
    case "and":
      return c.of.every((x) => evaluateCondition(x, fields, macros, depth));
    case "or":
      return c.of.some((x) => evaluateCondition(x, fields, macros, depth));
    case "not":
      return !evaluateCondition(c.of, fields, macros, depth);
    case "macro": {
      const m = macros.get(c.name);
      if (m === undefined) throw new FalcoConditionError(`undefined macro ${c.name}`);
      return evaluateCondition(m, fields, macros, depth + 1);
    }
    case "cmp": {
      const v = fields.get(c.field);
      return v !== undefined && compare(v, c.op, c.value.text);
    }
    case "in": {
      const v = fields.get(c.field);
      return v !== undefined && c.values.some((x) => x.text === v);
    }
    case "glob": {
      const v = fields.get(c.field);
      return v !== undefined && fnmatch(c.pattern, v);
    }
  }
}

/** Every field a condition reads, through its macros. */
export function conditionFields(c: Cond, macros: ReadonlyMap<string, Cond>, into = new Set<string>(), seen = new Set<string>()): Set<string> {
  switch (c.k) {
    case "and":
    case "or":
      for (const x of c.of) conditionFields(x, macros, into, seen);
      break;
    case "not":
      conditionFields(c.of, macros, into, seen);
      break;
    case "macro": {
      const m = macros.get(c.name);
      if (m !== undefined && !seen.has(c.name)) {
        seen.add(c.name);
        conditionFields(m, macros, into, seen);
      }
      break;
    }
    default:
      into.add(c.field);
  }
  return into;
}
