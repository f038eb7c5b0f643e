// Sockets: domain/type/protocol words, `-yy` socket decorations, and sockaddr decoding.

import { parseNumber, parseFlags, structField, type PathText, checkPathBytes } from "./arg-text.js";
import { addressFamilyName, addressFamilyValue } from "./arg-values.js";
import { decodeCString } from "./args.js";
import { stripComments } from "./strace-number.js";

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
export function familyWord(token: string): string | undefined {
  const v = addressFamilyValue(stripComments(token));
  if (v === undefined) return undefined;
  const name = addressFamilyName(v);
  return name.startsWith("AF_") ? name.slice(3).toLowerCase() : name;
}

export function socketType(token: string): string | undefined {
  const f = parseFlags(token);
  for (const n of f.names) {
    if (n === "SOCK_CLOEXEC" || n === "SOCK_NONBLOCK") continue;
    if (n.startsWith("SOCK_")) return n.slice(5).toLowerCase();
  }
  const t = f.bits & 0xf;
  return SOCK_TYPES[t] ?? (t === 0 ? undefined : String(t));
}

/** The protocol word for a SocketUse (undefined for 0 / the family's default). */
export function socketProtocol(token: string, family: string): string | undefined {
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
export function transportOf(family: string, type: string, protocol: string | undefined): string | undefined {
  if (family !== "inet" && family !== "inet6") return undefined;
  if (protocol === "tcp" || protocol === "udp" || protocol === "sctp" || protocol === "udplite" || protocol === "mptcp")
    return protocol === "mptcp" ? "tcp" : protocol;
  if (protocol !== undefined) return undefined;
  return type === "stream" ? "tcp" : type === "dgram" ? "udp" : undefined;
}

/** A socket from a `-yy` decoration (`TCP:[127.0.0.1:80]`, `UDPv6:[...]`, `UNIX-STREAM:[...]`). */
export function socketFromDecoration(deco: PathText | undefined): { family: string; type: string; proto: string | undefined } | undefined {
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

export type SockAddr =
  | { family: "inet" | "inet6"; address: string; port: number }
  | { family: "unix"; path: PathText; abstract: boolean }
  | { family: "other" };

/** Reads a sockaddr struct as strace prints it (symbolic, `-X raw`, `-X verbose`); undefined when unreadable. */
export function parseSockaddr(text: string): SockAddr | undefined {
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
