import type { Allowlist } from "./allowlist.js";
import type { Arch } from "./arch.js";
import type { Change, Item } from "./diff.js";
import type { ContainerResources } from "./resources.js";
import type { SeccompPolicy, SpoApiVersion } from "./seccomp.js";

// The shapes of the artifact table (`pipeline/artifacts.ts`): every file syscage writes and reads
// back is one kind, and each kind is one row of that table with its outputs (file name and
// emitter), how a file of that kind is recognized, how it is read into diff items, and how its
// changes are annotated. Adding a kind here does not compile until the table has its row.

/** What a file is, for `diff`: one row of the artifact table each. */
export const ARTIFACT_KINDS = ["allowlist", "seccomp", "apparmor", "falco", "systemd"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/**
 * The outputs `--format` and `formats:` choose from (the other outputs, allowlist.yaml, the
 * AppArmor profile and the Falco rules, are written whenever a container has what they need).
 */
export const OUTPUT_FORMATS = ["docker", "oci", "spo", "systemd"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Everything an emitter may read about one container, for one target architecture. Built once per
 * container and target by the pipeline (`pipeline/render-container.ts`); emitters pick what they need.
 */
export interface ArtifactInput {
  name: string;
  allowlist: Allowlist;
  /** The architecture this file is for (per-target outputs get one file each). */
  target: Arch;
  /** The seccomp policy for `target` with the container's baselines and argument filters. */
  policy: SeccompPolicy;
  /**
   * The same target for a consumer that loads the filter itself, just before `execve` (systemd):
   * only the `always` and `task-local` baselines, no runtime baseline, no argument filters (systemd cannot express them).
   */
  servicePolicy: SeccompPolicy;
  /** Syscalls allowed on any target (sorted), for outputs that list them once (Falco). */
  allowedNames: string[];
  /**
   * Resources with the values each consumer cannot hold safely left out (see the pipeline), or
   * absent when no run was traced (summary tables only).
   */
  resources?: { apparmor: ContainerResources; falco: ContainerResources };
  /** Image repositories the container runs as (Falco's scope). */
  images: string[];
  /** Runs that carried resources (traced runs), for "seen in k of N runs". */
  tracedRuns: number;
  /** The container has one file per target: names inside files must differ per target (SPO). */
  multiArch: boolean;
  /** SeccompProfile API version (default: what current SPO releases store). */
  spoApiVersion?: SpoApiVersion;
  /** Falco allowlists per executable (`process`) or per image; unset: the emitter's default. */
  falcoScope?: "process" | "image";
}

/** Options every emitter takes; none yet (a per-command option, such as Falco's syscall rule, would go here). */
export type EmitOptions = Readonly<Record<string, never>>;

/** One file format of a kind: its file name and its emitter. */
export interface ArtifactOutput {
  /** File name in the container's directory; per-target outputs get the arch before the first dot when there are several targets. */
  file: string;
  describe: string;
  /** One file per target architecture (seccomp, systemd), or one per container. */
  perTarget: boolean;
  /** Why this output cannot be written for this container (it is then left out with that note), or undefined. */
  unavailable?: (input: ArtifactInput) => string | undefined;
  emit: (input: ArtifactInput, options: EmitOptions) => string;
}

/** What annotating a change may use: the allowlist beside the artifact, and seccomp's default actions. */
export interface AnnotateContext {
  allowlist: Allowlist | undefined;
  /** The default action of the profile before and after (seccomp); a rule that disappears falls back to it. */
  defaults: { before: string; after: string };
}

/** How `diff` reads one kind. */
export interface ArtifactReader {
  /** Whether a file is of this kind, from its name and content; never guesses from one alone when both can be wrong. */
  recognize: (path: string, text: string) => boolean;
  /** The file as items; throws an Error naming `path` when it does not parse. */
  items: (path: string, text: string) => Item[];
  /** Adds the effect, the reason and the risk a reviewer needs to a change. */
  annotate: (change: Change, context: AnnotateContext) => Change;
}

export interface ArtifactSpec extends ArtifactReader {
  outputs: Record<string, ArtifactOutput>;
}
