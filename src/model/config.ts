import { z } from "zod";
import { ARCHES, type Arch } from "./arch.js";
import { generalizeSchema } from "./allowlist.js";
import { SPO_API_VERSIONS } from "./seccomp.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./artifacts.js";
import { BASELINE_CHOICES } from "./baseline-names.js";

// `syscage.yaml`: which traces make which container's profiles. Read from disk, so checked with zod.

const archSchema = z.enum(ARCHES as [Arch, ...Arch[]]);
const formatSchema = z.enum(OUTPUT_FORMATS as unknown as [OutputFormat, ...OutputFormat[]]);
const baselineSchema = z.enum(BASELINE_CHOICES);

const settingsSchema = z
  .object({
    /** Baselines added to what was observed (default: DEFAULT_BASELINES in baseline-names.ts). `none` for bare processes. */
    baselines: z.array(baselineSchema).optional(),
    /** Outputs to write besides the allowlist, AppArmor and Falco: seccomp formats and systemd (default: docker). */
    formats: z.array(formatSchema).min(1).optional(),
    /** Architecture the traces were recorded on (default: this machine's). */
    recordedArch: archSchema.optional(),
    /** Target architectures, one seccomp profile each (default: the recorded one). */
    arches: z.array(archSchema).min(1).optional(),
    /** Pin socket domains, personality and clone flags to observed constants (default: true). */
    argFilters: z.boolean().optional(),
    /** Path generalization rules for AppArmor and Falco (all on by default; see README). */
    generalize: generalizeSchema.optional(),
    /** apiVersion of the SPO SeccompProfile (default: v1, what SPO stores; v1beta1 for older operators). */
    spoApiVersion: z.enum(SPO_API_VERSIONS).optional(),
    /** Allow the equivalent entry points of each observed call (default: true; see model/equivalent-syscalls.ts). */
    equivalents: z.boolean().optional(),
    /** Allow what a recorded call makes necessary on its other path (default: true; see model/implied-syscalls.ts). */
    implied: z.boolean().optional(),
    /**
     * Falco allowlists per executable (`process`, the default where the runs recorded processes) or
     * for any process of the image (`image`, looser, for workloads whose processes vary).
     */
    falcoScope: z.enum(["process", "image"]).optional(),
  })
  .strict();

export const containerSchema = settingsSchema
  .extend({
    /** Trace files, directories or globs, relative to the config file. */
    inputs: z.array(z.string().min(1)).min(1),
    /** Output directory, relative to the config file (default: PROFILES/NAME). */
    out: z.string().min(1).optional(),
    /** Image names the container runs as, for Falco rules (Docker and CRI forms). */
    images: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const configSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** Directory that holds one NAME/ folder per container, relative to this file (default: profiles). */
    profiles: z.string().min(1).optional(),
    defaults: settingsSchema.optional(),
    containers: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "a container name: letters, digits, '.', '_', '-'"), containerSchema),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ContainerConfig = z.infer<typeof containerSchema>;
export type Settings = z.infer<typeof settingsSchema>;
