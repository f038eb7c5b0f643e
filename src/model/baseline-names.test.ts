// One list of baseline names: every place that accepts or lists them follows BASELINE_NAMES.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runCli } from "../test/support/run-cli.js";
import { BASELINE_CHOICES, BASELINE_NAMES, DEFAULT_BASELINES, RUNTIME_BASELINE_NAMES, isRuntimeBaseline } from "./baseline-names.js";
import { containerSchema } from "./config.js";
import { measuredBaselineSchema } from "./measured-baseline.js";
import { BASELINES } from "./baselines.js";

const config = (baselines: string[]) => containerSchema.safeParse({ inputs: ["t"], baselines });

describe("baseline names", () => {
  it("the BASELINES table has exactly one entry per name, named as its key", () => {
    assert.deepEqual(Object.keys(BASELINES).sort(), [...BASELINE_NAMES].sort());
    for (const [k, b] of Object.entries(BASELINES)) assert.equal(b.name, k);
  });

  it("the config accepts each name and none, and nothing else", () => {
    for (const b of BASELINE_CHOICES) assert.ok(config([b]).success, b);
    assert.equal(config(["docker"]).success, false);
    assert.equal(config(["RUNC"]).success, false);
  });

  it("a measured baseline file names a runtime baseline, never a workload one", () => {
    assert.deepEqual([...measuredBaselineSchema.shape.name.options].sort(), [...RUNTIME_BASELINE_NAMES].sort());
    assert.ok(!isRuntimeBaseline("always") && !isRuntimeBaseline("task-local") && isRuntimeBaseline("crun-nnp"));
    assert.ok(DEFAULT_BASELINES.every((b) => (BASELINE_NAMES as readonly string[]).includes(b)));
  });

  it("generate --baseline lists the same choices in its help and its error", () => {
    const help = runCli(["generate", "--help"]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout.replace(/\s+/g, " "), new RegExp(`${BASELINE_CHOICES.join(", ")} \\(default: ${DEFAULT_BASELINES.join(",")}\\)`));
    const bad = runCli(["generate", "--baseline", "runc,docker", "--config", "/nonexistent/syscage.yaml"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`unknown value "docker", expected one or more of ${BASELINE_CHOICES.join(", ")}`));
  });
});
