// The one list of baseline names: the config schema, the measured-baseline schema, `generate
// --baseline` and its help, the pipeline's defaults and the BASELINES table (baselines.ts)
// all derive from it.

/** Baselines that stand for an OCI runtime (what it calls after loading the filter); `syscage baseline` measures these. */
export const RUNTIME_BASELINE_NAMES = ["runc", "runc-nnp", "crun", "crun-nnp"] as const;
/** Baselines of calls a trace never or rarely shows whatever starts the workload; systemd keeps only these. */
export const WORKLOAD_BASELINE_NAMES = ["always", "task-local"] as const;
export const BASELINE_NAMES = [...RUNTIME_BASELINE_NAMES, ...WORKLOAD_BASELINE_NAMES] as const;

export type RuntimeBaselineName = (typeof RUNTIME_BASELINE_NAMES)[number];
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** What a setting or `--baseline` may name: a baseline, or `none` (bare processes: no baselines). */
export const BASELINE_CHOICES = [...BASELINE_NAMES, "none"] as const;
export type BaselineChoice = (typeof BASELINE_CHOICES)[number];

/** Added when the config and the flags name none. */
export const DEFAULT_BASELINES: readonly BaselineName[] = ["runc", "always", "task-local"];

export function isRuntimeBaseline(name: string): name is RuntimeBaselineName {
  return (RUNTIME_BASELINE_NAMES as readonly string[]).includes(name);
}
