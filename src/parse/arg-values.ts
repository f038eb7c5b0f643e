import type { Arch } from "../model/arch.js";
import type { ArgValues, FilterableSyscall, SyscallEvent } from "../model/trace.js";
import { ADDRESS_FAMILIES, CLONE_NAMESPACE_MASK, compareNumeric } from "../model/arg-constants.js";
import { ArgList, argAt, ownCopy } from "./args.js";
import { straceNumber as numeric } from "./strace-number.js";

// Moved to the model (aggregate/ reads them too); re-exported for the parser's other callers.
export { addressFamilyName, CLONE_NAMESPACE_MASK, compareNumeric } from "../model/arg-constants.js";

/** Linux personality(2) values: the PER_* bases and the flag bits strace prints with `|`. */
// biome-ignore format: a table, several entries per line
const PERSONALITY: Record<string, number> = {
  PER_LINUX: 0x0, PER_SVR4: 0x0001, PER_SVR3: 0x0002, PER_SCOSVR3: 0x0003, PER_OSR5: 0x0003, PER_WYSEV386: 0x0004,
  PER_ISCR4: 0x0005, PER_BSD: 0x0006, PER_SUNOS: 0x0006, PER_XENIX: 0x0007, PER_LINUX32: 0x0008, PER_LINUX32_3GB: 0x0008,
  PER_IRIX32: 0x0009, PER_IRIXN32: 0x000a, PER_IRIX64: 0x000b, PER_RISCOS: 0x000c, PER_SOLARIS: 0x000d,
  PER_UW7: 0x000e, PER_OSF4: 0x000f, PER_HPUX: 0x0010, PER_LINUX_32BIT: 0x0800000, PER_LINUX_FDPIC: 0x0080000,
  UNAME26: 0x0020000, ADDR_NO_RANDOMIZE: 0x0040000, FDPIC_FUNCPTRS: 0x0080000, MMAP_PAGE_ZERO: 0x0100000,
  ADDR_COMPAT_LAYOUT: 0x0200000, READ_IMPLIES_EXEC: 0x0400000, ADDR_LIMIT_32BIT: 0x0800000, SHORT_INODE: 0x1000000,
  WHOLE_SECONDS: 0x2000000, STICKY_TIMEOUTS: 0x4000000, ADDR_LIMIT_3GB: 0x8000000,
};

// biome-ignore format: a table, several entries per line
const CLONE_NS_FLAGS: Record<string, number> = {
  CLONE_NEWNS: 0x00020000, CLONE_NEWCGROUP: 0x02000000, CLONE_NEWUTS: 0x04000000, CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000, CLONE_NEWPID: 0x20000000, CLONE_NEWNET: 0x40000000,
};

export function addressFamilyValue(token: string): number | undefined {
  const n = numeric(token);
  if (n !== undefined) return n;
  const m = /^[AP]F_([A-Za-z0-9]+)$/.exec(token.trim());
  return m ? ADDRESS_FAMILIES[m[1]!] : undefined;
}

export function personalityValue(token: string): number | undefined {
  const n = numeric(token);
  if (n !== undefined) return n >>> 0;
  let v = 0;
  for (const part of token.split("|")) {
    const p = part.trim();
    const bit = PERSONALITY[p] ?? numeric(p);
    if (bit === undefined) return undefined;
    v |= bit;
  }
  return v >>> 0;
}

/** The namespace bits a clone call asked for, from `flags=A|B|SIGCHLD` or a raw number; undefined if unreadable. */
export function cloneNamespaceBits(args: string): number | undefined {
  // Split only up to the `flags=` item (the second, after child_stack).
  const items = new ArgList().reset(args);
  let flags: string | undefined;
  for (let i = 0; ; i++) {
    const item = items.at(i);
    if (item === undefined) break;
    if (item.startsWith("flags=")) {
      flags = item.slice(6);
      break;
    }
  }
  if (flags === undefined) {
    // -X raw: clone(0x1200011, ...) — the flags are the first argument on x86 and arm.
    flags = items.at(0);
    if (flags === undefined) return undefined;
  }
  let bits = CLONE_BITS_CACHE.get(flags);
  if (bits === undefined) {
    if (CLONE_BITS_CACHE.size >= 1024) CLONE_BITS_CACHE.clear();
    bits = namespaceBitsOf(flags) ?? null;
    CLONE_BITS_CACHE.set(ownCopy(flags), bits);
  }
  return bits ?? undefined;
}

// Clone flag texts repeat (`CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD`): memoized, bounded; null for unreadable.
const CLONE_BITS_CACHE = new Map<string, number | null>();

function namespaceBitsOf(flags: string): number | undefined {
  const n = numeric(flags);
  if (n !== undefined) return (n & CLONE_NAMESPACE_MASK) >>> 0;
  let bits = 0;
  for (const part of flags.split("|")) {
    const p = part.trim();
    if (Object.hasOwn(CLONE_NS_FLAGS, p)) bits |= CLONE_NS_FLAGS[p]!;
    else if (/^0x[0-9a-f]+$/i.test(p)) bits |= parseInt(p, 16) & CLONE_NAMESPACE_MASK;
    else if (!/^(CLONE_[A-Z_]+|SIG[A-Z0-9+-]+|\d+)$/.test(p)) return undefined;
  }
  return bits >>> 0;
}

/** Whether ArgValueCollector.observe reads calls named `name` (the others it ignores). */
export function argValuesRead(name: string): boolean {
  return name === "socket" || name === "personality" || name === "clone";
}

/** Collects, from a run's events, the argument constants of the filterable syscalls. */
export class ArgValueCollector {
  /** By arch, then syscall name (no key string made per call). */
  private readonly values = new Map<Arch, Map<FilterableSyscall, Set<string>>>();

  observe(e: SyscallEvent): void {
    const name = e.name;
    if (name !== "socket" && name !== "personality" && name !== "clone") return;
    let v: number | undefined;
    if (name === "clone") v = cloneNamespaceBits(e.args);
    else {
      const first = argAt(e.args, 0) ?? "";
      v = name === "socket" ? addressFamilyValue(first) : personalityValue(first);
    }
    let byName = this.values.get(e.arch);
    if (!byName) this.values.set(e.arch, (byName = new Map()));
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(v === undefined ? "?" : String(v));
  }

  result(): ArgValues {
    const out: ArgValues = {};
    // Archs, then names, in sorted order (what sorting `arch\0name` keys gave).
    for (const arch of [...this.values.keys()].sort()) {
      const byName = this.values.get(arch)!;
      for (const name of [...byName.keys()].sort()) (out[arch] ??= {})[name] = [...byName.get(name)!].sort(compareNumeric);
    }
    return out;
  }
}
