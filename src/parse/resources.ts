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

import type { Arch } from "../model/arch.js";
import {
  FILE_ACCESS_ORDER,
  type Capability,
  type CapabilityUse,
  type EndpointUse,
  type ExecUse,
  type FileAccess,
  type FileUse,
  type ProcessUse,
  type RunResources,
  type SocketUse,
} from "../model/resources.js";
import type { SyscallEvent } from "../model/trace.js";
import { unsafeCharacterProblem } from "../model/untrusted-text.js";
import { addressFamilyName, addressFamilyValue } from "./arg-values.js";
import { straceNumber, stripComments } from "./strace-number.js";
import { bytesToUtf8, decodeCString, decorationEnd, splitArgs } from "./args.js";
import { isDigit, skipString } from "./scan.js";

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

// ---------------------------------------------------------------------------------------------
// Per-process state

/** The cwd of a process (shared by the tasks cloned with CLONE_FS). */
interface FsState {
  /** Requested form: what chdir asked for, made absolute; undefined until learnt. */
  cwd: string | undefined;
  /** Resolved form, from `getcwd` or a `-y` `AT_FDCWD</path>` decoration, when seen since the last chdir. */
  cwdResolved: string | undefined;
}

/** An open file description: shared by dup'ed fds and by fds inherited over fork. */
type Description =
  | { kind: "file"; path: string | undefined; resolved: string | undefined }
  | { kind: "socket"; family: string; type: string; proto: string | undefined; bound: EndpointUse | undefined; listed: boolean }
  | { kind: "other" };

interface FdEntry {
  desc: Description;
  cloexec: boolean;
}

/** An fd table (shared by the tasks cloned with CLONE_FILES). */
type FdTable = Map<number, FdEntry>;

interface Proc {
  fs: FsState;
  files: FdTable;
  /** The program this process runs (from its last execve, or inherited over fork). */
  exe: string | undefined;
  /** The process that forked it (a thread's is its creator's parent): Falco's proc.pexepath is its exe. */
  parent: Proc | undefined;
}

/** A path argument made absolute: the requested form and, when known, the resolved one. */
interface Target {
  path: string | undefined;
  resolved: string | undefined;
  /** The request ended in `/` or the call only works on directories. */
  dir: boolean;
}

// A process seen before the clone that created it returned (vfork children run first, and `-f`
// traces interleave) waits in a queue until that clone is seen, so it starts with its parent's cwd
// and fds. Bounded: past these limits, or after PENDING_WINDOW further events, it starts with nothing
// known (a trace that began with `strace -p`, or a clone line lost).
const PENDING_PER_PID = 2000;
const PENDING_TOTAL = 20000;
const PENDING_WINDOW = 4000;
const MAX_PROBLEMS = 1000;
const EVIDENCE_ARGS = 120;

const ACCESS_BIT = Object.fromEntries(FILE_ACCESS_ORDER.map((a, i) => [a, 1 << i])) as Record<FileAccess, number>;
const READ = ACCESS_BIT.read;
const WRITE = ACCESS_BIT.write;
const APPEND = ACCESS_BIT.append;
const CREATE = ACCESS_BIT.create;
const DELETE = ACCESS_BIT.delete;
const EXEC = ACCESS_BIT.exec;
const MAP = ACCESS_BIT.map;
const LINK = ACCESS_BIT.link;
const LOCK = ACCESS_BIT.lock;
const STAT = ACCESS_BIT.stat;

// ---------------------------------------------------------------------------------------------
// Argument text helpers

/** A number as strace prints one: decimal, `0x` hex, `0` octal, possibly commented. */
function parseNumber(token: string): number | undefined {
  // Fast path: a plain decimal (return values, fds).
  const n = token.length;
  if (n > 0 && n < 16) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = token.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    if (i === n && (n === 1 || token.charCodeAt(0) !== 0x30)) return v;
  }
  return straceNumber(token);
}

/** `O_RDONLY|O_CLOEXEC`, `0x80000`, `0x80000 /* O_RDONLY|O_CLOEXEC *\/`, `0x1200000|17`: names and numeric bits. */
interface FlagSet {
  names: Set<string>;
  bits: number;
}

// Flag texts repeat (`O_RDONLY|O_CLOEXEC` thousands of times): memoize, bounded.
const FLAG_CACHE = new Map<string, FlagSet>();
const FLAG_CACHE_MAX = 4096;

function parseFlags(token: string): FlagSet {
  let f = FLAG_CACHE.get(token);
  if (f === undefined) {
    if (FLAG_CACHE.size >= FLAG_CACHE_MAX) FLAG_CACHE.clear();
    f = parseFlagsUncached(token);
    FLAG_CACHE.set(token, f);
  }
  return f;
}

function parseFlagsUncached(token: string): FlagSet {
  const names = new Set<string>();
  let bits = 0;
  for (const part of stripComments(token).split("|")) {
    const p = part.trim();
    if (p === "") continue;
    const n = parseNumber(p);
    if (n !== undefined) bits |= n;
    else names.add(p);
  }
  return { names, bits: bits >>> 0 };
}

function hasFlag(f: FlagSet, name: string, bit: number): boolean {
  return f.names.has(name) || (bit !== 0 && (f.bits & bit) !== 0);
}

/** The value of `key=` inside a struct argument (`{flags=O_RDONLY, resolve=0}`), up to `,` or `}`. */
function structField(text: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|[{,\\s])${key}=`).exec(text);
  if (!m) return undefined;
  let i = m.index + m[0].length;
  const from = i;
  let depth = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = skipString(text, i);
      continue;
    }
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const e = text.indexOf("*/", i + 2);
      i = e < 0 ? text.length : e + 2;
      continue;
    }
    if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      if (depth === 0) break;
      depth--;
    } else if (c === 0x2c && depth === 0) break;
    i++;
  }
  return text.slice(from, i).trim();
}

// Open flags that differ by architecture (asm-generic vs arm/arm64 `asm/fcntl.h`); symbolic names
// are the same everywhere.
const O_DIRECTORY_BIT: Record<Arch, number> = { x86_64: 0x10000, i386: 0x10000, x32: 0x10000, aarch64: 0x4000, arm: 0x4000 };
const O_CREAT = 0x40;
const O_TRUNC = 0x200;
const O_APPEND = 0x400;
const O_CLOEXEC = 0x80000;
const O_PATH = 0x200000;
const O_TMPFILE_BIT = 0x400000;

interface OpenMode {
  access: number;
  dir: boolean;
  cloexec: boolean;
}

/**
 * What an open's flags ask for. `O_WRONLY`/`O_RDWR` write (RDWR also read), `O_APPEND` append
 * instead of write (AppArmor's `a` is narrower than `w`; a file opened both ways keeps both facts and
 * the emitter decides), `O_CREAT` create, `O_TRUNC` write, `O_DIRECTORY` a directory, `O_PATH` only
 * a stat-like handle (no data access).
 */
function openMode(token: string, arch: Arch): OpenMode {
  const f = parseFlags(token);
  const dirBit = O_DIRECTORY_BIT[arch];
  const cloexec = hasFlag(f, "O_CLOEXEC", O_CLOEXEC);
  if (hasFlag(f, "O_PATH", O_PATH)) return { access: STAT, dir: hasFlag(f, "O_DIRECTORY", dirBit), cloexec };
  const accmode = f.names.has("O_RDWR") ? 2 : f.names.has("O_WRONLY") ? 1 : f.bits & 3;
  const append = hasFlag(f, "O_APPEND", O_APPEND);
  let access = 0;
  if (accmode === 0 || accmode === 2) access |= READ;
  if (accmode === 1 || accmode === 2) access |= append ? APPEND : WRITE;
  if (hasFlag(f, "O_CREAT", O_CREAT)) access |= CREATE;
  if (hasFlag(f, "O_TRUNC", O_TRUNC)) access |= WRITE;
  const tmpfile = f.names.has("O_TMPFILE") || f.names.has("__O_TMPFILE") || (f.bits & O_TMPFILE_BIT) !== 0;
  // O_TMPFILE creates an unnamed file in the directory named by the path.
  if (tmpfile) access |= CREATE | WRITE;
  return { access, dir: tmpfile || hasFlag(f, "O_DIRECTORY", dirBit), cloexec };
}

/** A decoded `"..."` path argument: text when trustworthy, else why not. */
type PathText = { ok: true; text: string } | { ok: false; message: string };

/** Shows untrusted bytes in a message: printable ASCII as is, everything else escaped. */
function showBytes(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length && i < 160; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${bytes[i]}`;
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x0d) out += "\\r";
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += bytes[i];
  }
  return `"${out}"${bytes.length > 160 ? "..." : ""}`;
}

