import { z } from "zod";
import { ARCHES, type Arch } from "./arch.js";

// The allowlist is what syscage writes as `allowlist.yaml` and reads back on the next `generate`
// (incremental merge) and in `diff`. It is parsed with zod because it comes from disk and may have
// been edited by hand; inside the pipeline it is plain data.

const archSchema = z.enum(ARCHES as [Arch, ...Arch[]]);
const count = z.number().int().nonnegative();

/** `[calls, errors, unfinished]` of one syscall in one run. */
const runCountsSchema = z.tuple([count, count, count]);

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
    /** Why it is allowed: `observed`, or `baseline:NAME`. */
    from: z.array(z.string().regex(/^(observed|baseline:[a-z0-9-]+)$/)).min(1),
  })
  .strict();

export const allowlistSchema = z
  .object({
    schemaVersion: z.literal(1),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a container name: letters, digits, '.', '_', '-'"),
    baselines: z.array(z.string()),
    runs: z.array(runRecordSchema),
    syscalls: z.record(z.string(), syscallEntrySchema),
  })
  .strict();

export type RunRecord = z.infer<typeof runRecordSchema>;
export type SyscallEntry = z.infer<typeof syscallEntrySchema>;
export type Allowlist = z.infer<typeof allowlistSchema>;
