// A systemd drop-in (`/etc/systemd/system/UNIT.service.d/syscage.conf`) that confines a service to
// what its recorded runs did: the syscalls (SystemCallFilter=), the ABIs (SystemCallArchitectures=),
// the socket families (RestrictAddressFamilies=) and the capabilities (CapabilityBoundingSet=).
//
// systemd's semantics, read from systemd v252 (src/core/load-fragment.c config_parse_syscall_filter,
// src/shared/seccomp-util.c, src/core/execute.c apply_syscall_filter) and systemd.exec(5):
// - The first SystemCallFilter= line decides the mode; an allow list always includes systemd's
//   `@default` set (execve, exit_group, clock_gettime, futex, mmap, rt_sigreturn...). Several
//   allow lines are merged, so one line per name keeps review diffs to one line per change.
// - An empty assignment resets what the unit or an earlier drop-in set: without it, a unit's own
//   `SystemCallFilter=@system-service` would be merged in and widen the list.
// - `~name:ENOSYS` after an allow list gives that call ENOSYS instead of SystemCallErrorNumber=
//   (since systemd 248, commit 68acc1afbe "do not ignore deny-listed syscalls with errno when list
//   is allow-list"); older systemd drops the name, which still denies it, with EPERM.
// - systemd loads the filter itself, just before execve, so no container runtime baseline is
//   needed (only `always` and `task-local`: calls a trace never shows or rarely shows), and argument filters cannot be expressed.
// Every value printed comes from a fixed table (syscall names resolved against the syscall
// tables, families and capabilities mapped by name), never from trace text, so nothing recorded
// can add a directive. The unit itself (ExecStart=, User=) stays the user's.

import type { ArtifactInput } from "../model/artifacts.js";
import type { Arch } from "../model/arch.js";
import { allowedNames, type SeccompPolicy } from "../model/seccomp.js";

/** libseccomp architecture -> systemd's name for it (systemd.unit(5) ConditionArchitecture=). */
const SYSTEMD_ARCH: Record<string, string> = {
  SCMP_ARCH_X86_64: "x86-64",
  SCMP_ARCH_X86: "x86",
  SCMP_ARCH_X32: "x32",
  SCMP_ARCH_AARCH64: "arm64",
  SCMP_ARCH_ARM: "arm",
};

/** Address family numbers (the same on every Linux architecture) systemd knows by name. */
// biome-ignore format: a table, several entries per line
const ADDRESS_FAMILY: Record<string, string> = {
  "1": "AF_UNIX", "2": "AF_INET", "3": "AF_AX25", "4": "AF_IPX", "5": "AF_APPLETALK", "9": "AF_X25", "10": "AF_INET6",
  "15": "AF_KEY", "16": "AF_NETLINK", "17": "AF_PACKET", "21": "AF_RDS", "29": "AF_CAN", "30": "AF_TIPC",
  "31": "AF_BLUETOOTH", "38": "AF_ALG", "40": "AF_VSOCK", "42": "AF_QIPCRTR", "43": "AF_SMC", "44": "AF_XDP", "45": "AF_MCTP",
};

/** Linux capabilities (capabilities(7)), as syscage and AppArmor name them. */
// biome-ignore format: a table, several entries per line
const CAPABILITIES = new Set([
  "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap", "linux_immutable",
  "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
  "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
  "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap", "mac_override", "mac_admin", "syslog",
  "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
]);

const SYSCALL_NAME = /^[a-z0-9_]+$/;

function enosysNames(p: SeccompPolicy): string[] {
  return [...new Set(p.rules.filter((r) => r.action === "SCMP_ACT_ERRNO" && r.errnoRet === 38).flatMap((r) => r.names))]
    .filter((n) => SYSCALL_NAME.test(n))
    .sort();
}

/**
 * The socket families every recorded `socket()` call used, or why they are unknown. Read from the
 * same argument constants seccomp's `socket` filter pins, with the same rule: only when every run
 * that called `socket` recorded readable constants (a `-c` table carries none).
 */