function checkPathBytes(bytes: string, truncated: boolean): PathText {
  if (truncated) return { ok: false, message: `path cut by strace's -s limit: ${showBytes(bytes)}...; record with a larger -s (e.g. -s 4096)` };
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return { ok: false, message: `path holds control characters: ${showBytes(bytes)}` };
    if (c > 0x7f) ascii = false;
  }
  if (ascii) return { ok: true, text: bytes };
  const text = bytesToUtf8(bytes);
  if (text === undefined) return { ok: false, message: `path is not valid UTF-8: ${showBytes(bytes)}` };
  // C1 controls (U+0085, U+009B) and bidirectional characters: caught here, where the trace line is known.
  const unsafe = unsafeCharacterProblem(text, "profiles are kept free of them");
  if (unsafe !== undefined) return { ok: false, message: `path ${unsafe}: ${showBytes(bytes)}` };
  return { ok: true, text };
}

/**
 * Decodes a `"..."` token like decodeCString; the common case (no escape, no `...`) without a
 * character-by-character copy.
 */
function decodeString(token: string): { bytes: string; truncated: boolean } | undefined {
  const n = token.length;
  if (n >= 2 && token.charCodeAt(0) === 0x22 && token.charCodeAt(n - 1) === 0x22 && token.indexOf("\\") < 0) {
    const inner = token.slice(1, n - 1);
    if (inner.indexOf('"') < 0) return { bytes: inner, truncated: false };
  }
  return decodeCString(token);
}

/**
 * How strace wrote `-y` decorations in this run, learnt as the run is read. Since strace 5.19 a
 * deleted file shows as `3</tmp/x>(deleted)`, outside the brackets; before, as `3</tmp/x (deleted)>`,
 * indistinguishable from a file really named `/tmp/x (deleted)`.
 */
interface DecorationStyle {
  /** A `>(deleted)` was seen: ` (deleted)` inside a decoration is part of the name. */
  deletedOutside: boolean;
}

/**
 * A `-y` decoration read: `text` exactly as strace printed it. `orDeleted` is set when it ends in
 * ` (deleted)` and the strace version is unknown: the name is `text` (strace 5.19+) or `orDeleted`
 * (older strace, the file was deleted). Only a path argument can tell which; nothing else trusts it.
 */
type DecorationText = { ok: true; text: string; orDeleted?: string } | { ok: false; message: string };

// What may follow a decoration's `>` on the result: strace 5.19's `(deleted)`, `-e inject`'s
// `(INJECTED)`/`(DELAYED)`, `-T`'s `<0.000012>`. Anything else (`3</tmp/a>b>`) means a raw `>` was
// inside the name (strace before 4.22 did not escape it) and the decoration cannot be read.
const DECORATION_TAIL = /^(?:\(deleted\))?(?:\s+\([A-Z][^()<>]*\))*(?:\s+<\d+(?:\.\d+)?>)?\s*$/;
// A nested decoration is only `-yy`'s device form (`/dev/null<char 1:3>`).
const DEVICE_SUFFIX = /<(?:char|block) \d+:\d+>$/;

/**
 * The content of a `-y` decoration (`3</usr/lib/x.so>` gives `/usr/lib/x.so`), decoded; undefined when
 * absent. `tail` is the text after it that belongs to the same token or result; a decoration that
 * cannot be read unambiguously (a raw `<` or `>` in the name, as strace before 4.22 printed) is not ok:
 * never a prefix of it.
 */
function decorationText(s: string, lt: number, style: DecorationStyle, inArgument = false): DecorationText | undefined {
  const end = decorationEnd(s, lt);
  if (end < 0)
    return {
      ok: false,
      message: `-y decoration ${showBytes(s.slice(lt))} is not closed: a raw "<" or ">" in the name (strace before 4.22); the path argument is used instead`,
    };
  let inner = s.slice(lt + 1, end - 1);
  const tail = s.slice(end);
  // In an argument only strace 5.19's `(deleted)` may follow (no -T, no injection notes there).
  if (tail !== "" && (inArgument ? tail !== "(deleted)" : !DECORATION_TAIL.test(tail))) {
    return {
      ok: false,
      message: `-y decoration ${showBytes(s.slice(lt))} cannot be read unambiguously: a raw ">" in the name (strace before 4.22); the path argument is used instead`,
    };
  }
  if (tail.startsWith("(deleted)")) style.deletedOutside = true;
  // Not a path (`TCP:[...]`, `UNIX-STREAM:[5,"/run/a<b>"]`, `pipe:[7]`): only its kind is read.
  if (inner.charCodeAt(0) !== 0x2f) return { ok: true, text: inner };
  const nested = inner.indexOf("<");
  if (nested >= 0) {
    const dev = DEVICE_SUFFIX.exec(inner);
    if (!dev || dev.index !== nested)
      return {
        ok: false,
        message: `-y decoration ${showBytes(s.slice(lt))} cannot be read unambiguously: a raw "<" in the name (strace before 4.22); the path argument is used instead`,
      };
    inner = inner.slice(0, nested);
  }
  const d = inner.indexOf("\\") < 0 ? { bytes: inner, truncated: false } : decodeCString(`"${inner}"`);
  if (!d) return undefined;
  const t = checkPathBytes(d.bytes, false);
  if (t.ok && !style.deletedOutside && t.text.endsWith(" (deleted)")) return { ok: true, text: t.text, orDeleted: t.text.slice(0, -10) };
  return t;
}

/** An fd argument: the number (`"cwd"` for AT_FDCWD) and its `-y` decoration when printed. */
interface FdArg {
  fd: number | "cwd";
  deco: DecorationText | undefined;
}

/** The fd number of an fd argument (`3`, `3</etc/passwd>`, `AT_FDCWD`, `-100 /* AT_FDCWD *\/`), without decoding its decoration. */
function parseFdHead(token: string): { fd: number | "cwd"; lt: number } | undefined {
  const lt = token.indexOf("<");
  const head = lt < 0 ? token : token.slice(0, lt);
  const n = parseNumber(head);
  if (n !== undefined) return { fd: n === -100 ? "cwd" : n, lt };
  const h = stripComments(head);
  return h === "AT_FDCWD" ? { fd: "cwd", lt } : undefined;
}

function parseFdArg(token: string, style: DecorationStyle): FdArg | undefined {
  const h = parseFdHead(token);
  if (!h) return undefined;
  return { fd: h.fd, deco: h.lt < 0 ? undefined : decorationText(token.trim(), token.trim().indexOf("<"), style, true) };
}

/** The path a return value's `-y` decoration names (`= 3</usr/lib/x.so> <0.000012>`), if any. */
function retDecorPath(e: SyscallEvent, style: DecorationStyle): DecorationText | undefined {
  return hasFdDecoration(e) ? decorationText(e.retDecor, 0, style) : undefined;
}

