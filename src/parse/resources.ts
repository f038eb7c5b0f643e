// What a run touched besides syscall names: files (with how they were used), programs executed,
// sockets, the addresses it listened on and connected to, and the capabilities its calls needed.
// Learnt from the argument text of the events of one run, in order, with per-process state (cwd,
// fd table, current executable) so that relative and fd-relative paths become absolute.
//
// Memory: per process (cwd, fd table) and per distinct path/socket/address, never per event. The
// only events held are those of a process whose creating clone/fork has not returned yet (bounded,
// see PENDING_*).
//
// Paths are untrusted bytes: a path that strace truncated, that holds control characters, or that is
// not UTF-8 never reaches `files`; it becomes a problem (the lead turns those into diagnostics).
// Everything else is kept exactly, quotes, spaces, `*`, `{`, `@{HOME}` included: emitters escape.
//
// The pieces live next to this file: process-state.ts (cwd, fd tables), access-bits.ts, arg-text.ts
// (numbers, flags, path bytes), paths.ts, decorations.ts (`-y`), sockets.ts (sockaddr and socket
// words), capability-args.ts and syscall-handlers.ts (what each call does, by name).

import {
  FILE_ACCESS_ORDER,
  type Capability,
  type CapabilityUse,
  type EndpointUse,
  type ExecUse,
  type FileUse,
  type ProcessUse,
  type RunResources,
  type SocketUse,
} from "../model/resources.js";
import type { SyscallEvent } from "../model/trace.js";
import { ACCESS_BIT, WRITE, APPEND, CREATE } from "./access-bits.js";
import { parseNumber, parseFlags, hasFlag, showBytes, checkPathBytes, decodeString } from "./arg-text.js";
import { ArgList, ownCopy } from "./args.js";
import { type DecorationStyle, type DecorationText, type FdArg, parseFdArg, retDecorPath, hasFdDecoration } from "./decorations.js";
import { isAbsolute, normalizePath, joinPath } from "./paths.js";
import { type FsState, type Description, type Proc, type Target, CLONE_FS, CLONE_FILES, CLONE_THREAD, newProc, copyTable } from "./process-state.js";
import { socketFromDecoration } from "./sockets.js";
import { HANDLERS, IDLE_WHEN, type PureCall } from "./syscall-handlers.js";
import type { EventNeed, IdleTest } from "./trace-parser.js";

/**
 * One event as Falco's drift rules see it, for `syscage falco --replay`: the process's executable
 * (`proc.exepath`), its parent process's executable (`proc.pexepath`), and what the call did.
 * `exe`/`parentExe` are undefined when the trace does not show them.
 */
export type ProcessActivity = {
  /** 1-based line of the call. */
  line: number;
  /** Kernel syscall name. */
  syscall: string;
  exe: string | undefined;
  parentExe: string | undefined;
} & (
  | { kind: "exec" }
  | { kind: "open"; path: string; write: boolean; dir: boolean }
  | { kind: "connect"; endpoint: EndpointUse }
  | { kind: "accept"; local: EndpointUse | undefined }
  | { kind: "listen"; endpoint: EndpointUse }
);

/** What the processes of one executable did, while collecting. */
interface ProcessFacts {
  spawns: Set<string>;
  writes: Set<string>;
  connects: Map<string, EndpointUse>;
  accepts: Map<string, EndpointUse>;
  listens: Map<string, EndpointUse>;
}

export interface ResourceProblem {
  /** 1-based line of the call. */
  line: number;
  message: string;
}

// A process seen before the clone that created it returned (vfork children run first, and `-f`
// traces interleave) waits in a queue until that clone is seen, so it starts with its parent's cwd
// and fds. Bounded: past these limits, or after PENDING_WINDOW further events, it starts with nothing
// known (a trace that began with `strace -p`, or a clone line lost). In one output stream
// (followStream), a process that no clone in progress can announce starts at once instead.
const PENDING_PER_PID = 2000;
const PENDING_TOTAL = 20000;
const PENDING_WINDOW = 4000;
const MAX_PROBLEMS = 1000;
const EVIDENCE_ARGS = 120;
/** parseFdArg("AT_FDCWD"), the most frequent fd argument. */
const CWD_ARG: FdArg = { fd: "cwd", deco: undefined };
/** Bound of the token caches (fd and path arguments); past it they start over. */
const TOKEN_CACHE_MAX = 8192;
/** Calls rememberPure() keeps (each some 300 bytes: an own copy of its arguments and what it did); the first ones of a run. */
const PURE_CALLS_MAX = 16384;

// ---------------------------------------------------------------------------------------------

