// Per-process state: the cwd and fd table a task shares with the tasks it cloned, and what one path
// argument resolved to.

import type { EndpointUse } from "../model/resources.js";

/** The cwd of a process (shared by the tasks cloned with CLONE_FS). */
export interface FsState {
  /** Requested form: what chdir asked for, made absolute; undefined until learnt. */
  cwd: string | undefined;
  /** Resolved form, from `getcwd` or a `-y` `AT_FDCWD</path>` decoration, when seen since the last chdir. */
  cwdResolved: string | undefined;
}

/** An open file description: shared by dup'ed fds and by fds inherited over fork. */
export type Description =
  | { kind: "file"; path: string | undefined; resolved: string | undefined }
  | { kind: "socket"; family: string; type: string; proto: string | undefined; bound: EndpointUse | undefined; listed: boolean }
  | { kind: "other" };

interface FdEntry {
  desc: Description;
  cloexec: boolean;
}

/** An fd table (shared by the tasks cloned with CLONE_FILES). */
export type FdTable = Map<number, FdEntry>;

export interface Proc {
  fs: FsState;
  files: FdTable;
  /** The program this process runs (from its last execve, or inherited over fork). */
  exe: string | undefined;
  /** The process that forked it (a thread's is its creator's parent): Falco's proc.pexepath is its exe. */
  parent: Proc | undefined;
}

/** A path argument made absolute: the requested form and, when known, the resolved one. */
export interface Target {
  path: string | undefined;
  resolved: string | undefined;
  /** The request ended in `/` or the call only works on directories. */
  dir: boolean;
}

export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_THREAD = 0x10000;

export function newProc(): Proc {
  return { fs: { cwd: undefined, cwdResolved: undefined }, files: new Map(), exe: undefined, parent: undefined };
}

export function copyTable(t: FdTable): FdTable {
  const out: FdTable = new Map();
  for (const [fd, ent] of t) out.set(fd, { desc: ent.desc, cloexec: ent.cloexec });
  return out;
}
