// One part of a big trace file, parsed on a worker thread for `parseRunSplit` (parse-split.ts):
// the parser in part mode, the argument constants of its events, and the events the resource
// tracker needs, packed in order for the main thread, which tracks resources over the whole file.
import type { Arch } from "../model/arch.js";
import type { ArgValues, RunSource, SyscallEvent } from "../model/trace.js";
import { ArgValueCollector, argValuesRead } from "../parse/arg-values.js";
import { eventMatters, nameMatters } from "../parse/resources.js";
import { TraceParser, type TracePart } from "../parse/trace-parser.js";
import { windowEnd } from "./read-lines.js";

/** What the main thread sends: one part, cut after a newline (the last part may end without one). */
export interface PartTask {
  source: RunSource;
  display: string;
  arch: Arch;
  observe: boolean;
  bytes: Uint8Array;
}

/**
 * Events packed in the order the parser produced them, cheap to send between threads: numbers in
 * `nums` (a record starts with its kind) and the texts of EVENT records in `texts`.
 * BARE: an event no resource handler reads (pid only). EVENT: pid, line, arch, known, outcome, and
 * its name and errno as indexes into `words`; its args, retval and retDecor are the next three texts. CARRIED: the
 * part's carried line `index` goes here (`TracePart.carried`), for the main thread to parse with the
 * state before the part.
 */
export interface PackedEvents {
  nums: Int32Array;
  /**
   * Names and errnos, each distinct one once (EVENT records hold their index): a few dozen strings
   * to copy between threads instead of two per event, and one string object per name on the main
   * thread, whose hash its map lookups compute once.
   */
  words: string[];
  /**
   * The texts of EVENT records, three each, as latin1 bytes one after another (`textEnds` holds
   * where each ends): transferred, not cloned, and decoded one by one on the main thread, where
   * each string dies young once its event is handled. An array of strings crossing threads lands in
   * the main thread's old generation and waits for a full collection (peak RSS of generate --jobs 2
   * on the 129 MiB mix: ~290 MB with strings, ~265 MB with bytes).
   */
  textBytes: Uint8Array;
  textEnds: Int32Array;
}
export const BARE = 0;
export const EVENT = 1;
export const CARRIED = 2;

export interface PartReply {
  part: TracePart;
  argValues: ArgValues | undefined;
  events: PackedEvents | undefined;
  /** The part's buffer, sent back to be read into again. */
  buffer?: ArrayBuffer;
}

const OUTCOMES = ["ok", "error", "unfinished"] as const;
const ARCHES: readonly Arch[] = ["x86_64", "i386", "x32", "aarch64", "arm"];

/** Collects packed events (a growing Int32Array and a list of texts). */
class EventPacker {
  private nums = new Int32Array(1 << 16);
  private n = 0;
  private textBytes = Buffer.allocUnsafeSlow(1 << 20);
  private textAt = 0;
  private textEnds = new Int32Array(1 << 14);
  private texts = 0;
  private readonly words: string[] = [];
  private readonly wordIndex = new Map<string, number>();

  private word(w: string): number {
    let i = this.wordIndex.get(w);
    if (i === undefined) {
      i = this.words.length;
      this.words.push(w);
      this.wordIndex.set(w, i);
    }
    return i;
  }

  private room(k: number): void {
    if (this.n + k <= this.nums.length) return;
    const bigger = new Int32Array(this.nums.length * 2);
    bigger.set(this.nums);
    this.nums = bigger;
  }

  bare(pid: number): void {
    this.room(2);
    this.nums[this.n++] = BARE;
    this.nums[this.n++] = pid;
  }

  carried(index: number): void {
    this.room(2);
    this.nums[this.n++] = CARRIED;
    this.nums[this.n++] = index;
  }

  event(e: SyscallEvent): void {
    this.room(8);
    const a = this.nums;
    let n = this.n;
    a[n++] = EVENT;
    a[n++] = e.pid;
    a[n++] = e.line;
    a[n++] = ARCHES.indexOf(e.arch);
    a[n++] = e.known ? 1 : 0;
    a[n++] = OUTCOMES.indexOf(e.outcome);
    a[n++] = this.word(e.name);
    a[n++] = this.word(e.errno);
    this.n = n;
    this.text(e.args);
    this.text(e.retval);
    this.text(e.retDecor);
  }