/** The return value carries a `-y` decoration (`<...>` but not `-T`'s `<0.000012>`). */
function hasFdDecoration(e: SyscallEvent): boolean {
  const d = e.retDecor;
  return d.charCodeAt(0) === 0x3c && !isDigit(d.charCodeAt(1));
}

function isAbsolute(p: string): boolean {
  return p.charCodeAt(0) === 0x2f;
}

/** Lexical normalization: `//`, `.`, `..` (above `/` stays `/`). */
function normalizePath(p: string): string {
  if (p.indexOf("//") < 0 && (p.length === 1 || !p.endsWith("/")) && (p.indexOf("/.") < 0 || (isAbsolute(p) && !hasDotSegment(p)))) return p;
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

/** A `.` or `..` segment (`/a/./b`, `/a/..`): not merely a name starting with a dot (`/home/u/.config`). */
function hasDotSegment(p: string): boolean {
  for (let i = p.indexOf("/."); i >= 0; i = p.indexOf("/.", i + 2)) {
    if (i + 2 === p.length || p.charCodeAt(i + 2) === 0x2f) return true; // `/.` at the end, `/./`
    if (p.charCodeAt(i + 2) === 0x2e && (i + 3 === p.length || p.charCodeAt(i + 3) === 0x2f)) return true; // `/..`, `/../`
  }
  return false;
}

function joinPath(base: string, rel: string): string {
  return normalizePath(base === "/" ? `/${rel}` : `${base}/${rel}`);
}

// ---------------------------------------------------------------------------------------------
// Sockets

const SOCK_TYPES: Record<number, string> = { 1: "stream", 2: "dgram", 3: "raw", 4: "rdm", 5: "seqpacket", 6: "dccp", 10: "packet" };
const IPPROTO_NAMES: Record<number, string> = {
  1: "icmp",
  2: "igmp",
  4: "ipip",
  6: "tcp",
  17: "udp",
  41: "ipv6",
  47: "gre",
  50: "esp",
  51: "ah",
  58: "icmpv6",
  132: "sctp",
  136: "udplite",
  255: "raw",
  262: "mptcp",
};
const NETLINK_PROTOCOLS: Record<string, number> = {
  ROUTE: 0,
  UNUSED: 1,
  USERSOCK: 2,
  FIREWALL: 3,
  SOCK_DIAG: 4,
  INET_DIAG: 4,
  NFLOG: 5,
  XFRM: 6,
  SELINUX: 7,
  ISCSI: 8,
  AUDIT: 9,
  FIB_LOOKUP: 10,
  CONNECTOR: 11,
  NETFILTER: 12,
  IP6_FW: 13,
  DNRTMSG: 14,
  KOBJECT_UEVENT: 15,
  GENERIC: 16,
  SCSITRANSPORT: 18,
  ECRYPTFS: 19,
  RDMA: 20,
  CRYPTO: 21,
  SMC: 22,
};

/** AppArmor's family word for a domain argument (`AF_INET` -> `inet`, `AF_LOCAL` -> `unix`, `0x10` -> `netlink`). */
function familyWord(token: string): string | undefined {
  const v = addressFamilyValue(stripComments(token));
  if (v === undefined) return undefined;
  const name = addressFamilyName(v);
  return name.startsWith("AF_") ? name.slice(3).toLowerCase() : name;
}

function socketType(token: string): string | undefined {
  const f = parseFlags(token);
  for (const n of f.names) {
    if (n === "SOCK_CLOEXEC" || n === "SOCK_NONBLOCK") continue;
    if (n.startsWith("SOCK_")) return n.slice(5).toLowerCase();
  }
  const t = f.bits & 0xf;
  return SOCK_TYPES[t] ?? (t === 0 ? undefined : String(t));
}

/** The protocol word for a SocketUse (undefined for 0 / the family's default). */
function socketProtocol(token: string, family: string): string | undefined {
  const t = stripComments(token);
  const n = parseNumber(t);
  if (n !== undefined) {
    if (n === 0) return undefined;
    return family === "inet" || family === "inet6" ? (IPPROTO_NAMES[n] ?? String(n)) : String(n);
  }
  if (t.startsWith("IPPROTO_")) return t === "IPPROTO_IP" ? undefined : t.slice(8).toLowerCase();
  if (t.startsWith("NETLINK_")) {
    const v = NETLINK_PROTOCOLS[t.slice(8)];
    return v === undefined || v === 0 ? undefined : String(v);
  }
  // `htons(ETH_P_ALL)` for packet sockets and other forms AppArmor does not match on.
  return undefined;
}

/** The transport an inet socket's endpoints are shown with: tcp for stream, udp for dgram by default. */
function transportOf(family: string, type: string, protocol: string | undefined): string | undefined {
  if (family !== "inet" && family !== "inet6") return undefined;
  if (protocol === "tcp" || protocol === "udp" || protocol === "sctp" || protocol === "udplite" || protocol === "mptcp")
    return protocol === "mptcp" ? "tcp" : protocol;
  if (protocol !== undefined) return undefined;
  return type === "stream" ? "tcp" : type === "dgram" ? "udp" : undefined;
}

/** A socket from a `-yy` decoration (`TCP:[127.0.0.1:80]`, `UDPv6:[...]`, `UNIX-STREAM:[...]`). */
function socketFromDecoration(deco: PathText | undefined): { family: string; type: string; proto: string | undefined } | undefined {
  if (!deco?.ok) return undefined;
  const m = /^(TCP|UDP|UDPLITE|RAW|TCPv6|UDPv6|UDPLITEv6|RAWv6|UNIX(?:-STREAM|-DGRAM|-SEQPACKET)?|NETLINK):\[/.exec(deco.text);
  if (!m) return undefined;
  const k = m[1]!;
  if (k.startsWith("UNIX")) return { family: "unix", type: k === "UNIX-STREAM" ? "stream" : k === "UNIX-SEQPACKET" ? "seqpacket" : "dgram", proto: undefined };
  if (k === "NETLINK") return { family: "netlink", type: "raw", proto: undefined };
  const v6 = k.endsWith("v6");
  const base = v6 ? k.slice(0, -2) : k;
  const family = v6 ? "inet6" : "inet";
  if (base === "TCP") return { family, type: "stream", proto: "tcp" };
  if (base === "RAW") return { family, type: "raw", proto: undefined };
  return { family, type: "dgram", proto: base.toLowerCase() };
}

function formatIpv4(bytes: string): string {
  return [0, 1, 2, 3].map((i) => bytes.charCodeAt(i)).join(".");
}

/** RFC 5952 text for 16 bytes (what inet_ntop prints). */
function formatIpv6(bytes: string): string {
  const b = (i: number) => bytes.charCodeAt(i);
  if ([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].every((i) => b(i) === 0) && b(10) === 0xff && b(11) === 0xff) return `::ffff:${formatIpv4(bytes.slice(12))}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b(i) << 8) | b(i + 1));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** A port from `htons(8080)` or the raw `"\x1f\x90"` of `-X raw`. */
function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const v = stripComments(value);
  const m = /^htons\((\d+)\)$/.exec(v);
  if (m) return Number(m[1]);
  const d = decodeCString(v);
  if (d && d.bytes.length === 2) return (d.bytes.charCodeAt(0) << 8) | d.bytes.charCodeAt(1);
  return parseNumber(v);
}

type SockAddr = { family: "inet" | "inet6"; address: string; port: number } | { family: "unix"; path: PathText; abstract: boolean } | { family: "other" };

/** Reads a sockaddr struct as strace prints it (symbolic, `-X raw`, `-X verbose`); undefined when unreadable. */
function parseSockaddr(text: string): SockAddr | undefined {
  const fam = structField(text, "sa_family");
  if (fam === undefined) return undefined;
  const family = familyWord(fam);
  if (family === "inet") {
    const port = parsePort(structField(text, "sin_port"));
    const addrField = structField(text, "sin_addr");
    let address: string | undefined;
    if (addrField !== undefined) {
      const v = stripComments(addrField);
      const m = /^inet_addr\("([0-9.]+)"\)$/.exec(v);
      if (m) address = m[1];
      else {
        const d = decodeCString(v);
        if (d && d.bytes.length === 4) address = formatIpv4(d.bytes);
      }
    }
    return port === undefined || address === undefined ? undefined : { family, address, port };
  }
  if (family === "inet6") {
    const port = parsePort(structField(text, "sin6_port"));
    let address = /inet_pton\(AF_INET6,\s*"([0-9a-fA-F:.]+)"/.exec(text)?.[1];
    if (address === undefined) {
      const f = structField(text, "sin6_addr");
      const d = f === undefined ? undefined : decodeCString(stripComments(f));
      if (d && d.bytes.length === 16) address = formatIpv6(d.bytes);
    }
    return port === undefined || address === undefined ? undefined : { family, address, port };
  }
  if (family === "unix") {
    const f = structField(text, "sun_path");
    if (f === undefined) return undefined; // unnamed (autobind)
    const abstract = f.startsWith("@");
    const d = decodeCString(abstract ? f.slice(1) : f);
    if (!d) return undefined;
    return { family, path: checkPathBytes(d.bytes, d.truncated), abstract };
  }
  return { family: "other" };
}

// ---------------------------------------------------------------------------------------------
// Capabilities from argument values

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFDIR = 0o040000;

function modeType(token: string): number | undefined {
  const f = parseFlags(token);
  if (f.names.has("S_IFCHR")) return S_IFCHR;
  if (f.names.has("S_IFBLK")) return S_IFBLK;
  if (f.names.has("S_IFDIR")) return S_IFDIR;
  for (const n of f.names) if (n.startsWith("S_IF")) return -1;
  return f.bits & S_IFMT;
}

/** `{st_mode=S_IFDIR|0755, ...}` / `stx_mode=040755`: the call's result shows a directory. */
function statShowsDir(args: string): boolean {
  // Cheap pre-check: symbolic `S_IFDIR`, or an octal mode 04xxxx (`-X raw`).
  if (args.indexOf("S_IFDIR") < 0 && args.indexOf("_mode=04") < 0) return false;
  const m = /\bstx?_mode=([^,}]*)/.exec(args);
  return m !== undefined && m !== null && modeType(m[1]!) === S_IFDIR;
}

/** uid/gid `-1` (and its unsigned spellings) leaves the owner as is. */
function isNoChange(token: string | undefined): boolean {
  if (token === undefined) return true;
  const n = parseNumber(token);
  return n === -1 || n === 0xffffffff || n === 0xffff;
}

const SETUID_CALLS = new Set(["setuid", "setuid32", "setreuid", "setreuid32", "setresuid", "setresuid32", "setfsuid", "setfsuid32"]);
const SETGID_CALLS = new Set(["setgid", "setgid32", "setregid", "setregid32", "setresgid", "setresgid32", "setgroups", "setgroups32"]);

const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_THREAD = 0x10000;

// ---------------------------------------------------------------------------------------------

interface FileFacts {
  access: number;
  dir: boolean;
}

type Handler = (c: ResourceCollector, p: Proc, e: SyscallEvent, a: string[]) => void;

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
  private readonly byExe = new Map<string, ProcessFacts>();
  private readonly onActivity: ((a: ProcessActivity) => void) | undefined;
  /** How this run's strace wrote `-y` decorations, as far as seen. */
  readonly decorations: DecorationStyle = { deletedOutside: false };
  /** The event being handled, for problems found deep in resolution. */
  private current: SyscallEvent | undefined;

  constructor(options: { file: string; onActivity?: (a: ProcessActivity) => void }) {
    this.file = options.file;
    this.onActivity = options.onActivity;
  }

  observe(e: SyscallEvent): void {
    this.observeAt(e.pid, e);
  }

  /** A call of `pid` that eventMatters() rules out: it only counts towards the pending window. */
  observeBare(pid: number): void {
    this.observeAt(pid, BARE_EVENT);
  }

  private observeAt(pid: number, e: SyscallEvent): void {
    this.seen++;
    if (this.pending.size > 0) this.expirePending();
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
      if (q !== undefined || this.rootPid !== undefined) {
        // Not the first process and not announced by a clone yet: wait for it.
        if (q) q.events.push(e);
        else this.pending.set(pid, { since: this.seen, events: [e] });
        this.pendingTotal++;
        if ((q && q.events.length > PENDING_PER_PID) || this.pendingTotal > PENDING_TOTAL) this.releasePending(q ? pid : this.oldestPending());
        return;
      }
      this.rootPid = pid;
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
      if (first.done || this.seen - first.value[1].since <= PENDING_WINDOW) return;
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
    // close(fd) is among the most frequent calls and has one argument: no need to split.
    h(this, p, e, e.name === "close" ? [e.args] : splitArgs(e.args));
  }

  private setFdFromDecoration(p: Proc, e: SyscallEvent): void {
    const fd = parseNumber(e.retval);
    if (fd === undefined || fd < 0) return;
    const d = retDecorPath(e, this.decorations);
    if (d !== undefined && (!d.ok || isAbsolute(d.text))) {
      const path = this.decorationPath(d, []);
      p.files.set(fd, { desc: { kind: "file", path, resolved: path }, cloexec: false });
    } else {
      const s = socketFromDecoration(d);
      p.files.set(fd, { desc: s ? { kind: "socket", ...s, bound: undefined, listed: false } : { kind: "other" }, cloexec: false });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Recording

  problem(line: number, message: string): void {
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
  private decorationPath(deco: DecorationText | undefined, known: readonly (string | undefined)[], what = ""): string | undefined {
    if (deco === undefined) return undefined;
    const e = this.current;
    if (!deco.ok) {
      this.problem(e?.line ?? 0, `${e?.name ?? "call"}: ${what}${deco.message}`);
      return undefined;
    }
    if (!isAbsolute(deco.text)) return undefined;
    if (deco.orDeleted === undefined || known.includes(deco.text)) return deco.text;
    if (known.includes(deco.orDeleted)) return deco.orDeleted;
    this.problem(
      e?.line ?? 0,
      `${e?.name ?? "call"}: -y decoration ${showBytes(deco.text)} names either that file (strace 5.19 and later) or the deleted ${showBytes(deco.orDeleted)} (older strace); left out, the path argument is used`,
    );
    return undefined;
  }

  /** The directory an fd argument names, as { requested, resolved }; undefined when unknown. */
  private fdBase(p: Proc, fdTok: string | undefined): { base: string | undefined; baseResolved: string | undefined } | undefined {
    if (fdTok === undefined) return { base: p.fs.cwd, baseResolved: p.fs.cwdResolved };
    const fa = parseFdArg(fdTok, this.decorations);
    if (!fa) return undefined;
    if (fa.fd === "cwd") {
      const deco = this.decorationPath(fa.deco, [p.fs.cwd, p.fs.cwdResolved]);
      if (deco !== undefined) this.learnCwd(p.fs, deco);
      return { base: p.fs.cwd, baseResolved: p.fs.cwdResolved };
    }
    const ent = p.files.get(fa.fd);
    const desc = ent?.desc.kind === "file" ? ent.desc : undefined;
    const deco = this.decorationPath(fa.deco, desc ? [desc.path, desc.resolved] : []);
    if (deco !== undefined) {
      // The decoration is what the kernel holds; our table only adds the requested form when it agrees.
      if (desc && (desc.resolved ?? desc.path) === deco) return { base: desc.path ?? deco, baseResolved: deco };
      return { base: deco, baseResolved: deco };
    }
    if (!desc) return { base: undefined, baseResolved: undefined };
    return { base: desc.path ?? desc.resolved, baseResolved: desc.resolved };
  }

  /**
   * The path argument at `pathIdx` (relative to the dirfd at `dirfdIdx`, or to the cwd), made
   * absolute. Problems and unresolved paths are recorded here; undefined means nothing to add.
   * `fallback` is a resolved path the call itself revealed (`-y` on an open's result).
   */
  target(p: Proc, e: SyscallEvent, a: string[], dirfdIdx: number | undefined, pathIdx: number, fallback?: DecorationText): Target | undefined {
    const tok = a[pathIdx];
    if (tok === undefined) return undefined;
    const d = decodeString(tok);
    if (!d) return undefined; // NULL or an address strace could not read
    const pt = checkPathBytes(d.bytes, d.truncated);
    if (!pt.ok) {
      this.problem(e.line, `${e.name}: ${pt.message}`);
      return undefined;
    }
    return this.targetOf(p, e, pt.text, dirfdIdx === undefined ? undefined : a[dirfdIdx], fallback);
  }

  /** `rel` (already decoded and checked) made absolute against the dirfd token, or the cwd. */
  targetOf(p: Proc, e: SyscallEvent, rel: string, dirfdTok: string | undefined, fallback?: DecorationText): Target | undefined {
    const dir = rel.length > 1 && rel.endsWith("/");
    if (rel === "") return undefined;
    let path: string | undefined;
    let joined: string | undefined;
    if (isAbsolute(rel)) {
      // Still learn the cwd a `-y` decoration shows (`newfstatat(AT_FDCWD</srv>, "/etc/x", ...)`).
      if (dirfdTok !== undefined && dirfdTok.indexOf("<") > 0) this.fdBase(p, dirfdTok);
      path = normalizePath(rel);
    } else {
      const b = this.fdBase(p, dirfdTok);
      if (b?.base !== undefined) {
        path = joinPath(b.base, rel);
        if (b.baseResolved !== undefined && b.baseResolved !== b.base) joined = joinPath(b.baseResolved, rel);
      }
    }
    // The result's decoration is what the kernel opened; an ambiguous one is decided by the path argument.
    let fromDeco = fallback ? this.decorationPath(fallback, [path, joined], "resolved ") : undefined;
    if (fromDeco !== undefined && [path, joined].some((x) => x?.startsWith(`${fromDeco}>`))) {
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

  /** What an fd argument refers to, for fd-based effects (mmap, flock, getdents, ftruncate, fchdir). */
  fdTarget(p: Proc, tok: string | undefined): Target | undefined {
    if (tok === undefined) return undefined;
    const fa = parseFdArg(tok, this.decorations);
    if (!fa || fa.fd === "cwd") return undefined;
    if (fa.deco?.ok && !isAbsolute(fa.deco.text)) return undefined; // a socket, pipe or anon inode
    const ent = p.files.get(fa.fd);
    const desc = ent?.desc.kind === "file" ? ent.desc : undefined;
    const deco = this.decorationPath(fa.deco, desc ? [desc.path, desc.resolved] : []);
    if (deco !== undefined) {
      if (desc && (desc.resolved ?? desc.path) === deco) return { path: desc.path ?? deco, resolved: deco, dir: false };
      return { path: deco, resolved: undefined, dir: false };
    }
    if (!desc) return undefined;
    return { path: desc.path, resolved: desc.resolved, dir: false };
  }

  socketOf(p: Proc, tok: string | undefined): Extract<Description, { kind: "socket" }> | undefined {
    if (tok === undefined) return undefined;
    const fa = parseFdArg(tok, this.decorations);
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

  onClone(p: Proc, e: SyscallEvent, a: string[]): void {
    const child = parseNumber(e.retval);
    if (child === undefined || child <= 0) return;
    let shareFs = false;
    let shareFiles = false;
    let thread = false;
    if (e.name === "clone" || e.name === "clone3") {
      const flags = /flags=([^,}]*)/.exec(e.args)?.[1] ?? (e.name === "clone" ? a[0] : undefined);
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
  return HANDLERS.has(e.name) || (e.outcome === "ok" && hasFdDecoration(e));
}

/** Whether eventMatters() holds for every call named `name`, whatever its result. */
export function nameMatters(name: string): boolean {
  return HANDLERS.has(name);
}

/**
 * What observeBare() queues and handles: no handler reads it (handle() ignores a failed nameless
 * call). Not frozen, and its fields in TraceParser's order, so that handle() sees one object shape.
 */
const BARE_EVENT: SyscallEvent = { pid: -1, arch: "x86_64", name: "", known: true, args: "", outcome: "error", retval: "", errno: "", retDecor: "", line: 0 };

function newProc(): Proc {
  return { fs: { cwd: undefined, cwdResolved: undefined }, files: new Map(), exe: undefined, parent: undefined };
}

function endpointKey(ep: EndpointUse): string {
  return `${ep.family}\0${ep.proto ?? ""}\0${ep.address}\0${ep.port === undefined ? "" : String(ep.port).padStart(5, "0")}`;
}

function copyTable(t: FdTable): FdTable {
  const out: FdTable = new Map();
  for (const [fd, ent] of t) out.set(fd, { desc: ent.desc, cloexec: ent.cloexec });
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fdNumber(tok: string | undefined): number | undefined {
  if (tok === undefined) return undefined;
  const h = parseFdHead(tok);
  return h && h.fd !== "cwd" ? h.fd : undefined;
}

// ---------------------------------------------------------------------------------------------
// Handlers, by syscall name

/**
 * A call on a path (relative to the dirfd argument at `dirfdIdx`, or to the cwd) that grants
 * `access`. An empty path (AT_EMPTY_PATH) or NULL (utimensat) means the dirfd itself.
 */
function pathCall(dirfdIdx: number | undefined, pathIdx: number, access: number, opts: { dir?: boolean } = {}): Handler {
  return (c, p, e, a) => {
    // A stat result that shows a directory (`st_mode=S_IFDIR|0755`, `stx_mode=040755`) marks it one.
    const dir = opts.dir === true || (access === STAT && statShowsDir(e.args));
    if (a[pathIdx] === '""' || a[pathIdx] === "NULL") {
      if (dirfdIdx === undefined) return;
      // fstat-like calls on an fd: nothing to grant, only a directory to learn.
      if (access === STAT && !dir) return;
      const t = c.fdTarget(p, a[dirfdIdx]);
      if (t) c.addTarget(t, access, dir);
      return;
    }
    const t = c.target(p, e, a, dirfdIdx, pathIdx);
    if (t) c.addTarget(t, access, dir);
  };
}

function openCall(dirfdIdx: number | undefined, pathIdx: number, flagsIdx: number | "creat" | "how"): Handler {
  return (c, p, e, a) => {
    let mode: OpenMode;
    if (flagsIdx === "creat") mode = { access: WRITE | CREATE, dir: false, cloexec: false };
    else if (flagsIdx === "how") mode = openMode(structField(a[2] ?? "", "flags") ?? "0", e.arch);
    else mode = openMode(a[flagsIdx] ?? "0", e.arch);
    const deco = retDecorPath(e, c.decorations);
    const t = c.target(p, e, a, dirfdIdx, pathIdx, deco);
    if (t) {
      c.addTarget(t, mode.access, mode.dir);
      c.processOpened(p, e, t, mode.access, mode.dir);
    }
    const fd = parseNumber(e.retval);
    if (fd === undefined || fd < 0) return;
    const desc: Description =
      t !== undefined
        ? { kind: "file", path: t.path, resolved: t.resolved }
        : deco?.ok && !isAbsolute(deco.text)
          ? { kind: "other" }
          : { kind: "file", path: undefined, resolved: undefined };
    p.files.set(fd, { desc, cloexec: mode.cloexec });
  };
}

function execCall(dirfdIdx: number | undefined, pathIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    let t: Target | undefined;
    const emptyPath = flagsIdx !== undefined && a[pathIdx] === '""' && hasFlag(parseFlags(a[flagsIdx] ?? "0"), "AT_EMPTY_PATH", 0x1000);
    if (emptyPath && dirfdIdx !== undefined) t = c.fdTarget(p, a[dirfdIdx]);
    else t = c.target(p, e, a, dirfdIdx, pathIdx);
    const parent = p.exe;
    if (t) {
      c.addTarget(t, EXEC);
      const path = t.path ?? t.resolved!;
      c.addExec(path, parent);
      p.exe = path;
      c.processSpawned(p, e, path);
    } else p.exe = undefined;
    // The new program gets a private fd table without the close-on-exec fds.
    const files: FdTable = new Map();
    for (const [fd, ent] of p.files) if (!ent.cloexec) files.set(fd, { desc: ent.desc, cloexec: false });
    p.files = files;
  };
}

function fdEffect(fdIdx: number, access: number, dir = false): Handler {
  return (c, p, _e, a) => {
    const t = c.fdTarget(p, a[fdIdx]);
    if (t) c.addTarget(t, access, dir);
  };
}

function chownCall(dirfdIdx: number | undefined, pathIdx: number | undefined, uidIdx: number): Handler {
  return (c, p, e, a) => {
    if (pathIdx === undefined || a[pathIdx] === '""') {
      const t = c.fdTarget(p, a[dirfdIdx ?? 0]);
      if (t) c.addTarget(t, WRITE);
    } else {
      const t = c.target(p, e, a, dirfdIdx, pathIdx);
      if (t) c.addTarget(t, WRITE);
    }
    if (!isNoChange(a[uidIdx]) || !isNoChange(a[uidIdx + 1])) c.addCapability("chown", e);
  };
}

function mknodCall(dirfdIdx: number | undefined, pathIdx: number): Handler {
  return (c, p, e, a) => {
    const t = c.target(p, e, a, dirfdIdx, pathIdx);
    if (t) c.addTarget(t, CREATE);
    const type = modeType(a[pathIdx + 1] ?? "0");
    if (type === S_IFCHR || type === S_IFBLK) c.addCapability("mknod", e);
  };
}

/** rename: AppArmor checks read+write+delete on the source, write+create on the destination (apparmor_path_rename). */
function renameCall(oldDir: number | undefined, oldIdx: number, newDir: number | undefined, newIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    const exchange = flagsIdx !== undefined && hasFlag(parseFlags(a[flagsIdx] ?? "0"), "RENAME_EXCHANGE", 0x2);
    const from = c.target(p, e, a, oldDir, oldIdx);
    const to = c.target(p, e, a, newDir, newIdx);
    if (from) c.addTarget(from, READ | DELETE | (exchange ? CREATE : 0));
    if (to) c.addTarget(to, CREATE | (exchange ? READ | DELETE : 0));
  };
}

/** link: AppArmor's `l` is checked on the new name; the target is only touched. */
function linkCall(oldDir: number | undefined, oldIdx: number, newDir: number | undefined, newIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    const emptyPath = flagsIdx !== undefined && a[oldIdx] === '""';
    const from = emptyPath && oldDir !== undefined ? c.fdTarget(p, a[oldDir]) : c.target(p, e, a, oldDir, oldIdx);
    const to = c.target(p, e, a, newDir, newIdx);
    if (from) c.addTarget(from, STAT);
    if (to) c.addTarget(to, LINK | CREATE);
  };
}

function chdirCall(): Handler {
  return (c, p, e, a) => {
    const t = c.target(p, e, a, undefined, 0);
    if (t) c.addTarget(t, STAT, true);
    // Unknown stays unknown: a relative chdir from an unknown cwd cannot be followed.
    p.fs.cwd = t?.path ?? t?.resolved;
    p.fs.cwdResolved = t?.resolved;
  };
}

function dupCall(kind: "dup" | "dup2" | "dup3"): Handler {
  return (_c, p, e, a) => {
    const from = fdNumber(a[0]);
    const to = parseNumber(e.retval);
    if (from === undefined || to === undefined || to < 0) return;
    const ent = p.files.get(from);
    const cloexec = kind === "dup3" && hasFlag(parseFlags(a[2] ?? "0"), "O_CLOEXEC", O_CLOEXEC);
    if (from === to) return;
    if (ent) p.files.set(to, { desc: ent.desc, cloexec });
    else p.files.delete(to);
  };
}

const F_DUPFD = 0;
const F_SETFD = 2;
const F_DUPFD_CLOEXEC = 1030;
const LOCK_CMDS = new Map<string, number>([
  ["F_SETLK", 6],
  ["F_SETLKW", 7],
  ["F_SETLK64", 13],
  ["F_SETLKW64", 14],
  ["F_OFD_SETLK", 37],
  ["F_OFD_SETLKW", 38],
]);
const LOCK_NUMS = new Set(LOCK_CMDS.values());

function fcntlCall(): Handler {
  return (c, p, e, a) => {
    const fd = fdNumber(a[0]);
    if (fd === undefined) return;
    const cmdText = stripComments(a[1] ?? "");
    const cmd = parseNumber(cmdText);
    const is = (name: string, num: number) => cmdText === name || cmd === num;
    if (is("F_DUPFD", F_DUPFD) || is("F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC)) {
      const to = parseNumber(e.retval);
      const ent = p.files.get(fd);
      if (to === undefined || to < 0) return;
      if (ent) p.files.set(to, { desc: ent.desc, cloexec: is("F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC) });
      else p.files.delete(to);
    } else if (is("F_SETFD", F_SETFD)) {
      const ent = p.files.get(fd);
      if (ent) ent.cloexec = hasFlag(parseFlags(a[2] ?? "0"), "FD_CLOEXEC", 1);
    } else if (LOCK_CMDS.has(cmdText) || (cmd !== undefined && LOCK_NUMS.has(cmd))) {
      const t = c.fdTarget(p, a[0]);
      if (t) c.addTarget(t, LOCK);
    }
  };
}

function closeRangeCall(): Handler {
  return (_c, p, _e, a) => {
    const first = parseNumber(a[0] ?? "");
    const lastTok = stripComments(a[1] ?? "");
    const last = lastTok.startsWith("~") ? Infinity : (parseNumber(lastTok) ?? Infinity);
    if (first === undefined) return;
    const cloexec = hasFlag(parseFlags(a[2] ?? "0"), "CLOSE_RANGE_CLOEXEC", 4);
    for (const [fd, ent] of [...p.files]) {
      if (fd < first || fd > last) continue;
      if (cloexec) ent.cloexec = true;
      else p.files.delete(fd);
    }
  };
}

/** Calls returning fds that are neither files nor sockets, as `[a, b]` (pipes) or the return value. */
function otherFdCall(pairIdx: number | undefined, cloexecFlag?: { idx: number; name: string; bit: number }): Handler {
  return (_c, p, e, a) => {
    const cloexec = cloexecFlag !== undefined && hasFlag(parseFlags(a[cloexecFlag.idx] ?? "0"), cloexecFlag.name, cloexecFlag.bit);
    if (pairIdx === undefined) {
      const fd = parseNumber(e.retval);
      if (fd !== undefined && fd >= 0) p.files.set(fd, { desc: { kind: "other" }, cloexec });
      return;
    }
    for (const fd of fdPair(a[pairIdx])) p.files.set(fd, { desc: { kind: "other" }, cloexec });
  };
}

function fdPair(tok: string | undefined): number[] {
  if (tok === undefined) return [];
  const out: number[] = [];
  for (const m of tok.matchAll(/(?:^\[|,)\s*(\d+)/g)) out.push(Number(m[1]));
  return out;
}

function socketCall(pair: boolean): Handler {
  return (c, p, e, a) => {
    const family = familyWord(a[0] ?? "");
    const type = socketType(a[1] ?? "");
    if (family === undefined || type === undefined) return;
    const protocol = socketProtocol(a[2] ?? "0", family);
    c.addSocket(protocol === undefined ? { family, type } : { family, type, protocol });
    if (family === "packet" || (type === "raw" && (family === "inet" || family === "inet6"))) c.addCapability("net_raw", e);
    const cloexec = hasFlag(parseFlags(a[1] ?? ""), "SOCK_CLOEXEC", O_CLOEXEC);
    const fds = pair ? fdPair(a[3]) : [parseNumber(e.retval) ?? -1];
    for (const fd of fds) {
      if (fd < 0) continue;
      p.files.set(fd, { desc: { kind: "socket", family, type, proto: transportOf(family, type, protocol), bound: undefined, listed: false }, cloexec });
    }
  };
}

function acceptCall(): Handler {
  return (c, p, e, a) => {
    const fd = parseNumber(e.retval);
    if (fd === undefined || fd < 0) return;
    const s = c.socketOf(p, a[0]);
    const cloexec = hasFlag(parseFlags(a[3] ?? "0"), "SOCK_CLOEXEC", O_CLOEXEC);
    // The local port is the listening socket's (from its bind), else what -yy shows on the new fd.
    const local = s?.bound !== undefined && s.bound.port !== 0 ? s.bound : localEndpointFromDecoration(retDecorPath(e, c.decorations), s);
    c.processAccepted(p, e, local);
    p.files.set(fd, {
      desc: s ? { kind: "socket", family: s.family, type: s.type, proto: s.proto, bound: undefined, listed: true } : { kind: "other" },
      cloexec,
    });
  };
}

/** An endpoint from a sockaddr, for the socket `s`; unix paths resolved like file paths. Also records the socket file. */
function endpointOf(
  c: ResourceCollector,
  p: Proc,
  e: SyscallEvent,
  addr: SockAddr,
  s: { proto: string | undefined } | undefined,
  fileAccess: number,
): EndpointUse | undefined {
  if (addr.family === "other") return undefined;
  if (addr.family === "unix") {
    if (!addr.path.ok) {
      c.problem(e.line, `${e.name}: unix socket ${addr.path.message}`);
      return undefined;
    }
    if (addr.abstract) return { family: "unix", address: `@${addr.path.text}` };
    if (addr.path.text === "") return undefined;
    // Resolve like a path argument (binding a relative name creates it in the cwd).
    const t = c.targetOf(p, e, addr.path.text, undefined);
    if (!t) return undefined;
    c.addTarget(t, fileAccess);
    return { family: "unix", address: t.path ?? t.resolved! };
  }
  // strace prints a 16-bit port and inet_ntop's text: anything else was not written by strace.
  const bad =
    !Number.isInteger(addr.port) || addr.port < 0 || addr.port > 65535
      ? `port ${addr.port} is not from 0 to 65535`
      : addr.family === "inet" && !IPV4.test(addr.address)
        ? `address ${showBytes(addr.address)} is not an IPv4 address`
        : addr.family === "inet6" && !isIpv6Text(addr.address)
          ? `address ${showBytes(addr.address)} is not an IPv6 address`
          : undefined;
  if (bad !== undefined) {
    c.problem(e.line, `${e.name}: ${bad}; the endpoint is left out`);
    return undefined;
  }
  return s?.proto === undefined
    ? { family: addr.family, address: addr.address, port: addr.port }
    : { family: addr.family, proto: s.proto, address: addr.address, port: addr.port };
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** inet_ntop's IPv6 text: up to 8 groups of 1-4 hex digits, at most one `::`, optionally ending in IPv4. */
function isIpv6Text(a: string): boolean {
  const halves = a.split("::");
  if (halves.length > 2) return false;
  const groups = (h: string): string[] => (h === "" ? [] : h.split(":"));
  const all = halves.flatMap(groups);
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i]!;
    if (i === all.length - 1 && IPV4.test(g)) n += 2;
    else if (/^[0-9a-fA-F]{1,4}$/.test(g)) n += 1;
    else return false;
  }
  return halves.length === 2 ? n < 8 : n === 8;
}

function bindCall(): Handler {
  return (c, p, e, a) => {
    const addr = parseSockaddr(a[1] ?? "");
    if (!addr) return;
    const s = c.socketOf(p, a[0]);
    // Binding a unix socket to a path creates the socket file.
    const ep = endpointOf(c, p, e, addr, s, CREATE);
    if (!ep) return;
    if ((addr.family === "inet" || addr.family === "inet6") && addr.port > 0 && addr.port < 1024) c.addCapability("net_bind_service", e);
    if (!s) return;
    s.bound = ep;
    // A datagram socket receives once bound; a stream socket only once it listens.
    if (s.type === "dgram" && !s.listed) {
      s.listed = true;
      c.addEndpoint("listens", ep);
      c.processEndpoint(p, e, "listen", ep);
    }
  };
}

function listenCall(): Handler {
  return (c, p, e, a) => {
    const s = c.socketOf(p, a[0]);
    if (!s?.bound || s.listed) return;
    s.listed = true;
    c.addEndpoint("listens", s.bound);
    c.processEndpoint(p, e, "listen", s.bound);
  };
}

/** The local address of an inet socket from a `-yy` decoration (`TCP:[127.0.0.1:8080->127.0.0.1:5555]`, `TCPv6:[[::1]:8080]`). */
function localEndpointFromDecoration(deco: DecorationText | undefined, s: { proto: string | undefined } | undefined): EndpointUse | undefined {
  if (!deco?.ok) return undefined;
  const m = /^(TCP|UDP)(v6)?:\[(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d+)(?:->|\])/.exec(deco.text);
  if (!m) return undefined;
  const proto = s?.proto ?? m[1]!.toLowerCase();
  return { family: m[2] ? "inet6" : "inet", proto, address: (m[3] ?? m[4])!, port: Number(m[5]) };
}

function connectCall(addrIdx: number): Handler {
  return (c, p, e, a) => {
    const tok = a[addrIdx];
    if (tok === undefined || tok === "NULL") return;
    const addr = parseSockaddr(tok);
    if (!addr) return;
    const s = c.socketOf(p, a[0]);
    // Connecting to a named unix socket needs write access to its file.
    const ep = endpointOf(c, p, e, addr, s, WRITE);
    if (ep) {
      c.addEndpoint("connects", ep);
      c.processEndpoint(p, e, "connect", ep);
    }
  };
}

/** sendmsg/sendmmsg: every `msg_name={...}` is a destination. */
function sendmsgCall(): Handler {
  return (c, p, e, a) => {
    const s = c.socketOf(p, a[0]);
    for (const m of e.args.matchAll(/msg_name=\{/g)) {
      const start = m.index + m[0].length - 1;
      const end = matchingBrace(e.args, start);
      if (end < 0) continue;
      const addr = parseSockaddr(e.args.slice(start, end + 1));
      if (!addr) continue;
      const ep = endpointOf(c, p, e, addr, s, WRITE);
      if (ep) {
        c.addEndpoint("connects", ep);
        c.processEndpoint(p, e, "connect", ep);
      }
    }
  };
}

function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x22) {
      i = skipString(s, i) - 1;
      continue;
    }
    if (ch === 0x7b) depth++;
    else if (ch === 0x7d && --depth === 0) return i;
  }
  return -1;
}

function mmapCall(): Handler {
  return (c, p, _e, a) => {
    const prot = parseFlags(a[2] ?? "0");
    if (!hasFlag(prot, "PROT_EXEC", 0x4)) return;
    const t = c.fdTarget(p, a[4]);
    if (t) c.addTarget(t, MAP);
  };
}

const PTRACE_ATTACH = 16;
const PTRACE_SEIZE = 0x4206;

const HANDLERS = new Map<string, Handler>([
  // Opens: the fd table and the access their flags ask for.
  ["open", openCall(undefined, 0, 1)],
  ["openat", openCall(0, 1, 2)],
  ["openat2", openCall(0, 1, "how")],
  ["creat", openCall(undefined, 0, "creat")],
  ["execve", execCall(undefined, 0, undefined)],
  ["execveat", execCall(0, 1, 4)],
  // Metadata reads: no AppArmor rule needed, still worth knowing.
  ...[
    "stat",
    "lstat",
    "stat64",
    "lstat64",
    "oldstat",
    "oldlstat",
    "statfs",
    "statfs64",
    "access",
    "readlink",
    "getxattr",
    "lgetxattr",
    "listxattr",
    "llistxattr",
  ].map((n) => [n, pathCall(undefined, 0, STAT)] as [string, Handler]),
  ...["newfstatat", "fstatat64", "statx", "faccessat", "faccessat2", "readlinkat"].map((n) => [n, pathCall(0, 1, STAT)] as [string, Handler]),
  ["inotify_add_watch", pathCall(0, 1, STAT)],
  // Metadata writes: AppArmor grants chmod/chown/setattr with `w`.
  ...["truncate", "truncate64", "chmod", "utime", "utimes", "setxattr", "lsetxattr", "removexattr", "lremovexattr"].map(
    (n) => [n, pathCall(undefined, 0, WRITE)] as [string, Handler],
  ),
  ...["fchmodat", "fchmodat2", "futimesat", "utimensat"].map((n) => [n, pathCall(0, 1, WRITE)] as [string, Handler]),
  ["unlink", pathCall(undefined, 0, DELETE)],
  [
    "unlinkat",
    (c, p, e, a) => {
      const t = c.target(p, e, a, 0, 1);
      if (t) c.addTarget(t, DELETE, hasFlag(parseFlags(a[2] ?? "0"), "AT_REMOVEDIR", 0x200));
    },
  ],
  ["rmdir", pathCall(undefined, 0, DELETE, { dir: true })],
  ["mkdir", pathCall(undefined, 0, CREATE, { dir: true })],
  ["mkdirat", pathCall(0, 1, CREATE, { dir: true })],
  ["rename", renameCall(undefined, 0, undefined, 1, undefined)],
  ["renameat", renameCall(0, 1, 2, 3, undefined)],
  ["renameat2", renameCall(0, 1, 2, 3, 4)],
  ["link", linkCall(undefined, 0, undefined, 1, undefined)],
  ["linkat", linkCall(0, 1, 2, 3, 4)],
  // The symlink's target is stored text, not a path the call touches: only the new name counts.
  ["symlink", pathCall(undefined, 1, CREATE)],
  ["symlinkat", pathCall(1, 2, CREATE)],
  ["mknod", mknodCall(undefined, 0)],
  ["mknodat", mknodCall(0, 1)],
  ["chown", chownCall(undefined, 0, 1)],
  ["lchown", chownCall(undefined, 0, 1)],
  ["chown32", chownCall(undefined, 0, 1)],
  ["lchown32", chownCall(undefined, 0, 1)],
  ["fchownat", chownCall(0, 1, 2)],
  ["fchown", chownCall(0, undefined, 1)],
  ["fchown32", chownCall(0, undefined, 1)],
  ["fchmod", fdEffect(0, WRITE)],
  ["chdir", chdirCall()],
  [
    "fchdir",
    (c, p, _e, a) => {
      const t = c.fdTarget(p, a[0]);
      if (t) c.addTarget(t, STAT, true);
      p.fs.cwd = t?.path ?? t?.resolved;
      p.fs.cwdResolved = t?.resolved;
    },
  ],
  [
    "chroot",
    (c, p, e, a) => {
      // Later absolute paths are relative to the new root: a limitation we do not model.
      const t = c.target(p, e, a, undefined, 0);
      if (t) c.addTarget(t, STAT, true);
      c.addCapability("sys_chroot", e);
    },
  ],
  [
    "getcwd",
    (c, p, e, a) => {
      const d = decodeCString(a[0] ?? "");
      if (!d) return;
      const pt = checkPathBytes(d.bytes, d.truncated);
      if (!pt.ok) {
        c.problem(e.line, `getcwd: ${pt.message}`);
        return;
      }
      // `(unreachable)/...` when the cwd lies outside the process's root.
      if (!isAbsolute(pt.text)) return;
      // The kernel's answer is the resolved cwd.
      c.learnCwd(p.fs, pt.text);
    },
  ],
  // fd-based effects
  ["mmap", mmapCall()],
  ["mmap2", mmapCall()],
  ["flock", fdEffect(0, LOCK)],
  ["fcntl", fcntlCall()],
  ["fcntl64", fcntlCall()],
  ["getdents", fdEffect(0, READ, true)],
  ["getdents64", fdEffect(0, READ, true)],
  ["ftruncate", fdEffect(0, WRITE)],
  ["ftruncate64", fdEffect(0, WRITE)],
  // fd table
  ["dup", dupCall("dup")],
  ["dup2", dupCall("dup2")],
  ["dup3", dupCall("dup3")],
  [
    "close",
    (_c, p, _e, a) => {
      const fd = fdNumber(a[0]);
      if (fd !== undefined) p.files.delete(fd);
    },
  ],
  ["close_range", closeRangeCall()],
  ["pipe", otherFdCall(0)],
  ["pipe2", otherFdCall(0, { idx: 1, name: "O_CLOEXEC", bit: O_CLOEXEC })],
  ...[
    "eventfd",
    "eventfd2",
    "epoll_create",
    "epoll_create1",
    "timerfd_create",
    "signalfd",
    "signalfd4",
    "memfd_create",
    "inotify_init",
    "inotify_init1",
    "fanotify_init",
    "userfaultfd",
    "pidfd_open",
    "perf_event_open",
    "io_uring_setup",
  ].map((n) => [n, otherFdCall(undefined)] as [string, Handler]),
  ["socket", socketCall(false)],
  ["socketpair", socketCall(true)],
  ["accept", acceptCall()],
  ["accept4", acceptCall()],
  ["bind", bindCall()],
  ["listen", listenCall()],
  ["connect", connectCall(1)],
  ["sendto", connectCall(4)],
  ["sendmsg", sendmsgCall()],
  ["sendmmsg", sendmsgCall()],
  // processes
  ["clone", (c, p, e, a) => c.onClone(p, e, a)],
  ["clone3", (c, p, e, a) => c.onClone(p, e, a)],
  ["fork", (c, p, e, a) => c.onClone(p, e, a)],
  ["vfork", (c, p, e, a) => c.onClone(p, e, a)],
  ["exit", (c, _p, e) => c.onExit(e)],
  ["exit_group", (c, _p, e) => c.onExit(e)],
  // capabilities
  ...[...SETUID_CALLS].map((n) => [n, (c: ResourceCollector, _p: Proc, e: SyscallEvent) => c.addCapability("setuid", e)] as [string, Handler]),
  ...[...SETGID_CALLS].map((n) => [n, (c: ResourceCollector, _p: Proc, e: SyscallEvent) => c.addCapability("setgid", e)] as [string, Handler]),
  [
    "ptrace",
    (c, _p, e, a) => {
      const req = stripComments(a[0] ?? "");
      const n = parseNumber(req);
      if (req === "PTRACE_ATTACH" || req === "PTRACE_SEIZE" || n === PTRACE_ATTACH || n === PTRACE_SEIZE) c.addCapability("sys_ptrace", e);
    },
  ],
]);
