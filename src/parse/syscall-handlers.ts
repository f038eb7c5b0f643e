// Handlers, by syscall name: what each call's arguments tell the ResourceCollector.

import type { EndpointUse } from "../model/resources.js";
import type { SyscallEvent } from "../model/trace.js";
import { READ, WRITE, CREATE, DELETE, EXEC, MAP, LINK, LOCK, STAT } from "./access-bits.js";
import { parseNumber, parseFlags, hasFlag, structField, O_CLOEXEC, type OpenMode, openMode, showBytes, checkPathBytes } from "./arg-text.js";
import { type ArgList, decodeCString, fastDecorationEnd, ownCopy } from "./args.js";
import { S_IFCHR, S_IFBLK, modeType, statShowsDir, isNoChange, SETUID_CALLS, SETGID_CALLS } from "./capability-args.js";
import { type DecorationText, retDecorPath, fdNumber, withoutTiming } from "./decorations.js";
import { isAbsolute } from "./paths.js";
import type { Description, FdTable, Proc, Target } from "./process-state.js";
import type { ResourceCollector } from "./resources.js";
import { isDecorationStart, skipString } from "./scan.js";
import { familyWord, socketType, socketProtocol, transportOf, type SockAddr, parseSockaddr } from "./sockets.js";
import { stripComments } from "./strace-number.js";
import type { IdleTest } from "./trace-parser.js";

type Handler = (c: ResourceCollector, p: Proc, e: SyscallEvent, a: ArgList) => void;

/**
 * A call on a path (relative to the dirfd argument at `dirfdIdx`, or to the cwd) that grants
 * `access`. An empty path (AT_EMPTY_PATH) or NULL (utimensat) means the dirfd itself.
 */
function pathCall(dirfdIdx: number | undefined, pathIdx: number, access: number, opts: { dir?: boolean } = {}): Handler {
  return (c, p, e, a) => {
    // The same call again, where its text decides the target (PureCall): granted already.
    const seen = c.pureSeen(e);
    if (seen !== undefined && repeatable(c, p, seen)) return;
    // A stat result that shows a directory (`st_mode=S_IFDIR|0755`, `stx_mode=040755`) marks it one.
    const dir = opts.dir === true || (access === STAT && statShowsDir(e.args));
    const problems = c.problemCalls;
    if (a.at(pathIdx) === '""' || a.at(pathIdx) === "NULL") {
      if (dirfdIdx === undefined) return;
      // fstat-like calls on an fd: nothing to grant, only a directory to learn.
      if (access === STAT && !dir) return;
      const t = c.fdTarget(p, a.at(dirfdIdx));
      if (t) c.addTarget(t, access, dir);
      return;
    }
    const t = c.target(p, e, a, dirfdIdx, pathIdx);
    if (t) {
      c.addTarget(t, access, dir);
      // Not a call that reported a problem: its repeats must report it too (or count it, past the cap).
      const pure = c.problemCalls === problems ? pureCall(c, p, a, dirfdIdx, pathIdx) : undefined;
      if (pure) c.rememberPure(e, pure);
    }
  };
}

/**
 * What a call whose target its text decides did, to do again when the same text recurs (pureSeen).
 * For an absolute path the kernel ignores the dirfd, so the text alone decides the target; a
 * relative one against the cwd (no dirfd, or AT_FDCWD) is decided by the text and the process's cwd,
 * which a repeat checks (`base`). The grant is made already. What remains is the cwd a `-y`
 * AT_FDCWD teaches the process, and, for an open, the process's own facts and its fd table (also
 * decided by the result's decoration and the arch: they are checked).
 */
export interface PureCall {
  /** The cwd the dirfd argument (`AT_FDCWD</srv>`) teaches the process; null when none. */
  cwd: string | null;
  /** For a relative path: the process's cwd (requested and resolved) it was resolved against, once `cwd` was learnt. */
  base?: { cwd: string | undefined; cwdResolved: string | undefined };
  open?: { decor: string; arch: SyscallEvent["arch"]; t: Target; access: number; dir: boolean; desc: Description; cloexec: boolean };
}

/** The start of a PureCall for the call in `a` just handled for `p`, if its text and `p`'s cwd decide its target. */
function pureCall(c: ResourceCollector, p: Proc, a: ArgList, dirfdIdx: number | undefined, pathIdx: number): PureCall | undefined {
  const tok = dirfdIdx === undefined ? undefined : a.at(dirfdIdx);
  const cwd = c.pureCwd(tok);
  if (cwd === undefined) return undefined;
  if (a.at(pathIdx)!.startsWith('"/')) return { cwd };
  // Relative to an fd: its table entry decides; not remembered.
  if (tok !== undefined && !tok.startsWith("AT_FDCWD")) return undefined;
  return { cwd, base: { cwd: p.fs.cwd, cwdResolved: p.fs.cwdResolved } };
}

