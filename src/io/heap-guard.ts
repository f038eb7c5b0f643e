// Peak memory on traces of very many processes. Each process's state (cwd, fd table) lives long
// enough to reach V8's old generation, and when the process exits it stays there, dead, until the
// next full collection, which V8 starts late: on a trace of a million short processes the old
// generation held some 80 MiB of them between collections (22 MiB live), and peak RSS went over
// the 200 MiB budget. HeapGuard checks the heap every few MiB of input and, past a limit no
// ordinary trace reaches, asks for a full collection.
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Input between two looks at the heap. A look costs a microsecond; the heap grows by what a step
 * allocates past the limit before a collection: `generate --jobs 2` on the million-process trace
 * peaked at 204-215 MiB with 8 MiB steps, 188-195 with 2 (scripts/bench-many-pids.mjs).
 */
export const STEP_BYTES = 2 << 20;
/** Heap in use past which a full collection runs (the bench's 128 MiB traces stay well under it). */
const LIMIT_BYTES = 40 << 20;

let collect: (() => void) | null | undefined;

/** V8's full collection, exposed on first use (`--expose-gc` set at run time reaches a new context); null if it cannot be. */
function fullCollection(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      const gc: unknown = runInNewContext("gc");
      collect = typeof gc === "function" ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

export class HeapGuard {
  private next = STEP_BYTES;
  /** Heap in use past which the next collection runs. */
  private threshold: number;
  private seen = 0;
  /** Full collections asked for (for tests and figures). */
  collections = 0;

  constructor(private readonly limitBytes = LIMIT_BYTES) {
    this.threshold = limitBytes;
  }

  /** `n` more bytes of input were read. */
  read(n: number): void {
    this.seen += n;
    if (this.seen < this.next) return;
    this.next = this.seen + STEP_BYTES;
    if (getHeapStatistics().used_heap_size <= this.threshold) return;
    const gc = fullCollection();
    if (gc === null) return;
    gc();
    this.collections++;
    // What survived is live. Past the limit on its own (a trace with that much state), the next
    // collection waits for half the limit of garbage on top of it, not for the next step.
    this.threshold = Math.max(this.limitBytes, getHeapStatistics().used_heap_size + this.limitBytes / 2);
  }
}
