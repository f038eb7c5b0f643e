// Kernel constants of the filterable syscall arguments (socket families, clone's namespace bits) and
// the order of recorded argument values: read by parse/ when collecting and by aggregate/ when
// writing the policy.

/** Linux address families by the name strace prints after `AF_` / `PF_`. */
// biome-ignore format: a table, several entries per line
export const ADDRESS_FAMILIES: Readonly<Record<string, number>> = {
  UNSPEC: 0, UNIX: 1, LOCAL: 1, INET: 2, AX25: 3, IPX: 4, APPLETALK: 5, NETROM: 6, BRIDGE: 7, ATMPVC: 8, X25: 9,
  INET6: 10, ROSE: 11, DECnet: 12, NETBEUI: 13, SECURITY: 14, KEY: 15, NETLINK: 16, ROUTE: 16, PACKET: 17, ASH: 18,
  ECONET: 19, ATMSVC: 20, RDS: 21, SNA: 22, IRDA: 23, PPPOX: 24, WANPIPE: 25, LLC: 26, IB: 27, MPLS: 28, CAN: 29,
  TIPC: 30, BLUETOOTH: 31, IUCV: 32, RXRPC: 33, ISDN: 34, PHONET: 35, IEEE802154: 36, CAIF: 37, ALG: 38, NFC: 39,
  VSOCK: 40, KCM: 41, QIPCRTR: 42, SMC: 43, XDP: 44, MCTP: 45,
};

/** The namespace flags of clone(2): Docker's default profile masks exactly these (0x7E020000). */
export const CLONE_NAMESPACE_MASK = 0x7e020000;

/** `AF_INET` for 2, the number itself when unnamed. */
export function addressFamilyName(v: number): string {
  const name = Object.keys(ADDRESS_FAMILIES).find((k) => ADDRESS_FAMILIES[k] === v && k !== "LOCAL" && k !== "ROUTE");
  return name ? `AF_${name}` : String(v);
}

/** Orders recorded argument values: numbers by value, anything else (`?`) after them by text. */
export function compareNumeric(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
  return x - y;
}
