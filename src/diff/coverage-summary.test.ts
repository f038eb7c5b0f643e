// What is fragile: diff's summary counts the permissions seen in only 1 of several runs, once each
// (a syscall shows in the seccomp profile and in the allowlist), and generate says the same per container.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildAllowlist } from "../aggregate/build-allowlist.js";
import { buildSeccompPolicy } from "../aggregate/seccomp-policy.js";
import { describeCoverage } from "../cli/commands/generate.js";
import { emitAllowlist } from "../emit/allowlist.js";
import { emitDiffText } from "../emit/diff-report.js";
import { emitSeccompDocker } from "../emit/seccomp.js";
import { ARTIFACT_READERS } from "../pipeline/artifacts.js";
import type { RunRecord } from "../model/allowlist.js";
import { diffArtifacts, loadReaderSchemas } from "./diff-artifacts.js";

// The readers check allowlists and seccomp profiles with zod schemas, loaded on demand.
await loadReaderSchemas();

function run(id: string, syscalls: Record<string, [number, number, number]>): RunRecord {
  const sha = [...id]
    .map((c) => c.charCodeAt(0).toString(16))
    .join("")
    .padEnd(64, "a")
    .slice(0, 64);
  return { id, files: [id], sha256: sha, kind: "trace", flags: ["-f"], arches: ["x86_64"], syscalls: { x86_64: syscalls } };
}

const R1 = run("r1", { read: [1, 0, 0], write: [1, 0, 0] });
const R2 = run("r2", { read: [1, 0, 0], write: [1, 0, 0] });
const R3 = run("r3", { read: [1, 0, 0], write: [1, 0, 0], mremap: [1, 0, 0], sendfile: [2, 0, 0] });

function files(runs: RunRecord[]): Map<string, string> {
  const a = buildAllowlist(runs, { name: "web", baselines: [], equivalents: false });
  return new Map([
    ["web/allowlist.yaml", emitAllowlist(a)],
    ["web/seccomp.json", emitSeccompDocker(buildSeccompPolicy(a, { target: "x86_64", argFilters: false }))],
  ]);
}

describe("coverage in diffs and in generate", () => {
  it("diff's summary line counts the permissions seen in only 1 of N runs, each once", () => {
    const r = diffArtifacts("old", files([R1, R2]), "new", files([R1, R2, R3]), ARTIFACT_READERS);
    assert.equal(r.summary.singleRun, 2, JSON.stringify(r.artifacts.flatMap((a) => a.changes.map((c) => [c.id, c.after, c.reason]))));
    assert.match(emitDiffText(r).split("\n")[0]!, /, 2 seen in only 1 run\)$/);
    // Nothing fragile: no count, the line as before.
    const same = diffArtifacts("old", files([R1]), "new", files([R1, R2]), ARTIFACT_READERS);
    assert.equal(same.summary.singleRun, undefined);
    assert.doesNotMatch(emitDiffText(same).split("\n")[0]!, /seen in only/);
  });

  it("generate names the single-run syscalls, the number of runs, and suggests recording more", () => {
    const one = describeCoverage("web", buildAllowlist([R1], { name: "web", baselines: [] }));
    assert.match(one.join("\n"), /coverage: 1 run: every permission rests on this one recording; record more runs \(syscage record --name web/);
    const three = describeCoverage("web", buildAllowlist([R1, R2, R3], { name: "web", baselines: [] }));
    assert.match(three[0]!, /^ {2}coverage: 3 runs; seen in only 1 of them: 2 syscall\(s\) \(mremap, sendfile\)/);
    assert.match(three.join("\n"), /coverage is thin: record more runs/);
    const solid = describeCoverage("web", buildAllowlist([R1, R2], { name: "web", baselines: [] }));
    assert.deepEqual(solid, ["  coverage: 2 runs; every observed syscall was seen in at least 2"]);
  });
});