/** A path argument decoded and checked: its text and, when absolute, normalizePath(text). */
interface PathText {
  text: string;
  normalized: string | undefined;
}

interface FileFacts {
  access: number;
  dir: boolean;
}

/**
 * Learns, from every event of one run in order, what the run touched (`RunResources`).
 *
 * Paths: `files` holds the path each call asked for, made absolute against the process's cwd or the
 * dirfd (Falco's `fd.name` and people reading the profile know these: `/lib/x86_64-linux-gnu/libc.so.6`
 * is what the program asked for), AND, when a `-y` trace shows where the kernel resolved it
 * (`= 3</usr/lib/x86_64-linux-gnu/libc.so.6>`) and that differs, the resolved path too, with the same
 * access: AppArmor matches resolved paths, after symlinks. Without `-y` only requested paths are known.
 */
export class ResourceCollector {
  private readonly file: string;
  private readonly procs = new Map<number, Proc>();
  private rootPid: number | undefined;
  /** Whether the unprefixed root (pid 0, stderr mode) has been given its real pid. */
  private rootAliased = false;
  private readonly pending = new Map<number, { since: number; events: SyscallEvent[] }>();
  private pendingTotal = 0;
  /** Until `seen` passes this, no pending process can have waited PENDING_WINDOW events (a lower bound). */
  private pendingCheck = 0;
  private seen = 0;
  /** Children of the unprefixed root announced before it got its real pid (stderr mode). */
  private readonly announced = new Set<number>();

  private readonly files = new Map<string, FileFacts>();
  private readonly execs = new Map<string, ExecUse>();
  private readonly sockets = new Map<string, SocketUse>();
  private readonly listens = new Map<string, EndpointUse>();
  private readonly connects = new Map<string, EndpointUse>();
  private readonly caps = new Map<Capability, CapabilityUse>();
  private readonly unresolved = new Map<string, { syscall: string; path: string; line: number }>();
  private readonly problemList: ResourceProblem[] = [];
  private readonly problemKeys = new Set<string>();
  private problemsDropped = 0;
  /** Calls of problem(), counted even when its message was seen: a call that made none may be remembered (rememberPure). */
  problemCalls = 0;
  private readonly byExe = new Map<string, ProcessFacts>();
  private readonly onActivity: ((a: ProcessActivity) => void) | undefined;
  /** How this run's strace wrote `-y` decorations, as far as seen. */
  readonly decorations: DecorationStyle = { deletedOutside: false };
  /** The event being handled, for problems found deep in resolution. */
  private current: SyscallEvent | undefined;
  /** fdArg()'s memory: fd argument tokens read before. */
  private readonly fdArgs = new Map<string, FdArg>();
  /** target()'s memory: path argument tokens (`"/usr/lib/x.so"`) decoded and checked before, as text. */
  private readonly pathTexts = new Map<string, PathText>();
  /** join()'s memory: base directory, then relative path, to the joined path. */
  private readonly joins = new Map<string, Map<string, string>>();
  private joinCount = 0;
  /**
   * Calls whose target their text (and the cwd) decides (PureCall in syscall-handlers.ts): by name,
   * the argument texts handled, with what each did; the first PURE_CALLS_MAX of a run.
   */
  private readonly pure = new Map<string, Map<string, PureCall>>();
  private pureCount = 0;
  /** The argument list handle() lends to handlers, when not lent out. */
  private spareArgs: ArgList | undefined = new ArgList();
  /** Whether a process no clone announced may start at once (see followStream); never by default. */
  private startsNow: () => boolean = () => false;

  constructor(options: { file: string; onActivity?: (a: ProcessActivity) => void }) {
    this.file = options.file;
    this.onActivity = options.onActivity;
  }

  observe(e: SyscallEvent): void {
    this.observeAt(e.pid, e);
  }

  /**
   * Events come in the order of one strace output stream (one -f file, not -ff files): a process
   * that no clone has announced starts at once, knowing nothing of its cwd and fds, whenever
   * `startsNow()` (TraceParser.unannouncedStartsNow) says no clone in progress can announce it.
   * Its calls are then handled in trace order, among those of the processes and threads that
   * share its state, instead of waiting in the pending queue for a clone that never comes.
   */
  followStream(startsNow: () => boolean): void {
    this.startsNow = startsNow;
  }

  /** A call of `pid` that eventMatters() rules out: it only counts towards the pending window. */
  observeBare(pid: number): void {
    this.seen++;
    if (this.pending.size > 0 && this.seen > this.pendingCheck) this.expirePending();
    // A known process: handle() would do nothing with the call (some 40% of calls); it only counted.
    if (!this.procs.has(pid)) this.place(pid, BARE_EVENT);
  }

