// One big trace file on every core: the main thread reads it and cuts it after newlines into parts
// of 1 MiB, in memory every thread reads. Each part goes to exactly one thread (part-claims.ts): a
// worker takes the part read furthest ahead and parses it knowing nothing of the parts before it
// (parse-part.ts); the main thread takes the parts in file order and parses them itself, as the
// continuation of what it has merged (PartMerger.direct: what one parse of the file does), and
// merges a worker's part when it comes to it (TraceParser.beginAbsorb / endAbsorb): counts add up,
// processes merge, and what depends on the state before a part (a `<... resumed>` line whose call
// began in an earlier part) is parsed again on the main thread with that state. Resources (cwd, fd
// tables, paths) follow every event in order, so the main thread tracks them over the events the
// workers send, and over its own parts' as it parses them. The result is the same, byte for byte,
// as one parse of the whole file (src/io/parse-split.test.ts cuts real traces at every line).
// A part the merge cannot stitch exactly (stderr-mode `[pid N]` lines, personality changes, a
// summary table, colour, a cut line) is parsed by the main thread instead, and so is every part after
// it once nothing could be merged onto the state it leaves. A -ff file, standard input, a small file
// or a worker that failed return undefined: the caller parses the file whole.
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import { diagnostic } from "../model/diagnostics.js";
import type { ArgValues, ObservedRun, RunResult, RunSource, SyscallEvent } from "../model/trace.js";
import { ArgValueCollector, compareNumeric } from "../parse/arg-values.js";
import { ResourceCollector } from "../parse/resources.js";
import { TraceParser, type PartMerge } from "../parse/trace-parser.js";
import type { InputRun } from "./inputs.js";
import { MAX_WINDOW, type PartAnswer, PartClaims, type PostedPart, type SplitSetup } from "./part-claims.js";
import { bareCalls, partLines, unpackEvents, type PackedEvents, type PartReply } from "./parse-part.js";
import { HeapGuard } from "./heap-guard.js";
import { bigEnoughToSplit, PART_BYTES, startParseWorker } from "./workers.js";
import { decompressed, openInput } from "./read-lines.js";

/** A part that grows to this many times PART_BYTES without a newline is a line too long to split at: parse whole. */
const MAX_PART_FACTOR = 4;
/**
 * Parts read ahead of the merge (the window both threads claim from, see part-claims.ts): enough
 * that a worker always finds one far enough ahead that it is done before this thread reaches it;
 * few enough to bound memory, as a worker's answers wait for the merge with their packed events
 * (generate). Measured on the bench's 129 MiB traces and on the million-process one
 * (scripts/bench.mjs, scripts/bench-many-pids.mjs).
 */
const READ_AHEAD = { stats: 8, generate: 4 };
/**
 * A split that may give up (SplitOptions.stopWhenDense) looks after this many parts at how many
 * processes they held, and past DENSE_PER_MIB per MiB leaves the rest to this thread: each of a
 * worker's parts brings its processes to merge, and on the million-process trace (1,366 per MiB,
 * scripts/bench-many-pids.mjs) two threads were slower than one (stats 6.0 s against 5.0, generate
 * 15.3 against 14.0). The bench's traces hold 28 (mix) and 50 (samples) per MiB, a shell script's
 * recording some 125.
 */
const PROBE_PARTS = 16;
const DENSE_PER_MIB = 400;
/** How long this thread waits for a worker's answer before it looks at whether the worker died. */
const WAIT_MS = 50;

export interface SplitOptions {
  arch: Arch;
  /** Also hash, collect argument constants and resources (what `generate` needs). */
  observe: boolean;
  /** Threads to parse on (workers, and this thread for stats). */
  jobs: number;
  /** Part size (tests use small parts to cut traces at many places). */
  partBytes?: number;
  /** Files smaller than this are parsed whole (undefined: only those of fewer than MIN_PARTS parts, workers.ts). */
  minBytes?: number;
  /** After PROBE_PARTS parts, leave the workers out if the trace holds more than DENSE_PER_MIB processes per MiB. */
  stopWhenDense?: boolean;
  /**
   * Parse a gzip file whole: its decompression, beside the parse, leaves two threads little to gain
   * (on 256 MiB, `stats` 1.0x and `generate` 1.05x one thread, at 160-181 MiB of peak RSS against
   * 113-130).
   */
  skipGzip?: boolean;
  /** Told, in file order, which thread parsed each part (tests check that both kinds happen). */
  onPart?: (index: number, by: "merge" | "worker") => void;
  /**
   * Parts this thread leaves to the workers, waiting for their answer instead of taking the part
   * when it comes to it first (tests: a worker warming up on a small file would otherwise get none).
   */
  leave?: (index: number) => boolean;
  /** Given the workers once started (tests: a worker that dies). */
  onWorkers?: (workers: readonly Worker[]) => void;
}

