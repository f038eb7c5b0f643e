import type { TransferListItem, Worker } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import type { ObservedRun, RunResult } from "../model/trace.js";
import type { InputRun } from "./inputs.js";
import { parseRun } from "./parse-run.js";
import { usableCores } from "./cpus.js";
import { parseRunSplit } from "./parse-split.js";
import { splitPlan, startParseWorker } from "./workers.js";

export interface ParseRunsOptions {
  arch: Arch;
  /** Hash runs and collect argument constants (for `generate`). */
  observe?: boolean;
  /**
   * Threads to use; default: one per usable core (cpus.ts: a container's CPU limit counts), never
   * more than there are runs. 1 parses in this thread.
   * One file is split into parts parsed on several threads: see splitPlan.
   */
  jobs?: number;
}

/**
 * Parses many runs, on every core: each run goes to a worker thread, which streams it and sends back
 * only its counts, processes and diagnostics. Results come back in input order.
 */
export async function parseRuns(runs: InputRun[], options: ParseRunsOptions & { observe: true }): Promise<ObservedRun[]>;
export async function parseRuns(runs: InputRun[], options: ParseRunsOptions): Promise<RunResult[]>;
export async function parseRuns(runs: InputRun[], options: ParseRunsOptions): Promise<RunResult[]> {
  const one = { arch: options.arch, observe: options.observe ?? false };
  const fileRuns = runs.filter((r) => !r.runFiles.some((f) => f.path === "-"));
  // Read once (it reads /proc and cgroup files); splitPlan looks at it only when --jobs is not given.
  const cores = options.jobs ?? usableCores();
  const plan = runs.length === 1 && fileRuns.length === 1 ? splitPlan(options.jobs, cores) : undefined;
  if (plan) {
    // One file (a long recording): its parts go to several threads, merged in order.
    const split = await parseRunSplit(runs[0]!, { ...one, ...plan });
    if (split) return [split];
  }
  const jobs = Math.min(cores, fileRuns.length);
  if (jobs <= 1) {
    const out: RunResult[] = [];
    for (const r of runs) out.push(await parseRun(r, one));
    return out;
  }
  const results = new Array<RunResult>(runs.length);
  let next = 0;
  const work = async (): Promise<void> => {
    const worker = startParseWorker();
    try {
      for (;;) {
        const i = next++;
        if (i >= runs.length) return;
        const run = runs[i]!;
        if (run.runFiles.some((f) => f.path === "-")) {
          results[i] = await parseRun(run, one);
          continue;
        }
        results[i] = await askWorker<RunResult>(worker, { run, ...one });
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: jobs }, work));
  return results;
}

interface Waiter {
  resolve: (result: never) => void;
  reject: (e: Error) => void;
}

/** Per worker, the tasks sent and not answered yet, in the order they were sent. */
const waiting = new WeakMap<Worker, Waiter[]>();

/** Tasks sent to `worker` with askWorker and not answered yet. */
export function tasksInFlight(worker: Worker): number {
  return waiting.get(worker)?.length ?? 0;
}

/**
 * Sends one task to a parse worker and waits for its answer (a worker error rejects). Several
 * tasks may be in flight on one worker (it answers them in order), so that it never waits for
 * this thread to send the next.
 */
export function askWorker<T>(worker: Worker, message: unknown, transfer: TransferListItem[] = []): Promise<T> {
  let queue = waiting.get(worker);
  if (queue === undefined) {
    const q: Waiter[] = [];
    queue = q;
    waiting.set(worker, q);
    const failAll = (e: Error): void => {
      for (const w of q.splice(0)) w.reject(e);
    };
    worker.on("message", (m: { ok: true; result: never } | { ok: false; error: string; stack?: string }) => {
      const w = q.shift();
      if (!w) return;
      if (m.ok) w.resolve(m.result);
      else w.reject(Object.assign(new Error(m.error), { stack: m.stack }));
    });
    worker.on("error", failAll);
    // A worker that ends without a word (killed, or exit() called in it) must not leave the caller waiting forever.
    worker.on("exit", (code) => failAll(new Error(`parse worker exited (code ${code}) before answering`)));
  }
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.push({ resolve: resolve as (result: never) => void, reject });
    worker.postMessage(message, transfer);
  });
}
