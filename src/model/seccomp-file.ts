import type { z } from "zod";
import type { seccompFileSchema, seccompRuleSchema } from "./seccomp-file-schema.js";

// A seccomp profile read back from disk, in any of the formats syscage writes or reads: Docker/moby
// JSON (archMap, includes/excludes, comment), OCI runtime-spec JSON, or an SPO SeccompProfile's spec.
// The zod schema is in seccomp-file-schema.ts: what only evaluates rules needs no zod (40 ms to load).

export type SeccompFile = z.infer<typeof seccompFileSchema>;
export type SeccompFileRule = z.infer<typeof seccompRuleSchema>;

/** Capabilities a Docker container has by default (moby `oci/caps/defaults.go`): Docker profiles' `includes.caps` are evaluated against them. */
export const DOCKER_DEFAULT_CAPS = [
  "CAP_AUDIT_WRITE",
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_MKNOD",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_RAW",
  "CAP_SETFCAP",
  "CAP_SETGID",
  "CAP_SETPCAP",
  "CAP_SETUID",
  "CAP_SYS_CHROOT",
];

/** Docker writes Go architecture names in `includes.arches`. */
const GO_ARCH: Record<string, string> = {
  amd64: "SCMP_ARCH_X86_64",
  x86: "SCMP_ARCH_X86",
  "386": "SCMP_ARCH_X86",
  x32: "SCMP_ARCH_X32",
  arm64: "SCMP_ARCH_AARCH64",
  arm: "SCMP_ARCH_ARM",
};

/** Whether a rule of a Docker profile applies on an architecture (libseccomp name) given the container's capabilities. */
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
