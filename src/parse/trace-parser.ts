import { ARCH_INFO, isSyscall, resolveSyscallName, type Arch } from "../model/arch.js";
import type { ProcessExit, ProcessInfo, RunResult, RunSource, SummaryTable, SyscallCounts, SyscallEvent } from "../model/trace.js";
import { firstStringArg, ownCopy } from "./args.js";
import { DiagnosticLog } from "./diagnostic-log.js";
import { NameTable, nameHashStep } from "./name-table.js";
import { findCloseParen, isDigit, isNameChar, decorOf, NO_RESULT, parseResult, retvalOf, skipSpaces, stripAnsi, type CallResult } from "./scan.js";
import { SummaryTableReader } from "./summary-table.js";
import type { CarriedLine, PartMerge, TracePart } from "./trace-part.js";

export type { RunResult } from "../model/trace.js";
export type { CarriedLine, PartMerge, TracePart } from "./trace-part.js";

export interface ParseOptions {
  /** The architecture the trace was recorded on (64-bit personality). */
  arch: Arch;
  /** Receives every syscall event; leave out when only counts are needed (saves building objects). */
  onSyscall?: (event: SyscallEvent) => void;
  /**
   * With `onBare`: which calls by this (resolved) name `onSyscall` reads more than the pid of:
   * "all", "ok" (those that succeeded), or "none". A call it does not read, unless it succeeded
   * with a `-y` decoration on its result, goes to `onBare` with its pid only, and no event object,
   * argument or result strings are made for it.
   */
  eventNeeded?: (name: string) => EventNeed;
  /** Receives the pid of each call `eventNeeded` rules out (see there), in order with `onSyscall`. */
  onBare?: (pid: number) => void;
  /**
   * With `onBare`, for a name `eventNeeded` says "ok" for: a test of a successful call's argument
   * text that says `onSyscall` would do nothing with it (an mmap that maps nothing executable, an
   * fstat of a regular file); such a call goes to `onBare` too, no event made for it.
   */
  idleWhen?: (name: string) => IdleTest | undefined;
  /**
   * Parse one part of a file cut at line boundaries, not knowing the state before it (see
   * `exportPart`): what depends on that state is set aside, and a shape the merge cannot stitch
   * exactly makes the part `unsupported`.
   */
  part?: boolean;
  /** In part mode: a `<... resumed>` line whose call began before the part was set aside (its index in `carried`). */
  onCarried?: (index: number) => void;
  /**
   * In part mode: the part's stream state (FLIGHT_CLONING, FLIGHT_RESUMED) changed, before the
   * event of the line that changed it (see `unannouncedStartsNow`).
   */
  onFlight?: (state: number) => void;
}

/** Which calls of a name a consumer reads (ParseOptions.eventNeeded). */
export type EventNeed = "all" | "ok" | "none";

/** Whether a successful call's argument text `s[from, to)` needs no event (ParseOptions.idleWhen). */
export type IdleTest = (s: string, from: number, to: number) => boolean;

/** Stream state bit: a clone, clone3, fork or vfork call is in progress (printed `<unfinished ...>`, not resumed). */
export const FLIGHT_CLONING = 1;
/** Stream state bit: a `<... resumed>` line was seen, so strace printed calls as they began. */
export const FLIGHT_RESUMED = 2;

/** Whether a call creates a process or thread whose pid its result announces. */
function createsProcess(name: string): boolean {
  return name === "clone" || name === "clone3" || name === "fork" || name === "vfork";
}

const UNFINISHED = " <unfinished ...>";
const DETACHED = " <detached ...>";

export interface PendingCall {
  name: string;
  args: string;
  line: number;
  arch: Arch;
}

/** What a raw name on an arch stands for, looked up once per parser. */
interface NameInfo {
  /** strace's name, as in the trace. */
  raw: string;
  arch: Arch;
  name: string;
  known: boolean;
  counts: SyscallCounts;
  /** A call that changes the process table (clone, fork, execve). */
  effects: boolean;
  /** Which calls `onSyscall` needs an event for (ParseOptions.eventNeeded). */
  event: EventNeed;
  /** Which of the successful ones it needs none for after all (ParseOptions.idleWhen). */
  idle: IdleTest | undefined;
}

const EFFECTS = new Set(["clone", "clone3", "fork", "vfork", "execve", "execveat"]);
/**
 * How many processes a run lists (by pid); `processCount` counts them all. A build under strace -f
 * runs a million processes: their state is forgotten when they exit, so memory does not grow with them.
 */
export const MAX_LISTED_PROCESSES = 10_000;
/** Exited processes remembered for a clone/vfork result printed after the child's exit line. */
const RECENT_EXITS = 4096;

interface ProcState {
  pid: number;
  arch: Arch;
  /** Counters for the current arch (cached lookup into the run's counts). */
  counts: Map<string, SyscallCounts>;
  pending: PendingCall | null;
  info: ProcessInfo;
  signals: Set<string>;
  archInferred: boolean;
  /** The arch of the last call counted (saves a search of info.arches per call). */
  lastArch: Arch | null;
  /**
   * Part mode: whether `PartLog.pendingKnown` holds this pid (a flag here spares a set lookup per
   * line; a pid's later incarnations in the part start with what the set says).
   */
  partKnown: boolean;
}

/** What a parser in part mode keeps for the merge. */
interface PartLog {
  unsupported: string | null;
  /** `<... resumed>` lines of calls that began before the part, for the merge to parse. */
  carried: CarriedLine[];
  /** Pids whose pending call is known from a line of this part on. */
  pendingKnown: Set<number>;
  /** Pids whose first line here assumes no call was in progress before the part. */
  assumeNoPending: Set<number>;
  /** Pids whose exit this part set. */
  exitTouched: Set<number>;
  /**
   * Every process state the part made, in order: a pid that exits (and is forgotten, see `retire`)
   * and comes back has several. Only a pid's first may continue the state before the part.
   */
  incarnations: ProcState[];
  incarnationOf: Map<ProcState, number>;
  /** Incarnations that exited in the part: the info `retire` listed and the part line of the exit. */
  retired: Map<ProcState, { info: ProcessInfo; exitLine: number }>;
  /** Process-table events in order, three numbers each: PROC_CREATE or PROC_RETIRE, incarnation, part line. */
  procEvents: number[];
}

const PROC_CREATE = 0;
const PROC_RETIRE = 1;

/**
 * Parses the lines of one run (one trace file, or the `-ff` files of one recording) into counts,
 * processes and diagnostics, and streams syscall events to `onSyscall`. Memory stays proportional to
 * the number of processes and distinct syscalls, never to the number of lines.
 */