/** Whether `p` is where a remembered call can be repeated: it learns the cwd the call teaches, then must have the cwd the call was resolved against. */
function repeatable(c: ResourceCollector, p: Proc, seen: PureCall): boolean {
  if (seen.cwd !== null) c.learnCwd(p.fs, seen.cwd);
  const b = seen.base;
  return b === undefined || (p.fs.cwd === b.cwd && p.fs.cwdResolved === b.cwdResolved);
}

function openCall(dirfdIdx: number | undefined, pathIdx: number, flagsIdx: number | "creat" | "how"): Handler {
  return (c, p, e, a) => {
    // The same open again (text, decoration, arch), where its text decides the target (PureCall):
    // the file is granted already; the process's own facts and its fd table are what change.
    const pure0 = c.pureSeen(e);
    const seen = pure0?.open;
    // The decoration read without its -T time, which changes every call and decides nothing.
    if (seen !== undefined && (seen.decor === e.retDecor || seen.decor === withoutTiming(e.retDecor)) && seen.arch === e.arch && repeatable(c, p, pure0!)) {
      c.processOpened(p, e, seen.t, seen.access, seen.dir);
      const fd = parseNumber(e.retval);
      if (fd !== undefined && fd >= 0) p.files.set(fd, { desc: seen.desc, cloexec: seen.cloexec });
      return;
    }
    const problems = c.problemCalls;
    let mode: OpenMode;
    if (flagsIdx === "creat") mode = { access: WRITE | CREATE, dir: false, cloexec: false };
    else if (flagsIdx === "how") mode = openMode(structField(a.at(2) ?? "", "flags") ?? "0", e.arch);
    else mode = openMode(a.at(flagsIdx) ?? "0", e.arch);
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
    // A `(deleted)` decoration is read by a style learnt as the run goes: not remembered.
    const pure = t !== undefined && c.problemCalls === problems && !e.retDecor.includes("(deleted)") ? pureCall(c, p, a, dirfdIdx, pathIdx) : undefined;
    if (pure)
      c.rememberPure(e, {
        ...pure,
        open: { decor: ownCopy(withoutTiming(e.retDecor)), arch: e.arch, t: t!, access: mode.access, dir: mode.dir, desc, cloexec: mode.cloexec },
      });
  };
}

function execCall(dirfdIdx: number | undefined, pathIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    let t: Target | undefined;
    const emptyPath = flagsIdx !== undefined && a.at(pathIdx) === '""' && hasFlag(parseFlags(a.at(flagsIdx) ?? "0"), "AT_EMPTY_PATH", 0x1000);
    if (emptyPath && dirfdIdx !== undefined) t = c.fdTarget(p, a.at(dirfdIdx));
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
    const t = c.fdTarget(p, a.at(fdIdx));
    if (t) c.addTarget(t, access, dir);
  };
}

function chownCall(dirfdIdx: number | undefined, pathIdx: number | undefined, uidIdx: number): Handler {
  return (c, p, e, a) => {
    if (pathIdx === undefined || a.at(pathIdx) === '""') {
      const t = c.fdTarget(p, a.at(dirfdIdx ?? 0));
      if (t) c.addTarget(t, WRITE);
    } else {
      const t = c.target(p, e, a, dirfdIdx, pathIdx);
      if (t) c.addTarget(t, WRITE);
    }
    if (!isNoChange(a.at(uidIdx)) || !isNoChange(a.at(uidIdx + 1))) c.addCapability("chown", e);
  };
}

function mknodCall(dirfdIdx: number | undefined, pathIdx: number): Handler {
  return (c, p, e, a) => {
    const t = c.target(p, e, a, dirfdIdx, pathIdx);
    if (t) c.addTarget(t, CREATE);
    const type = modeType(a.at(pathIdx + 1) ?? "0");
    if (type === S_IFCHR || type === S_IFBLK) c.addCapability("mknod", e);
  };
}

