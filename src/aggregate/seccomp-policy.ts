import type { Allowlist } from "../model/allowlist.js";
import { ARCH_INFO, isSyscall, type Arch } from "../model/arch.js";
import type { SeccompArg, SeccompPolicy, SeccompRule } from "../model/seccomp.js";
import { ARCH_TRANSLATIONS } from "../model/arch-translations.js";
import type { BaselineName, MeasuredBaselines } from "../model/baselines.js";
import { ENOSYS_PROBES } from "../model/enosys-probes.js";
import { HIGH_RISK } from "../model/high-risk-syscalls.js";
import type { FilterableSyscall } from "../model/trace.js";
import { addressFamilyName, CLONE_NAMESPACE_MASK, compareNumeric } from "../model/arg-constants.js";
import { baselineNames } from "./build-allowlist.js";

export interface PolicyOptions {
  /** The architecture the profile is for. */
  target: Arch;
  /** Pin socket domains, personality values and clone's namespace flags to what was observed. */
  argFilters: boolean;
  /** Lists measured by `syscage baseline`, replacing the built-in ones of the same name. */
  measured?: MeasuredBaselines;
}

/** EPERM, as Docker's default profile answers a call it does not allow. */
const EPERM = 1;
const ENOSYS = 38;

/** The 64-bit architecture a recording's compat personalities belong to. */
function primaryOf(arch: Arch): Arch {
  if (arch === "i386" || arch === "x32") return "x86_64";
  if (arch === "arm") return "aarch64";
  return arch;
}

function compatArches(primary: Arch): Arch[] {
  const info = ARCH_INFO[primary];
  const all: (Arch | null)[] = [info.compat32, info.x32];
  return all.filter((a): a is Arch => a !== null);
}

/**
 * The seccomp profile an allowlist implies for `target`: default-deny with EPERM, one ALLOW rule with
 * the sorted names, argument-pinned rules where the trace proved the values constant, explicit
 * ENOSYS for probe-then-fallback syscalls that were not seen, and the names another architecture
 * used translated (or reported).
 */
export function buildSeccompPolicy(allowlist: Allowlist, options: PolicyOptions): SeccompPolicy {
  const target = options.target;
  const recordedArches = new Set<Arch>();
  for (const e of Object.values(allowlist.syscalls)) for (const a of e.arches) recordedArches.add(a);
  const recordedPrimaries = new Set([...recordedArches].map(primaryOf));
  // The target's own personalities that ran: x86_64 plus i386/x32 only when such processes ran.
  const native = new Set<Arch>([target, ...compatArches(target).filter((a) => recordedArches.has(a))]);
  const translating = !recordedPrimaries.has(target);

  const allow = new Set<string>();
  const translated: SeccompPolicy["translated"] = [];
  const untranslatable: SeccompPolicy["untranslatable"] = [];
  for (const [name, e] of Object.entries(allowlist.syscalls)) {
    // Equivalent and implied names stand for an observed call: they are translated like it.
    if (!e.from.some((f) => f === "observed" || f.startsWith("equivalent:") || f.startsWith("implied:"))) continue;
    for (const arch of e.arches) {
      if (native.has(arch)) {
        // A name the parser could not resolve (an unknown `syscall_0x..`) is no permission: report it.
        if (isSyscall(arch, name)) allow.add(name);
        else untranslatable.push({ name, reason: `not a syscall on ${arch} (the trace's diagnostics say where it came from)` });
        continue;
      }
      if (!translating || primaryOf(arch) !== arch) {
        if (translating) untranslatable.push({ name, reason: `recorded in a ${arch} process; ${target} profiles do not translate 32-bit personalities` });
        continue;
      }
      if (isSyscall(target, name)) allow.add(name);
      else {
        const t = target === "aarch64" ? ARCH_TRANSLATIONS[name] : undefined;
        const to = t?.aarch64 ?? null;
        if (to !== null && isSyscall(target, to)) {
          allow.add(to);
          translated.push({ from: name, to });
        } else untranslatable.push({ name, reason: t?.note ?? `no ${target} syscall does what ${name} does` });
      }
    }
  }
  for (const b of allowlist.baselines as BaselineName[]) for (const arch of native) for (const n of baselineNames(b, arch, options.measured)) allow.add(n);

  const rules: SeccompRule[] = [];
  // When translating, the constants come from the recorded architecture's calls (same argument order).
  const sources = translating ? new Set([...recordedArches].filter((a) => primaryOf(a) === a)) : native;
  const filtered = options.argFilters ? argFilterRules(allowlist, allow, sources, native.has("i386")) : [];
  const filteredNames = new Set(filtered.map((r) => r.names[0]!));
  const plain = [...allow].filter((n) => !filteredNames.has(n)).sort();
  rules.push({
    names: plain,
    action: "SCMP_ACT_ALLOW",
    comment: `syscalls the recorded runs made (${allowlist.runs.length} run(s)) and the baselines ${allowlist.baselines.join(", ") || "(none)"} need`,
  });
  rules.push(...filtered);
  const probes = ENOSYS_PROBES.filter((p) => !allow.has(p.name) && [...native].some((a) => isSyscall(a, p.name)))
    .map((p) => p.name)
    .sort();
  if (probes.length > 0) {
    rules.push({
      names: [...new Set(probes)],
      action: "SCMP_ACT_ERRNO",
      errnoRet: ENOSYS,
      comment: "not seen, and the C library falls back to an older syscall only on ENOSYS (EPERM would break it)",
    });
  }
  const risky = [...allow]
    .filter((n) => Object.hasOwn(HIGH_RISK, n) && !filteredNames.has(n))
    .sort()
    .map((name) => ({ name, reason: HIGH_RISK[name]! }));
  const order: Arch[] = [target, ...compatArches(target)];
  return {
    name: allowlist.name,
    target,
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: EPERM,
    architectures: order.filter((a) => native.has(a)).map((a) => ARCH_INFO[a].seccomp),
    rules,
    translated: dedupe(translated, (t) => `${t.from}>${t.to}`),
    untranslatable: dedupe(untranslatable, (u) => u.name),
    risky,
  };
}

