import * as yaml from "js-yaml";
import type { Allowlist } from "../model/allowlist.js";

/** A value in YAML flow style on one line, quoted where YAML needs it (paths from traces included). */
function flow(v: unknown): string {
  return yaml.dump(v, { flowLevel: 0, lineWidth: -1, noRefs: true }).trimEnd();
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