class Abort extends Error {}

/**
 * Parses a run of one file on `jobs` threads; undefined when it cannot be done exactly in parts
 * (then parse it whole with parseRun): a small file, standard input, a -ff file, a failed worker.
 */
export async function parseRunSplit(run: InputRun, options: SplitOptions & { observe: true }): Promise<ObservedRun | undefined>;
export async function parseRunSplit(run: InputRun, options: SplitOptions): Promise<RunResult | undefined>;
export async function parseRunSplit(run: InputRun, options: SplitOptions): Promise<RunResult | ObservedRun | undefined> {
  const partBytes = options.partBytes ?? PART_BYTES;
  const f = run.runFiles[0];
  if (run.runFiles.length !== 1 || !f || f.path === "-" || f.pid !== undefined) return undefined;
  const size = await stat(f.path).then(
    (st) => st.size,
    () => 0,
  );
  if (!bigEnoughToSplit(f.path, size, partBytes, options.minBytes ?? 0)) return undefined;
  if (options.skipGzip === true && isGzip(f.path)) return undefined;

  const { runFiles, ...source } = run;
  void runFiles;
  const hash = options.observe ? createHash("sha256").update(`\0${f.pid ?? ""}\0`) : undefined;
  const merger = new PartMerger(source, f.display, options);
  // The merge keeps every live process's state (and, for generate, tracks it), as parseRun does:
  // collect the dead ones in time.
  const guard = new HeapGuard();

  // `jobs` threads work: jobs - 1 workers, started at once (a worker takes some 50 ms to start and
  // its first parts run cold), each taking the part read furthest ahead that no thread has taken;
  // this thread reads the file and, in file order, parses the parts no worker took and merges those
  // one did (for generate that includes tracking resources over every event).
  const claims = new PartClaims();
  const workers: Worker[] = [];
  const ports: MessagePort[] = [];
  let dead = false;
  for (let k = 0; k < Math.max(1, options.jobs - 1); k++) {
    const w = startParseWorker();
    const { port1, port2 } = new MessageChannel();
    const setup: SplitSetup = { shared: claims.shared, port: port2, source, display: f.display, arch: options.arch, observe: options.observe };
    w.postMessage({ split: setup }, [port2]);
    w.on("error", () => {
      dead = true;
    });
    w.on("exit", () => {
      dead = true;
    });
    workers.push(w);
    ports.push(port1);
  }
  options.onWorkers?.(workers);
  const stopWorkers = async (): Promise<void> => {
    claims.stop();
    for (const port of ports) port.close();
    await Promise.all(workers.map((w) => w.terminate()));
  };
  /** The workers' answers not merged yet, by part. */
  const answers = new Map<number, PartAnswer>();
  const drain = (): void => {
    for (const port of ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const a = m.message as PartAnswer;
        answers.set(a.index, a);
      }
    }
  };
  // Part buffers are read into again once merged: memory stays a window of parts.
  const pool = new PartPool(partBytes);
  /** Parts read and not merged yet, by index. */
  const held = new Map<number, Uint8Array>();
  /** Set once the merged state admits no more merges: then this thread parses every part left (see parseHere). */
  let solo = false;
  const parts = partsOf(f.path, partBytes, pool, hash);
  // Two more parts for each further worker, so that each finds one far enough ahead (`--jobs 3` and up, not measured).
  const ahead = Math.min(MAX_WINDOW, (options.observe ? READ_AHEAD.generate : READ_AHEAD.stats) + 2 * (workers.length - 1));
  let read = 0;
  let merged = 0;
  let eof = false;
  let mergedBytes = 0;
  /** Part `merged` is merged: its buffer is free (a worker that took it has answered). */
  const mergedOne = (by: "merge" | "worker"): void => {
    const bytes = held.get(merged)!;
    held.delete(merged);
    mergedBytes += bytes.byteLength;
    pool.free(bytes.buffer as SharedArrayBuffer);
    options.onPart?.(merged, by);
    merged++;
    // Too many processes per part to gain from a worker: parts already taken come back and merge,
    // this thread takes every other.
    if (merged === PROBE_PARTS && options.stopWhenDense === true && merger.processesSeen() > (DENSE_PER_MIB * mergedBytes) / (1 << 20)) claims.stop();
    // A shape no part can be merged onto (stderr-mode `[pid N]` lines, colour, a summary table, a
    // line cut short): every part from here on is parsed here, in order, as one parse would.
    if (!solo && !merger.continuable()) {
      solo = true;
      claims.stop();
    }
  };
  /** This thread parses the part here: one parse of the file from the start would give the same. */
  const parseHere = (bytes: Uint8Array): void => {
    merger.direct(bytes);
    guard.read(bytes.byteLength);
    mergedOne("merge");
  };
  try {
    for (;;) {
      while (!eof && read - merged < ahead) {
        const r = await parts.next();
        if (r.done) {
          eof = true;
          break;
        }
        held.set(read, r.value);
        claims.queue(read);
        if (!claims.stopped()) {
          const posted: PostedPart = { index: read, buffer: r.value.buffer as SharedArrayBuffer, length: r.value.byteLength };
          for (const port of ports) port.postMessage(posted);
          claims.posted();
        }
        read++;
      }
      if (eof && merged === read) break;
      const bytes = held.get(merged)!;
      if ((claims.stopped() || options.leave?.(merged) !== true) && claims.claim(merged, "main")) {
        parseHere(bytes);
        continue;
      }
      // A worker took the part (or, in tests, is left it): wait for its answer.
      const seen = claims.repliedCount();
      drain();
      const a = answers.get(merged);
      if (a === undefined) {
        if (!claims.waitReplied(seen, WAIT_MS)) {
          // Let the workers' exit and error events in: a worker that died answers nothing.
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (dead) throw new Abort();
        }
        continue;
      }
      answers.delete(merged);
      if (solo) {
        // Taken before the shape showed: what the worker made of it is of no use.
        parseHere(bytes);
        continue;
      }
      if (!a.ok) throw new Abort();
      if (merger.add(a.reply)) {
        guard.read(a.reply.part.bytes);
        mergedOne("worker");
        continue;
      }
      // The merge cannot take the worker's parse (the part has a shape it cannot stitch): parse it here.
      parseHere(bytes);
    }
  } catch (e) {
    // Anything else (a worker that failed) also leaves the file to the one-thread parse, which
    // reports what is wrong with it; the tests require the split to succeed on every trace they cut.
    void e;
    await parts.return(undefined);
    await stopWorkers();
    return undefined;
  }
  await stopWorkers();

  return merger.finish(hash?.digest("hex"));
}

