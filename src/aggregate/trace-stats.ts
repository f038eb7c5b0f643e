import type { Arch } from "../model/arch.js";
import type { Diagnostic } from "../model/diagnostics.js";
import type { ProcessInfo, SyscallCounts } from "../model/trace.js";
import type { RunResult } from "../parse/trace-parser.js";

/** What `syscage stats` reports: counts totalled over all runs, each run's processes, and diagnostics. */
export interface TraceStats {
  schemaVersion: 1;
  /** Per syscall name, over every run and architecture. */
  syscalls: Record<string, SyscallCounts>;
  /** The same counts split by architecture. */
  byArch: Partial<Record<Arch, Record<string, SyscallCounts>>>;
  runs: RunStats[];
  diagnostics: Diagnostic[];
}

export interface RunStats {
  id: string;
  files: string[];
  kind: RunResult["kind"];
  /** strace flags the text shows it was recorded with (inferred). */
  flags: string[];
  /** Where the counts of this run come from: the trace lines, or strace's summary table when there are none. */
  countedFrom: "trace" | "summary-table" | "nothing";
  arches: Arch[];
  lines: number;
  bytes: number;
  events: number;
  /** Distinct syscalls (per architecture) in this run. */
  syscalls: number;
  /** By pid; at most 10,000 (the first), `processCount` has them all. */
  processes: ProcessInfo[];
  processCount: number;
}

function add(into: Record<string, SyscallCounts>, name: string, c: SyscallCounts): void {
  const t = (into[name] ??= { calls: 0, errors: 0, unfinished: 0 });
  t.calls += c.calls;
  t.errors += c.errors;
  t.unfinished += c.unfinished;
}

/** The counts a run contributes: its trace lines, or its summary tables when it holds no trace. */
export function runCounts(run: RunResult): Partial<Record<Arch, Record<string, SyscallCounts>>> {
  if (run.events > 0) return run.counts;
  const out: Partial<Record<Arch, Record<string, SyscallCounts>>> = {};
  for (const t of run.tables) {
    const rec = (out[t.arch] ??= {});
    for (const [name, r] of Object.entries(t.rows)) add(rec, name, { calls: r.calls, errors: r.errors, unfinished: 0 });
  }
  return out;
}

function sortRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function summarizeRuns(runs: RunResult[], extra: Diagnostic[] = []): TraceStats {
  const syscalls: Record<string, SyscallCounts> = {};
  const byArch: Partial<Record<Arch, Record<string, SyscallCounts>>> = {};
  const out: RunStats[] = [];
  const diagnostics: Diagnostic[] = [...extra];
  for (const run of runs) {
    const counts = runCounts(run);
    let distinct = 0;
    for (const [arch, rec] of Object.entries(counts) as [Arch, Record<string, SyscallCounts>][]) {
      const a = (byArch[arch] ??= {});
      for (const [name, c] of Object.entries(rec)) {
        add(syscalls, name, c);
        add(a, name, c);
        distinct++;
      }
    }
    out.push({
      id: run.source.id,
      files: run.source.files,
      kind: run.kind,
      flags: run.flags,
      countedFrom: run.events > 0 ? "trace" : run.tables.length > 0 ? "summary-table" : "nothing",
      arches: (Object.keys(counts) as Arch[]).sort(),
      lines: run.lines,
      bytes: run.bytes,
      events: run.events,
      syscalls: distinct,
      processes: run.processes,
      processCount: run.processCount,
    });
    for (const d of run.diagnostics) diagnostics.push(d); // not push(...): a run can hold more diagnostics than a call takes arguments
  }
  const sortedByArch: TraceStats["byArch"] = {};
  for (const a of (Object.keys(byArch) as Arch[]).sort()) sortedByArch[a] = sortRecord(byArch[a]!);
  return { schemaVersion: 1, syscalls: sortRecord(syscalls), byArch: sortedByArch, runs: out, diagnostics };
}
