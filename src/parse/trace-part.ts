// Part mode's plain data: what the parser of one part of a file hands back (`TracePart`, crossing
// threads), the `<... resumed>` lines it set aside, and where the merge of a part stands.

import type { Arch } from "../model/arch.js";
import type { Diagnostic } from "../model/diagnostics.js";
import type { ProcessInfo, SyscallCounts } from "../model/trace.js";
import type { PendingCall } from "./trace-parser.js";

export interface CarriedLine {
  pid: number;
  /** The line as the parser saw it (no CR). */
  text: string;
  /** 1-based line number inside the part. */
  line: number;
}

/**
 * The result of parsing one part of a file in part mode: plain data (it crosses threads), line
 * numbers relative to the part. `TraceParser.absorbPart` merges it into the parser of the whole.
 */
export interface TracePart {
  /** Why this part cannot be merged exactly (then the whole file is parsed on one thread); null when it can. */
  unsupported: string | null;
  lines: number;
  lastLineNo: number;
  bytes: number;
  events: number;
  traceLines: number;
  flags: string[];
  flagT: boolean;
  flagY: boolean;
  flagF: boolean;
  timestampFlag: string;
  /** Whether the part has a `<... resumed>` line. */
  resumedSeen: boolean;
  counts: [Arch, [string, SyscallCounts][]][];
  /**
   * Every process state the part made, in the order it made them (a pid that exited and came back
   * in the part has several): `first` when it is the pid's first in the part (it continues the
   * state before the part, if any); `exitLine` the part line where it exited and was forgotten, or -1.
   */
  procs: {
    pid: number;
    first: boolean;
    pendingKnown: boolean;
    pending: PendingCall | null;
    info: ProcessInfo;
    signals: string[];
    exitTouched: boolean;
    exitLine: number;
  }[];
  /**
   * When states were made and forgotten, in order, three numbers each (create 0 / retire 1, index
   * into `procs`, part line): the merge replays them between carried lines, so that the process
   * table a carried line sees is the one a parse of the whole file would have there.
   */
  procEvents: number[];
  assumeNoPending: number[];
  carried: CarriedLine[];
  /** Kept diagnostics in the order they were raised, and how many were raised per code and file. */
  diagnostics: Diagnostic[];
  diagnosticCounts: [string, number][];
}

/** Where the merge of one part stands (see `beginAbsorb`). */
export interface PartMerge {
  part: TracePart;
  /** Lines of the file before the part. */
  base: number;
  /** Diagnostics of the part already merged. */
  nextDiagnostic: number;
  /** Index into `part.procEvents` of the next one to replay. */
  nextProcEvent: number;
}
