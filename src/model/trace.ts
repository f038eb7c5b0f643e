import type { Arch } from "./arch.js";
import type { Diagnostic } from "./diagnostics.js";
import type { RunResources } from "./resources.js";

/**
 * One syscall as a trace recorded it, after `<unfinished ...>` / `<... resumed>` halves were joined.
 * Events are streamed to consumers and never kept in a list: a trace can hold billions of them.
 */
export interface SyscallEvent {
  /** The process (or thread) id; 0 when the trace does not print it (one process traced without -f). */
  pid: number;
  /** The syscall ABI the call ran under (the process's personality). */
  arch: Arch;
  /** Kernel name valid for `arch` (`pread` becomes `pread64`, `syscall_0x1b7` is resolved); strace's text when unknown. */
  name: string;
  /** False when `name` does not exist on `arch` (a diagnostic was raised). */
  known: boolean;
  /** The raw argument text between the parentheses, unparsed; decode with `parse/args.ts` when needed. */
  args: string;
  /**
   * `ok`: returned a value; `error`: returned an error (`-1 ENOENT`, `? ERESTARTSYS`, `-1 (errno 22)`);
   * `unfinished`: never returned in the trace (`exit_group`, `execve` of a thread, a call cut off by death).
   */
  outcome: "ok" | "error" | "unfinished";
  /** The return value token as printed (`3`, `0x7f..`, `-1`, `?`); empty when unfinished. */
  retval: string;
  /** The error name (`ENOENT`, `ERESTARTSYS`, `errno 22`); empty unless outcome is `error`. */
  errno: string;
  /** What strace printed after the return value (`-y` path `</etc/passwd>`, `(flags O_RDWR)`, ` <0.000012>`...). */
  retDecor: string;
  /** 1-based line where the call starts. */
  line: number;
}

/** How a process ended, from `+++ exited with N +++` / `+++ killed by SIG... +++`. */
export type ProcessExit = { kind: "exited"; code: number } | { kind: "killed"; signal: string; coreDumped: boolean } | { kind: "superseded"; by: number };

/** A process as seen during one run. */
export interface ProcessInfo {
  pid: number;
  /** The pid that cloned or forked it, when the trace shows it. */
  parent?: number;
  /** Programs it executed successfully, in order (paths as the trace shows them). */
  execs: string[];
  /** Architectures its calls ran under. */
  arches: Arch[];
  exit?: ProcessExit;
  /** Signals delivered to it (`--- SIGCHLD ... ---`), sorted. */
  signals: string[];
}

/** Per-syscall counts, counted as `strace -c` counts them. */
export interface SyscallCounts {
  /** Calls that returned (including those that returned an error). */
  calls: number;
  /** Calls that returned an error, ERESTART* included. */
  errors: number;
  /** Calls that never returned in the trace (`exit_group`, calls cut off by the process's death or the trace's end). */
  unfinished: number;
}

/** One `-c` / `-cw` / `-C` summary table, by personality. */
export interface SummaryTable {
  arch: Arch;
  /** 1-based line of the header row. */
  line: number;
  rows: Record<string, { calls: number; errors: number }>;
}

/** Where a run came from: one trace file, or the group of `-ff` files `P.PID` of one recording. */
export interface RunSource {
  /** A name for the run: the file, or for `-ff` groups the common prefix `P`. */
  id: string;
  files: string[];
}

/** Everything one run yields, as plain data (it crosses worker-thread boundaries). */
export interface RunResult {
  source: RunSource;
  /** What the run's files held. */
  kind: "trace" | "summary" | "trace+summary" | "empty";
  arch: Arch;
  /** strace flags the text shows (inferred: `-f`, `-ff`, `-t`/`-tt`/`-ttt`/`-r`, `-T`, `-y`, `-i`, `-k`, `-c`/`-C`). */
  flags: string[];
  /** Counts from the trace lines, per architecture and syscall name. */
  counts: Partial<Record<Arch, Record<string, SyscallCounts>>>;
  /** strace's own `-c` tables found in the files. */
  tables: SummaryTable[];
  /** The run's processes by pid: all of them up to 10,000 (MAX_LISTED_PROCESSES), then the first ones. */
  processes: ProcessInfo[];
  /** How many processes the run had in all. */
  processCount: number;
  lines: number;
  bytes: number;
  events: number;
  diagnostics: Diagnostic[];
}

/** Syscalls whose first argument a profile can pin to constants, by what the trace showed. */
export type FilterableSyscall = "socket" | "personality" | "clone";

/**
 * The argument values one run used for the filterable syscalls, per architecture: decimal strings,
 * or "?" when a value could not be read as a constant (then no filter is emitted for that syscall).
 * For `clone` the value is the namespace bits it asked for ("0": none).
 */
export type ArgValues = Partial<Record<Arch, Partial<Record<FilterableSyscall, string[]>>>>;

/** A run as `generate` sees it: the parse result, its content hash, and argument constants. */
export interface ObservedRun extends RunResult {
  /** SHA-256 of the run's decompressed bytes (files in order), identifying the run across merges. */
  sha256: string;
  argValues: ArgValues;
  /** Files, programs, sockets and capabilities the run used (undefined for a summary table alone). */
  resources: RunResources | undefined;
}
