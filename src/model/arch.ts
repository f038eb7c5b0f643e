import { SYSCALL_NUMBERS } from "./syscall-tables.generated.js";

/** The architectures (syscall ABIs) syscage knows. Names follow the kernel / libseccomp spelling. */
export type Arch = keyof typeof SYSCALL_NUMBERS;

export const ARCHES = Object.keys(SYSCALL_NUMBERS) as Arch[];

export function isArch(value: string): value is Arch {
  return Object.hasOwn(SYSCALL_NUMBERS, value);
}

/** Facts per architecture: the seccomp constant and what a 32-bit / x32 personality switch means on it. */
export const ARCH_INFO = {
  x86_64: { seccomp: "SCMP_ARCH_X86_64", compat32: "i386", x32: "x32" },
  i386: { seccomp: "SCMP_ARCH_X86", compat32: null, x32: null },
  x32: { seccomp: "SCMP_ARCH_X32", compat32: "i386", x32: null },
  aarch64: { seccomp: "SCMP_ARCH_AARCH64", compat32: "arm", x32: null },
  arm: { seccomp: "SCMP_ARCH_ARM", compat32: null, x32: null },
} as const satisfies Record<Arch, { seccomp: string; compat32: Arch | null; x32: Arch | null }>;

/** Node's `process.arch` to ours, for the default when a trace does not say where it was recorded. */
export function archOfNode(nodeArch: string): Arch {
  switch (nodeArch) {
    case "arm64":
      return "aarch64";
    case "arm":
      return "arm";
    case "ia32":
      return "i386";
    default:
      return "x86_64";
  }
}

const byNumber = new Map<Arch, Map<number, string>>();

/** Kernel number of `name` on `arch`, or undefined when the syscall does not exist there. */
export function syscallNumber(arch: Arch, name: string): number | undefined {
  const table = SYSCALL_NUMBERS[arch] as Record<string, number>;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

export function syscallName(arch: Arch, nr: number): string | undefined {
  let table = byNumber.get(arch);
  if (!table) {
    table = new Map();
    for (const [name, n] of Object.entries(SYSCALL_NUMBERS[arch])) if (!table.has(n)) table.set(n, name);
    byNumber.set(arch, table);
  }
  return table.get(nr);
}

export function isSyscall(arch: Arch, name: string): boolean {
  return syscallNumber(arch, name) !== undefined;
}

/** Names strace prints that are not the kernel's (libseccomp's) name for the same syscall. */
const STRACE_ALIASES: Record<string, string> = {
  _exit: "exit", // strace < 4.11
  pread: "pread64", // strace < 4.11
  pwrite: "pwrite64", // strace < 4.11
  old_mmap: "mmap", // i386/arm mmap (nr 90), which takes a struct
  old_select: "select", // i386 select (nr 82)
  oldumount: "umount",
  old_readdir: "readdir",
};

/**
 * The kernel name strace's `name` stands for on `arch`, or undefined when it is not a syscall there.
 * Handles old strace names and `syscall_0x1b7` / `syscall_439` (unknown to that strace) by number.
 */
export function resolveSyscallName(arch: Arch, name: string): string | undefined {
  if (isSyscall(arch, name)) return name;
  const alias = STRACE_ALIASES[name];
  if (alias !== undefined && isSyscall(arch, alias)) return alias;
  if (name.startsWith("syscall_")) {
    const digits = name.slice(8);
    const nr = digits.startsWith("0x") ? parseInt(digits.slice(2), 16) : /^\d+$/.test(digits) ? Number(digits) : NaN;
    if (Number.isInteger(nr)) {
      // x32 syscalls carry the 0x40000000 bit in the number strace prints.
      const plain = arch === "x32" ? nr & ~0x40000000 : nr;
      return syscallName(arch, plain);
    }
  }
  return undefined;
}
