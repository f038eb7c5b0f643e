// Oracles for Falco rules files, shared by the emitter's tests and the end-to-end tests:
// - Falco's own rules schema (draft-06, validated with ajv);
// - Debian's sysdig 0.29.3 filter compiler, on each rule's condition expanded the way Falco expands
//   it (lists pasted as text by a transcription of rule_loader_compiler.cpp `resolve_list`, macros
//   substituted whole) and on each output format. `sysdig -r /nonexistent.scap FILTER` compiles
//   the filter before opening the file: "can't open file" means it compiled, "filter error at
//   position N" or "invalid formatting token" that it did not (exit 1 either way);
// - the same compiler as a literal oracle: `evt.type in (LITERAL)` fails with "unknown event type
//   VALUE", VALUE being the string it read, so a quoted value reads back as exactly one literal;
// - libc fnmatch(3) (through python3 ctypes), which Falco's `glob` operator calls with flags 0.
// Falco >= 0.32 lexes strings with libs' parser.cpp, not the legacy compiler sysdig 0.29 has; its
// lexer (lex_quoted_str + unescape_str, libs 0.25) is transcribed below as a second literal oracle.
// Callers decide whether a tool is there (skipUnless in ./skip.ts) and skip accordingly.

import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import * as yaml from "js-yaml";
import { FALCO_SYSCALL_EVENTS } from "../../model/falco-events.generated.js";
import { DATA } from "./paths.js";

export const FALCO_RULES_SCHEMA = join(DATA, "falco_rules_schema.json");

// ---------------------------------------------------------------------------------------------
// Falco's expansion, transcribed

export interface RulesFile {
  items: Record<string, unknown>[];
  lists: { name: string; items: string[] }[];
  macros: Map<string, string>;
  rules: { rule: string; condition: string; output: string; enabled: boolean }[];
}

export function parseRules(text: string): RulesFile {
  const items = yaml.load(text) as Record<string, unknown>[];
  assert.ok(Array.isArray(items), "a rules file is a YAML list");
  const lists: RulesFile["lists"] = [];
  const macros = new Map<string, string>();
  const rules: RulesFile["rules"] = [];
  for (const it of items) {
    if (typeof it.list === "string") lists.push({ name: it.list, items: (it.items as unknown[]).map(String) });
    else if (typeof it.macro === "string") macros.set(it.macro, String(it.condition));
    else if (typeof it.rule === "string")
      rules.push({ rule: it.rule, condition: String(it.condition), output: String(it.output), enabled: it.enabled !== false });
  }
  return { items, lists, macros, rules };
}

/** rule_loader_compiler.cpp `quote_item`: quotes only an item with a space that is not already quoted. */
function quoteItem(e: string): string {
  return e.includes(" ") && e[0] !== '"' && e[0] !== "'" ? `"${e}"` : e;
}

/** rule_loader_compiler.cpp `resolve_list`, line by line: textual, strings included. */
export function resolveList(condition: string, name: string, items: readonly string[]): string {
  const blanks = " \t\n\r";
  const delims = `${blanks}(),=`;
  let cnd = condition;
  let start = cnd.indexOf(name);
  while (start !== -1) {
    let end = start + name.length;
    if ((start === 0 || delims.includes(cnd[start - 1] as string)) && (end >= cnd.length || delims.includes(cnd[end] as string))) {
      while (start > 0 && blanks.includes(cnd[start - 1] as string)) start--;
      while (end < cnd.length && blanks.includes(cnd[end] as string)) end++;
      const sub = items.map(quoteItem).join(", ");
      if (sub === "") {
        if (start > 0 && cnd[start - 1] === ",") start--;
        else if (end < cnd.length && cnd[end] === ",") end++;
      }
      let next = "";
      if (start > 0) next += `${cnd.slice(0, start)} `;
      next += `${sub} `;
      if (end <= cnd.length) next += cnd.slice(end);
      cnd = next;
      start += sub.length + 1;
    }
    start = cnd.indexOf(name, start + 1);
  }
  return cnd;
}

export type Token = { kind: "str"; raw: string; value: string } | { kind: "word"; raw: string } | { kind: "punct"; raw: string };

/** libs 0.25 `unescape_str` (filter/escaping.cpp): the escapes Falco accepts inside a quoted string. */
function unescapeStr(raw: string): string {
  let res = "";
  let escaped = false;
  for (let i = 1; i < raw.length - 1; i++) {
    const c = raw[i] as string;
    if (!escaped) {
      if (c === "\\") escaped = true;
      else res += c;
      continue;
    }
    const simple: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", " ": "\\", "\\": "\\", "/": "/" };
    if (c in simple) res += simple[c];
    else if ((c === '"' || c === "'") && c === raw[0]) res += c;
    else throw new Error(`unsupported or invalid escape \\${c}`);
    escaped = false;
  }
  return res;
}

