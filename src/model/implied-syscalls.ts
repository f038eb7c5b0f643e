/**
 * Calls a recorded call makes necessary on its other path. Tracing slows a program down, which
 * changes which way its races go: a parent that signals its children when it exits finds them
 * already dead under strace (no `kill` recorded) and alive without it. When the trace shows the
 * call that creates the situation, the call that handles its other outcome is granted too.
 *
 * Kept deliberately small; every rule says what it grants and what it does not:
 * - waiting for children (wait4, waitid, waitpid recorded) implies the workload has children and
 *   stops them: `kill`. seccomp cannot see kill's target, so the grant is "kill" as such; inside a
 *   container's own pid namespace every process it can signal is one the container started (or
 *   `docker exec`), which is why the grant is tied to a workload that manages children. Not granted:
 *   tkill/tgkill (threads of any process), pidfd_send_signal, rt_sigqueueinfo, and kill for a
 *   workload that never waited for a child: signalling others stays a decision the trace must show.
 * The calls that act only on the calling task (rt_sigsuspend, sched_yield, sigaltstack...) are the
 * `task-local` baseline (baselines.ts), not a rule here: they need no trigger.
 *
 * Pure data.
 */

export interface ImpliedRule {
  /** Recorded calls that make the rule apply (any one of them). */
  when: readonly string[];
  /** What is granted (names that exist on the arch). */
  grants: readonly string[];
  why: string;
  source: string;
}

export const IMPLIED_RULES: readonly ImpliedRule[] = [
  {
    when: ["wait4", "waitid", "waitpid"],
    grants: ["kill"],
    why: "a workload that waits for its children also stops those still alive (Python multiprocessing.Pool.terminate, a shell's kill %1; wait); under strace they have often exited first, so kill is missing from the trace.",
    source:
      "python/cpython Lib/multiprocessing/pool.py Pool._terminate_pool (p.terminate() only for workers with exitcode None); torvalds/linux kernel/signal.c kill_pid_info, check_kill_permission (same uid or CAP_KILL, within the caller's pid namespace)",
  },
];