  private observeAt(pid: number, e: SyscallEvent): void {
    this.seen++;
    if (this.pending.size > 0 && this.seen > this.pendingCheck) this.expirePending();
    this.place(pid, e);
  }

  /** Handles `e` as `pid`'s, or holds it while that process waits for its clone (observeAt has counted it). */
  private place(pid: number, e: SyscallEvent): void {
    let p = this.procs.get(pid);
    if (p === undefined) {
      const q = this.pending.get(pid);
      const root = this.rootPid === 0 && !this.rootAliased && q === undefined ? this.procs.get(0) : undefined;
      if (root !== undefined && !this.announced.has(pid)) {
        // strace to stderr prints no `[pid N]` while one process is traced: the root's first events
        // carry pid 0, its later ones its real pid, which no clone announces. Like the parser, take
        // the first prefixed pid that is not a known child of the root as the root.
        this.rootAliased = true;
        this.procs.set(pid, root);
        this.handle(root, e);
        return;
      }
      if (q !== undefined || (this.rootPid !== undefined && !this.startsNow())) {
        // Not the first process and not announced by a clone yet: wait for it. A call handle() will
        // ignore (most failed calls) waits as the shared BARE_EVENT: it only counts, and holding
        // fewer events spares the garbage collector copying them.
        const held = hasEffect(e) ? e : BARE_EVENT;
        if (q) q.events.push(held);
        else this.pending.set(pid, { since: this.seen, events: [held] });
        this.pendingTotal++;
        if ((q && q.events.length > PENDING_PER_PID) || this.pendingTotal > PENDING_TOTAL) this.releasePending(q ? pid : this.oldestPending());
        return;
      }
      this.rootPid ??= pid;
      p = newProc();
      this.procs.set(pid, p);
    }
    this.handle(p, e);
  }

  /** Call after the last event: the run's resources, sorted and deduplicated. */
  result(): RunResources {
    this.releaseAllPending();
    const files: FileUse[] = [...this.files.keys()].sort(compareStrings).map((path) => {
      const f = this.files.get(path)!;
      return { path, access: FILE_ACCESS_ORDER.filter((a) => (f.access & ACCESS_BIT[a]) !== 0), dir: f.dir };
    });
    const byKey = <T>(m: Map<string, T>): T[] => [...m.keys()].sort(compareStrings).map((k) => m.get(k)!);
    return {
      files,
      execs: byKey(this.execs),
      sockets: byKey(this.sockets),
      listens: byKey(this.listens),
      connects: byKey(this.connects),
      capabilities: [...this.caps.values()].sort((a, b) => compareStrings(a.name, b.name)),
      unresolved: [...this.unresolved.values()].sort((a, b) => a.line - b.line || compareStrings(a.path, b.path) || compareStrings(a.syscall, b.syscall)),
      processes: [...this.byExe.keys()].sort(compareStrings).map((exe): ProcessUse => {
        const f = this.byExe.get(exe)!;
        return {
          exe,
          spawns: [...f.spawns].sort(compareStrings),
          writes: [...f.writes].sort(compareStrings),
          connects: byKey(f.connects),
          accepts: byKey(f.accepts),
          listens: byKey(f.listens),
        };
      }),
    };
  }

  /** What the same call (name and argument text) did when rememberPure() was told, if it was. */
  pureSeen(e: SyscallEvent): PureCall | undefined {
    return this.pure.get(e.name)?.get(e.args);
  }

  /**
   * For a call on an absolute path: the cwd its dirfd argument teaches the process whatever its
   * state (a readable `AT_FDCWD</srv>`), null when it teaches none (no decoration, or an fd's, read
   * but not acted on), undefined when that depends on the state (a ` (deleted)` one) or is a problem.
   */
  pureCwd(tok: string | undefined): string | null | undefined {
    if (tok === undefined || !tok.startsWith("AT_FDCWD<")) return null;
    const fa = this.fdArg(tok);
    const d = fa?.fd === "cwd" ? fa.deco : undefined;
    return d?.ok && d.orDeleted === undefined && isAbsolute(d.text) && tok.indexOf("(deleted)") < 0 ? d.text : undefined;
  }