/**
 * Merges the parts of one file, in order, into the result one parse of the whole file gives.
 * Used by parseRunSplit (parts from workers) and by tests (parts parsed in this thread).
 */
export class PartMerger {
  private readonly parser: TraceParser;
  private readonly collector: ArgValueCollector | undefined;
  private readonly resources: ResourceCollector | undefined;
  private readonly argValues: ArgValues[] = [];
  private base = 0;
  /** The stream state (FLIGHT_* bits) the part being merged reported at the event being tracked. */
  private flight = 0;

  constructor(
    private readonly source: RunSource,
    display: string,
    options: { arch: Arch; observe: boolean },
  ) {
    this.collector = options.observe ? new ArgValueCollector() : undefined;
    this.resources = options.observe ? new ResourceCollector({ file: source.id }) : undefined;
    const collector = this.collector;
    const resources = this.resources;
    const onSyscall =
      collector && resources
        ? (e: SyscallEvent) => {
            collector.observe(e);
            resources.observe(e);
          }
        : undefined;
    // As parseRun's parser: calls no collector reads reach the tracker as a pid (direct() parses
    // with it, and the carried lines of add()).
    const parser = new TraceParser(
      { id: source.id, files: source.files },
      onSyscall && resources ? { arch: options.arch, onSyscall, ...bareCalls((pid) => resources.observeBare(pid)) } : { arch: options.arch },
    );
    this.parser = parser;
    parser.beginFile(display);
    resources?.followStream(() => parser.unannouncedStartsNow(this.flight));
  }

