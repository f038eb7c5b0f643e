import { z } from "zod";

// The schema of a seccomp profile read back from disk (seccomp-file.ts has its types and helpers).

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
