import { ARCH_INFO, ARCHES, isSyscall, type Arch } from "../model/arch.js";
import type { Item } from "../model/diff.js";
import type { SeccompFile, SeccompFileRule } from "../model/seccomp-file.js";

/** Capabilities a Docker container has by default (moby `oci/caps/defaults.go`): Docker profiles' `includes.caps` are evaluated against them. */
export const DOCKER_DEFAULT_CAPS = [
  "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
  "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
];

/** Docker writes Go architecture names in `includes.arches`. */
const GO_ARCH: Record<string, string> = { amd64: "SCMP_ARCH_X86_64", x86: "SCMP_ARCH_X86", "386": "SCMP_ARCH_X86", x32: "SCMP_ARCH_X32", arm64: "SCMP_ARCH_AARCH64", arm: "SCMP_ARCH_ARM" };

const BY_SCMP = new Map<string, Arch>(ARCHES.map((a) => [ARCH_INFO[a].seccomp, a]));

function archLabel(scmp: string): string {
  return BY_SCMP.get(scmp) ?? scmp.replace(/^SCMP_ARCH_/, "").toLowerCase();
}

function actionText(action: string, errno: number | undefined): string {
  return action === "SCMP_ACT_ERRNO" || action === "SCMP_ACT_TRACE" ? `${action}(${errno ?? 1})` : action;
}

function argsText(rule: SeccompFileRule): string {
  if (!rule.args || rule.args.length === 0) return "";
  const parts = rule.args
    .map((a) => {
      const op = a.op.replace(/^SCMP_CMP_/, "").toLowerCase();
      if (op === "masked_eq") return `arg${a.index} & 0x${a.value.toString(16)} == ${a.valueTwo ?? 0}`;
      const sym: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };
      return `arg${a.index} ${sym[op] ?? op} ${a.value}`;
    })
    .sort();
  return ` if ${parts.join(" && ")}`;
}

/**
 * What a seccomp profile permits, per architecture: one item per (architecture, syscall, argument
 * condition) with the action as its value, plus the default action. Docker's `includes`/`excludes`
 * are evaluated for the default capability set on each architecture (minKernel assumed met), and
 * a name that does not exist on an architecture is no permission there (libseccomp skips it).
 */
export function seccompItems(profile: SeccompFile, caps: readonly string[] = DOCKER_DEFAULT_CAPS): Item[] {
  const arches = new Set<string>();
  for (const a of profile.architectures ?? []) arches.add(a);
  for (const m of profile.archMap ?? []) {
    arches.add(m.architecture);
    for (const s of m.subArchitectures ?? []) arches.add(s);
  }
  if (arches.size === 0) arches.add("SCMP_ARCH_NATIVE");
  const items = new Map<string, Item>();
  const put = (item: Item) => {
    // The first matching rule wins in runc's loading order; later duplicates do not change it.
    if (!items.has(item.id)) items.set(item.id, item);
  };
  put({ id: "default action", value: actionText(profile.defaultAction, profile.defaultErrnoRet), kind: "fact", group: "default" });
  for (const rule of profile.syscalls ?? []) {
    const names = [...(rule.names ?? []), ...(rule.name ? [rule.name] : [])];
    for (const scmp of arches) {
      if (!ruleApplies(rule, scmp, caps)) continue;
      const arch = BY_SCMP.get(scmp);
      const label = archLabel(scmp);
      const value = actionText(rule.action, rule.errnoRet);
      if (rule.action === profile.defaultAction && (rule.errnoRet ?? profile.defaultErrnoRet) === profile.defaultErrnoRet) continue;
      for (const name of names) {
        if (arch && !isSyscall(arch, name)) continue;
        put({ id: `${label} ${name}${argsText(rule)}`, value, kind: rule.action === "SCMP_ACT_ALLOW" || rule.action === "SCMP_ACT_LOG" ? "permission" : "restriction", group: label });
      }
    }
  }
  return [...items.values()];
}

export function ruleApplies(rule: SeccompFileRule, scmp: string, caps: readonly string[]): boolean {
  const inc = rule.includes;
  const exc = rule.excludes;
  const archOf = (goArches: string[] | undefined) => (goArches ?? []).map((a) => GO_ARCH[a] ?? `SCMP_ARCH_${a.toUpperCase()}`);
  if (inc?.arches && inc.arches.length > 0 && !archOf(inc.arches).includes(scmp)) return false;
  if (inc?.caps && inc.caps.length > 0 && !inc.caps.every((c) => caps.includes(c))) return false;
  if (exc?.arches && exc.arches.length > 0 && archOf(exc.arches).includes(scmp)) return false;
  if (exc?.caps && exc.caps.length > 0 && exc.caps.some((c) => caps.includes(c))) return false;
  return true;
}
