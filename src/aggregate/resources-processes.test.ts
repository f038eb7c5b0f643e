import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord } from "../model/allowlist.js";
import type { RunResources } from "../model/resources.js";
import { aggregateResources } from "./resources.js";

function runOf(id: string, resources: RunResources): RunRecord {
  return { id, files: [id], sha256: id.repeat(64).slice(0, 64), kind: "trace", flags: [], arches: ["x86_64"], syscalls: {}, resources };
}

const base = (): RunResources => ({ files: [], execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [] });

describe("aggregated per-process facts", () => {
  it("maps each executable's written paths onto the generalized entries that cover them", () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `/var/spool/job-${i}.tmp`, access: ["write" as const, "create" as const], dir: false }));
    const r = aggregateResources([
      runOf("a", {
        ...base(),
        files,
        processes: [{ exe: "/usr/bin/worker", spawns: [], writes: files.map((f) => f.path), connects: [], accepts: [], listens: [] }],
      }),
    ]);
    assert.deepEqual(r.processes?.[0]?.writes, [{ path: "/var/spool/*", glob: true }]);
  });

  it("records no processes when a run lacks them (an older allowlist's run): rules fall back to image scope", () => {
    const withProcesses = runOf("a", { ...base(), processes: [{ exe: "/bin/sh", spawns: [], writes: [], connects: [], accepts: [], listens: [] }] });
    const older = runOf("b", { ...base(), execs: [{ path: "/bin/sh" }] });
    assert.equal(aggregateResources([withProcesses, older]).processes, undefined);
    assert.deepEqual(
      aggregateResources([withProcesses]).processes?.map((p) => p.exe),
      ["/bin/sh"],
    );
  });
});
