import { Worker, type TransferListItem } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import type { ObservedRun, RunResult } from "../model/trace.js";
import type { InputRun } from "./inputs.js";
import { parseRun } from "./parse-run.js";
import { usableCores } from "./cpus.js";
import { parseRunSplit, type SplitOptions } from "./parse-split.js";

/** A worker's young generation: small, so N workers stay within the memory budget (generate --jobs 2 on the 129 MiB samples: peak RSS 180-191 MB with 16 MB, 172-178 with 8, 175-193 with 4; scripts/bench.mjs). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

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
 * One file at least this big is split over two threads when `--jobs` is not given. Measured on the
 * project's 2-core machine (README, Speed and memory): on 128 MiB the split is 0.95x-1.0x one
 * thread (a worker's start and warm-up are not paid back), on 256 MiB 1.1x-1.2x, on 515 MiB 1.3x-1.4x.
 */
export const AUTO_SPLIT_BYTES = 256 << 20;

/**
 * How to parse one file: split over `jobs` threads if it has at least `minBytes` (and the split's
 * own minimum), or undefined for one thread. `--jobs N` (N >= 2) splits any file big enough to
 * split; without `--jobs`, a file of AUTO_SPLIT_BYTES or more is split over two threads when there
 * are two cores, unless it is gzip or its first parts hold very many processes (SplitOptions).
 * Two, not one per core: the main thread merges and tracks every part, and more
 * workers each pay their own start and warm-up (measured on two cores only).
 */
export function splitPlan(jobs: number | undefined, cores: number): SplitPlan | undefined {
  if (jobs !== undefined) return jobs >= 2 ? { jobs, minBytes: 0, stopWhenDense: false, skipGzip: false } : undefined;
  return cores >= 2 ? { jobs: 2, minBytes: AUTO_SPLIT_BYTES, stopWhenDense: true, skipGzip: true } : undefined;
}

type SplitPlan = Required<Pick<SplitOptions, "jobs" | "minBytes" | "stopWhenDense" | "skipGzip">>;

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

/** A worker thread running parse-worker (from the TypeScript sources too, for tests under tsx). */
export function startParseWorker(): Worker {
  const fromSource = import.meta.url.endsWith(".ts");
  const workerUrl = new URL(fromSource ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
  return fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`,
        { eval: true, resourceLimits: WORKER_LIMITS },
      )
    : new Worker(workerUrl, { resourceLimits: WORKER_LIMITS });
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
