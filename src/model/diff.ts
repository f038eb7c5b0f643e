// The semantic diff between two versions of syscage's artifacts. Each artifact is reduced to a set of
// items (what it permits or detects), and two versions are compared item by item, so reordering or
// reformatting is no change. `syscage diff --format json` prints a DiffReport.

import type { ArtifactKind } from "./artifacts.js";

export type { ArtifactKind } from "./artifacts.js";

/** One permission, rule or fact of an artifact. */
export interface Item {
  /** Identity across versions (`x86_64 socket arg0==2`, `file "/etc/passwd"`, `list syscage_web_execs`). */
  id: string;
  /** What the artifact says about it (`SCMP_ACT_ALLOW`, `r`, the list's items); a different value is a change. */
  value: string;
  /** Which way a change of this item moves privilege when it appears (see `grantsWhen`). */
  kind: "permission" | "restriction" | "detection" | "fact";
  /** Section for display (`x86_64`, `files`, `network`, `lists`, `syscalls`). */
  group: string;
}

export type ChangeType = "added" | "removed" | "changed";

/** Whether a change gives the workload more room (grant), less (revoke), or neither (info). */
export type Effect = "grant" | "revoke" | "info";

export interface Change {
  type: ChangeType;
  effect: Effect;
  group: string;
  id: string;
  /** Values before and after (absent on the side where the item does not exist). */
  before?: string;
  after?: string;
  /** Why it is there, when the allowlist knows: `seen in 3 of 4 runs`, `baseline runc`. */
  reason?: string;
  /** Set for grants of high-risk syscalls, capabilities and writable paths. */
  risk?: string;
}

export interface ArtifactDiff {
  /** The file, relative to the compared roots (`web/seccomp.json`). */
  path: string;
  kind: ArtifactKind;
  /** `added` / `removed` when the whole file is new or gone. */
  status: "added" | "removed" | "modified" | "unchanged";
  changes: Change[];
}

export interface DiffReport {
  schemaVersion: 1;
  old: string;
  new: string;
  artifacts: ArtifactDiff[];
  /** Files of a compared directory that are no syscage artifact (a config, a README): not compared, but named. Absent when none. */
  ignored?: string[];
  summary: {
    added: number;
    removed: number;
    changed: number;
    grants: number;
    revokes: number;
    risky: number;
    /** Changes to permissions seen in only 1 of several (N >= 2) runs: fragile, record more runs (absent when 0). */
    singleRun?: number;
  };
}

/**
 * `syscage check --format json`, whether or not anything is stale: the diff report of the stale
 * containers' committed files against their regeneration (`old` "committed", `new` "regenerated"; no
 * artifacts when nothing is stale), plus the names of the stale containers, sorted (empty: exit 0).
 */
export interface CheckReport extends DiffReport {
  stale: string[];
}

export const FAIL_ON = ["added", "risky", "removed", "any"] as const;
export type FailOn = (typeof FAIL_ON)[number];