  private text(t: string): void {
    // Latin1: one byte per char, as the parser decoded the trace (no byte is lost).
    if (this.textAt + t.length > this.textBytes.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(this.textBytes.length * 2, this.textAt + t.length));
      this.textBytes.copy(bigger, 0, 0, this.textAt);
      this.textBytes = bigger;
    }
    if (t.length > 0) this.textAt += this.textBytes.write(t, this.textAt, "latin1");
    if (this.texts === this.textEnds.length) {
      const bigger = new Int32Array(this.textEnds.length * 2);
      bigger.set(this.textEnds);
      this.textEnds = bigger;
    }
    this.textEnds[this.texts++] = this.textAt;
  }

  done(): PackedEvents {
    return {
      nums: this.nums.slice(0, this.n),
      words: this.words,
      textBytes: new Uint8Array(this.textBytes.buffer, this.textBytes.byteOffset, this.textAt),
      textEnds: this.textEnds.slice(0, this.texts),
    };
  }
}

/** Calls `fn` for each packed record, in order: events rebuilt, carried lines by index. */
export function unpackEvents(p: PackedEvents, onEvent: (e: SyscallEvent) => void, onBare: (pid: number) => void, onCarried: (index: number) => void): void {
  const a = p.nums;
  const tb = Buffer.from(p.textBytes.buffer, p.textBytes.byteOffset, p.textBytes.byteLength);
  const ends = p.textEnds;
  let from = 0;
  let at = 0;
  const t = (): string => {
    const end = ends[at++]!;
    const s = end === from ? "" : tb.toString("latin1", from, end);
    from = end;
    return s;
  };
  const w = p.words;
  for (let i = 0; i < a.length; ) {
    const kind = a[i];
    if (kind === BARE) {
      onBare(a[i + 1]!);
      i += 2;
    } else if (kind === CARRIED) {
      onCarried(a[i + 1]!);
      i += 2;
    } else {
      const name = w[a[i + 6]!]!;
      const errno = w[a[i + 7]!]!;
      const args = t();
      const retval = t();
      const retDecor = t();
      // The fields in TraceParser's order: one object shape for the resource collector, whoever made the event.
      onEvent({
        pid: a[i + 1]!,
        arch: ARCHES[a[i + 3]!]!,
        name,
        known: a[i + 4] === 1,
        args,
        outcome: OUTCOMES[a[i + 5]!]!,
        retval,
        errno,
        retDecor,
        line: a[i + 2]!,
      });
      i += 8;
    }
  }
}

/** Parses one part. Stops early (with `part.unsupported` set) once the part cannot be merged exactly. */
export function parsePart(task: PartTask): PartReply {
  const collector = task.observe ? new ArgValueCollector() : undefined;
  const events = task.observe ? new EventPacker() : undefined;
  const onSyscall =
    events && collector
      ? (e: SyscallEvent) => {
          collector.observe(e);
          if (eventMatters(e)) events.event(e);
          else events.bare(e.pid);
        }
      : undefined;
  const onCarried = events ? (index: number) => events.carried(index) : undefined;
  // Calls no collector reads are sent bare without an event being made for them (see ParseOptions.eventNeeded).
  const bare = events ? { eventNeeded: (name: string) => nameMatters(name) || argValuesRead(name), onBare: (pid: number) => events.bare(pid) } : {};
  const parser = new TraceParser(task.source, {
    arch: task.arch,
    part: true,
    ...(onSyscall ? { onSyscall, ...bare } : {}),
    ...(onCarried ? { onCarried } : {}),
  });
  parser.beginFile(task.display);
  const buf = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  parser.addBytes(buf.length);
  let lineNo = 0;
  let checked = 0;
  let stopped = false;
  // Decoded in small windows of whole lines (see DECODE_WINDOW): a part's 4 MiB as one string would
  // wait in the large-object space for a full collection.
  for (let w = 0; w < buf.length && !stopped; ) {
    let wEnd = windowEnd(buf, w);
    if (wEnd < buf.length && buf[wEnd - 1] !== 10) {
      // One line longer than a window: decode up to its end.
      const nl = buf.indexOf(10, wEnd);
      wEnd = nl < 0 ? buf.length : nl + 1;
    }
    const s = buf.toString("latin1", w, wEnd);
    w = wEnd;
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) break;
      parser.line(s.slice(start, nl), ++lineNo, true);
      start = nl + 1;
      // Give up as soon as the merge could not use the part (every 4096 lines: the check is cheap, not free).
      if (lineNo - checked >= 4096) {
        checked = lineNo;
        if (parser.partUnsupported() !== null) {
          stopped = true;
          break;
        }
      }
    }
    // Only the part's last window can end without a newline.
    if (!stopped && start < s.length && parser.partUnsupported() === null) parser.line(s.slice(start), ++lineNo, false);
  }
  const part = parser.exportPart();
  return { part, argValues: collector?.result(), events: part.unsupported === null ? events?.done() : undefined };
}