/** rename: AppArmor checks read+write+delete on the source, write+create on the destination (apparmor_path_rename). */
function renameCall(oldDir: number | undefined, oldIdx: number, newDir: number | undefined, newIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    const exchange = flagsIdx !== undefined && hasFlag(parseFlags(a.at(flagsIdx) ?? "0"), "RENAME_EXCHANGE", 0x2);
    const from = c.target(p, e, a, oldDir, oldIdx);
    const to = c.target(p, e, a, newDir, newIdx);
    if (from) c.addTarget(from, READ | DELETE | (exchange ? CREATE : 0));
    if (to) c.addTarget(to, CREATE | (exchange ? READ | DELETE : 0));
  };
}

/** link: AppArmor's `l` is checked on the new name; the target is only touched. */
function linkCall(oldDir: number | undefined, oldIdx: number, newDir: number | undefined, newIdx: number, flagsIdx: number | undefined): Handler {
  return (c, p, e, a) => {
    const emptyPath = flagsIdx !== undefined && a.at(oldIdx) === '""';
    const from = emptyPath && oldDir !== undefined ? c.fdTarget(p, a.at(oldDir)) : c.target(p, e, a, oldDir, oldIdx);
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
    const from = fdNumber(a.at(0));
    const to = parseNumber(e.retval);
    if (from === undefined || to === undefined || to < 0) return;
    const ent = p.files.get(from);
    const cloexec = kind === "dup3" && hasFlag(parseFlags(a.at(2) ?? "0"), "O_CLOEXEC", O_CLOEXEC);
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
    const fd = fdNumber(a.at(0));
    if (fd === undefined) return;
    const cmdText = stripComments(a.at(1) ?? "");
    const cmd = parseNumber(cmdText);
    if (isCmd(cmdText, cmd, "F_DUPFD", F_DUPFD) || isCmd(cmdText, cmd, "F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC)) {
      const to = parseNumber(e.retval);
      const ent = p.files.get(fd);
      if (to === undefined || to < 0) return;
      if (ent) p.files.set(to, { desc: ent.desc, cloexec: isCmd(cmdText, cmd, "F_DUPFD_CLOEXEC", F_DUPFD_CLOEXEC) });
      else p.files.delete(to);
    } else if (isCmd(cmdText, cmd, "F_SETFD", F_SETFD)) {
      const ent = p.files.get(fd);
      if (ent) ent.cloexec = hasFlag(parseFlags(a.at(2) ?? "0"), "FD_CLOEXEC", 1);
    } else if (LOCK_CMDS.has(cmdText) || (cmd !== undefined && LOCK_NUMS.has(cmd))) {
      const t = c.fdTarget(p, a.at(0));
      if (t) c.addTarget(t, LOCK);
    }
  };
}

/** An fcntl command given by name or number (no closure per call: fcntl is frequent). */
function isCmd(text: string, num: number | undefined, name: string, value: number): boolean {
  return text === name || num === value;
}

function closeRangeCall(): Handler {
  return (_c, p, _e, a) => {
    const first = parseNumber(a.at(0) ?? "");
    const lastTok = stripComments(a.at(1) ?? "");
    const last = lastTok.startsWith("~") ? Infinity : (parseNumber(lastTok) ?? Infinity);
    if (first === undefined) return;
    const cloexec = hasFlag(parseFlags(a.at(2) ?? "0"), "CLOSE_RANGE_CLOEXEC", 4);
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
    const cloexec = cloexecFlag !== undefined && hasFlag(parseFlags(a.at(cloexecFlag.idx) ?? "0"), cloexecFlag.name, cloexecFlag.bit);
    if (pairIdx === undefined) {
      const fd = parseNumber(e.retval);
      if (fd !== undefined && fd >= 0) p.files.set(fd, { desc: { kind: "other" }, cloexec });
      return;
    }
    for (const fd of fdPair(a.at(pairIdx))) p.files.set(fd, { desc: { kind: "other" }, cloexec });
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
    const family = familyWord(a.at(0) ?? "");
    const type = socketType(a.at(1) ?? "");
    if (family === undefined || type === undefined) return;
    const protocol = socketProtocol(a.at(2) ?? "0", family);
    c.addSocket(protocol === undefined ? { family, type } : { family, type, protocol });
    if (family === "packet" || (type === "raw" && (family === "inet" || family === "inet6"))) c.addCapability("net_raw", e);
    const cloexec = hasFlag(parseFlags(a.at(1) ?? ""), "SOCK_CLOEXEC", O_CLOEXEC);
    const fds = pair ? fdPair(a.at(3)) : [parseNumber(e.retval) ?? -1];
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
    const s = c.socketOf(p, a.at(0));
    const cloexec = hasFlag(parseFlags(a.at(3) ?? "0"), "SOCK_CLOEXEC", O_CLOEXEC);
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
    const addr = parseSockaddr(a.at(1) ?? "");
    if (!addr) return;
    const s = c.socketOf(p, a.at(0));
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
    const s = c.socketOf(p, a.at(0));
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
    const tok = a.at(addrIdx);
    if (tok === undefined || tok === "NULL") return;
    const addr = parseSockaddr(tok);
    if (!addr) return;
    const s = c.socketOf(p, a.at(0));
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
    const s = c.socketOf(p, a.at(0));
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
    const prot = parseFlags(a.at(2) ?? "0");
    if (!hasFlag(prot, "PROT_EXEC", 0x4)) return;
    const t = c.fdTarget(p, a.at(4));
    if (t) c.addTarget(t, MAP);
  };
}

// IdleTests: whether a successful call's argument text `s[from, to)` certainly makes its handler do
// nothing, read without splitting it (the parser then sends the tracker its pid only: see
// idleCall). False whenever unsure: the handler decides.

/** Plain argument text: no string, bracket, decoration or comment that could hide a comma (by char code, below 128). */
const PLAIN = new Uint8Array(128);
for (const ch of "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_| ,-") PLAIN[ch.charCodeAt(0)] = 1;

/** mmap with a protection of symbolic flags none of which is PROT_EXEC: mmapCall returns at once. */
const mmapIdle: IdleTest = (s, from, to) => {
  // The third argument, after two plain ones (an address or NULL, a length).
  const c1 = s.indexOf(",", from);
  const c2 = c1 < 0 ? -1 : s.indexOf(",", c1 + 1);
  if (c2 < 0 || c2 >= to) return false;
  for (let i = from; i < c2; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || PLAIN[c] === 0) return false;
  }
  let end = s.indexOf(",", c2 + 1);
  if (end < 0 || end > to) end = to;
  let names = 0;
  for (let k = c2 + 1; k < end; k++) {
    const c = s.charCodeAt(k);
    if ((c >= 0x41 && c <= 0x5a) || c === 0x5f) names++;
    else if (c !== 0x7c && c !== 0x20) return false; // a number (bits) or anything else: let the handler read it
  }
  if (names === 0) return false;
  const exec = s.indexOf("PROT_EXEC", c2);
  return exec < 0 || exec >= end;
};