export class TraceParser {
  private readonly log = new DiagnosticLog();
  private readonly counts = new Map<Arch, Map<string, SyscallCounts>>();
  private readonly procs = new Map<number, ProcState>();
  /** Processes that exited, forgotten from `procs`: the first MAX_LISTED_PROCESSES, and how many in all. */
  private readonly exited: ProcessInfo[] = [];
  private exitedCount = 0;
  private readonly recentExits = new Map<number, { info: ProcessInfo; exitLine: number }>();
  private readonly live = new Set<number>();
  /** Children created by the unprefixed root process before its pid was known (stderr mode). */
  private readonly rootChildren = new Set<number>();
  private readonly table: SummaryTableReader;
  private readonly tables: SummaryTable[] = [];
  private readonly names = new Map<Arch, NameTable<NameInfo>>();
  /** The table nameCache() returned last (most lines are of one arch). */
  private lastNames: { arch: Arch; table: NameTable<NameInfo> } | null = null;
  private readonly onSyscall: ((e: SyscallEvent) => void) | undefined;
  private readonly onBare: ((pid: number) => void) | undefined;
  private readonly eventNeeded: ((name: string) => EventNeed) | undefined;
  private readonly idleWhen: ((name: string) => IdleTest | undefined) | undefined;
  private readonly base: Arch;

  private file = "";
  private filePid = -1;
  private sawPrefix = false;
  private rootBound = false;
  /** The pid unprefixed lines belong to before any prefix was seen: 0 until a strace message names it. */
  private rootPid = 0;
  private lastPid = 0;
  private last: ProcState | null = null;
  /** A call line cut short by interleaved output (stderr mode), waiting for its `) = N` continuation. */
  private spliced: { state: ProcState; call: PendingCall } | null = null;
  private lines = 0;
  private lastLineNo = 0;
  private ansiProbe = 1000;
  /** Reused for the fast path's result (consumed before the next line). */
  private readonly scratch: CallResult = { ...NO_RESULT };
  private ansi = false;
  /** The call on a last line without newline: already reported, not again at the end. */
  private truncatedCall: PendingCall | null = null;
  private bytes = 0;
  private events = 0;
  private traceLines = 0;
  /** strace flags the text shows it was recorded with (inferred, for the allowlist's record of runs). */
  private readonly flags = new Set<string>();
  private flagT = false;
  private flagF = false;
  private timestampFlag = "";
  private flagY = false;
  /** Part mode (ParseOptions.part): what the merge needs besides the counts; null otherwise. */
  private readonly part: PartLog | null;
  private readonly onCarried: ((index: number) => void) | undefined;
  private readonly onFlight: ((state: number) => void) | undefined;
  /** Calls in progress that create a process (createsProcess), over every process. */
  private cloning = 0;
  /** Whether a `<... resumed>` line was seen in the run. */
  private resumedSeen = false;

  constructor(
    private readonly source: RunSource,
    options: ParseOptions,
  ) {
    this.base = options.arch;
    this.onSyscall = options.onSyscall;
    this.onBare = options.onSyscall && options.eventNeeded ? options.onBare : undefined;
    this.eventNeeded = options.eventNeeded;
    this.idleWhen = this.onBare !== undefined ? options.idleWhen : undefined;
    this.part = options.part
      ? {
          unsupported: null,
          carried: [],
          pendingKnown: new Set(),
          assumeNoPending: new Set(),
          exitTouched: new Set(),
          incarnations: [],
          incarnationOf: new Map(),
          retired: new Map(),
          procEvents: [],
        }
      : null;
    this.onCarried = options.onCarried;
    this.onFlight = options.part ? options.onFlight : undefined;
    this.table = new SummaryTableReader(options.arch, (code, line, col, msg) => this.log.add(code, this.file, line, col, msg));
  }

  /** Starts a file of the run. `pid` is the process of a `-ff` file (`P.PID`), else undefined. */
  beginFile(file: string, pid?: number): void {
    this.file = file;
    this.filePid = pid ?? -1;
    this.spliced = null;
    this.table.reset();
    this.ansiProbe = 1000;
    this.ansi = false;
  }

  /** Notes a file-level problem (empty, binary, unreadable) for this run. */
  fileDiagnostic(code: Parameters<DiagnosticLog["add"]>[0], message: string, line = 0): void {
    this.log.add(code, this.file, line, 0, message);
  }

  addBytes(n: number): void {
    this.bytes += n;
  }

  /**
   * One physical line without its newline. `complete` is false for a last line that had no newline
   * (strace killed while writing it).
   */
  line(raw: string, lineNo: number, complete = true): void {
    this.lines++;
    this.lastLineNo = lineNo;
    let s = raw;
    const n0 = s.length;
    if (n0 > 0 && s.charCodeAt(n0 - 1) === 13) s = s.slice(0, -1);
    // Colour is all or nothing: look for it in a file's first lines only.
    if (this.ansiProbe > 0) {
      this.ansiProbe--;
      if (s.indexOf("\x1b") >= 0) this.ansi = true;
    }
    if (this.ansi) {
      if (this.part) return this.unsupported("ANSI colour");
      s = stripAnsi(s);
    }
    if (this.table.active) {
      const t = this.table.line(s, lineNo);
      if (t) this.addTable(t);
      return;
    }
    const c0 = s.charCodeAt(0);
    // `-k` stack frames and `-e read=/write=` hex dumps belong to the previous event.
    if (c0 === 0x20 && (s.startsWith(" > ", 0) || s.startsWith(" | ", 0))) {
      this.flags.add(s.charCodeAt(1) === 0x3e ? "-k" : "-e read/write=");
      return;
    }

    let p = 0;
    let pid = -1;
    // [pid  N] (stderr form), optionally with -Y comm: [pid 12<cat>]
    if (c0 === 0x5b && s.startsWith("[pid", 0)) {
      if (this.part) return this.unsupported("[pid N] prefixes");
      let i = skipSpaces(s, 4);
      const start = i;
      while (isDigit(s.charCodeAt(i))) i++;
      if (i > start) {
        pid = Number(s.slice(start, i));
        if (!this.sawPrefix) this.flags.add("-f");
        if (s.charCodeAt(i) === 0x3c) i = s.indexOf(">", i) + 1 || i;
        if (s.charCodeAt(i) === 0x5d) i++;
        p = skipSpaces(s, i);
        this.notePrefix(pid);
      }
    } else {
      p = c0 === 0x20 ? skipSpaces(s, 0) : 0;
      // PID column (`-f -o`): digits then spaces; a timestamp has `.` or `:` before its space.
      let c = s.charCodeAt(p);
      if (c >= 0x30 && c <= 0x39) {
        let i = p;
        let v = 0;
        while (c >= 0x30 && c <= 0x39) {
          v = v * 10 + (c - 0x30);
          c = s.charCodeAt(++i);
        }
        if (c === 0x20) {
          pid = v;
          p = skipSpaces(s, i);
        } else if (c === 0x3c /* -Y comm */) {
          const j = s.indexOf("> ", i);
          if (j > 0) {
            pid = v;
            p = skipSpaces(s, j + 1);
          }
        }
        if (pid >= 0 && !this.flagF) {
          this.flagF = true;
          this.flags.add("-f");
        }
      }
    }
    if (pid < 0 && this.part && s.length > 0) return this.unsupported("a line without a PID column");
    // Timestamps: -t 14:50:52, -tt 14:50:52.123456, -ttt 1700000000.123456, -r 0.000008, and
    // `-tt -r`: `20:37:49.050065 (+     0.000012) `.
    if (isDigit(s.charCodeAt(p))) {
      let i = p;
      for (;;) {
        const c = s.charCodeAt(i);
        if (isDigit(c) || c === 0x2e || c === 0x3a) i++;
        else break;
      }
      if (s.charCodeAt(i) === 0x20 && i > p) {
        if (this.timestampFlag === "") this.timestampFlag = timestampStyle(s.slice(p, i), p > 0 && pid < 0);
        p = skipSpaces(s, i);
        if (s.charCodeAt(p) === 0x28 && s.charCodeAt(p + 1) === 0x2b) {
          const j = s.indexOf(") ", p);
          if (j > 0) p = skipSpaces(s, j + 1);
        }
      }
    }
    // -i instruction pointer: [00007f3e4c0a1234]
    if (s.charCodeAt(p) === 0x5b && !s.startsWith("[ Process", p)) {
      const j = s.indexOf("] ", p);
      if (j > 0 && isAddress(s, p + 1, j)) {
        p = skipSpaces(s, j + 1);
        this.flags.add("-i");
      }
    }

    const c = s.charCodeAt(p);
    if (c >= 0x61 && c <= 0x7a) {
      // A syscall name (names never start with a digit or `_`... except `_exit`, `_llseek`, handled below).
      if (this.call(s, p, pid, lineNo, complete)) return;
    } else if (c === 0x5f) {
      if (this.call(s, p, pid, lineNo, complete)) return;
    } else if (c === 0x3c /* < */ && s.startsWith("<... ", p)) {
      if (this.resumed(s, p, pid, lineNo)) return;
    } else if (c === 0x2b /* + */ && s.startsWith("+++ ", p)) {
      this.exitLine(s, p, pid, lineNo);
      return;
    } else if (c === 0x2d /* - */ && s.startsWith("--- ", p)) {
      this.signalLine(s, p, pid);
      return;
    } else if (c === 0x29 /* ) */ && this.spliced) {
      if (this.continuation(s, p, lineNo)) return;
    } else if (c === 0x5b /* [ */ && s.startsWith("[ Process PID=", p)) {
      if (this.part) return this.unsupported("a personality line");
      this.personality(s, p, lineNo);
      return;
    }
    if (this.part && p < s.length) return this.unsupported("a line that is no call, signal or exit");
    this.other(s, p, pid, lineNo);
  }