/**
 * A lexer for filter text: strings as libs 0.25 `lex_quoted_str` reads them (a quote closes the
 * string unless the character before it is a backslash, then unescape_str), parentheses and commas,
 * and everything else as words. Enough to substitute macros outside strings and compare shapes.
 */
export function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (" \t\r\n\b".includes(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let prev = c;
      while (j < text.length && !(text[j] === c && prev !== "\\")) prev = text[j++] as string;
      if (j >= text.length) throw new Error(`unclosed string at ${i}`);
      const raw = text.slice(i, j + 1);
      out.push({ kind: "str", raw, value: unescapeStr(raw) });
      i = j + 1;
    } else if ("(),".includes(c)) {
      out.push({ kind: "punct", raw: c });
      i++;
    } else {
      let j = i;
      while (j < text.length && !` \t\r\n\b(),"'`.includes(text[j] as string)) j++;
      out.push({ kind: "word", raw: text.slice(i, j) });
      i = j;
    }
  }
  return out;
}

/** A condition as Falco compiles it: lists pasted in (all lists of the file, in order), macros substituted recursively. */
export function expand(f: RulesFile, condition: string, depth = 0): string {
  assert.ok(depth < 20, "macro recursion");
  let cnd = condition;
  for (const l of f.lists) cnd = resolveList(cnd, l.name, l.items);
  return lex(cnd)
    .map((t) => (t.kind === "word" && f.macros.has(t.raw) ? `(${expand(f, f.macros.get(t.raw) as string, depth + 1)})` : t.raw))
    .join(" ");
}

/** The condition with every string literal replaced by S: two conditions of the same shape compare equal. */
export function shape(expanded: string): string {
  return lex(expanded)
    .map((t) => (t.kind === "str" ? "S" : t.raw))
    .join(" ");
}

// ---------------------------------------------------------------------------------------------
// Tools

export function sysdig(args: string[]): string {
  const r = spawnSync("sysdig", ["-r", "/nonexistent.scap", ...args], { encoding: "utf8" });
  assert.equal(r.error, undefined, String(r.error));
  return `${r.stdout}${r.stderr}`.trim();
}

/** undefined when sysdig compiles the filter; its message otherwise. */
export function sysdigFilterError(filter: string): string | undefined {
  const out = sysdig([filter]);
  if (out.includes("can't open file")) return undefined;
  assert.match(out, /filter error at position \d+|invalid formatting token/, `unexpected sysdig output: ${out}`);
  return out;
}

/** The string sysdig's compiler read for a literal (through the "unknown event type" message). */
export function sysdigReadsLiteral(literal: string): string | undefined {
  const m = /unknown event type (.*)$/s.exec(sysdig([`evt.type in (${literal})`]));
  return m ? (m[1] as string) : undefined;
}

/** Whether a Falco output format compiles (sysdig validates -p before opening the file). */
export function sysdigOutputError(format: string): string | undefined {
  const out = sysdig(["-p", format, "evt.type=open"]);
  return out.includes("can't open file") && !out.includes("invalid formatting token") ? undefined : out;
}