  /** Remembers a call whose effect its text decides (see pureSeen). */
  rememberPure(e: SyscallEvent, what: PureCall): void {
    // Full, it keeps what it has: starting over would make garbage of every entry in the old
    // generation, a trace of many processes each with a path of its own would fill it again and
    // again, and peak memory grows with that (scripts/bench-many-pids.mjs).
    if (this.pureCount >= PURE_CALLS_MAX) return;
    let byArgs = this.pure.get(e.name);
    if (byArgs === undefined) this.pure.set(e.name, (byArgs = new Map()));
    byArgs.set(ownCopy(e.args), what);
    this.pureCount++;
  }

  /** Untrusted or unreadable paths, one per distinct path and reason (at most MAX_PROBLEMS, then a count). */
  problems(): ResourceProblem[] {
    this.releaseAllPending();
    const out = [...this.problemList].sort((a, b) => a.line - b.line || compareStrings(a.message, b.message));
    if (this.problemsDropped > 0)
      out.push({ line: out[out.length - 1]?.line ?? 0, message: `${this.problemsDropped} more problems with untrusted paths not listed` });
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Pending processes

  private oldestPending(): number {
    return this.pending.keys().next().value as number;
  }

  private expirePending(): void {
    for (;;) {
      const first = this.pending.entries().next();
      if (first.done) return;
      if (this.seen - first.value[1].since <= PENDING_WINDOW) {
        // Later entries came later: none expires before the first one does.
        this.pendingCheck = first.value[1].since + PENDING_WINDOW;
        return;
      }
      this.releasePending(first.value[0]);
    }
  }

  private releaseAllPending(): void {
    while (this.pending.size > 0) this.releasePending(this.oldestPending());
  }

  /** Starts a process no clone announced, with nothing known. */
  private releasePending(pid: number): void {
    const q = this.pending.get(pid);
    if (!q) return;
    this.pending.delete(pid);
    this.pendingTotal -= q.events.length;
    const p = newProc();
    this.procs.set(pid, p);
    for (const ev of q.events) this.handle(p, ev);
  }

  /** A clone/fork returned `child`: it starts with a copy (or, with CLONE_FS / CLONE_FILES, a share) of the parent's state. */
  private startChild(parent: Proc, child: number, shareFs: boolean, shareFiles: boolean, thread = false): void {
    if (this.rootPid === 0 && !this.rootAliased) this.announced.add(child);
    const old = this.procs.get(child);
    const p: Proc = {
      fs: shareFs ? parent.fs : { ...parent.fs },
      files: shareFiles ? parent.files : copyTable(parent.files),
      // A process released early (it ran long before its clone returned) may have exec'ed already.
      exe: old?.exe ?? parent.exe,
      parent: thread ? parent.parent : parent,
    };
    this.procs.set(child, p);
    const q = this.pending.get(child);
    if (q) {
      this.pending.delete(child);
      this.pendingTotal -= q.events.length;
      for (const ev of q.events) this.handle(p, ev);
    }
  }

  // -------------------------------------------------------------------------------------------

  private handle(p: Proc, e: SyscallEvent): void {
    this.current = e;
    const h = HANDLERS.get(e.name);
    if (h === undefined) {
      // Any other call that returned a new fd: with -y its decoration says what it is; without,
      // at least forget what the number meant before.
      if (e.outcome === "ok" && hasFdDecoration(e)) this.setFdFromDecoration(p, e);
      return;
    }
    if (e.outcome !== "ok" && !(e.name === "connect" && e.errno === "EINPROGRESS") && e.name !== "exit" && e.name !== "exit_group") return;
    // One ArgList reused across events (a handler that handles queued events, onClone, gets a new
    // one for them). close(fd) is among the most frequent calls and has one argument: no need to split.
    const a = this.spareArgs ?? new ArgList();
    this.spareArgs = undefined;
    h(this, p, e, e.name === "close" ? a.resetWhole(e.args) : a.reset(e.args));
    this.spareArgs = a;
  }

  private setFdFromDecoration(p: Proc, e: SyscallEvent): void {
    const fd = parseNumber(e.retval);
    if (fd === undefined || fd < 0) return;
    const d = retDecorPath(e, this.decorations);
    if (d !== undefined && (!d.ok || isAbsolute(d.text))) {
      const path = this.decorationPath(d, undefined, undefined);
      p.files.set(fd, { desc: { kind: "file", path, resolved: path }, cloexec: false });
    } else {
      const s = socketFromDecoration(d);
      p.files.set(fd, { desc: s ? { kind: "socket", ...s, bound: undefined, listed: false } : { kind: "other" }, cloexec: false });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  problem(line: number, message: string): void {
    this.problemCalls++;
    if (this.problemKeys.has(message)) return;
    if (this.problemList.length >= MAX_PROBLEMS) {
      this.problemsDropped++;
      return;
    }
    this.problemKeys.add(message);
    this.problemList.push({ line, message });
  }

  private addFile(path: string, access: number, dir: boolean): void {
    const f = this.files.get(path);
    if (f) {
      f.access |= access;
      f.dir ||= dir;
    } else this.files.set(path, { access, dir });
  }

  addTarget(t: Target, access: number, dir = false): void {
    if (t.path !== undefined) this.addFile(t.path, access, dir || t.dir);
    if (t.resolved !== undefined && t.resolved !== t.path) this.addFile(t.resolved, access, dir || t.dir);
  }

  addUnresolved(e: SyscallEvent, path: string): void {
    const key = `${e.name}\0${path}`;
    if (!this.unresolved.has(key)) this.unresolved.set(key, { syscall: e.name, path, line: e.line });
  }

  addExec(path: string, parent: string | undefined): void {
    const key = `${path}\0${parent ?? ""}`;
    if (!this.execs.has(key)) this.execs.set(key, parent === undefined ? { path } : { path, parent });
  }

  addSocket(s: SocketUse): void {
    const key = `${s.family}\0${s.type}\0${s.protocol ?? ""}`;
    if (!this.sockets.has(key)) this.sockets.set(key, s);
  }

  addEndpoint(into: "listens" | "connects", ep: EndpointUse): void {
    const m = into === "listens" ? this.listens : this.connects;
    const key = endpointKey(ep);
    if (!m.has(key)) m.set(key, ep);
  }

  // Per executable (Falco rules scoped by process), and the same facts as events for the replay.

  private factsOf(p: Proc): ProcessFacts {
    const exe = p.exe ?? "";
    let f = this.byExe.get(exe);
    if (!f) this.byExe.set(exe, (f = { spawns: new Set(), writes: new Set(), connects: new Map(), accepts: new Map(), listens: new Map() }));
    return f;
  }

  /** A process ran `path` (after execve; p.exe is already the new program). */
  processSpawned(p: Proc, e: SyscallEvent, path: string): void {
    const parentExe = p.parent?.exe;
    this.factsOf(p.parent ?? newProc()).spawns.add(path);
    this.onActivity?.({ kind: "exec", line: e.line, syscall: e.name, exe: path, parentExe });
  }

  processOpened(p: Proc, e: SyscallEvent, t: Target, access: number, dir: boolean): void {
    const write = (access & (WRITE | APPEND | CREATE)) !== 0;
    if (write) {
      const f = this.factsOf(p);
      if (t.path !== undefined) f.writes.add(t.path);
      if (t.resolved !== undefined) f.writes.add(t.resolved);
    }
    const path = t.path ?? t.resolved;
    if (path !== undefined)
      this.onActivity?.({ kind: "open", line: e.line, syscall: e.name, exe: p.exe, parentExe: p.parent?.exe, path, write, dir: dir || t.dir });
  }

  processEndpoint(p: Proc, e: SyscallEvent, kind: "connect" | "listen", ep: EndpointUse): void {
    const f = this.factsOf(p);
    (kind === "connect" ? f.connects : f.listens).set(endpointKey(ep), ep);
    this.onActivity?.({ kind, line: e.line, syscall: e.name, exe: p.exe, parentExe: p.parent?.exe, endpoint: ep });
  }

  processAccepted(p: Proc, e: SyscallEvent, local: EndpointUse | undefined): void {
    if (local !== undefined) this.factsOf(p).accepts.set(endpointKey(local), local);
    this.onActivity?.({ kind: "accept", line: e.line, syscall: e.name, exe: p.exe, parentExe: p.parent?.exe, local });
  }

  addCapability(name: Capability, e: SyscallEvent): void {
    if (this.caps.has(name)) return;
    const args = e.args.length > EVIDENCE_ARGS ? `${e.args.slice(0, EVIDENCE_ARGS)}...` : e.args;
    this.caps.set(name, { name, evidence: `${e.name}(${args}) at ${this.file}:${e.line}` });
  }

  // -------------------------------------------------------------------------------------------
  // Resolution

  /** Learns the cwd from a `-y` `AT_FDCWD</path>` decoration (strace read it from /proc at the time of the call). */
  learnCwd(fs: FsState, resolved: string): void {
    if (fs.cwd === undefined) {
      fs.cwd = resolved;
      fs.cwdResolved = resolved;
    } else if (fs.cwdResolved === undefined) fs.cwdResolved = resolved;
    else if (fs.cwdResolved !== resolved) {
      // Our tracking went stale (a share we approximated by a copy): trust the kernel.
      fs.cwd = resolved;
      fs.cwdResolved = resolved;
    }
  }

  /**
   * The absolute path a `-y` decoration names, when it can be trusted; else undefined, with a
   * problem when it was unreadable or ambiguous. `known` are the forms the path argument or the fd
   * table give: one of them decides a ` (deleted)` whose strace version is unknown.
   */
  private decorationPath(deco: DecorationText | undefined, known1: string | undefined, known2: string | undefined, what = ""): string | undefined {
    if (deco === undefined) return undefined;
    const e = this.current;
    if (!deco.ok) {
      this.problem(e?.line ?? 0, `${e?.name ?? "call"}: ${what}${deco.message}`);
      return undefined;
    }
    if (!isAbsolute(deco.text)) return undefined;
    if (deco.orDeleted === undefined || deco.text === known1 || deco.text === known2) return deco.text;
    if (deco.orDeleted === known1 || deco.orDeleted === known2) return deco.orDeleted;
    this.problem(
      e?.line ?? 0,
      `${e?.name ?? "call"}: -y decoration ${showBytes(deco.text)} names either that file (strace 5.19 and later) or the deleted ${showBytes(deco.orDeleted)} (older strace); left out, the path argument is used`,
    );
    return undefined;
  }

  /**
   * parseFdArg(tok), remembered: the same fd tokens (`AT_FDCWD</home/u>`, `3</usr/lib>`) recur call
   * after call. Not those whose reading depends on the decoration style or changes it (` (deleted)`),
   * nor unreadable ones (their problem is reported where they occur).
   */
  private fdArg(tok: string): FdArg | undefined {
    if (tok === "AT_FDCWD") return CWD_ARG;
    let fa = this.fdArgs.get(tok);
    if (fa !== undefined) return fa;
    const own = ownCopy(tok);
    fa = parseFdArg(own, this.decorations);
    if (fa !== undefined && (fa.deco === undefined || (fa.deco.ok && tok.indexOf("(deleted)") < 0))) {
      if (this.fdArgs.size >= TOKEN_CACHE_MAX) this.fdArgs.clear();
      this.fdArgs.set(own, fa);
    }
    return fa;
  }

  /** The directory an fd argument names, requested (`cwd`) and resolved (`cwdResolved`); undefined when unknown. */
  private fdBase(p: Proc, fdTok: string | undefined): FsState | undefined {
    // As an FsState (`cwd` requested, `cwdResolved` resolved), so that the cwd itself needs no new object.
    if (fdTok === undefined) return p.fs;
    const fa = this.fdArg(fdTok);
    if (!fa) return undefined;
    if (fa.fd === "cwd") {
      const deco = this.decorationPath(fa.deco, p.fs.cwd, p.fs.cwdResolved);
      if (deco !== undefined) this.learnCwd(p.fs, deco);
      return p.fs;
    }
    const ent = p.files.get(fa.fd);
    const desc = ent?.desc.kind === "file" ? ent.desc : undefined;
    const deco = this.decorationPath(fa.deco, desc?.path, desc?.resolved);
    if (deco !== undefined) {
      // The decoration is what the kernel holds; our table only adds the requested form when it agrees.
      if (desc && (desc.resolved ?? desc.path) === deco) return { cwd: desc.path ?? deco, cwdResolved: deco };
      return { cwd: deco, cwdResolved: deco };
    }
    if (!desc) return { cwd: undefined, cwdResolved: undefined };
    return { cwd: desc.path ?? desc.resolved, cwdResolved: desc.resolved };
  }

  /**
   * The path argument at `pathIdx` (relative to the dirfd at `dirfdIdx`, or to the cwd), made
   * absolute. Problems and unresolved paths are recorded here; undefined means nothing to add.
   * `fallback` is a resolved path the call itself revealed (`-y` on an open's result).
   */
  target(p: Proc, e: SyscallEvent, a: ArgList, dirfdIdx: number | undefined, pathIdx: number, fallback?: DecorationText): Target | undefined {
    const tok = a.at(pathIdx);
    if (tok === undefined) return undefined;
    // The same path tokens recur (a library stat'ed and opened by every process): decode and check
    // each once. The cached text is also one string object, whose hash the maps keep, and a copy
    // (ownCopy): `files` and the fd tables hold it without the chunk of trace text it came from.
    let text = this.pathTexts.get(tok);
    if (text === undefined) {
      const own = ownCopy(tok);
      const d = decodeString(own);
      if (!d) return undefined; // NULL or an address strace could not read
      const pt = checkPathBytes(d.bytes, d.truncated);
      if (!pt.ok) {
        this.problem(e.line, `${e.name}: ${pt.message}`);
        return undefined;
      }
      text = { text: pt.text, normalized: isAbsolute(pt.text) ? normalizePath(pt.text) : undefined };
      if (this.pathTexts.size >= TOKEN_CACHE_MAX) this.pathTexts.clear();
      this.pathTexts.set(own, text);
    }
    return this.targetOf(p, e, text.text, dirfdIdx === undefined ? undefined : a.at(dirfdIdx), fallback, text.normalized);
  }

  /** `rel` (already decoded and checked) made absolute against the dirfd token, or the cwd. */
  targetOf(p: Proc, e: SyscallEvent, rel: string, dirfdTok: string | undefined, fallback?: DecorationText, normalized?: string): Target | undefined {
    const dir = rel.length > 1 && rel.endsWith("/");
    if (rel === "") return undefined;
    let path: string | undefined;
    let joined: string | undefined;
    if (isAbsolute(rel)) {
      // Still learn the cwd a `-y` decoration shows (`newfstatat(AT_FDCWD</srv>, "/etc/x", ...)`).
      if (dirfdTok !== undefined && dirfdTok.indexOf("<") > 0) this.fdBase(p, dirfdTok);
      path = normalized ?? normalizePath(rel);
    } else {
      const b = this.fdBase(p, dirfdTok);
      if (b?.cwd !== undefined) {
        path = this.join(b.cwd, rel);
        if (b.cwdResolved !== undefined && b.cwdResolved !== b.cwd) joined = this.join(b.cwdResolved, rel);
      }
    }
    // The result's decoration is what the kernel opened; an ambiguous one is decided by the path argument.
    let fromDeco = fallback ? this.decorationPath(fallback, path, joined, "resolved ") : undefined;
    if (fromDeco !== undefined && (prefixUpToGt(path, fromDeco) || prefixUpToGt(joined, fromDeco))) {
      // `= 3</tmp/x>(deleted) <0.1>` from strace < 4.22 for a file named `x>(deleted) <0.1`: the
      // decoration is a prefix of the requested name up to a raw `>`, never what was opened.
      this.problem(
        e.line,
        `${e.name}: -y decoration ${showBytes(fromDeco)} is a prefix of the requested path up to a raw ">" (strace before 4.22); the path argument is used instead`,
      );
      fromDeco = undefined;
    }
    const resolved = fromDeco ?? (isAbsolute(rel) ? undefined : joined);
    if (path === undefined) {
      if (resolved !== undefined) return { path: undefined, resolved, dir };
      this.addUnresolved(e, rel);
      return undefined;
    }
    return { path, resolved, dir };
  }

  /**
   * joinPath(base, rel), remembered: a process works in one directory and names the same relative
   * paths again. The keys are mostly the same string objects each time (the cwd, a cached path text),
   * whose hashes the map keeps; so is the result, which `files` is keyed by.
   */
  private join(base: string, rel: string): string {
    let byRel = this.joins.get(base);
    let path = byRel?.get(rel);
    if (path === undefined) {
      // Bounded in all: past TOKEN_CACHE_MAX joins it starts over.
      if (this.joinCount >= TOKEN_CACHE_MAX) {
        this.joins.clear();
        this.joinCount = 0;
        byRel = undefined;
      }
      if (byRel === undefined) this.joins.set(ownCopy(base), (byRel = new Map()));
      path = joinPath(base, rel);
      byRel.set(ownCopy(rel), path);
      this.joinCount++;
    }
    return path;
  }

  /** What an fd argument refers to, for fd-based effects (mmap, flock, getdents, ftruncate, fchdir). */
  fdTarget(p: Proc, tok: string | undefined): Target | undefined {
    if (tok === undefined) return undefined;
    const fa = this.fdArg(tok);
    if (!fa || fa.fd === "cwd") return undefined;
    if (fa.deco?.ok && !isAbsolute(fa.deco.text)) return undefined; // a socket, pipe or anon inode
    const ent = p.files.get(fa.fd);
    const desc = ent?.desc.kind === "file" ? ent.desc : undefined;
    const deco = this.decorationPath(fa.deco, desc?.path, desc?.resolved);
    if (deco !== undefined) {
      if (desc && (desc.resolved ?? desc.path) === deco) return { path: desc.path ?? deco, resolved: deco, dir: false };
      return { path: deco, resolved: undefined, dir: false };
    }
    if (!desc) return undefined;
    return { path: desc.path, resolved: desc.resolved, dir: false };
  }

  socketOf(p: Proc, tok: string | undefined): Extract<Description, { kind: "socket" }> | undefined {
    if (tok === undefined) return undefined;
    const fa = this.fdArg(tok);
    if (!fa || fa.fd === "cwd") return undefined;
    const ent = p.files.get(fa.fd);
    if (ent?.desc.kind === "socket") return ent.desc;
    const s = socketFromDecoration(fa.deco);
    if (!s) return undefined;
    // A socket we did not see created (inherited, or a table we lost track of): adopt what -yy says.
    const desc: Extract<Description, { kind: "socket" }> = { kind: "socket", ...s, bound: undefined, listed: false };
    p.files.set(fa.fd, { desc, cloexec: ent?.cloexec ?? false });
    return desc;
  }

  // -------------------------------------------------------------------------------------------
  // Handlers that need private state

  onClone(p: Proc, e: SyscallEvent, a: ArgList): void {
    const child = parseNumber(e.retval);
    if (child === undefined || child <= 0) return;
    let shareFs = false;
    let shareFiles = false;
    let thread = false;
    if (e.name === "clone" || e.name === "clone3") {
      const flags = flagsField(e.args) ?? (e.name === "clone" ? a.at(0) : undefined);
      if (flags !== undefined) {
        const f = parseFlags(flags);
        shareFs = hasFlag(f, "CLONE_FS", CLONE_FS);
        shareFiles = hasFlag(f, "CLONE_FILES", CLONE_FILES);
        thread = hasFlag(f, "CLONE_THREAD", CLONE_THREAD);
      }
    }
    this.startChild(p, child, shareFs, shareFiles, thread);
  }

  onExit(e: SyscallEvent): void {
    // The pid may be reused by a later process, which must not inherit this one's state.
    this.procs.delete(e.pid);
    if (this.rootPid === e.pid && e.pid === 0) this.rootAliased = true;
  }
}

/**
 * Whether `observe` needs more of the event than its pid: false for a call no handler reads (most
 * reads, writes, mmaps of data...), which only counts towards the pending window. Must cover every
 * event `handle` acts on; the parallel parse sends the others without their text.
 */
export function eventMatters(e: SyscallEvent): boolean {
  return (HANDLERS.has(e.name) && hasEffect(e)) || (e.outcome === "ok" && hasFdDecoration(e));
}

/**
 * Which calls named `name` eventMatters() may keep, besides those with a `-y` decoration on their
 * result: all (connect in progress, the exits), those that succeeded, or none (hasEffect).
 */
export function callsRead(name: string): EventNeed {
  if (!HANDLERS.has(name)) return "none";
  return name === "connect" || name === "exit" || name === "exit_group" ? "all" : "ok";
}

/**
 * For a call named `name` that callsRead() says "ok" for, a test of a successful call's argument
 * text that says handle() would do nothing with it (ParseOptions.idleWhen): then only its pid is sent.
 */
export function idleCall(name: string): IdleTest | undefined {
  return IDLE_WHEN.get(name);
}

/** Whether handle() may act on `e`: it ignores failed calls but a connect in progress and the exits. */
function hasEffect(e: SyscallEvent): boolean {
  if (e.outcome === "ok") return true;
  const name = e.name;
  return (name === "connect" && e.errno === "EINPROGRESS") || name === "exit" || name === "exit_group";
}

/**
 * What observeBare() queues and handles: no handler reads it (handle() ignores a failed nameless
 * call). Not frozen, and its fields in TraceParser's order, so that handle() sees one object shape.
 */
const BARE_EVENT: SyscallEvent = { pid: -1, arch: "x86_64", name: "", known: true, args: "", outcome: "error", retval: "", errno: "", retDecor: "", line: 0 };

/** `x` starts with `prefix` followed by `>` (x?.startsWith(`${prefix}>`), without building that string). */
function prefixUpToGt(x: string | undefined, prefix: string): boolean {
  return x !== undefined && x.length > prefix.length && x.charCodeAt(prefix.length) === 0x3e && x.startsWith(prefix);
}

/** What `/flags=([^,}]*)/` captures (the first `flags=`, up to `,` or `}`), without a regular expression. */
function flagsField(args: string): string | undefined {
  const i = args.indexOf("flags=");
  if (i < 0) return undefined;
  let end = i + 6;
  for (const n = args.length; end < n; end++) {
    const c = args.charCodeAt(end);
    if (c === 0x2c || c === 0x7d) break;
  }
  return args.slice(i + 6, end);
}

function endpointKey(ep: EndpointUse): string {
  return `${ep.family}\0${ep.proto ?? ""}\0${ep.address}\0${ep.port === undefined ? "" : String(ep.port).padStart(5, "0")}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