  /** Ends the run: calls still in progress count as unfinished, and tables are checked against the trace. */
  finish(): RunResult {
    this.table.end();
    const t = this.table.take();
    if (t) this.addTable(t);
    let inProgress = 0;
    let firstLine = 0;
    const pids: number[] = [];
    for (const st of this.procs.values()) {
      if (st.pending) {
        if (st.pending === this.truncatedCall) {
          this.closePending(st);
          continue;
        }
        inProgress++;
        if (firstLine === 0 || st.pending.line < firstLine) firstLine = st.pending.line;
        if (pids.length < 5) pids.push(st.pid);
        this.closePending(st);
      }
    }
    if (inProgress > 0) {
      this.log.add(
        "SC_TRUNCATED_TRACE",
        this.file,
        this.lastLineNo,
        0,
        `the trace ends while ${inProgress} call(s) were still in progress (pid ${pids.join(", ")}${inProgress > pids.length ? ", ..." : ""}, the first from line ${firstLine}); they count as unfinished`,
      );
    }
    const counts: RunResult["counts"] = {};
    for (const [arch, m] of [...this.counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const rec: Record<string, SyscallCounts> = {};
      for (const name of [...m.keys()].sort()) rec[name] = { ...m.get(name)! };
      if (Object.keys(rec).length > 0) counts[arch] = rec;
    }
    this.checkTables(counts);
    const running = [...this.procs.values()].map((st) => ({ ...st.info, signals: [...st.signals].sort() }));
    const processCount = this.exitedCount + running.length;
    const processes = this.exited.concat(running).sort((a, b) => a.pid - b.pid);
    if (processes.length > MAX_LISTED_PROCESSES) processes.length = MAX_LISTED_PROCESSES;
    const hasTrace = this.events > 0 || this.traceLines > 0;
    const kind: RunResult["kind"] = hasTrace ? (this.tables.length > 0 ? "trace+summary" : "trace") : this.tables.length > 0 ? "summary" : "empty";
    const flags = new Set(this.flags);
    if (this.filePid >= 0 && this.source.files.length > 1) flags.add("-ff");
    if (this.timestampFlag) flags.add(this.timestampFlag);
    if (this.flagT) flags.add("-T");
    if (this.flagY) flags.add("-y");
    if (this.tables.length > 0) flags.add(hasTrace ? "-C" : "-c");
    return {
      source: this.source,
      kind,
      flags: [...flags].sort(),
      arch: this.base,
      counts,
      tables: this.tables,
      processes,
      processCount,
      lines: this.lines,
      bytes: this.bytes,
      events: this.events,
      diagnostics: this.log.finish().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col)),
    };
  }

  /**
   * Whether a process that no clone has announced can start now, knowing nothing of its cwd and
   * fds, rather than wait for the clone that made it (ResourceCollector's pending queue). It can
   * when strace printed calls as they began (a `<... resumed>` line was seen: not the staged output
   * of -z, -Z or -e status=, which prints a line only when its call ends, so a child can come
   * first) and no clone, fork or vfork is in progress: a child's first line comes after its
   * parent's clone began, so a clone not in progress now cannot announce it later. Such a process
   * was attached with -p, or its parent is not in the trace (concatenated recordings).
   * `partState`: in a merge, the part's stream state at the event (FLIGHT_* bits the part reported).
   */
  unannouncedStartsNow(partState = 0): boolean {
    return (this.resumedSeen || (partState & FLIGHT_RESUMED) !== 0) && this.cloning === 0 && (partState & FLIGHT_CLONING) === 0;
  }

  /** Sets `st`'s call in progress, counting those that create a process. */
  private setPending(st: ProcState, call: PendingCall | null): void {
    const before = this.cloning;
    if (st.pending !== null && createsProcess(st.pending.name)) this.cloning--;
    if (call !== null && createsProcess(call.name)) this.cloning++;
    st.pending = call;
    if (this.onFlight !== undefined && (before === 0) !== (this.cloning === 0)) this.onFlight(this.flightState());
  }

  private flightState(): number {
    return (this.cloning > 0 ? FLIGHT_CLONING : 0) | (this.resumedSeen ? FLIGHT_RESUMED : 0);
  }

  // ---- lines ---------------------------------------------------------------------------------

  private call(s: string, p: number, pid: number, lineNo: number, complete: boolean): boolean {
    let i = p;
    let h = 0;
    for (let c = s.charCodeAt(i); isNameChar(c); c = s.charCodeAt(++i)) h = nameHashStep(h, c);
    if (s.charCodeAt(i) !== 0x28 || i === p) return false;
    const st = this.state(pid);
    this.traceLines++;
    if (this.spliced && this.spliced.state === st) {
      // The cut line's call never got its continuation.
      this.spliced = null;
    }
    if (this.part && !st.partKnown) {
      // The merge checks that no call of this pid was in progress when the part began.
      st.partKnown = true;
      this.part.pendingKnown.add(st.pid);
      this.part.assumeNoPending.add(st.pid);
    }
    if (st.pending) {
      if (this.part) this.unsupported("a call lost its result");
      this.log.add(
        "SC_UNFINISHED_LOST",
        this.file,
        lineNo,
        p + 1,
        `pid ${st.pid} starts ${s.slice(p, i)}() while its ${st.pending.name}() from line ${st.pending.line} is unfinished; that call counts as unfinished`,
      );
      this.closePending(st);
    }
    // The name is looked up in place: no string is cut out of the line for it (closePending above may
    // have changed the process's arch).
    const known = this.nameCache(st.arch).find(s, p, i, h);
    const rawName = known !== undefined ? known.raw : s.slice(p, i);
    const n = s.length;
    if (s.charCodeAt(n - 1) === 0x3e /* > */) {
      if (s.endsWith(UNFINISHED)) {
        this.setPending(st, { name: rawName, args: s.slice(i + 1, n - UNFINISHED.length), line: lineNo, arch: st.arch });
        return true;
      }
      if (s.endsWith(DETACHED)) {
        this.setPending(st, { name: rawName, args: s.slice(i + 1, n - DETACHED.length), line: lineNo, arch: st.arch });
        this.closePending(st);
        return true;
      }
    }
    // Fast path: the result follows the last " = " when no string literal comes after it (a " = "
    // inside a string would have the string's closing quote after it). Checked by the value token.
    const eq = lastEquals(s, i);
    if (eq > i && s.indexOf('"', eq) < 0) {
      let k = eq;
      while (s.charCodeAt(k) === 0x20) k--;
      if (s.charCodeAt(k) === 0x29) {
        const r = parseResult(s, k + 1, this.scratch);
        if (r && plausibleValue(r)) {
          this.complete(st, rawName, s, i + 1, k, r, lineNo, p, undefined, known);
          return true;
        }
      }
    }
    const close = findCloseParen(s, i + 1);
    if (close >= 0) {
      const r = parseResult(s, close + 1);
      if (r) {
        this.complete(st, rawName, s, i + 1, close, r, lineNo, p, undefined, known);
        return true;
      }
      // `name(args)` with no result is a cut line.
    }
    // Tracee output spliced into the arguments (stderr mode) can hold a stray `"` or `(`: fall back
    // to the last `) = RESULT` on the line.
    const fb = lastResult(s, i + 1);
    if (fb) {
      this.complete(st, rawName, s, i + 1, fb.close, fb.result, lineNo, p, undefined, known);
      return true;
    }
    // A line cut short: interleaved tracee output or a strace message spliced into it (stderr mode),
    // or the last line of a killed strace. Wait for a `) = N` continuation or a resumed line.
    if (this.part) this.unsupported("a call line cut short");
    this.setPending(st, { name: rawName, args: s.slice(i + 1), line: lineNo, arch: st.arch });
    this.spliced = { state: st, call: st.pending! };
    const attached = s.indexOf("strace: Process ", i);
    if (attached > 0) this.message(s, attached + 8, lineNo);
    if (!complete) {
      this.truncatedCall = st.pending;
      this.log.add(
        "SC_TRUNCATED_TRACE",
        this.file,
        lineNo,
        s.length + 1,
        `the last line ends inside ${rawName}() without a newline; strace was probably killed`,
      );
    }
    return true;
  }

  private resumed(s: string, p: number, pid: number, lineNo: number): boolean {
    const nameStart = p + 5;
    let i = nameStart;
    while (isNameChar(s.charCodeAt(i))) i++;
    if (!s.startsWith(" resumed>", i)) return false;
    const rawName = s.slice(nameStart, i);
    if (!this.resumedSeen) {
      this.resumedSeen = true;
      this.onFlight?.(this.flightState());
    }
    const st = this.state(pid < 0 ? this.resumingPid(rawName) : pid);
    if (this.part && !st.partKnown) {
      // Its call began before this part: the merge parses this line with the state it needs.
      st.partKnown = true;
      this.part.pendingKnown.add(st.pid);
      this.part.carried.push({ pid: st.pid, text: s, line: lineNo });
      this.onCarried?.(this.part.carried.length - 1);
      return true;
    }
    this.traceLines++;
    const restStart = i + 9;
    let pending = st.pending;
    this.setPending(st, null);
    if (this.spliced && this.spliced.state === st) this.spliced = null;
    if (pending && pending.name !== rawName) {
      if (this.part) this.unsupported("a resumed call that does not match");
      this.log.add(
        "SC_RESUMED_MISMATCH",
        this.file,
        lineNo,
        p + 1,
        `pid ${st.pid} resumes ${rawName}() but its unfinished call is ${pending.name}() from line ${pending.line}; that call counts as unfinished`,
      );
      this.setPending(st, pending);
      this.closePending(st);
      pending = null;
    } else if (!pending) {
      this.log.add(
        "SC_RESUMED_WITHOUT_CALL",
        this.file,
        lineNo,
        p + 1,
        `pid ${st.pid} resumes ${rawName}() but no unfinished ${rawName}() call was seen for it`,
      );
    }
    // `<... nanosleep resumed> <unfinished ...>) = ?`: a thread killed in the call.
    const close = findCloseParen(s, restStart);
    const r = close >= 0 ? parseResult(s, close + 1) : null;
    const args = (pending ? pending.args : "") + (close >= 0 ? s.slice(restStart, close) : s.slice(restStart));
    const line = pending ? pending.line : lineNo;
    if (!r) {
      if (s.endsWith(UNFINISHED)) {
        // Interrupted again (stderr mode switches pids mid-line): still pending.
        this.setPending(st, { name: rawName, args, line, arch: pending?.arch ?? st.arch });
        return true;
      }
      this.log.add(
        "SC_MALFORMED_CALL",
        this.file,
        lineNo,
        (close >= 0 ? close : s.length) + 1,
        `expected ") = RESULT" after ${rawName} resumed, found "${clip(s.slice(restStart))}"`,
      );
      this.setPending(st, { name: rawName, args, line, arch: pending?.arch ?? st.arch });
      this.closePending(st);
      return true;
    }
    this.complete(st, rawName, args, 0, args.length, r, line, p, pending?.arch);
    return true;
  }

  /** `) = 129` after interleaved output in stderr mode, completing the cut call line. */
  private continuation(s: string, p: number, lineNo: number): boolean {
    const sp = this.spliced!;
    const r = parseResult(s, p + 1);
    if (!r) return false;
    this.spliced = null;
    const st = sp.state;
    if (st.pending !== sp.call) return false;
    this.setPending(st, null);
    this.complete(st, sp.call.name, sp.call.args, 0, sp.call.args.length, r, sp.call.line, p, sp.call.arch);
    void lineNo;
    return true;
  }

  private exitLine(s: string, p: number, pid: number, lineNo: number): void {
    const st = this.state(pid);
    if (this.part) {
      if (!st.partKnown) {
        st.partKnown = true;
        this.part.pendingKnown.add(st.pid);
        this.part.assumeNoPending.add(st.pid);
      }
      this.part.exitTouched.add(st.pid);
      if (s.includes("superseded by execve", p)) return this.unsupported("an exec by a thread");
    }
    const body = s.slice(p + 4, s.lastIndexOf(" +++") > p ? s.lastIndexOf(" +++") : s.length);
    let exit: ProcessExit | undefined;
    if (body.startsWith("exited with ")) {
      exit = { kind: "exited", code: Number(body.slice(12)) };
    } else if (body.startsWith("killed by ")) {
      const sig = body.slice(10).split(" ")[0] ?? "";
      exit = { kind: "killed", signal: sig, coreDumped: body.includes("(core dumped)") };
    } else if (body.startsWith("superseded by execve in pid ")) {
      const by = Number(body.slice(28));
      exit = { kind: "superseded", by };
      // The exec'ing thread's call completes on this (the leader's) pid.
      const other = this.procs.get(by);
      if (other?.pending) {
        const moved = other.pending;
        this.setPending(other, null);
        this.setPending(st, moved);
      }
      this.live.delete(by);
      delete st.info.exit;
      return;
    } else {
      this.log.add("SC_NOT_STRACE", this.file, lineNo, p + 1, `unrecognized "+++" line "${clip(s)}"`);
      return;
    }
    if (exit && (exit.kind !== "exited" || Number.isInteger(exit.code))) st.info.exit = exit;
    if (st.pending) this.closePending(st);
    this.live.delete(st.pid);
    this.retire(st, lineNo);
  }

  /** A process that exited: its info joins the run's list and its state is forgotten (a later process may reuse the pid). */
  private retire(st: ProcState, exitLine: number): void {
    if (this.spliced?.state === st || (st.pid === 0 && !this.rootBound)) return;
    this.procs.delete(st.pid);
    if (this.last === st) this.last = null;
    const info: ProcessInfo = { ...st.info, signals: [...st.signals].sort() };
    this.exitedCount++;
    if (this.exited.length < MAX_LISTED_PROCESSES) this.exited.push(info);
    this.recentExits.delete(st.pid);
    this.recentExits.set(st.pid, { info, exitLine });
    if (this.recentExits.size > RECENT_EXITS) this.recentExits.delete(this.recentExits.keys().next().value!);
    if (this.part) {
      // The merge forgets it at the same place (the info object is the listed one: a clone result
      // printed after the exit still sets its parent).
      this.part.retired.set(st, { info, exitLine });
      this.part.procEvents.push(PROC_RETIRE, this.part.incarnationOf.get(st)!, exitLine);
    }
  }

  private signalLine(s: string, p: number, pid: number): void {
    const st = this.state(pid);
    let i = p + 4;
    const start = i;
    while (i < s.length && s.charCodeAt(i) !== 0x20) i++;
    const word = s.slice(start, i);
    if (word.startsWith("SIG")) st.signals.add(word);
  }

  private personality(s: string, p: number, lineNo: number): void {
    // [ Process PID=1234 runs in 32 bit mode. ] / x32 mode / 64 bit mode
    const m = /^\[ Process PID=(\d+) runs in (32 bit|64 bit|x32) mode\. \]/.exec(s.slice(p));
    if (!m) {
      this.log.add("SC_NOT_STRACE", this.file, lineNo, p + 1, `unrecognized personality line "${clip(s)}"`);
      return;
    }
    const st = this.namedState(Number(m[1]), false);
    const info = ARCH_INFO[this.base];
    const target = m[2] === "64 bit" ? this.base : m[2] === "32 bit" ? info.compat32 : info.x32;
    if (target === null) {
      this.log.add("SC_UNKNOWN_SYSCALL", this.file, lineNo, p + 1, `a ${m[2]} personality does not exist on ${this.base}; is --arch right?`);
      return;
    }
    this.setArch(st, target);
  }

  /** strace's own messages: `strace: Process N attached`, old `Process N attached`, ... */
  private message(s: string, p: number, lineNo: number): boolean {
    // p points at "Process " (after any "strace: ")
    const m = /^Process (\d+) (attached|detached|resumed)/.exec(s.slice(p, p + 40));
    if (!m) return false;
    const pid = Number(m[1]);
    if (m[2] === "detached") {
      const st = this.procs.get(pid);
      if (st?.pending) this.closePending(st);
      this.live.delete(pid);
    } else if (!this.procs.has(pid)) {
      // `strace -p N` (no -f): the unprefixed lines that follow are N's.
      if (this.traceLines === 0) this.namedState(pid, true);
      else this.live.add(pid);
    }
    void lineNo;
    return true;
  }

  private other(s: string, p: number, pid: number, lineNo: number): void {
    if (s.length === 0 || p >= s.length) return;
    // strace's own messages start with its argv[0]: `strace: `, `/usr/bin/strace: `.
    const tag = s.startsWith("strace: ", p) ? p : /^\S*\/strace: /.test(s.slice(p, p + 256)) ? s.indexOf("strace: ", p) : -1;
    if (tag >= 0) {
      p = tag;
      const rest = s.slice(p + 8);
      if (rest.startsWith("[ Process PID=")) return this.personality(s, p + 8, lineNo);
      if (this.message(s, p + 8, lineNo)) return;
      // Other messages of strace itself (warnings, `exec: No such file`): not part of the trace model.
      return;
    }
    if (s.startsWith("Process ", p) && this.message(s, p, lineNo)) return;
    if (this.table.tryStart(s, lineNo)) return;
    // In stderr mode tracee output can end with the rest of the cut call: `foo) = 3`.
    if (this.spliced) {
      const j = s.lastIndexOf(") = ");
      if (j >= 0) {
        const saved = this.spliced;
        if (this.continuation(s, j, lineNo)) return;
        this.spliced = saved;
      }
      // Output of the tracee between the cut call and its continuation is expected.
      return;
    }
    void pid;
    this.log.add("SC_NOT_STRACE", this.file, lineNo, p + 1, `expected a strace line (syscall, signal, exit or summary table), found "${clip(s)}"`);
  }

  // ---- state ---------------------------------------------------------------------------------

  private notePrefix(pid: number): void {
    if (!this.sawPrefix) this.sawPrefix = true;
    // Stderr mode omits the prefix while one tracee is alive: the unprefixed root is the first
    // prefixed pid that is not one of its known children.
    if (!this.rootChildren.has(pid)) this.bindRoot(pid);
  }

  /** Gives the unprefixed root process (pid 0 until now) its real pid, once. */
  private bindRoot(pid: number): void {
    if (this.rootBound || this.filePid >= 0) return;
    this.rootBound = true;
    this.rootPid = pid;
    const root = this.procs.get(0);
    if (!root || this.procs.has(pid)) return;
    this.procs.delete(0);
    root.pid = pid;
    root.info.pid = pid;
    this.procs.set(pid, root);
    for (const ch of this.rootChildren) {
      const c = this.procs.get(ch);
      if (c && c.info.parent === 0) c.info.parent = pid;
    }
    if (this.live.delete(0)) this.live.add(pid);
    if (this.lastPid === 0) this.lastPid = pid;
  }

  /** The state of a pid a strace message names (`[ Process PID=N ...`, `Process N attached`). */
  private namedState(pid: number, atStart: boolean): ProcState {
    if (!this.procs.has(pid) && !this.rootChildren.has(pid) && !this.sawPrefix && (atStart || this.procs.has(0))) {
      this.state(-1); // make sure the root exists
      this.bindRoot(pid);
    }
    return this.procs.get(pid) ?? this.state(pid);
  }

  /**
   * Whose `<... NAME resumed>` an unprefixed line is (stderr mode drops the prefix when strace
   * thinks one tracee is left): the one live pid with an unfinished NAME call, else the usual guess.
   */
  private resumingPid(name: string): number {
    if (!this.sawPrefix || this.filePid >= 0) return -1;
    let found = -1;
    for (const pid of this.live) {
      if (this.procs.get(pid)?.pending?.name === name) {
        if (found >= 0) return -1;
        found = pid;
      }
    }
    return found;
  }

  private state(pid: number): ProcState {
    if (pid < 0) {
      if (this.filePid >= 0) pid = this.filePid;
      else if (!this.sawPrefix) pid = this.rootPid;
      else if (this.live.size === 1) pid = this.live.values().next().value!;
      else pid = this.lastPid;
    }
    const last = this.last;
    if (last !== null && last.pid === pid) return last;
    let st = this.procs.get(pid);
    if (!st) {
      st = this.newProc(pid, this.base);
    }
    this.live.add(pid);
    this.lastPid = pid;
    this.last = st;
    return st;
  }

  private newProc(pid: number, arch: Arch, parent?: number): ProcState {
    const info: ProcessInfo = { pid, execs: [], arches: [], signals: [] };
    if (parent !== undefined) info.parent = parent;
    const part = this.part;
    const st: ProcState = {
      pid,
      arch,
      counts: this.countsFor(arch),
      pending: null,
      info,
      signals: new Set(),
      archInferred: false,
      lastArch: null,
      partKnown: part === null || part.pendingKnown.has(pid),
    };
    this.procs.set(pid, st);
    if (part) {
      // pid 0 is the unprefixed root of stderr mode, which the merge does not stitch.
      if (pid === 0) this.unsupported("pid 0");
      part.incarnationOf.set(st, part.incarnations.length);
      part.procEvents.push(PROC_CREATE, part.incarnations.length, this.lastLineNo);
      part.incarnations.push(st);
    }
    return st;
  }

  private countsFor(arch: Arch): Map<string, SyscallCounts> {
    let m = this.counts.get(arch);
    if (!m) {
      m = new Map();
      this.counts.set(arch, m);
    }
    return m;
  }

  private setArch(st: ProcState, arch: Arch): void {
    st.arch = arch;
    st.counts = this.countsFor(arch);
  }

  private closePending(st: ProcState): void {
    const p = st.pending;
    if (!p) return;
    this.setPending(st, null);
    this.complete(st, p.name, p.args, 0, p.args.length, NO_RESULT, p.line, 0, p.arch);
  }

  /** Counts one call and hands it to the consumer; the arguments are `argsSrc[argsFrom, argsTo)`, sliced only when used. */
  private complete(
    st: ProcState,
    rawName: string,
    argsSrc: string,
    argsFrom: number,
    argsTo: number,
    r: CallResult,
    lineNo: number,
    col: number,
    arch?: Arch,
    known?: NameInfo,
  ): void {
    const a0 = arch ?? st.arch;
    let info = known ?? this.nameCache(a0).get(rawName);
    if (info === undefined) info = this.resolveName(st, a0, rawName, lineNo, col);
    const c = info.counts;
    if (r.outcome === "unfinished") c.unfinished++;
    else {
      c.calls++;
      if (r.outcome === "error") c.errors++;
    }
    this.events++;
    if (!this.flagT || !this.flagY) this.noteDecor(r);
    const a = info.arch;
    if (st.lastArch !== a) {
      st.lastArch = a;
      if (!st.info.arches.includes(a)) st.info.arches.push(a);
    }
    const name = info.name;
    const need = info.event;
    const bare =
      this.onBare !== undefined &&
      need !== "all" &&
      (need === "none" || r.outcome !== "ok" || info.idle?.(argsSrc, argsFrom, argsTo) === true) &&
      !(r.outcome === "ok" && mayBeFdDecor(r));
    const wantArgs = (this.onSyscall !== undefined && !bare) || (info.effects && r.outcome === "ok");
    const args = wantArgs ? (argsFrom === 0 && argsTo === argsSrc.length ? argsSrc : argsSrc.slice(argsFrom, argsTo)) : "";
    if (r.outcome === "ok" && info.effects) this.processEffects(st, name, args, r, lineNo);
    if (bare) this.onBare!(st.pid);
    else if (this.onSyscall) {
      this.onSyscall({
        pid: st.pid,
        arch: a,
        name,
        known: info.known,
        args,
        outcome: r.outcome,
        retval: retvalOf(r),
        errno: r.errno,
        retDecor: decorOf(r),
        line: lineNo,
      });
    }
  }

  private nameCache(arch: Arch): NameTable<NameInfo> {
    const last = this.lastNames;
    if (last !== null && last.arch === arch) return last.table;
    let m = this.names.get(arch);
    if (!m) {
      m = new NameTable();
      this.names.set(arch, m);
    }
    this.lastNames = { arch, table: m };
    return m;
  }

  /** Resolves strace's name for a call on `arch` (old names, `syscall_0x..`), switching a process whose names say it runs in another personality. */
  private resolveName(st: ProcState, arch: Arch, rawName: string, lineNo: number, col: number): NameInfo {
    // Kept in the table: an own copy, not a slice that would hold the line's chunk of text.
    const raw = ownCopy(rawName);
    let a = arch;
    let name = raw;
    let known = true;
    let cacheable = true;
    if (!isSyscall(a, rawName)) {
      const resolved = resolveSyscallName(a, rawName);
      if (resolved !== undefined) name = resolved;
      else {
        // A 32-bit (or x32) process whose personality line strace suppressed (-o with a command).
        const info = ARCH_INFO[this.base];
        const candidates: (Arch | null)[] = [info.compat32, info.x32];
        const alt = candidates.find((x): x is Arch => x !== null && x !== a && resolveSyscallName(x, rawName) !== undefined);
        if (alt && !st.archInferred && a === this.base) {
          if (this.part) this.unsupported("a 32-bit process");
          st.archInferred = true;
          this.setArch(st, alt);
          a = alt;
          name = resolveSyscallName(alt, rawName)!;
          cacheable = false;
          this.log.add(
            "SC_ARCH_INFERRED",
            this.file,
            lineNo,
            col + 1,
            `pid ${st.pid} calls ${rawName}(), which exists on ${alt} but not ${this.base}: treating the process as ${alt} from here (strace printed no personality line)`,
          );
        } else {
          known = false;
          if (this.part) this.unsupported("an unknown syscall name");
          this.log.add(
            "SC_UNKNOWN_SYSCALL",
            this.file,
            lineNo,
            col + 1,
            `${rawName} is not a syscall on ${a}${rawName.startsWith("syscall_") ? " (unknown number)" : ""}; if the trace was recorded elsewhere, pass --arch`,
          );
        }
      }
    }
    const counts = this.countsFor(a);
    let c = counts.get(name);
    if (!c) {
      c = { calls: 0, errors: 0, unfinished: 0 };
      counts.set(name, c);
    }
    const out: NameInfo = {
      raw,
      arch: a,
      name,
      known,
      counts: c,
      effects: EFFECTS.has(name),
      event: this.eventNeeded === undefined ? "all" : this.eventNeeded(name),
      idle: this.idleWhen?.(name),
    };
    if (cacheable) this.nameCache(arch).set(raw, out);
    return out;
  }

  /** -T (`<0.000012>` after the result) and -y (`= 3</etc/passwd>`, `= 4<socket:[123]>`). */
  private noteDecor(r: CallResult): void {
    if (r.decorFrom >= r.src.length || r.src.charCodeAt(r.src.length - 1) !== 0x3e) return;
    const decor = decorOf(r);
    if (!this.flagT && decor.endsWith(">") && /<\d+\.\d+>$/.test(decor)) this.flagT = true;
    if (!this.flagY && decor.charCodeAt(0) === 0x3c && !isDigit(decor.charCodeAt(1)) && decor.endsWith(">")) this.flagY = true;
  }

  /** What a successful call changes in the process table: children, exec'd programs. */
  private processEffects(st: ProcState, name: string, args: string, r: CallResult, callLine: number): void {
    switch (name) {
      case "clone":
      case "clone3":
      case "fork":
      case "vfork": {
        const child = Number(retvalOf(r));
        if (Number.isInteger(child) && child > 0) {
          const existing = this.procs.get(child);
          const gone = existing ? undefined : this.recentExits.get(child);
          if (gone && gone.exitLine > callLine) {
            // The child ran and exited while this call was in progress (vfork, -f interleaving);
            // an exit before the call started was an earlier process with the same pid.
            gone.info.parent = st.pid;
            break;
          }
          if (existing) existing.info.parent = st.pid;
          else this.newProc(child, st.arch, st.pid);
          if (!existing) this.setArch(this.procs.get(child)!, st.arch);
          // Not live yet: in stderr mode strace counts a child (and prints prefixes) only from its
          // `Process N attached` message or its first line on.
          if (st.pid === 0 && !this.rootBound) this.rootChildren.add(child);
        }
        break;
      }
      case "execve":
      case "execveat": {
        const path = firstStringArg(args, name === "execveat" ? 1 : 0);
        if (path !== undefined && st.info.execs.length < 64) st.info.execs.push(path);
        // A new program starts in the recording's base personality until strace says otherwise.
        if (st.arch !== this.base && !st.archInferred) this.setArch(st, this.base);
        break;
      }
    }
  }

  private addTable(t: SummaryTable): void {
    const prev = this.tables.find((x) => x.arch === t.arch);
    if (!prev) {
      this.tables.push(t);
      return;
    }
    const same = JSON.stringify(Object.entries(prev.rows).sort()) === JSON.stringify(Object.entries(t.rows).sort());
    this.log.add(
      "SC_TABLE_DUPLICATE",
      this.file,
      t.line,
      1,
      `a second ${t.arch} summary table (the first is at line ${prev.line})${same ? " with the same counts" : " with different counts"}; only the first is used`,
    );
  }

  // ---- parts of one file, parsed apart and merged in order -------------------------------------

  /** Part mode: why the part cannot be merged exactly, or null. */
  partUnsupported(): string | null {
    return this.part?.unsupported ?? null;
  }

  private unsupported(why: string): void {
    if (this.part && this.part.unsupported === null) this.part.unsupported = why;
  }

  /** Part mode: what this part found, for `absorbPart` on the parser of the whole file. */
  exportPart(): TracePart {
    const part = this.part!;
    const keys = new Set(part.pendingKnown);
    const seen = new Set<number>();
    return {
      unsupported: part.unsupported,
      lines: this.lines,
      lastLineNo: this.lastLineNo,
      bytes: this.bytes,
      events: this.events,
      traceLines: this.traceLines,
      flags: [...this.flags],
      flagT: this.flagT,
      flagY: this.flagY,
      flagF: this.flagF,
      timestampFlag: this.timestampFlag,
      resumedSeen: this.resumedSeen,
      counts: [...this.counts].map(([arch, m]) => [arch, [...m]]),
      procs: part.incarnations.map((st) => {
        const first = !seen.has(st.pid);
        seen.add(st.pid);
        const gone = part.retired.get(st);
        return {
          pid: st.pid,
          first,
          pendingKnown: !first || keys.has(st.pid),
          pending: st.pending,
          info: gone ? gone.info : st.info,
          signals: [...st.signals],
          exitTouched: part.exitTouched.has(st.pid),
          exitLine: gone ? gone.exitLine : -1,
        };
      }),
      procEvents: part.procEvents,
      assumeNoPending: [...part.assumeNoPending],
      carried: part.carried,
      diagnostics: this.log.items,
      diagnosticCounts: this.log.counts(),
    };
  }

  /**
   * Starts merging the next part of the current file, whose lines follow the `base` lines read so
   * far. False (nothing changed) when the part depends on state it could not know and would not
   * come out as one parse of the whole would: a process in another personality, a call in
   * progress where the part saw a new one.
   */
  beginAbsorb(part: TracePart, base: number): PartMerge | null {
    if (part.unsupported !== null || !this.continuable()) return null;
    for (const p of part.procs) {
      const st = p.first ? this.procs.get(p.pid) : undefined;
      if (st && (st.arch !== this.base || st.archInferred)) return null;
    }
    for (const pid of part.assumeNoPending) if (this.procs.get(pid)?.pending) return null;
    // Processes are made and forgotten where the part made and forgot them (replayProcEvents).
    this.ansiProbe = 0;
    return { part, base, nextDiagnostic: 0, nextProcEvent: 0 };
  }

  /**
   * Whether a part can be merged onto this parser's state (beginAbsorb), or parsed on as its
   * continuation (the merge's own parts): not a part itself, and none of the shapes a part refuses
   * (colour, stderr-mode `[pid N]` prefixes, a summary table, a line cut short).
   */
  continuable(): boolean {
    return !this.part && !this.ansi && !this.sawPrefix && !this.table.active && !this.spliced;
  }

  /** Processes seen so far, exited or running (what finish() will count). */
  processesSeen(): number {
    return this.exitedCount + this.procs.size;
  }

  /** Parses the part's carried line `index` (a call that began before it), after the diagnostics raised before it. */
  absorbCarried(m: PartMerge, index: number): void {
    const c = m.part.carried[index]!;
    this.flushDiagnostics(m, c.line);
    this.replayProcEvents(m, c.line);
    this.lines--; // counted by the part already
    this.line(c.text, m.base + c.line, true);
  }

  /** Ends the merge of a part: its counts, processes, diagnostics and flags join the whole's. */
  endAbsorb(m: PartMerge): void {
    const part = m.part;
    this.flushDiagnostics(m, Infinity);
    this.replayProcEvents(m, Infinity);
    for (const [key, n] of part.diagnosticCounts) {
      const kept = part.diagnostics.filter((d) => `${d.code}\0${d.file}` === key).length;
      this.log.addUncounted(key, n - kept);
    }
    for (const [arch, names] of part.counts) {
      const m2 = this.countsFor(arch);
      for (const [name, c] of names) {
        const t = m2.get(name);
        if (t) {
          t.calls += c.calls;
          t.errors += c.errors;
          t.unfinished += c.unfinished;
        } else m2.set(name, { ...c });
      }
    }
    // The processes still running at the end of the part (the others were forgotten on the way).
    for (const p of part.procs) if (p.exitLine < 0) this.mergeProc(this.procs.get(p.pid)!, p, m.base);
    this.lines += part.lines;
    this.lastLineNo = m.base + part.lastLineNo;
    this.bytes += part.bytes;
    this.events += part.events;
    this.traceLines += part.traceLines;
    for (const f of part.flags) this.flags.add(f);
    this.flagT ||= part.flagT;
    this.flagY ||= part.flagY;
    this.flagF ||= part.flagF;
    this.resumedSeen ||= part.resumedSeen;
    if (this.timestampFlag === "") this.timestampFlag = part.timestampFlag;
    this.last = null;
  }

  /** Replays the part's process-table events before part line `beforeLine`: states made, and states merged and forgotten at their exit. */
  private replayProcEvents(m: PartMerge, beforeLine: number): void {
    const ev = m.part.procEvents;
    for (; m.nextProcEvent < ev.length && ev[m.nextProcEvent + 2]! < beforeLine; m.nextProcEvent += 3) {
      const p = m.part.procs[ev[m.nextProcEvent + 1]!]!;
      if (ev[m.nextProcEvent] === PROC_CREATE) {
        // A pid's first state in the part continues the one before it, if any; a later one is new.
        if (!p.first || !this.procs.has(p.pid)) this.newProc(p.pid, this.base);
        continue;
      }
      const st = this.procs.get(p.pid)!;
      this.mergeProc(st, p, m.base);
      this.live.delete(p.pid);
      this.retire(st, m.base + p.exitLine);
    }
  }

  /** What the part learnt of one process state joins the whole's state of that process. */
  private mergeProc(st: ProcState, p: TracePart["procs"][number], base: number): void {
    if (p.pendingKnown) this.setPending(st, p.pending && { ...p.pending, line: p.pending.line + base });
    const info = st.info;
    for (const x of p.info.execs) if (info.execs.length < 64) info.execs.push(x);
    for (const a of p.info.arches) if (!info.arches.includes(a)) info.arches.push(a);
    // parent and exit in the order the part set them (one parse would set them in that order).
    for (const key of Object.keys(p.info)) {
      if (key === "parent" && p.info.parent !== undefined) info.parent = p.info.parent;
      else if (key === "exit" && p.exitTouched && p.info.exit) info.exit = p.info.exit;
    }
    if (p.exitTouched && !p.info.exit) delete info.exit;
    for (const sig of p.signals) st.signals.add(sig);
  }

  private flushDiagnostics(m: PartMerge, beforeLine: number): void {
    const ds = m.part.diagnostics;
    for (; m.nextDiagnostic < ds.length && ds[m.nextDiagnostic]!.line < beforeLine; m.nextDiagnostic++) {
      const d = ds[m.nextDiagnostic]!;
      this.log.add(d.code, this.file, d.line + m.base, d.col, d.message);
    }
  }

  private checkTables(counts: RunResult["counts"]): void {
    if (this.events === 0) return;
    for (const t of this.tables) {
      const traced = counts[t.arch] ?? {};
      const names = new Set([...Object.keys(traced), ...Object.keys(t.rows)]);
      const diffs: string[] = [];
      for (const name of [...names].sort()) {
        const a = traced[name];
        const b = t.rows[name];
        const ac = a?.calls ?? 0;
        const ae = a?.errors ?? 0;
        const bc = b?.calls ?? 0;
        const be = b?.errors ?? 0;
        if (ac !== bc || ae !== be) diffs.push(`${name} trace ${ac}/${ae} table ${bc}/${be}`);
      }
      if (diffs.length > 0) {
        this.log.add(
          "SC_TABLE_MISMATCH",
          this.file,
          t.line,
          0,
          `the trace lines and strace's ${t.arch} summary table disagree (calls/errors): ${diffs.slice(0, 8).join("; ")}${diffs.length > 8 ? `; and ${diffs.length - 8} more` : ""}`,
        );
      }
    }
  }
}