export function socketFamilies(input: Pick<ArtifactInput, "allowlist">): { families: string[] } | { unknown: string } {
  const families = new Set<string>();
  for (const run of input.allowlist.runs) {
    for (const arch of Object.keys(run.syscalls) as Arch[]) {
      if (!run.syscalls[arch]?.socket) continue;
      const seen = run.args?.[arch]?.socket;
      if (!seen || seen.includes("?")) return { unknown: "a run called socket without readable arguments (a -c table records none)" };
      for (const v of seen) {
        const name = ADDRESS_FAMILY[v];
        if (name === undefined) return { unknown: `address family ${/^\d+$/.test(v) ? v : "?"} has no systemd name` };
        families.add(name);
      }
    }
  }
  return { families: [...families].sort() };
}

/** The capabilities the resources show, or why they are unknown. */
function capabilities(input: ArtifactInput): { caps: string[] } | { unknown: string } {
  if (!input.resources) return { unknown: "no run was traced (summary tables only), so capabilities are unknown" };
  const names = input.resources.apparmor.capabilities.map((c) => c.name);
  const bad = names.find((n) => !CAPABILITIES.has(n));
  if (bad !== undefined) return { unknown: "the allowlist names a capability Linux does not have" };
  return { caps: [...new Set(names)].map((n) => `CAP_${n.toUpperCase()}`).sort() };
}

/** The drop-in. Deterministic: sorted, one directive per name, no timestamps. */
export function emitSystemdDropIn(input: ArtifactInput): string {
  const p = input.servicePolicy;
  const runs = input.allowlist.runs.length;
  const always = input.allowlist.baselines.includes("always");
  const out = [
    `# Generated by syscage from ${runs} recorded run(s); regenerate, do not edit.`,
    "# A drop-in for a service: copy it to /etc/systemd/system/UNIT.service.d/syscage.conf, then",
    "# systemctl daemon-reload && systemctl restart UNIT. Needs systemd 248 or later (ENOSYS lines).",
    "# systemd loads the filter itself just before execve: no container runtime baseline is needed, and",
    `# systemd always allows its @default set besides these names${always ? " (the always baseline is included)" : ""}.`,
    "# Argument filters cannot be expressed here: socket and clone are allowed whole.",
    "",
    "[Service]",
    "# The empty assignment drops what the unit or an earlier drop-in set: this list is the whole allow list.",
    "SystemCallFilter=",
    ...allowedNames([p])
      .filter((n) => SYSCALL_NAME.test(n))
      .map((n) => `SystemCallFilter=${n}`),
  ];
  const enosys = enosysNames(p);
  if (enosys.length > 0) {
    out.push("# Not seen, and the C library falls back to an older call only on ENOSYS (EPERM would break it).");
    out.push(...enosys.map((n) => `SystemCallFilter=~${n}:ENOSYS`));
  }
  out.push("SystemCallErrorNumber=EPERM");
  // The target itself as `native` (what systemd and `systemd-analyze security` expect), then the
  // 32-bit or x32 personalities the runs used.
  const [own, ...compat] = p.architectures;
  const arches = [own !== undefined ? "native" : undefined, ...compat.map((a) => SYSTEMD_ARCH[a])].filter((a): a is string => a !== undefined);
  out.push(`# native: this file is for ${own !== undefined ? (SYSTEMD_ARCH[own] ?? "its target") : "its target"} hosts.`);
  out.push("SystemCallArchitectures=", `SystemCallArchitectures=${arches.join(" ")}`);
  const fam = socketFamilies(input);
  if ("families" in fam) {
    out.push("RestrictAddressFamilies=", `RestrictAddressFamilies=${fam.families.length > 0 ? fam.families.join(" ") : "none"}`);
  } else out.push(`# No RestrictAddressFamilies=: ${fam.unknown}.`);
  const caps = capabilities(input);
  if ("caps" in caps) {
    out.push("# The capabilities the recorded calls needed (see allowlist.yaml for the evidence); none when empty.");
    out.push("CapabilityBoundingSet=");
    if (caps.caps.length > 0) out.push(`CapabilityBoundingSet=${caps.caps.join(" ")}`);
  } else out.push(`# No CapabilityBoundingSet=: ${caps.unknown}.`);
  return `${out.join("\n")}\n`;
}