/** libc fnmatch(pattern, s, 0) === 0 for each pair: what Falco's `glob` operator computes. */
export function fnmatch(pairs: [string, string][]): boolean[] {
  const script =
    "import ctypes,json,sys\nlibc=ctypes.CDLL(None)\nprint(json.dumps([libc.fnmatch(p.encode(),s.encode(),0)==0 for p,s in json.load(sys.stdin)]))";
  const r = spawnSync("python3", ["-c", script], { input: JSON.stringify(pairs), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as boolean[];
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(createRequire(import.meta.url)("ajv/dist/refs/json-schema-draft-06.json") as object);
let validateSchema: ValidateFunction | undefined;

/** The rules file validates against Falco's own rules schema (draft-06; compiled on first use). */
export function assertSchemaValid(text: string): void {
  validateSchema ??= ajv.compile(JSON.parse(readFileSync(FALCO_RULES_SCHEMA, "utf8")) as object);
  const ok = validateSchema(yaml.load(text));
  assert.ok(ok, `schema: ${ajv.errorsText(validateSchema.errors)}`);
}

/** Every list and macro is used by a rule (directly or through macros), nothing uses `append`. */
export function assertNoUnused(f: RulesFile): void {
  const used = new Set<string>();
  const visit = (condition: string): void => {
    for (const t of lex(condition)) {
      if (t.kind !== "word") continue;
      if (f.macros.has(t.raw) && !used.has(t.raw)) {
        used.add(t.raw);
        visit(f.macros.get(t.raw) as string);
      }
      if (f.lists.some((l) => l.name === t.raw)) used.add(t.raw);
    }
  };
  for (const r of f.rules) visit(r.condition);
  for (const name of [...f.lists.map((l) => l.name), ...f.macros.keys()]) assert.ok(used.has(name), `${name} is defined but no rule uses it`);
  for (const it of f.items) assert.ok(!("append" in it), `append: in ${JSON.stringify(it)}`);
}

let unknownToSysdig: Promise<Set<string>> | undefined;

function sysdigAsync(filter: string): Promise<string> {
  return new Promise((resolve) => {
    execFile("sysdig", ["-r", "/nonexistent.scap", filter], (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
  });
}

/**
 * The Falco event names (from the libs 0.25 table) that sysdig 0.29.3 predates (statx,
 * close_range, ...), found once: compile `evt.type in (CHUNK)`, drop the name sysdig reports
 * unknown, again until the chunk compiles (chunks in parallel; each sysdig start costs ~50 ms).
 */
export function eventsUnknownToSysdig(): Promise<Set<string>> {
  unknownToSysdig ??= (async () => {
    const names = [...new Set(Object.values(FALCO_SYSCALL_EVENTS).map((e) => e.event))].sort();
    const unknown = new Set<string>();
    const settle = async (chunk: string[]): Promise<void> => {
      let rest = chunk;
      for (;;) {
        const out = await sysdigAsync(`evt.type in (${rest.join(", ")})`);
        if (out.includes("can't open file")) return;
        const name = /unknown event type (\S+)/.exec(out)?.[1];
        assert.ok(name !== undefined && rest.includes(name), out);
        unknown.add(name);
        rest = rest.filter((n) => n !== name);
      }
    };
    const size = Math.ceil(names.length / 8);
    await Promise.all(Array.from({ length: 8 }, (_, i) => settle(names.slice(i * size, (i + 1) * size))));
    return unknown;
  })();
  return unknownToSysdig;
}

/**
 * Fields Falco has that sysdig 0.29.3 predates, each with the older field sysdig compiles in its
 * place (same filter-check class and type, so the same operators and literals are accepted).
 * `proc.pexepath` (libs >= 0.10, Falco 0.34): the parent's `proc.exepath`, CHARBUF like it; Falco
 * 0.44's own ruleset prints it in outputs (`data/falco_rules.yaml`), and Falco refuses a rules file
 * whose output or condition names a field it does not have: see falcoRulesetUsesField.
 */
export const FIELDS_NEWER_THAN_SYSDIG: Readonly<Record<string, string>> = { "proc.pexepath": "proc.exepath" };

/** Whether Falco's upstream ruleset (which the Falco this file targets loads) uses `field`, in an output (`%field`) or a condition. */
export function falcoRulesetUsesField(field: string): boolean {
  const text = readFileSync(join(DATA, "falco_rules.yaml"), "utf8");
  const f = field.replace(/[.[\]]/g, "\\$&");
  return new RegExp(`%${f}(?![a-z0-9_.])|(?:^|[\\s(])${f}\\s*(?:=|!=|in\\b)`, "m").test(text);
}

function withOlderFields(expanded: string): string {
  return lex(expanded)
    .map((t) => (t.kind === "word" && Object.hasOwn(FIELDS_NEWER_THAN_SYSDIG, t.raw) ? (FIELDS_NEWER_THAN_SYSDIG[t.raw] as string) : t.raw))
    .join(" ");
}

/**
 * Every rule's expanded condition and output compile with sysdig; event names this old sysdig lacks
 * are left out of its copy, and fields it lacks are replaced by their older twin (FIELDS_NEWER_THAN_SYSDIG).
 */
export async function assertSysdigCompiles(f: RulesFile): Promise<void> {
  const unknown = await eventsUnknownToSysdig();
  const lists = f.lists.map((l) => ({ ...l, items: l.items.filter((i) => !unknown.has(i)) }));
  for (const r of f.rules) {
    const expanded = withOlderFields(expand({ ...f, lists }, r.condition));
    assert.equal(sysdigFilterError(expanded), undefined, `${r.rule}:\n${expanded}`);
    assert.equal(sysdigOutputError(r.output), undefined, `${r.rule} output`);
  }
}