/** Which timestamp flag printed `token`: `14:50:52` -t, `14:50:52.123456` -tt, `1700000000.123` -ttt, `0.000008` -r. */
function timestampStyle(token: string, indented: boolean): string {
  if (token.includes(":")) return token.includes(".") ? "-tt" : "-t";
  const secs = Number(token.split(".")[0]);
  return indented || secs < 100000000 ? "-r" : "-ttt";
}

/** The last `)` followed by ` = RESULT` on the line, ignoring strings (slow path for damaged lines). */
/** `00007f3e4c0a1234` (or `????????` when unknown) between `from` and `to`: an -i instruction pointer. */
function isAddress(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!(isDigit(c) || (c >= 0x61 && c <= 0x66) || c === 0x20 || c === 0x3f)) return false;
  }
  return to > from;
}

/**
 * `s.lastIndexOf(" = ")`, or -1 when it is not after `from`. A loop from the end: the result sits a
 * few characters before it, and a runtime call per line costs more than the scan.
 */
function lastEquals(s: string, from: number): number {
  for (let k = s.length - 2; k > from; k--) {
    if (s.charCodeAt(k) === 0x3d && s.charCodeAt(k + 1) === 0x20 && s.charCodeAt(k - 1) === 0x20) return k - 1;
  }
  return -1;
}

