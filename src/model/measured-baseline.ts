import { z } from "zod";
import { RUNTIME_BASELINE_NAMES } from "./baseline-names.js";

/**
 * A runtime baseline measured by `syscage baseline` (file `baselines/NAME.yaml`): the calls the
 * installed runtime made under the seccomp filter before the entrypoint ran, per architecture.
 * Read back with zod (it is a file the user keeps and passes to `generate --measured-baseline`).
 */
export const measuredBaselineSchema = z.object({
  schemaVersion: z.literal(1),
  /** The baseline it stands for: runc, runc-nnp, crun, crun-nnp. */
  name: z.enum(RUNTIME_BASELINE_NAMES),
  runtime: z.enum(["runc", "crun"]),
  /** The runtime's own version line (`runc version 1.1.5+ds1`). */
  version: z.string(),
  noNewPrivileges: z.boolean(),
  /** How it was measured: runs, the container's command, how the filter was loaded. */
  measured: z.string(),
  /** Syscall names per architecture, sorted. */
  syscalls: z.record(z.string(), z.array(z.string())),
});

export type MeasuredBaseline = z.infer<typeof measuredBaselineSchema>;
