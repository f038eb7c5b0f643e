import { z } from "zod";

// A seccomp profile read back from disk, in any of the formats syscage writes or reads: Docker/moby
// JSON (archMap, includes/excludes, comment), OCI runtime-spec JSON, or an SPO SeccompProfile's spec.

const argSchema = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number(),
  valueTwo: z.number().optional(),
  op: z.string(),
});

const filterSchema = z
  .object({
    caps: z.array(z.string()).optional(),
    arches: z.array(z.string()).optional(),
    minKernel: z.string().optional(),
  })
  .loose();

export const seccompRuleSchema = z
  .object({
    names: z.array(z.string()).optional(),
    name: z.string().optional(),
    action: z.string(),
    errnoRet: z.number().int().optional(),
    args: z.array(argSchema).nullable().optional(),
    includes: filterSchema.optional(),
    excludes: filterSchema.optional(),
    comment: z.string().optional(),
  })
  .loose();

export const seccompFileSchema = z
  .object({
    defaultAction: z.string(),
    defaultErrnoRet: z.number().int().optional(),
    architectures: z.array(z.string()).nullable().optional(),
    archMap: z
      .array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullable().optional() }))
      .nullable()
      .optional(),
    syscalls: z.array(seccompRuleSchema).nullable().optional(),
  })
  .loose();

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