function dedupe<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}

/**
 * Rules that pin the first argument of socket/personality/clone to the values every recorded call
 * used. Only when every run that made the call recorded readable constants for it (summary tables
 * carry no arguments), and only when no baseline needs the call unconstrained.
 */
function argFilterRules(allowlist: Allowlist, allow: Set<string>, sources: Set<Arch>, withI386: boolean): SeccompRule[] {
  const rules: SeccompRule[] = [];
  for (const name of ["clone", "personality", "socket"] as FilterableSyscall[]) {
    if (!allow.has(name)) continue;
    const entry = allowlist.syscalls[name];
    if (!entry || entry.from.some((f) => f !== "observed" && name !== "clone")) continue;
    const values = new Set<string>();
    let readable = true;
    for (const run of allowlist.runs) {
      for (const arch of sources) {
        const called = run.syscalls[arch]?.[name];
        if (!called) continue;
        const seen = run.args?.[arch]?.[name];
        if (!seen || seen.includes("?")) readable = false;
        else for (const v of seen) values.add(v);
      }
    }
    if (!readable) continue;
    const sorted = [...values].sort(compareNumeric);
    if (name === "clone") {
      // Only the "no namespace flags" case is pinned: a workload that creates namespaces keeps clone
      // open. A baseline's clone is the runtime's own thread creation, which never asks for namespaces.
      if (sorted.some((v) => v !== "0")) continue;
      rules.push({
        names: ["clone"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: CLONE_NAMESPACE_MASK, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }],
        comment: "clone without namespace flags (CLONE_NEW*): the recorded runs never created namespaces",
      });
      continue;
    }
    if (sorted.length === 0) continue;
    for (const v of sorted) {
      const arg: SeccompArg = { index: 0, value: Number(v), op: "SCMP_CMP_EQ" };
      rules.push({
        names: [name],
        action: "SCMP_ACT_ALLOW",
        args: [arg],
        comment:
          name === "socket"
            ? `socket(${addressFamilyName(Number(v))}): one of the address families the recorded runs used${withI386 ? " (i386 socketcall is not covered by this filter)" : ""}`
            : `personality(${v}): a value the recorded runs used`,
      });
    }
  }
  return rules;
}
