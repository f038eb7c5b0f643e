import type { Allowlist, RunRecord, SyscallEntry } from "../model/allowlist.js";
import { ARCHES, isSyscall, type Arch } from "../model/arch.js";
import { BASELINES, type BaselineName, type MeasuredBaselines } from "../model/baselines.js";
import type { ObservedRun } from "../model/trace.js";
import { EQUIVALENT_GROUPS } from "../model/equivalent-syscalls.js";
import { IMPLIED_RULES } from "../model/implied-syscalls.js";
import { runCounts } from "./trace-stats.js";
import { aggregateResources } from "./resources.js";
import type { GeneralizeOptions } from "./generalize.js";

export interface AllowlistOptions {
  name: string;
  /** Baselines to add (names of `BASELINES`), in any order. */
  baselines: BaselineName[];
  /** Architectures to add baseline names for when no run says (default: the runs' own). */
  fallbackArch?: Arch;
  /** How file paths are generalized (all rules on by default). */
  generalize?: GeneralizeOptions;
  /** Add the equivalent entry points of observed calls (default true). */
  equivalents?: boolean;
  /** Add what observed calls need on their other path (default true). */
  implied?: boolean;
  /** Lists measured by `syscage baseline`, replacing the built-in ones of the same name. */
  measured?: MeasuredBaselines;
}

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

function sortedRecord<T>(r: Partial<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as Record<string, T>;
}

function richness(r: RunRecord): number {
  return (r.resources ? 2 : 0) + (r.args ? 1 : 0);
}

/** What the allowlist keeps of a parsed run. */
export function recordRun(run: ObservedRun): RunRecord {
  const syscalls: RunRecord["syscalls"] = {};
  for (const [arch, rec] of Object.entries(runCounts(run)) as [Arch, NonNullable<ReturnType<typeof runCounts>[Arch]>][]) {
    const out: Record<string, [number, number, number]> = {};
    for (const name of Object.keys(rec).sort()) {
      const c = rec[name]!;
      out[name] = [c.calls, c.errors, c.unfinished];
    }
    syscalls[arch] = out;
  }
  const record: RunRecord = {
    id: run.source.id,
    files: run.source.files,
    sha256: run.sha256,
    kind: run.kind,
    flags: run.flags,
    arches: (Object.keys(syscalls) as Arch[]).sort(),
    syscalls: sortedRecord(syscalls),
  };
  if (Object.keys(run.argValues).length > 0) record.args = run.argValues;
  if (run.resources) record.resources = run.resources;
  return record;
}

/** Baseline names for `arch`: the names common to all arches plus the arch's own, valid on it. */
export function baselineNames(name: BaselineName, arch: Arch, measured?: MeasuredBaselines): string[] {
  const m = measured?.[name];
  if (m) return [...(m[arch] ?? [])].filter((n) => isSyscall(arch, n));
  const b = BASELINES[name].syscalls;
  return [...(b["*"] ?? []), ...(b[arch] ?? [])].filter((n) => isSyscall(arch, n));
}

/**
 * The allowlist of a set of runs: a pure function of the runs (deduplicated by content hash) and
 * the options, so adding runs in any order, or twice, gives the same bytes.
 */
