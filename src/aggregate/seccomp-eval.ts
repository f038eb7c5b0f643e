import { ARCH_INFO, type Arch } from "../model/arch.js";
import type { SeccompFile } from "../model/seccomp-file.js";
import { SYSCALL_NUMBERS } from "../model/syscall-tables.generated.js";
import { DOCKER_DEFAULT_CAPS, ruleApplies } from "../model/seccomp-file.js";

/** What the kernel does with a call, once the rule that applies is known. */
export type Outcome =
  | { kind: "allow"; action: string }
  | { kind: "errno"; action: string; errno: number /** a rule named the syscall (e.g. clone3 ENOSYS), rather than the default action */; explicit: boolean }
  | { kind: "kill"; action: string; explicit: boolean };

/** One argument condition, as in the profile (`value`/`valueTwo` kept exact as bigint). */
export interface ArgCondition {
  index: number;
  op: string;
  value: bigint;
  valueTwo: bigint;
}

/** The rules for one syscall in profile order, each with its conditions (all must hold). */
export interface SyscallRules {
  rules: { conditions: ArgCondition[]; outcome: Outcome }[];
  /** What applies when no rule matches: the default action. */
  fallback: Outcome;
}

/**
 * What a profile decides for a syscall without looking at arguments: an outcome, or "conditional"
 * when argument conditions decide (the rules are then checked against recorded arguments).
 */
export type Verdict = Outcome | { kind: "conditional"; rules: SyscallRules };

function outcomeOf(action: string, errnoRet: number | undefined, explicit: boolean): Outcome {
  switch (action) {
    case "SCMP_ACT_ALLOW":
    case "SCMP_ACT_LOG":
    case "SCMP_ACT_NOTIFY": // a supervisor decides; not knowable here, counted as allowed
      return { kind: "allow", action };
    case "SCMP_ACT_ERRNO":
      return { kind: "errno", action, errno: errnoRet ?? 1, explicit };
    case "SCMP_ACT_TRACE":
      // Without a tracer attached the kernel fails the call with ENOSYS.
      return { kind: "errno", action, errno: 38, explicit };
    default:
      return { kind: "kill", action, explicit };
  }
}

/**
 * Evaluates a seccomp profile (Docker, OCI or SPO spec) for one architecture: the verdict for every
 * syscall of that architecture. Docker's `includes`/`excludes` are evaluated for `caps` (Docker's
 * default capabilities). A profile whose architectures leave `arch` out applies its default action
 * to every call. The first rule naming a syscall whose conditions hold decides, as in runc's
 * loading order; libseccomp's own precedence between conflicting rules is not modelled.
 */
export function evaluateProfile(profile: SeccompFile, arch: Arch, caps: readonly string[] = DOCKER_DEFAULT_CAPS): Map<string, Verdict> {
  const scmp = ARCH_INFO[arch].seccomp;
  const listed = new Set<string>([
    ...(profile.architectures ?? []),
    ...(profile.archMap ?? []).flatMap((m) => [m.architecture, ...(m.subArchitectures ?? [])]),
  ]);
  const covered = listed.size === 0 || listed.has(scmp) || listed.has("SCMP_ARCH_NATIVE");
  const fallback = outcomeOf(profile.defaultAction, profile.defaultErrnoRet, false);
  const perName = new Map<string, SyscallRules["rules"]>();
  if (covered) {
    for (const rule of profile.syscalls ?? []) {
      if (!ruleApplies(rule, scmp, caps)) continue;
      const conditions = (rule.args ?? []).map((a) => ({ index: a.index, op: a.op, value: BigInt(a.value), valueTwo: BigInt(a.valueTwo ?? 0) }));
      const outcome = outcomeOf(rule.action, rule.errnoRet ?? profile.defaultErrnoRet, true);
      for (const name of [...(rule.names ?? []), ...(rule.name ? [rule.name] : [])]) {
        const list = perName.get(name) ?? [];
        list.push({ conditions, outcome });
        perName.set(name, list);
      }
    }
  }
  const verdicts = new Map<string, Verdict>();
  for (const name of Object.keys(SYSCALL_NUMBERS[arch]).sort()) {
    const rules = perName.get(name) ?? [];
    const first = rules[0];
    if (!first) verdicts.set(name, fallback);
    else if (first.conditions.length === 0) verdicts.set(name, first.outcome);
    else verdicts.set(name, { kind: "conditional", rules: { rules, fallback } });
  }
  return verdicts;
}

const MASK64 = (1n << 64n) - 1n;

function holds(c: ArgCondition, args: readonly bigint[]): boolean | undefined {
  const raw = args[c.index];
  if (raw === undefined) return undefined;
  const v = raw & MASK64;
  const value = c.value & MASK64;
  switch (c.op) {
    case "SCMP_CMP_EQ":
      return v === value;
    case "SCMP_CMP_NE":
      return v !== value;
    case "SCMP_CMP_LT":
      return v < value;
    case "SCMP_CMP_LE":
      return v <= value;
    case "SCMP_CMP_GT":
      return v > value;
    case "SCMP_CMP_GE":
      return v >= value;
    case "SCMP_CMP_MASKED_EQ":
      return (v & value) === (c.valueTwo & MASK64);
    default:
      return undefined;
  }
}

/** The outcome of a call with these argument values (raw, as `strace -e raw=` prints them); undefined when an argument is missing. */
export function decideCall(verdict: Verdict, args: readonly bigint[]): Outcome | undefined {
  if (verdict.kind !== "conditional") return verdict;
  for (const rule of verdict.rules.rules) {
    let all = true;
    for (const c of rule.conditions) {
      const h = holds(c, args);
      if (h === undefined) return undefined;
      if (!h) {
        all = false;
        break;
      }
    }
    if (all) return rule.outcome;
  }
  return verdict.rules.fallback;
}

/** Raw argument values from `strace -e raw=NAME` text (`0x1200011, 0, 0x7f..`); undefined for any argument that is not a number. */
export function rawArgValues(args: string): bigint[] | undefined {
  const out: bigint[] = [];
  for (const part of args.split(",")) {
    const t = part.trim();
    if (t === "") continue;
    if (!/^(0x[0-9a-f]+|-?\d+)$/i.test(t)) return undefined;
    out.push(BigInt(t) & MASK64);
  }
  return out;
}
