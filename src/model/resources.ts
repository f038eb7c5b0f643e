// What a workload touched besides syscalls: files, programs, sockets, capabilities. Learnt from call
// arguments (`parse/resources.ts`), kept per run in the allowlist, aggregated per container, and
// rendered as AppArmor rules and Falco drift rules. Every string here comes from a trace and is
// untrusted: emitters must quote/escape it or reject it, never paste it.

/**
 * How a file was used. AppArmor letters: read `r`, write/create/truncate/delete `w`, append `a`,
 * exec `ix`, map executable `m`, link `l`, lock `k`. `stat` (stat/access/readlink) needs no rule.
 */
export type FileAccess = "read" | "write" | "append" | "create" | "delete" | "exec" | "map" | "link" | "lock" | "stat";

export const FILE_ACCESS_ORDER: readonly FileAccess[] = ["read", "write", "append", "create", "delete", "exec", "map", "link", "lock", "stat"];

export interface FileUse {
  /** Absolute path, normalized (no `.`/`..`/`//`), after generalization (may then contain `*`). */
  path: string;
  /** Sorted in FILE_ACCESS_ORDER. */
  access: FileAccess[];
  /** The path names a directory (O_DIRECTORY, mkdir, getdents, chdir): AppArmor rules end in `/`. */
  dir: boolean;
  /** When generalization produced this path: the rule's name (`pid`, `uuid`, `hash`, `many-files`). */
  generalizedBy?: string;
  /**
   * `path` is a pattern (set by `aggregate/generalize.ts`, always with `generalizedBy`): a bare `*` is a
   * glob for the characters of one path segment (never `/`), and the real name's own `*` and `\` are
   * escaped as `\*` and `\\`. Absent: `path` is literal text, a `*` in it is a real character.
   * Read patterns with `pathPieces()` from `model/path-pattern.ts` rather than by hand.
   */
  glob?: true;
}

/** A program executed successfully, and who executed it. */
export interface ExecUse {
  /** Absolute path as execve received it (resolved against the cwd when relative). */
  path: string;
  /** The executable of the process that ran it (`/usr/bin/sh`), when known. */
  parent?: string;
}

/** `socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)` -> family inet, type stream, protocol tcp. */
export interface SocketUse {
  /** AppArmor's family word: `unix`, `inet`, `inet6`, `netlink`, `packet`, ... */
  family: string;
  /** `stream`, `dgram`, `raw`, `seqpacket`, `rdm`, `packet`. */
  type: string;
  /** `tcp`, `udp`, `icmp`, ... or a number; absent when 0/default. */
  protocol?: string;
}

/** A socket address the workload bound (listening) or connected to. */
export interface EndpointUse {
  /** `inet`, `inet6` or `unix`. */
  family: string;
  /** `tcp` or `udp` for inet sockets (from the socket's type); absent for unix. */
  proto?: string;
  /** IP address as printed (`127.0.0.1`, `::1`), or the unix socket path (`@name` for abstract). */
  address: string;
  /** Port for inet; absent for unix. */
  port?: number;
}

export type Capability =
  | "chown"
  | "dac_override"
  | "dac_read_search"
  | "fowner"
  | "fsetid"
  | "kill"
  | "setgid"
  | "setuid"
  | "setpcap"
  | "net_bind_service"
  | "net_broadcast"
  | "net_admin"
  | "net_raw"
  | "ipc_lock"
  | "sys_chroot"
  | "sys_ptrace"
  | "sys_admin"
  | "sys_nice"
  | "sys_resource"
  | "sys_time"
  | "mknod"
  | "audit_write"
  | "setfcap";

export interface CapabilityUse {
  name: Capability;
  /** Why: the call that needed it, e.g. `bind(3, {sin_port=htons(80)}) at samples/web/run1.trace:120`. */
  evidence: string;
}

/**
 * What the processes running one executable did, for Falco rules scoped by process. `exe` is what
 * Falco calls `proc.exepath` (the path execve was given, made absolute); `""` for processes whose
 * program the trace never showed (a trace attached with `strace -p`): their items are allowed for
 * any process. Sorted and deduplicated.
 */
export interface ProcessUse {
  exe: string;
  /**
   * Programs started by a child of such a process: the programs whose Falco `proc.pexepath` was
   * `exe` when they were executed. For `exe: ""`, programs whose parent the trace does not show
   * (the traced command itself, a program a process exec'ed into without a fork).
   */
  spawns: string[];
  /** Paths opened for writing (open, openat, openat2, creat with a write, append, create or truncate flag). */
  writes: string[];
  /** Addresses connected to (connect, sendto, sendmsg). */
  connects: EndpointUse[];
  /** Local endpoints on which connections were accepted (accept, accept4): the listening socket's bound address and port. */
  accepts: EndpointUse[];
  /** Addresses that sockets listened on (listen, or a datagram socket's bind). */
  listens: EndpointUse[];
}

/** A container's ProcessUse: its writes generalized like `files` (a glob entry holds a pattern, see FileUse.glob). */
export interface ContainerProcessUse extends Omit<ProcessUse, "writes"> {
  writes: { path: string; glob?: true }[];
}

/** What one run touched. Sorted, deduplicated: the same trace always gives the same value. */
export interface RunResources {
  files: FileUse[];
  execs: ExecUse[];
  sockets: SocketUse[];
  /** Addresses bound by sockets that then listened (or UDP sockets that bound). */
  listens: EndpointUse[];
  /** Addresses connected to (connect, sendto with an address). */
  connects: EndpointUse[];
  capabilities: CapabilityUse[];
  /** Relative or dirfd-relative paths that could not be made absolute (no cwd or fd known). */
  unresolved: { syscall: string; path: string; line: number }[];
  /** Per executable, for Falco rules scoped by process; absent in allowlists written before it existed. */
  processes?: ProcessUse[];
}

/** Seen in `runs` of the container's N runs. */
export interface Seen {
  runs: number;
}

/** A container's resources over all its runs, as the emitters take them. */
export interface ContainerResources {
  files: (FileUse & Seen)[];
  execs: (ExecUse & Seen)[];
  sockets: (SocketUse & Seen)[];
  listens: (EndpointUse & Seen)[];
  connects: (EndpointUse & Seen)[];
  capabilities: (CapabilityUse & Seen)[];
  /** Per executable over all runs; absent when no run recorded it (older allowlists). */
  processes?: ContainerProcessUse[];
}