  /** Merges the next part; false when it cannot be merged exactly (then parse the file whole). */
  add(reply: PartReply): boolean {
    const parser = this.parser;
    const m = parser.beginAbsorb(reply.part, this.base);
    if (!m) return false;
    this.flight = 0;
    if (reply.events && this.resources)
      replay(parser, m, reply.events, this.resources, (state) => {
        this.flight = state;
      });
    else for (let i = 0; i < reply.part.carried.length; i++) parser.absorbCarried(m, i);
    parser.endAbsorb(m);
    this.base += reply.part.lines;
    if (reply.argValues) this.argValues.push(reply.argValues);
    return true;
  }

  /**
   * Parses the next part here, as the continuation of the lines merged so far: what one parse of
   * the whole file does with them, without a part's cost (its parse from an unknown state, its
   * events packed and replayed). Any part can be parsed so, whatever its shape; afterwards,
   * continuable() says whether a later part may still be merged with add().
   */
  direct(bytes: Uint8Array): void {
    this.flight = 0;
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.parser.addBytes(buf.length);
    this.base += partLines(buf, this.base, this.parser);
  }

  /** Processes seen so far in the parts merged. */
  processesSeen(): number {
    return this.parser.processesSeen();
  }

  /** Whether add() may take a part now (see TraceParser.continuable). */
  continuable(): boolean {
    return this.parser.continuable();
  }

  /** The run's result; `sha256` of its content when observing. */
  finish(sha256?: string): RunResult | ObservedRun {
    const result = this.parser.finish();
    if (!this.collector || !this.resources || sha256 === undefined) return result;
    const diagnostics = [...result.diagnostics];
    for (const p of this.resources.problems()) diagnostics.push(diagnostic("SC_UNSAFE_VALUE", this.source.id, p.line, 0, p.message));
    return {
      ...result,
      diagnostics,
      sha256,
      argValues: mergeArgValues([this.collector.result(), ...this.argValues]),
      resources: result.events > 0 ? this.resources.result() : undefined,
    };
  }
}

/**
 * Part buffers read into again once their part is merged: memory stays a window of parts (shared
 * buffers are freed only once every thread that saw one has collected it: a new one per part held
 * 240-250 MiB at the peak of `--jobs 2` on a 256 MiB gzip trace, against 140-155 pooled). Only
 * buffers it made go back: one grown for a long line is left to the collector.
 */
export class PartPool {
  private readonly spare: SharedArrayBuffer[] = [];
  private readonly made = new WeakSet<SharedArrayBuffer>();

  constructor(private readonly partBytes: number) {}

  take(): SharedArrayBuffer {
    const b = this.spare.pop();
    if (b !== undefined) return b;
    const made = new SharedArrayBuffer(this.partBytes);
    this.made.add(made);
    return made;
  }

  /** The part in `buffer` is merged: no thread reads it any more. */
  free(buffer: SharedArrayBuffer): void {
    if (this.made.has(buffer)) this.spare.push(buffer);
  }
}

/**
 * The file's bytes in parts that end after a newline (the last one may not), each a view of a
 * shared buffer of its own (from `pool`).
 * Hashes what it reads. Throws Abort for input the whole-file parse reports (binary, empty) and for
 * a line longer than MAX_PART_FACTOR parts.
 */
async function* partsOf(path: string, partBytes: number, pool: PartPool, hash: Hash | undefined): AsyncGenerator<Uint8Array> {
  // Read in this thread, synchronously: a 1 MiB read from the page cache takes some 0.1 ms, and an
  // asynchronous one waited for this thread, busy parsing or merging, to come back to its loop.
  const fd = openSync(path, "r");
  try {
    if (gzipMagic(fd)) {
      // A gzip file: its decompressed stream, cut the same way.
      const input = openInput(path);
      try {
        yield* cutParts(chunkFill(decompressed(input)), partBytes, pool, hash);
      } finally {
        input.destroy();
      }
      return;
    }
    let position = 0;
    const fill: Fill = (buf, at, length) => {
      const n = readSync(fd, buf, at, length, position);
      position += n;
      return n;
    };
    yield* cutParts(fill, partBytes, pool, hash);
  } finally {
    closeSync(fd);
  }
}

