import * as yaml from "js-yaml";
import type { Allowlist } from "../model/allowlist.js";

const FLOW = { flowLevel: 0, lineWidth: -1, noRefs: true };

/** A value in YAML flow style on one line, quoted where YAML needs it (paths from traces included). */
function flow(v: unknown): string {
  return flowFast(v) ?? yaml.dump(v, FLOW).trimEnd();
}

// js-yaml's dump costs some 0.1 ms a call, and an allowlist has a line per file, program and socket
// of every run: thousands. flowFast writes the plain shapes those lines have (objects with
// identifier keys, arrays, strings, booleans, non-negative integers) itself, asking js-yaml only how
// to write each distinct string inside a flow collection (memoized), so the bytes are js-yaml's.
const scalars = new Map<string, string>();

/**
 * An absolute path of the plainest characters: js-yaml writes it as is (no YAML type reads a scalar
 * starting with `/`, and none of these characters is an indicator), so it needs no dump. Most
 * distinct strings of an allowlist are such paths (allowlist.test.ts checks this against js-yaml).
 */
export const PLAIN_PATH = /^\/[A-Za-z0-9_./+*@~%=-]*$/;

function flowScalar(s: string): string {
  if (PLAIN_PATH.test(s)) return s;
  let out = scalars.get(s);
  if (out === undefined) {
    if (scalars.size >= 100_000) scalars.clear();
    out = yaml.dump([s], FLOW).trimEnd().slice(1, -1);
    scalars.set(s, out);
  }
  return out;
}

/** `v` in flow style as js-yaml writes it, or undefined for a shape left to js-yaml. */
function flowFast(v: unknown): string | undefined {
  if (typeof v === "string") return flowScalar(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 && !Object.is(v, -0) ? String(v) : undefined;
  if (Array.isArray(v)) {
    const items: string[] = [];
    for (const x of v) {
      const f = flowFast(x);
      if (f === undefined) return undefined;
      items.push(f);
    }
    return `[${items.join(", ")}]`;
  }
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  const pairs: string[] = [];
  for (const [k, x] of Object.entries(v)) {
    if (
      !/^[a-z][A-Za-z0-9]*$/.test(k) ||
      k === "null" ||
      k === "true" ||
      k === "false" ||
      k === "yes" ||
      k === "no" ||
      k === "on" ||
      k === "off" ||
      k === "y" ||
      k === "n"
    )
      return undefined;
    const f = flowFast(x);
    if (f === undefined) return undefined;
    pairs.push(`${k}: ${f}`);
  }
  return `{${pairs.join(", ")}}`;
}

/** One line per file, program, socket, endpoint, capability. */
function pushResources(out: string[], indent: string, r: Record<string, unknown[]>): void {
  for (const key of ["files", "execs", "sockets", "listens", "connects", "capabilities", "unresolved"]) {
    const list = r[key];
    if (list === undefined) continue;
    if (list.length === 0) {
      out.push(`${indent}${key}: []`);
      continue;
    }
    out.push(`${indent}${key}:`);
    for (const item of list) out.push(`${indent}  - ${flow(item)}`);
  }
  // Per executable: its name, then one line per kind of fact (for Falco rules scoped by process).
  const processes = r.processes as Record<string, unknown>[] | undefined;
  if (processes === undefined) return;
  out.push(processes.length === 0 ? `${indent}processes: []` : `${indent}processes:`);
  for (const p of processes) {
    out.push(`${indent}  - exe: ${flow(p.exe)}`);
    for (const key of ["spawns", "writes", "connects", "accepts", "listens"]) out.push(`${indent}    ${key}: ${flow(p[key])}`);
  }
}

/**
 * `allowlist.yaml`: one line per syscall in the aggregate (so a review diff shows exactly what
 * changed), then the runs it was built from, each with its own counts so later merges stay exact.
 */
export function emitAllowlist(a: Allowlist): string {
  const out: string[] = [];
  out.push(`# syscage allowlist for ${flow(a.name)}: what ${a.runs.length} recorded run(s) did, plus baselines.`);
  out.push("# Maintained by `syscage generate` (new runs are merged in); `runs` under each syscall is how many");
  out.push(`# of the ${a.runs.length} runs made it (a baseline-only entry has 0).`);
  out.push(`schemaVersion: ${a.schemaVersion}`);
  out.push(`name: ${flow(a.name)}`);
  out.push(`baselines: ${flow(a.baselines)}`);
  if (a.equivalents === false) out.push("equivalents: false");
  if (a.implied === false) out.push("implied: false");
  out.push(Object.keys(a.syscalls).length ? "syscalls:" : "syscalls: {}");
  for (const [name, e] of Object.entries(a.syscalls)) out.push(`  ${flow(name)}: ${flow(e)}`);
  if (a.generalize) out.push(`generalize: ${flow(a.generalize)}`);
  if (a.resources) {
    out.push("# What the runs touched, merged and generalized; `runs` is in how many runs each was seen.");
    out.push("resources:");
    pushResources(out, "  ", a.resources as unknown as Record<string, unknown[]>);
  }
  out.push(a.runs.length ? "runs:" : "runs: []");
  for (const r of a.runs) {
    out.push(`  - id: ${flow(r.id)}`);
    out.push(`    files: ${flow(r.files)}`);
    out.push(`    sha256: ${r.sha256}`);
    out.push(`    kind: ${flow(r.kind)}`);
    out.push(`    flags: ${flow(r.flags)}`);
    out.push(`    arches: ${flow(r.arches)}`);
    out.push(Object.keys(r.syscalls).length ? "    syscalls:" : "    syscalls: {}");
    for (const [arch, rec] of Object.entries(r.syscalls)) {
      out.push(`      ${arch}:`);
      for (const [name, c] of Object.entries(rec ?? {})) out.push(`        ${flow(name)}: ${flow(c)}`);
    }
    if (r.args && Object.keys(r.args).length) {
      out.push("    args:");
      for (const [arch, rec] of Object.entries(r.args)) out.push(`      ${arch}: ${flow(rec)}`);
    }
    if (r.resources) {
      out.push("    resources:");
      pushResources(out, "      ", r.resources as unknown as Record<string, unknown[]>);
    }
  }
  return `${out.join("\n")}\n`;
}
