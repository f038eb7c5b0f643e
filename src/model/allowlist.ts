import { z } from "zod";
import { ARCHES, type Arch } from "./arch.js";

// The allowlist is what syscage writes as `allowlist.yaml` and reads back on the next `generate`
// (incremental merge) and in `diff`. It is parsed with zod because it comes from disk and may have
// been edited by hand; inside the pipeline it is plain data.

const archSchema = z.enum(ARCHES as [Arch, ...Arch[]]);
const count = z.number().int().nonnegative();

/** `[calls, errors, unfinished]` of one syscall in one run. */
const runCountsSchema = z.tuple([count, count, count]);

const fileUseSchema = z
  .object({
    path: z.string().min(1),
    access: z.array(z.enum(["read", "write", "append", "create", "delete", "exec", "map", "link", "lock", "stat"])),
    dir: z.boolean(),
    generalizedBy: z.string().optional(),
    glob: z.literal(true).optional(),
  })
  .strict();
const execUseSchema = z.object({ path: z.string().min(1), parent: z.string().optional() }).strict();
const socketUseSchema = z.object({ family: z.string(), type: z.string(), protocol: z.string().optional() }).strict();
const endpointSchema = z.object({ family: z.string(), proto: z.string().optional(), address: z.string(), port: z.number().int().optional() }).strict();
const capabilitySchema = z.object({ name: z.string(), evidence: z.string() }).strict();
const seen = { runs: count };
const processUseFields = {
  exe: z.string(),
  spawns: z.array(z.string().min(1)),
  connects: z.array(endpointSchema),
  accepts: z.array(endpointSchema),
  listens: z.array(endpointSchema),
};
const processUseSchema = z.object({ ...processUseFields, writes: z.array(z.string().min(1)) }).strict();
const containerProcessUseSchema = z
  .object({ ...processUseFields, writes: z.array(z.object({ path: z.string().min(1), glob: z.literal(true).optional() }).strict()) })
  .strict();

/** What one run touched (see model/resources.ts). */
export const runResourcesSchema = z
  .object({
    files: z.array(fileUseSchema),
    execs: z.array(execUseSchema),
    sockets: z.array(socketUseSchema),
    listens: z.array(endpointSchema),
    connects: z.array(endpointSchema),
    capabilities: z.array(capabilitySchema),
    unresolved: z.array(z.object({ syscall: z.string(), path: z.string(), line: z.number().int() }).strict()),
    processes: z.array(processUseSchema).optional(),
  })
  .strict();

/** A container's resources over its runs, each with the number of runs it was seen in. */
export const containerResourcesSchema = z
  .object({
    files: z.array(fileUseSchema.extend(seen)),
    execs: z.array(execUseSchema.extend(seen)),
    sockets: z.array(socketUseSchema.extend(seen)),
    listens: z.array(endpointSchema.extend(seen)),
    connects: z.array(endpointSchema.extend(seen)),
    capabilities: z.array(capabilitySchema.extend(seen)),
    processes: z.array(containerProcessUseSchema).optional(),
  })
  .strict();

/** Path generalization rules (see aggregate/generalize.ts); in the config and recorded in the allowlist. */
export const generalizeSchema = z
  .object({
    pid: z.boolean().optional(),
    uuid: z.boolean().optional(),
    hash: z.boolean().optional(),
    generated: z.boolean().optional(),
    betweenRuns: z.boolean().optional(),
    manyFiles: z.boolean().optional(),
    manyFilesThreshold: z.number().int().min(1).optional(),
    manyFilesSkip: z.array(z.string()).optional(),
  })
  .strict();

export const runRecordSchema = z
  .object({
    /** The run's name: its file, or the common prefix of its `-ff` files. */
    id: z.string().min(1),
    files: z.array(z.string()).min(1),
    /** SHA-256 of the run's decompressed content: the same recording is never counted twice. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 hex digits"),
    kind: z.enum(["trace", "summary", "trace+summary", "empty"]),
    /** strace flags the text shows (inferred). */
    flags: z.array(z.string()),
    arches: z.array(archSchema),
    /** Per architecture, per syscall: `[calls, errors, unfinished]`. */
    syscalls: z.partialRecord(archSchema, z.record(z.string(), runCountsSchema)),
    /** Argument constants of filterable syscalls, per architecture (decimal strings, `?` when unreadable). */
    args: z.partialRecord(archSchema, z.partialRecord(z.enum(["socket", "personality", "clone"]), z.array(z.string()))).optional(),
    /** Files, programs, sockets and capabilities the run used (absent for summary tables). */
    resources: runResourcesSchema.optional(),
  })
  .strict();

export const syscallEntrySchema = z
  .object({
    /** In how many of the allowlist's runs the syscall was seen (k of N, N = number of runs). */
    runs: count,
    calls: count,
    errors: count,
    unfinished: count,
    /** Architectures it was seen on (or that a baseline added it for). */
    arches: z.array(archSchema),
    /**
     * Why it is allowed: `observed`; `baseline:NAME`; `equivalent:NAME`, another entry point of the
     * observed call NAME (model/equivalent-syscalls.ts); `implied:NAME`, needed on the other path of
     * the observed call NAME (model/implied-syscalls.ts).
     */
    from: z.array(z.string().regex(/^(observed|baseline:[a-z0-9-]+|equivalent:[a-z0-9_]+|implied:[a-z0-9_]+)$/)).min(1),
  })
  .strict();

export const allowlistSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a container name: letters, digits, '.', '_', '-'"),
    baselines: z.array(z.string()),
    runs: z.array(runRecordSchema),
    syscalls: z.record(z.string(), syscallEntrySchema),
    /** `false` when equivalent entry points were not added (`--no-equivalents`); absent: on. */
    equivalents: z.literal(false).optional(),
    /** `false` when implied calls were not added (`--no-implied`); absent: on. */
    implied: z.literal(false).optional(),
    /** The path generalization rules in force (all on when absent). */
    generalize: generalizeSchema.optional(),
    /** The runs' resources merged and generalized (what AppArmor and Falco rules are made from). */
    resources: containerResourcesSchema.optional(),
  })
  .strict();

export type RunRecord = z.infer<typeof runRecordSchema>;
export type SyscallEntry = z.infer<typeof syscallEntrySchema>;
export type Allowlist = z.infer<typeof allowlistSchema>;