function gzipMagic(fd: number): boolean {
  const head = new Uint8Array(2);
  return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Whether the file starts as gzip does (false if it cannot be read: the whole-file parse says why). */
function isGzip(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    return gzipMagic(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes up to `length` bytes of the input into `buf` at `at`; how many (0 at its end). */
type Fill = (buf: Uint8Array, at: number, length: number) => number | Promise<number>;

/** A Fill from a stream's chunks (a decompressed gzip file). */
function chunkFill(chunks: AsyncIterable<Buffer>): Fill {
  const it = chunks[Symbol.asyncIterator]();
  let rest: Buffer | undefined;
  return async (buf, at, length) => {
    while (rest === undefined || rest.length === 0) {
      const r = await it.next();
      if (r.done) return 0;
      rest = r.value;
    }
    const n = Math.min(length, rest.length);
    buf.set(rest.subarray(0, n), at);
    rest = rest.subarray(n);
    return n;
  };
}

/** The input's bytes in parts that end after a newline (see partsOf), each in a buffer of `pool`'s unless grown for a long line. */
async function* cutParts(fill: Fill, partBytes: number, pool: PartPool, hash: Hash | undefined): AsyncGenerator<Uint8Array> {
  let buf = new Uint8Array(pool.take());
  let filled = 0;
  let total = 0;
  for (;;) {
    const got = await fill(buf, filled, buf.length - filled);
    if (got > 0) hash?.update(buf.subarray(filled, filled + got));
    // Binary input (NUL in the first 8 KiB, as readLines checks) is reported by the whole-file parse.
    if (total < 8192 && buf.subarray(total, Math.min(filled + got, 8192)).includes(0)) throw new Abort();
    filled += got;
    total += got;
    if (got === 0) {
      if (total === 0) throw new Abort(); // empty: reported by the whole-file parse
      if (filled > 0) yield buf.subarray(0, filled);
      return;
    }
    if (filled < buf.length) continue;
    const cut = buf.lastIndexOf(10) + 1;
    if (cut === 0) {
      // No newline in the whole buffer: a long line; grow, up to a limit.
      if (buf.length >= MAX_PART_FACTOR * partBytes) throw new Abort();
      const bigger = new Uint8Array(new SharedArrayBuffer(buf.length * 2));
      bigger.set(buf);
      buf = bigger;
      continue;
    }
    const next = new Uint8Array(pool.take());
    const carried = filled - cut;
    if (carried > next.length) throw new Abort();
    next.set(buf.subarray(cut, filled));
    // Once yielded, the part is read by whichever thread claims it: nothing writes to it until it is merged.
    yield buf.subarray(0, cut);
    buf = next;
    filled = carried;
  }
}

/** The events of one part, in order, into the resource tracker; carried lines parsed where they fall. */
function replay(parser: TraceParser, m: PartMerge, ev: PackedEvents, resources: ResourceCollector, onFlight: (state: number) => void): void {
  const base = m.base;
  unpackEvents(
    ev,
    (e) => {
      e.line += base;
      resources.observe(e);
    },
    // No handler reads it; only its pid matters (processes not announced yet wait in a window of events).
    (pid) => resources.observeBare(pid),
    (index) => parser.absorbCarried(m, index),
    onFlight,
  );
}

/** The union of several runs' (or parts') argument constants, sorted as ArgValueCollector sorts them. */
function mergeArgValues(all: ArgValues[]): ArgValues {
  const sets = new Map<string, Set<string>>();
  for (const av of all) {
    for (const [arch, byName] of Object.entries(av)) {
      for (const [name, values] of Object.entries(byName ?? {})) {
        const key = `${arch}\0${name}`;
        let s = sets.get(key);
        if (!s) sets.set(key, (s = new Set()));
        for (const v of values ?? []) s.add(v);
      }
    }
  }
  const out: ArgValues = {};
  for (const key of [...sets.keys()].sort()) {
    const [arch, name] = key.split("\0") as [keyof ArgValues, string];
    ((out[arch] ??= {}) as Record<string, string[]>)[name] = [...sets.get(key)!].sort(compareNumeric);
  }
  return out;
}