/** The value token is a number, a hex number or `?` (not debug text such as `23]`). */
function plausibleValue(r: CallResult): boolean {
  const s = r.src;
  if (r.retEnd <= r.retStart) return false;
  for (let i = r.retStart; i < r.retEnd; i++) {
    const c = s.charCodeAt(i);
    if (!(isDigit(c) || (c >= 0x61 && c <= 0x66) || c === 0x78 || c === 0x2d || c === 0x3f)) return false;
  }
  return true;
}

function lastResult(s: string, from: number): { close: number; result: CallResult } | null {
  const re = /\) *= /g;
  let found: { close: number; result: CallResult } | null = null;
  re.lastIndex = from;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const r = parseResult(s, m.index + 1);
    // Only a plausible return value: debug text such as `[wait(0x057f) = 23]` must not pass.
    if (r && (r.outcome !== "ok" || plausibleValue(r))) found = { close: m.index, result: r };
  }
  return found;
}

function clip(s: string, max = 80): string {
  const t = s.length > max ? `${s.slice(0, max)}...` : s;
  // Show what the bytes say (lines are read as latin1 to keep every byte).
  return Buffer.from(t, "latin1")
    .toString("utf8")
    .replace(/[\x00-\x1f"]/g, (ch) => (ch === '"' ? '\\"' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

/**
 * Whether decorOf(r) may start with `<` and a non-digit (a `-y` decoration: `</etc/passwd>`,
 * `<socket:[123]>`), without slicing it. Errs towards true (then the whole event is built and
 * its reader decides).
 */
function mayBeFdDecor(r: CallResult): boolean {
  const s = r.src;
  let i = r.decorFrom;
  if (i >= s.length) return false;
  while (s.charCodeAt(i) === 0x20) i++;
  const c = s.charCodeAt(i);
  if (c === 0x3c) return !isDigit(s.charCodeAt(i + 1));
  // decorOf trims other white space: decide on the full string.
  return c <= 0x20 || c === 0xa0 || c > 0xff;
}
