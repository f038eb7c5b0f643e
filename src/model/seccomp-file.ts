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
    archMap: z.array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullable().optional() })).nullable().optional(),
    syscalls: z.array(seccompRuleSchema).nullable().optional(),
  })
  .loose();

export type SeccompFile = z.infer<typeof seccompFileSchema>;
export type SeccompFileRule = z.infer<typeof seccompRuleSchema>;
