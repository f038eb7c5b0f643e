// Which thread parses which part of a split parse (parse-split.ts), decided in shared memory so that
// neither thread waits for the other to hand out work. The main thread reads the file into parts
// (each in a SharedArrayBuffer both threads read), queues each and tells the workers of it; then it
// claims parts from the front, in file order, and parses them itself, while a worker claims from the
// back, the part read furthest ahead, which the main thread reaches last. A claim is one
// compare-and-swap, so a part is parsed by exactly one thread: the main thread never waits for a
// part a worker has not started (a cold worker, one still loading its code, one slower than this
// thread), only for one a worker is parsing. A worker parses a part as soon as it has posted the
// last, without waiting for the main thread to yield. Before, the main thread gave each worker one
// or two parts at a time from its event loop: the worker waited for it between parts and the main
// thread for the worker's cold first parts, and `--jobs 2` was slower than one thread on the
// bench's 129 MiB traces (0.9x).
import type { MessagePort } from "node:worker_threads";
import type { Arch } from "../model/arch.js";
import type { RunSource } from "../model/trace.js";
import type { PartReply } from "./parse-part.js";

/** Slots for parts in the window between the merge and the last part read (more than the window ever holds). */
const RING = 64;
/** Counters: parts posted to the workers, replies posted to the main thread; the stop flag. */
const POSTED = 0;
const REPLIED = 1;
const STOPPED = 2;
const HEADER = 4;
/** A slot holds `index * 4 + state`: a claim names its part, so a stale one (the slot reused) fails. */
const QUEUED = 1;
const BY_MAIN = 2;
const BY_WORKER = 3;

/** The most parts a window may hold (parse-split.ts keeps its read-ahead below it). */
export const MAX_WINDOW = RING - 1;

export class PartClaims {
  private readonly ctrl: Int32Array;

  /** New claims, or a worker's view of the main thread's (`shared`). */
  constructor(shared?: SharedArrayBuffer) {
    this.ctrl = new Int32Array(shared ?? new SharedArrayBuffer(4 * (HEADER + RING)));
  }

  /** The memory to send to a worker. */
  get shared(): SharedArrayBuffer {
    return this.ctrl.buffer as SharedArrayBuffer;
  }

  /** Part `index` is read and waits for a thread (its slot's earlier part is merged: the window is under RING). */
  queue(index: number): void {
    Atomics.store(this.ctrl, HEADER + (index % RING), index * 4 + QUEUED);
  }

  /** Takes part `index` for this thread; false when another thread took it. */
  claim(index: number, by: "main" | "worker"): boolean {
    const queued = index * 4 + QUEUED;
    return Atomics.compareExchange(this.ctrl, HEADER + (index % RING), queued, index * 4 + (by === "main" ? BY_MAIN : BY_WORKER)) === queued;
  }

  /** Whether part `index` waits for a thread still. */
  waiting(index: number): boolean {
    return Atomics.load(this.ctrl, HEADER + (index % RING)) === index * 4 + QUEUED;
  }

  /** How many times the main thread has posted parts (read before looking for them: see waitPosted). */
  postedCount(): number {
    return Atomics.load(this.ctrl, POSTED);
  }

  /** The main thread posted a part (or stopped): wakes the workers that wait for one. */
  posted(): void {
    Atomics.add(this.ctrl, POSTED, 1);
    Atomics.notify(this.ctrl, POSTED);
  }

  /** A worker waits until the main thread posts past `seen` (postedCount read before it found nothing). */
  waitPosted(seen: number): void {
    Atomics.wait(this.ctrl, POSTED, seen);
  }

  /** How many replies the workers have posted (read before looking for one: see waitReplied). */
  repliedCount(): number {
    return Atomics.load(this.ctrl, REPLIED);
  }

  /** A worker posted a reply: wakes the main thread if it waits for one. */
  replied(): void {
    Atomics.add(this.ctrl, REPLIED, 1);
    Atomics.notify(this.ctrl, REPLIED);
  }

  /** The main thread waits until a reply past `seen` is posted, or `ms` pass; false on time out. */
  waitReplied(seen: number, ms: number): boolean {
    return Atomics.wait(this.ctrl, REPLIED, seen, ms) !== "timed-out";
  }

  /** No worker takes another part; those waiting for one return. */
  stop(): void {
    Atomics.store(this.ctrl, STOPPED, 1);
    this.posted();
  }

  stopped(): boolean {
    return Atomics.load(this.ctrl, STOPPED) !== 0;
  }
}

/** What a split's workers are told once: how to parse its parts, where to find them, where to answer. */
export interface SplitSetup {
  shared: SharedArrayBuffer;
  port: MessagePort;
  source: RunSource;
  display: string;
  arch: Arch;
  observe: boolean;
}

/** A part read, posted to every worker: its bytes are `buffer[0, length)`. */
export interface PostedPart {
  index: number;
  buffer: SharedArrayBuffer;
  length: number;
}

/** A worker's answer for part `index`. */
export type PartAnswer = { index: number; ok: true; reply: PartReply } | { index: number; ok: false; error: string };
