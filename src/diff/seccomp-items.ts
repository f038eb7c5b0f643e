import { ARCH_INFO, ARCHES, isSyscall, type Arch } from "../model/arch.js";
import type { Item } from "../model/diff.js";
import { DOCKER_DEFAULT_CAPS, ruleApplies, type SeccompFile, type SeccompFileRule } from "../model/seccomp-file.js";

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
        put({
          id: `${label} ${name}${argsText(rule)}`,
          value,
          kind: rule.action === "SCMP_ACT_ALLOW" || rule.action === "SCMP_ACT_LOG" ? "permission" : "restriction",
          group: label,
        });
      }
    }
  }
  return [...items.values()];
}
