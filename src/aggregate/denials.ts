import type { Arch } from "../model/arch.js";
import type { SyscallEvent } from "../model/trace.js";
import { ENOSYS_PROBES } from "../model/enosys-probes.js";
import { firstStringArg } from "../parse/args.js";
import { childPid } from "../parse/container-cut.js";
import { decideCall, rawArgValues, type Outcome, type Verdict } from "./seccomp-eval.js";

/**
 * How a denied call showed up:
 * - `denied`: the call failed with the profile's error (injected by strace, or returned by the kernel's filter);
 * - `would-be-denied`: an argument-dependent rule would deny it with the recorded arguments, but
 *   emulation let it run (strace cannot inject by argument);
 * - `killed`: the profile kills the process or thread for it (emulated with SIGSYS).
 */
export type DenialKind = "denied" | "would-be-denied" | "killed";

export interface Denial {
  syscall: string;
  arch: Arch;
  kind: DenialKind;
  /** The error name the call got or would get (`EPERM`, `ENOSYS`); empty for kills. */
  errno: string;
  /** The profile action that decided (`SCMP_ACT_ERRNO`, `SCMP_ACT_KILL_PROCESS`...). */
  action: string;
  /** A rule named the syscall (an intended error such as clone3 ENOSYS), rather than the default action. */
  explicit: boolean;
  count: number;
  /** Programs that made the call (the last program each process executed), sorted. */
  programs: string[];
  /** 1-based line of the first such call in the trace. */
  firstLine: number;
  /** For a probe the C library retries with an older call on ENOSYS: that call, and how often it then succeeded. */
  fallback?: { syscall: string; calls: number };
}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  5: "EIO",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  17: "EEXIST",
  22: "EINVAL",
  24: "EMFILE",
  28: "ENOSPC",
  38: "ENOSYS",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
};

export function errnoName(n: number): string {
  return ERRNO_NAMES[n] ?? `errno ${n}`;
}

const FALLBACK = new Map(ENOSYS_PROBES.map((p) => [p.name, p.fallback]));
const CHILD_MAKERS = new Set(["clone", "clone3", "fork", "vfork"]);

/**
 * Collects the calls a profile denied (or would deny) from the events of a run made under it:
 * under strace's error injection (`emulate`) or under the kernel's filter (a real runtime). A call
 * counts when its outcome is the profile's error for it; argument-dependent rules are decided on
 * the recorded raw arguments. Pure: counters and per-process program names only.
 */
export class DenialCollector {
  private readonly denials = new Map<string, Denial>();
  private readonly program = new Map<number, string>();
  private readonly fallbackCalls = new Map<string, number>();
  /** Probes denied so far, by program: a later successful fallback call in the same program counts. */
  private readonly probed = new Set<string>();

  constructor(
    private readonly verdicts: ReadonlyMap<string, Verdict>,
    private readonly emulated: boolean,
  ) {}

  observe(e: SyscallEvent): void {
    if (e.name === "execve" || e.name === "execveat") {
      if (e.outcome === "ok") this.program.set(e.pid, firstStringArg(e.args, e.name === "execve" ? 0 : 1) ?? "?");
    } else if (CHILD_MAKERS.has(e.name)) {
      const child = childPid(e);
      const prog = this.program.get(e.pid);
      if (child !== undefined && prog !== undefined && !this.program.has(child)) this.program.set(child, prog);
    }
    const prog = this.program.get(e.pid) ?? "?";
    const fb = `${prog}\0${e.name}`;
    if (e.outcome === "ok" && this.probed.has(fb)) this.fallbackCalls.set(fb, (this.fallbackCalls.get(fb) ?? 0) + 1);

    const verdict = this.verdicts.get(e.name);
    if (!verdict || verdict.kind === "allow") return;
    let kind: DenialKind = "denied";
    let decided: Outcome | undefined = verdict.kind === "conditional" ? undefined : verdict;
    if (verdict.kind === "conditional") {
      const args = rawArgValues(e.args);
      decided = args ? decideCall(verdict, args) : undefined;
      // Emulation cannot inject by argument: the call ran. Under a real filter it failed.
      if (decided && this.emulated) kind = decided.kind === "kill" ? "killed" : "would-be-denied";
    }
    if (!decided || decided.kind === "allow") return;
    const outcome = decided;
    let errno = "";
    if (outcome.kind === "errno") {
      errno = errnoName(outcome.errno);
      // Only calls that really got the profile's error (a real filter, or strace's injection).
      if (kind === "denied" && !(e.outcome === "error" && e.errno === errno)) return;
    } else {
      kind = "killed";
      if (e.outcome !== "unfinished" && !(e.outcome === "error" && e.errno === "ENOSYS")) return;
    }
    const key = `${e.arch}\0${e.name}\0${kind}\0${errno}`;
    let d = this.denials.get(key);
    if (!d) {
      d = { syscall: e.name, arch: e.arch, kind, errno, action: outcome.action, explicit: outcome.explicit, count: 0, programs: [], firstLine: e.line };
      this.denials.set(key, d);
    }
    d.count++;
    if (!d.programs.includes(prog)) d.programs.push(prog);
    const fallback = FALLBACK.get(e.name);
    if (fallback && errno === "ENOSYS") this.probed.add(`${prog}\0${fallback}`);
  }

  result(): Denial[] {
    const out: Denial[] = [];
    for (const d of this.denials.values()) {
      const fallback = FALLBACK.get(d.syscall);
      const withFallback: Denial = { ...d, programs: [...d.programs].sort() };
      if (fallback && d.errno === "ENOSYS") {
        const calls = d.programs.reduce((n, p) => n + (this.fallbackCalls.get(`${p}\0${fallback}`) ?? 0), 0);
        withFallback.fallback = { syscall: fallback, calls };
      }
      out.push(withFallback);
    }
    return out.sort((a, b) => a.firstLine - b.firstLine || a.syscall.localeCompare(b.syscall));
  }
}

/** Whether the run failed the profile: a call hit the default action, a kill, or an argument rule that would deny. Intended errors (a rule's errnoRet) do not fail it. */
export function denialsFail(denials: readonly Denial[]): boolean {
  return denials.some((d) => !d.explicit || d.kind !== "denied");
}
