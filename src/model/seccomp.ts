import type { Arch } from "./arch.js";

/** A libseccomp comparison, as Docker and the OCI runtime spec write it. */
export interface SeccompArg {
  index: number;
  /** For SCMP_CMP_MASKED_EQ this is the mask (runc/crun convention); the datum is `valueTwo`. */
  value: number;
  valueTwo?: number;
  op: "SCMP_CMP_EQ" | "SCMP_CMP_MASKED_EQ";
}

export interface SeccompRule {
  names: string[];
  action: "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO";
  errnoRet?: number;
  /** Conditions on distinct argument indexes (they AND). One condition per rule keeps runc and crun agreeing. */
  args?: SeccompArg[];
  /** Why the rule exists (Docker format keeps it; OCI drops it). */
  comment: string;
}

/** One seccomp profile for one target architecture, before it is written in a format. */
export interface SeccompPolicy {
  name: string;
  target: Arch;
  defaultAction: "SCMP_ACT_ERRNO";
  defaultErrnoRet: number;
  /** SCMP_ARCH_* values: the target and the 32-bit/x32 personalities that ran. */
  architectures: string[];
  rules: SeccompRule[];
  /** Names recorded on another architecture that were translated for this target. */
  translated: { from: string; to: string }[];
  /** Names that have no equivalent on the target: left out, and reported. */
  untranslatable: { name: string; reason: string }[];
  /** High-risk syscalls the profile allows, with the reason (the lint). */
  risky: { name: string; reason: string }[];
}

/**
 * The Security Profiles Operator's API versions of `SeccompProfile`. SPO v1.0.0 serves both and
 * stores `v1` (`storage: true` in deploy/base-crds/crds/seccompprofile.yaml, vendored as
 * data/spo-seccompprofile-crd.yaml); `v1beta1` is for clusters running an older operator.
 */
export const SPO_API_VERSIONS = ["v1", "v1beta1"] as const;
export type SpoApiVersion = (typeof SPO_API_VERSIONS)[number];
export const DEFAULT_SPO_API_VERSION: SpoApiVersion = "v1";

/** The names a set of policies allows (any rule, with or without argument conditions), sorted: the one place this is computed. */
export function allowedNames(policies: readonly SeccompPolicy[]): string[] {
  return [...new Set(policies.flatMap((p) => p.rules.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names)))].sort();
}