export function buildAllowlist(runs: RunRecord[], options: AllowlistOptions): Allowlist {
  const unique = new Map<string, RunRecord>();
  for (const r of runs) {
    const prev = unique.get(r.sha256);
    // The same content twice (under two names, or recorded by an older syscage): keep one, chosen
    // without regard to order: the record that knows more (resources, arguments), then the smaller name.
    if (!prev || richness(r) > richness(prev) || (richness(r) === richness(prev) && r.id < prev.id)) unique.set(r.sha256, r);
  }
  const sortedRuns = [...unique.values()].sort(byKey((r) => `${r.id}\0${r.sha256}`));
  const entries = new Map<string, SyscallEntry>();
  const entry = (name: string): SyscallEntry => {
    let e = entries.get(name);
    if (!e) {
      e = { runs: 0, calls: 0, errors: 0, unfinished: 0, arches: [], from: [] };
      entries.set(name, e);
    }
    return e;
  };
  const archesSeen = new Set<Arch>();
  for (const run of sortedRuns) {
    const inRun = new Set<string>();
    for (const [arch, rec] of Object.entries(run.syscalls) as [Arch, Record<string, [number, number, number]>][]) {
      archesSeen.add(arch);
      for (const [name, [calls, errors, unfinished]] of Object.entries(rec)) {
        if (calls + unfinished === 0) continue;
        const e = entry(name);
        e.calls += calls;
        e.errors += errors;
        e.unfinished += unfinished;
        if (!e.arches.includes(arch)) e.arches.push(arch);
        if (!e.from.includes("observed")) e.from.push("observed");
        inRun.add(name);
      }
    }
    for (const name of inRun) entry(name).runs++;
  }
  if (archesSeen.size === 0 && options.fallbackArch) archesSeen.add(options.fallbackArch);
  const baselines = [...new Set(options.baselines)].sort();
  for (const b of baselines) {
    for (const arch of archesSeen) {
      for (const name of baselineNames(b, arch, options.measured)) {
        const e = entry(name);
        if (!e.arches.includes(arch)) e.arches.push(arch);
        const tag = `baseline:${b}`;
        if (!e.from.includes(tag)) e.from.push(tag);
      }
    }
  }
  const equivalents = options.equivalents ?? true;
  const implied = options.implied ?? true;
  if (equivalents || implied) {
    for (const arch of archesSeen) {
      const observedHere = (n: string) => entries.get(n)?.from.includes("observed") === true && entries.get(n)!.arches.includes(arch);
      const grant = (name: string, tag: string) => {
        if (!isSyscall(arch, name) || observedHere(name)) return;
        const e = entry(name);
        if (!e.arches.includes(arch)) e.arches.push(arch);
        // A name observed on another personality is already explained by that; a tag would be noise.
        if (!e.from.includes("observed") && !e.from.some((f) => f.startsWith(tag.slice(0, tag.indexOf(":") + 1)))) e.from.push(tag);
      };
      if (equivalents) {
        for (const g of EQUIVALENT_GROUPS) {
          const by = [...g.same, ...(g.grantedBy ?? [])].filter(observedHere).sort()[0];
          if (by !== undefined) for (const n of g.same) grant(n, `equivalent:${by}`);
        }
      }
      if (implied) {
        for (const r of IMPLIED_RULES) {
          const by = r.when.filter(observedHere).sort()[0];
          if (by !== undefined) for (const n of r.grants) grant(n, `implied:${by}`);
        }
      }
    }
  }
  const syscalls: Record<string, SyscallEntry> = {};
  for (const name of [...entries.keys()].sort()) {
    const e = entries.get(name)!;
    e.arches.sort((a, b) => ARCHES.indexOf(a) - ARCHES.indexOf(b));
    e.from.sort((a, b) => (a === "observed" ? -1 : b === "observed" ? 1 : a < b ? -1 : 1));
    syscalls[name] = e;
  }
  const out: Allowlist = { schemaVersion: 1, name: options.name, baselines, runs: sortedRuns, syscalls };
  if (!equivalents) out.equivalents = false;
  if (!implied) out.implied = false;
  if (options.generalize && Object.keys(options.generalize).length > 0) out.generalize = options.generalize;
  if (sortedRuns.some((r) => r.resources)) out.resources = aggregateResources(sortedRuns, options.generalize);
  return out;
}

/** Merges two allowlists of one container: the union of their runs and of their baselines. */
export function mergeAllowlists(a: Allowlist, b: Allowlist): Allowlist {
  const name = a.name < b.name ? a.name : b.name;
  const generalize = { ...(b.generalize ?? {}), ...(a.generalize ?? {}) } as GeneralizeOptions;
  return buildAllowlist([...a.runs, ...b.runs], {
    name,
    baselines: [...a.baselines, ...b.baselines] as BaselineName[],
    equivalents: a.equivalents !== false && b.equivalents !== false,
    implied: a.implied !== false && b.implied !== false,
    ...(Object.keys(generalize).length ? { generalize } : {}),
  });
}
