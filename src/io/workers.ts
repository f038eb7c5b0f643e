// Parse workers, and the sizes that decide when one file is split over several threads. A small
// module: cli.ts loads it before the rest of syscage, to start the worker a big input will need
// while the main thread is still loading its own modules (startEarly).
import { statSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { usableCores } from "./cpus.js";
import type { SplitOptions } from "./parse-split.js";

/**
 * Bytes per part of a split parse: a part's fixed costs are lost in its parse at 1 MiB already (the
 * same CPU time as 4 MiB parts on the 129 MiB bench mix), and the parts in flight, read ahead and
 * pooled, are memory.
 */
export const PART_BYTES = 1 << 20;
/** Files smaller than this many parts are parsed whole. */
export const MIN_PARTS = 32;

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
 * are two cores, unless it is gzip. Either way the workers stop when the first parts hold very many
 * processes (SplitOptions.stopWhenDense): there two threads are slower than one and hold more
 * memory, asked for or not (`--jobs` is the most threads to use). Two threads by default, not one
 * per core: the main thread merges and tracks every part, and more workers each pay their own start
 * and warm-up (measured on two cores only).
 */
export function splitPlan(jobs: number | undefined, cores: number): SplitPlan | undefined {
  if (jobs !== undefined) return jobs >= 2 ? { jobs, minBytes: 0, stopWhenDense: true, skipGzip: false } : undefined;
  return cores >= 2 ? { jobs: 2, minBytes: AUTO_SPLIT_BYTES, stopWhenDense: true, skipGzip: true } : undefined;
}

type SplitPlan = Required<Pick<SplitOptions, "jobs" | "minBytes" | "stopWhenDense" | "skipGzip">>;

/**
 * Whether a file of `size` bytes at `path` is big enough to split in parts of `partBytes`: MIN_PARTS
 * parts at least, and `minBytes` (the plan's). A worker takes some 0.1 s to start and warm up; a
 * gzip file holds some four times its size.
 */
export function bigEnoughToSplit(path: string, size: number, partBytes: number, minBytes: number): boolean {
  return (path.endsWith(".gz") ? size * 4 : size) >= Math.max(MIN_PARTS * partBytes, minBytes);
}

/** A worker's young generation: small, so N workers stay within the memory budget (generate --jobs 2 on the 129 MiB samples: peak RSS 180-191 MB with 16 MB, 172-178 with 8, 175-193 with 4; scripts/bench.mjs). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** The worker startEarly() started, until startParseWorker() takes it. */
let early: Worker | undefined;

/**
 * A worker thread running parse-worker (from the TypeScript sources too, for tests under tsx): the
 * one startEarly() started if there is one, else a new one.
 */
export function startParseWorker(): Worker {
  const w = early;
  if (w !== undefined) {
    early = undefined;
    w.ref();
    return w;
  }
  const fromSource = import.meta.url.endsWith(".ts");
  const workerUrl = new URL(fromSource ? "./parse-worker.ts" : "./parse-worker.js", import.meta.url);
  return fromSource
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`,
        { eval: true, resourceLimits: WORKER_LIMITS },
      )
    : new Worker(workerUrl, { resourceLimits: WORKER_LIMITS });
}

/** Commands whose trace inputs parseRuns parses. */
const PARSING_COMMANDS = new Set(["stats", "generate"]);

/**
 * Whether the command line `argv` (without node and the script) will want a parse worker: `stats`
 * or `generate` with an input file that splitPlan splits (with --jobs N >= 2, one of MIN_PARTS parts
 * or more; without --jobs, one of AUTO_SPLIT_BYTES or more, not gzip, on two usable cores). Read
 * without the argument parser, which loads after: an argument that only looks like an input (the
 * value of an option naming a big file) starts a worker that waits unused, and is ended with the
 * process. `size` is the size of a regular file, else undefined.
 */
export function wantsEarlyWorker(argv: readonly string[], size: (path: string) => number | undefined, cores: () => number): boolean {
  const end = argv.indexOf("--");
  const args = end < 0 ? argv : argv.slice(0, end);
  if (!PARSING_COMMANDS.has(args.find((a) => !a.startsWith("-")) ?? "")) return false;
  let jobs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = a === "--jobs" ? args[i + 1] : a.startsWith("--jobs=") ? a.slice(7) : undefined;
    if (v !== undefined) jobs = /^[0-9]+$/.test(v) ? Number(v) : 0;
  }
  const plan = splitPlan(jobs, jobs ?? cores());
  if (plan === undefined) return false;
  for (const a of args) {
    if (a.startsWith("-") || (plan.skipGzip && a.endsWith(".gz"))) continue;
    const n = size(a);
    if (n !== undefined && bigEnoughToSplit(a, n, PART_BYTES, plan.minBytes)) return true;
  }
  return false;
}

/**
 * Starts, in the background, the parse worker the command line will want (wantsEarlyWorker): a
 * worker takes some 50-100 ms to load the parser, the time the main thread takes to load its own
 * modules and read its arguments, on a core that is idle meanwhile. It does not keep the process
 * alive until taken. Returns it (tests), or undefined when the command line wants none.
 */
export function startEarly(argv: readonly string[]): Worker | undefined {
  if (early !== undefined || !wantsEarlyWorker(argv, regularFileSize, usableCores)) return undefined;
  const w = startParseWorker();
  w.unref();
  // One that failed or ended before it is taken is dropped (its taker would wait for the events
  // it missed); one that fails after is seen by its taker's own listeners.
  const drop = () => {
    if (early === w) early = undefined;
  };
  w.once("error", drop);
  w.once("exit", drop);
  early = w;
  return w;
}

function regularFileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}
