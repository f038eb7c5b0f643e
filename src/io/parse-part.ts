// One part of a big trace file, parsed on a worker thread for `parseRunSplit` (parse-split.ts):
// the parser in part mode, the argument constants of its events, and the events the resource
// tracker needs, packed in order for the main thread, which tracks resources over the whole file.
import type { Arch } from "../model/arch.js";
import type { ArgValues, RunSource, SyscallEvent } from "../model/trace.js";
import { ArgValueCollector, argValuesRead } from "../parse/arg-values.js";
import { callsRead, eventMatters, idleCall } from "../parse/resources.js";
import { type EventNeed, type ParseOptions, TraceParser, type TracePart } from "../parse/trace-parser.js";
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
 * `nums` (a record starts with its kind) and the texts of EVENT records in `chunks`.
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
   * The texts of EVENT records, three each, end to end in strings of some 32K characters
   * (`chunks`): `textEnds[k]` is where text k ends in its chunk, `chunkTexts[c]` how many texts
   * chunks 0..c hold. One string per 32K crosses threads as one copy and lands in the young
   * generation (a string over 128 KiB, or an array of many strings, lands in the old one and waits
   * for a full collection); the main thread slices each text out of it, which V8 does without a call
   * into C++ (decoding bytes per text cost some 0.3 s on the 129 MiB bench mix). A kept slice keeps
   * its chunk alive: the resource tracker copies what it keeps (ownCopy), and one chunk is as big as
   * the one-thread reader's decode window.
   */
  chunks: string[];
  chunkTexts: Int32Array;
  textEnds: Int32Array;
}
export const BARE = 0;
export const EVENT = 1;
export const CARRIED = 2;
/** A change of the part's stream state (ParseOptions.onFlight), for TraceParser.unannouncedStartsNow. */
export const FLIGHT = 3;

export interface PartReply {
  part: TracePart;
  argValues: ArgValues | undefined;
  events: PackedEvents | undefined;
}

const OUTCOMES = ["ok", "error", "unfinished"] as const;
/** Characters of event texts per string sent (see PackedEvents.chunks). */
const TEXT_CHUNK = 32 << 10;
const ARCHES: readonly Arch[] = ["x86_64", "i386", "x32", "aarch64", "arm"];

/** Collects packed events (a growing Int32Array and a list of texts). */
class EventPacker {
  private nums = new Int32Array(1 << 16);
  private n = 0;
  private pending: string[] = [];
  private pendingLen = 0;
  private readonly chunks: string[] = [];
  private readonly chunkTexts: number[] = [];
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

  flight(state: number): void {
    this.room(2);
    this.nums[this.n++] = FLIGHT;
    this.nums[this.n++] = state;
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
    if (t.length > 0) {
      this.pending.push(t);
      this.pendingLen += t.length;
    }
    if (this.texts === this.textEnds.length) {
      const bigger = new Int32Array(this.textEnds.length * 2);
      bigger.set(this.textEnds);
      this.textEnds = bigger;
    }
    this.textEnds[this.texts++] = this.pendingLen;
    if (this.pendingLen >= TEXT_CHUNK) this.flush();
  }

  private flush(): void {
    this.chunks.push(this.pending.join(""));
    this.chunkTexts.push(this.texts);
    this.pending = [];
    this.pendingLen = 0;
  }

  done(): PackedEvents {
    if (this.texts > (this.chunkTexts[this.chunkTexts.length - 1] ?? 0)) this.flush();
    return {
      nums: this.nums.slice(0, this.n),
      words: this.words,
      chunks: this.chunks,
      chunkTexts: Int32Array.from(this.chunkTexts),
      textEnds: this.textEnds.slice(0, this.texts),
    };
  }
}

/** Calls `fn` for each packed record, in order: events rebuilt, carried lines by index. */
export function unpackEvents(
  p: PackedEvents,
  onEvent: (e: SyscallEvent) => void,
  onBare: (pid: number) => void,
  onCarried: (index: number) => void,
  onFlight: (state: number) => void,
): void {
  const a = p.nums;
  const chunks = p.chunks;
  const limits = p.chunkTexts;
  const ends = p.textEnds;
  let chunk = 0;
  let str = chunks[0] ?? "";
  let limit = limits[0] ?? 0;
  let from = 0;
  let at = 0;
  const t = (): string => {
    if (at === limit) {
      chunk++;
      str = chunks[chunk]!;
      limit = limits[chunk]!;
      from = 0;
    }
    const end = ends[at++]!;
    const s = end === from ? "" : str.slice(from, end);
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
    } else if (kind === FLIGHT) {
      onFlight(a[i + 1]!);
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

/**
 * Which calls by `name` generate's collectors read: ArgValueCollector every call of the names it
 * reads (a failed call's arguments still need the filter's leave), ResourceCollector those
 * callsRead() says. The others reach the tracker as a pid only (ParseOptions.eventNeeded).
 */
export function observedCalls(name: string): EventNeed {
  return argValuesRead(name) ? "all" : callsRead(name);
}

/**
 * The parser options that spare events no collector reads (ParseOptions.eventNeeded, idleWhen):
 * such calls go to `onBare` as a pid. One set for every parse that feeds the collectors (a whole
 * run, a worker's part, the merge's own parts), so that they all send the tracker the same.
 */
export function bareCalls(onBare: (pid: number) => void): Pick<ParseOptions, "eventNeeded" | "idleWhen" | "onBare"> {
  return { eventNeeded: observedCalls, idleWhen: idleCall, onBare };
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
  const onFlight = events ? (state: number) => events.flight(state) : undefined;
  // Calls no collector reads are sent bare without an event being made for them (see ParseOptions.eventNeeded).
  const bare = events ? bareCalls((pid) => events.bare(pid)) : {};
  const parser = new TraceParser(task.source, {
    arch: task.arch,
    part: true,
    ...(onSyscall ? { onSyscall, ...bare } : {}),
    ...(onCarried ? { onCarried } : {}),
    ...(onFlight ? { onFlight } : {}),
  });
  parser.beginFile(task.display);
  const buf = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  parser.addBytes(buf.length);
  // Give up as soon as the merge could not use the part (every 4096 lines: the check is cheap, not free).
  partLines(buf, 0, parser, () => parser.partUnsupported() === null);
  const part = parser.exportPart();
  return { part, argValues: collector?.result(), events: part.unsupported === null ? events?.done() : undefined };
}

/**
 * Feeds the lines of `buf` (whole lines; the last may lack its newline) to `parser`, numbered from
 * `base` + 1; returns how many. Decoded in small windows of whole lines (see DECODE_WINDOW): a
 * part's megabytes as one string would wait in the large-object space for a full collection.
 * `goOn`, asked every 4096 lines, stops the feed when it says false.
 */
export function partLines(buf: Buffer, base: number, parser: TraceParser, goOn?: () => boolean): number {
  let lineNo = base;
  let checked = base;
  for (let w = 0; w < buf.length; ) {
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
      if (goOn !== undefined && lineNo - checked >= 4096) {
        checked = lineNo;
        if (!goOn()) return lineNo - base;
      }
    }
    // Only the last window can end without a newline.
    if (start < s.length && (goOn === undefined || goOn())) parser.line(s.slice(start), ++lineNo, false);
  }
  return lineNo - base;
}
