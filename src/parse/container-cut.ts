import type { Arch } from "../model/arch.js";
import type { SyscallEvent } from "../model/trace.js";
import { firstStringArg, splitArgs } from "./args.js";

// Which part of a trace of an OCI runtime (`strace -f runc run ...`, `strace -D -f runc create ...`)
// is the container's own activity. The rule, stated in the README:
//   - the entrypoint is the first successful execve/execveat made by a process other than the one
//     strace started (that is the runtime's CLI itself), that is not the runtime re-executing
//     itself: an execve of /proc/self/exe (runc's `runc init`), or an execveat of a file descriptor
//     with AT_EMPTY_PATH (the sealed memfd copy runc 1.1 and crun run themselves from);
//   - the container is the process that made that execve, from the line where the execve starts,
//     and every process it creates afterwards (clone/fork/vfork/clone3 children, found through the
//     pid strace prints in its own PID namespace with --pidns-translation, else the return value);
//   - everything else (the runtime's CLI, its threads, `runc init` up to the execve, hooks) is cut.
// The runtime's calls under the seccomp filter are covered by the runtime baselines instead; they
// are measured by the same analysis: the calls the runtime's process makes after a successful
// filter load (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...) or seccomp(SECCOMP_SET_MODE_FILTER,
// ..., filter)), in it and its new children, up to and including the entrypoint's execve.

/** The entrypoint's execve as found in the trace. */
export interface Entrypoint {
  pid: number;
  /** 1-based line where the execve call starts. */
  line: number;
  /** The program, as the trace shows it (container path). */
  path: string;
}

/** What to keep: per process, the first line (1-based) from which its lines are the container's. */
export interface CutPlan {
  entrypoint: Entrypoint | undefined;
  keep: Map<number, number>;
  /** Processes seen in the trace and not kept (the runtime's). */
  runtimePids: number;
  /** Where the filter was loaded, when it was (pid, line, the call). */
  filterLoad: { pid: number; line: number; call: string } | undefined;
  /** Calls made under the filter before the entrypoint ran, per arch and name: the measured runtime baseline. */
  baseline: Partial<Record<Arch, Record<string, number>>>;
}

const CHILD_MAKERS = new Set(["clone", "clone3", "fork", "vfork"]);
const EXECS = new Set(["execve", "execveat"]);

/** The child's pid from a clone/fork result: strace's own-namespace pid (`/* 1234 in strace's PID NS *\/`) when printed, else the return value. */
export function childPid(e: SyscallEvent): number | undefined {
  if (e.outcome !== "ok") return undefined;
  const m = /\/\* (\d+) in strace's PID NS \*\//.exec(e.retDecor);
  const n = m ? Number(m[1]) : Number(e.retval);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Whether an exec is the runtime starting a copy of itself rather than the container's program. */
export function isRuntimeSelfExec(e: SyscallEvent): boolean {
  if (e.name === "execve") return firstStringArg(e.args, 0) === "/proc/self/exe";
  if (e.name === "execveat") {
    const parts = splitArgs(e.args);
    return parts[1]?.trim() === '""' && /AT_EMPTY_PATH/.test(parts[4] ?? "");
  }
  return false;
}

/** The exec's program path (execveat: the path argument, or the fd's `-y` path). */
function execPath(e: SyscallEvent): string {
  if (e.name === "execve") return firstStringArg(e.args, 0) ?? "?";
  return firstStringArg(e.args, 1) ?? "?";
}

/** A successful filter load: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {...}) or seccomp(SECCOMP_SET_MODE_FILTER, flags, {...}). */
export function isFilterLoad(e: SyscallEvent): boolean {
  if (e.outcome !== "ok") return false;
  const parts = splitArgs(e.args).map((p) => p.trim());
  if (e.name === "prctl") return (parts[0] === "PR_SET_SECCOMP" || parts[0] === "22") && (parts[1] === "SECCOMP_MODE_FILTER" || parts[1] === "2");
  if (e.name === "seccomp") return (parts[0] === "SECCOMP_SET_MODE_FILTER" || parts[0] === "1") && parts[2] !== undefined && parts[2] !== "NULL";
  return false;
}

/**
 * Streams the events of a runtime trace (in the order the parser emits them) and plans the cut.
 * Pure: keeps sets of pids and counters only.
 */
export class ContainerCutPlanner {
  private root: number | undefined;
  private readonly seen = new Set<number>();
  private entry: Entrypoint | undefined;
  private readonly keep = new Map<number, number>();
  /** Runtime processes under the filter (the loader and its later children), before the entrypoint. */
  private readonly filtered = new Set<number>();
  private filterLoad: CutPlan["filterLoad"];
  private readonly baseline: CutPlan["baseline"] = {};

  observe(e: SyscallEvent): void {
    if (this.root === undefined) this.root = e.pid;
    this.seen.add(e.pid);
    if (this.entry) {
      if (CHILD_MAKERS.has(e.name) && this.keep.has(e.pid)) {
        const child = childPid(e);
        if (child !== undefined && !this.keep.has(child)) this.keep.set(child, this.entry.line);
      }
      return;
    }
    if (this.filtered.has(e.pid)) {
      const counts = (this.baseline[e.arch] ??= {});
      counts[e.name] = (counts[e.name] ?? 0) + 1;
      if (CHILD_MAKERS.has(e.name)) {
        const child = childPid(e);
        if (child !== undefined) this.filtered.add(child);
      }
    }
    if (isFilterLoad(e)) {
      this.filtered.add(e.pid);
      this.filterLoad = { pid: e.pid, line: e.line, call: e.name };
    }
    if (EXECS.has(e.name) && e.outcome === "ok" && e.pid !== this.root && !isRuntimeSelfExec(e)) {
      this.entry = { pid: e.pid, line: e.line, path: execPath(e) };
      this.keep.set(e.pid, e.line);
    }
  }

  plan(): CutPlan {
    let runtime = 0;
    for (const p of this.seen) if (!this.keep.has(p)) runtime++;
    return { entrypoint: this.entry, keep: new Map(this.keep), runtimePids: runtime, filterLoad: this.filterLoad, baseline: this.baseline };
  }
}

/** The pid a trace line (`strace -f -o FILE` form, `PID  call...`) belongs to; undefined for a continuation line (` > ` stack frame). */
export function linePid(line: string): number | undefined {
  const m = /^(\d+) /.exec(line);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a line of the full trace belongs to the cut trace: lines of kept processes from their
 * first kept line on; continuation lines (`-k` frames) follow the line before them.
 */
export class CutFilter {
  private lastKept = false;
  constructor(private readonly plan: CutPlan) {}
  keepLine(line: string, lineNo: number): boolean {
    const pid = linePid(line);
    if (pid === undefined) return line.startsWith(" ") ? this.lastKept : false;
    const from = this.plan.keep.get(pid);
    this.lastKept = from !== undefined && lineNo >= from;
    return this.lastKept;
  }
}