/**
 * An fstat-like call on its dirfd alone (`newfstatat(3, "", {st_mode=S_IFREG|...}, AT_EMPTY_PATH)`)
 * whose result shows no directory: pathCall grants nothing for it.
 */
const fstatIdle: IdleTest = (s, from, to) => {
  // The dirfd: a number or AT_FDCWD, with at most a `-y` decoration after a number (`3</usr/lib/x.so>`),
  // read as ArgList reads it (the decoration may hold a comma or `, ""` of its own).
  let i = from;
  while (s.charCodeAt(i) === 0x20) i++;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3c) {
      if (!isDecorationStart(s, i)) return false;
      i = fastDecorationEnd(s, i);
      if (i < 0) return false;
      break;
    }
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d)) break;
  }
  // Then the empty path, and the next argument or the end.
  if (!s.startsWith(', ""', i) || i + 4 > to || (i + 4 < to && s.charCodeAt(i + 4) !== 0x2c)) return false;
  return !statShowsDir(s.slice(from, to));
};

/** IdleTest by call name, for calls whose handler is often a no-op. */
export const IDLE_WHEN = new Map<string, IdleTest>([
  ["mmap", mmapIdle],
  ["mmap2", mmapIdle],
  ["newfstatat", fstatIdle],
  ["fstatat64", fstatIdle],
  ["statx", fstatIdle],
]);

const PTRACE_ATTACH = 16;
const PTRACE_SEIZE = 0x4206;

export const HANDLERS = new Map<string, Handler>([
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
      if (t) c.addTarget(t, DELETE, hasFlag(parseFlags(a.at(2) ?? "0"), "AT_REMOVEDIR", 0x200));
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
      const t = c.fdTarget(p, a.at(0));
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
      const d = decodeCString(a.at(0) ?? "");
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
      const fd = fdNumber(a.at(0));
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
      const req = stripComments(a.at(0) ?? "");
      const n = parseNumber(req);
      if (req === "PTRACE_ATTACH" || req === "PTRACE_SEIZE" || n === PTRACE_ATTACH || n === PTRACE_SEIZE) c.addCapability("sys_ptrace", e);
    },
  ],
]);
