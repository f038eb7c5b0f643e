// Merging runs into an allowlist: order-independent, idempotent, incremental, and exactly the
// observed names plus the chosen baselines.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emitAllowlist } from "../emit/allowlist.js";
import { allowlistSchema, type RunRecord } from "../model/allowlist.js";
import { parseYamlFile } from "../io/yaml-file.js";
import { baselineNames, buildAllowlist, mergeAllowlists } from "./build-allowlist.js";

function run(id: string, sha: string, syscalls: Record<string, [number, number, number]>, arch: "x86_64" | "i386" = "x86_64"): RunRecord {
  return { id, files: [id], sha256: sha.repeat(64).slice(0, 64), kind: "trace", flags: ["-f"], arches: [arch], syscalls: { [arch]: syscalls } };
}

const A = run("a.trace", "a", { openat: [3, 1, 0], read: [5, 0, 0], exit_group: [0, 0, 1] });
const B = run("b.trace", "b", { openat: [2, 0, 0], write: [1, 0, 0], exit_group: [0, 0, 1] });
const C = run("c.trace", "c", { mmap2: [4, 0, 0] }, "i386");

describe("buildAllowlist", () => {
  it("counts runs seen (k of N), calls, errors and unfinished per syscall", () => {
    const a = buildAllowlist([A, B], { name: "web", baselines: [] });
    assert.equal(a.runs.length, 2);
    assert.deepEqual(a.syscalls.openat, { runs: 2, calls: 5, errors: 1, unfinished: 0, arches: ["x86_64"], from: ["observed"] });
    assert.deepEqual(a.syscalls.read, { runs: 1, calls: 5, errors: 0, unfinished: 0, arches: ["x86_64"], from: ["observed"] });
    assert.deepEqual(a.syscalls.exit_group, { runs: 2, calls: 0, errors: 0, unfinished: 2, arches: ["x86_64"], from: ["observed"] });
    // openat's equivalents (open, and creat which it can do) come with it (equivalents.test.ts).
    assert.deepEqual(Object.keys(a.syscalls), ["creat", "exit_group", "open", "openat", "read", "write"]);
  });

  it("is order-independent: merge(a, b) = merge(b, a), byte for byte", () => {
    const opts = { name: "web", baselines: ["always" as const] };
    assert.equal(emitAllowlist(buildAllowlist([A, B, C], opts)), emitAllowlist(buildAllowlist([C, B, A], opts)));
    const x = buildAllowlist([A], opts);
    const y = buildAllowlist([B, C], { name: "web", baselines: ["runc"] });
    assert.equal(emitAllowlist(mergeAllowlists(x, y)), emitAllowlist(mergeAllowlists(y, x)));
  });

  it("counts the same recording once, whatever its name", () => {
    const again = { ...A, id: "copy-of-a.trace", files: ["copy-of-a.trace"] };
    const a = buildAllowlist([A, again, B], { name: "web", baselines: [] });
    assert.equal(a.runs.length, 2);
    assert.equal(a.syscalls.openat!.calls, 5);
  });

  it("incremental merge keeps every run seen before", () => {
    const first = buildAllowlist([A], { name: "web", baselines: [] });
    const text = emitAllowlist(first);
    const reread = parseYamlFile(text, "allowlist.yaml", allowlistSchema, "SC_ALLOWLIST");
    assert.deepEqual(reread, first, "allowlist.yaml reads back to the same data");
    const second = buildAllowlist([...reread.runs, B], { name: "web", baselines: [] });
    assert.deepEqual(
      second.runs.map((r) => r.id),
      ["a.trace", "b.trace"],
    );
    assert.ok(second.syscalls.read, "read, seen only in the first run, is kept");
  });

  it("holds the observed names plus the baselines and nothing else (equivalents off; equivalents.test.ts covers them)", () => {
    const a = buildAllowlist([A, C], { name: "web", baselines: ["always"], equivalents: false });
    const expected = new Set(["openat", "read", "exit_group", "mmap2", ...baselineNames("always", "x86_64"), ...baselineNames("always", "i386")]);
    assert.deepEqual(new Set(Object.keys(a.syscalls)), expected);
    for (const [name, e] of Object.entries(a.syscalls)) {
      const observed = ["openat", "read", "exit_group", "mmap2"].includes(name);
      assert.equal(e.from.includes("observed"), observed, name);
      if (!observed) assert.deepEqual(e.from, ["baseline:always"], name);
    }
    assert.deepEqual(a.syscalls.mmap2!.arches, ["i386"]);
  });

  it("rejects a hand-edited allowlist with the line of the problem", () => {
    const text = emitAllowlist(buildAllowlist([A], { name: "web", baselines: [] })).replace("openat: {runs: 1,", "openat: {runs: -1,");
    assert.throws(
      () => parseYamlFile(text, "profiles/web/allowlist.yaml", allowlistSchema, "SC_ALLOWLIST"),
      (e: Error & { code?: string }) => e.code === "SC_ALLOWLIST" && /profiles\/web\/allowlist\.yaml:\d+: syscalls\.openat\.runs: /.test(e.message),
    );
  });
});
