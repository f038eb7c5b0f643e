// The policy an allowlist implies: architectures that ran, names that exist, filters only when proven.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunRecord } from "../model/allowlist.js";
import { buildAllowlist } from "./build-allowlist.js";
import { buildSeccompPolicy } from "./seccomp-policy.js";

function run(id: string, syscalls: RunRecord["syscalls"], args?: RunRecord["args"], kind: RunRecord["kind"] = "trace"): RunRecord {
  const r: RunRecord = {
    id,
    files: [id],
    sha256: id
      .padEnd(64, "0")
      .slice(0, 64)
      .replace(/[^0-9a-f]/g, "a"),
    kind,
    flags: [],
    arches: Object.keys(syscalls) as RunRecord["arches"],
    syscalls,
  };
  if (args) r.args = args;
  return r;
}

const names = (p: ReturnType<typeof buildSeccompPolicy>) => p.rules.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names);

describe("buildSeccompPolicy", () => {
  it("leaves out and reports names that are not syscalls of the architecture", () => {
    const a = buildAllowlist([run("a", { x86_64: { read: [1, 0, 0], syscall_0x3e7: [1, 1, 0] } })], { name: "t", baselines: [] });
    const p = buildSeccompPolicy(a, { target: "x86_64", argFilters: true });
    assert.deepEqual(names(p), ["read"]);
    assert.deepEqual(
      p.untranslatable.map((u) => u.name),
      ["syscall_0x3e7"],
    );
  });

  it("adds SCMP_ARCH_X86 only when 32-bit processes ran", () => {
    const only64 = buildAllowlist([run("a", { x86_64: { read: [1, 0, 0] } })], { name: "t", baselines: [] });
    assert.deepEqual(buildSeccompPolicy(only64, { target: "x86_64", argFilters: true }).architectures, ["SCMP_ARCH_X86_64"]);
    const mixed = buildAllowlist([run("a", { x86_64: { read: [1, 0, 0] }, i386: { mmap2: [2, 0, 0] } })], { name: "t", baselines: [] });
    const p = buildSeccompPolicy(mixed, { target: "x86_64", argFilters: true });
    assert.deepEqual(p.architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]);
    assert.deepEqual(names(p).sort(), ["mmap2", "read"]);
  });

  it("pins socket domains only when every run that called socket recorded its arguments", () => {
    const traced = run("a", { x86_64: { socket: [2, 0, 0] } }, { x86_64: { socket: ["2", "10"] } });
    const withArgs = buildSeccompPolicy(buildAllowlist([traced], { name: "t", baselines: [] }), { target: "x86_64", argFilters: true });
    assert.deepEqual(
      withArgs.rules.filter((r) => r.args).map((r) => r.args![0]!.value),
      [2, 10],
    );
    const table = run("b", { x86_64: { socket: [1, 0, 0] } }, undefined, "summary");
    const noArgs = buildSeccompPolicy(buildAllowlist([traced, table], { name: "t", baselines: [] }), { target: "x86_64", argFilters: true });
    assert.deepEqual(
      noArgs.rules.filter((r) => r.args),
      [],
      "a -c table has no arguments: socket stays unconstrained",
    );
    assert.ok(names(noArgs).includes("socket"));
    const off = buildSeccompPolicy(buildAllowlist([traced], { name: "t", baselines: [] }), { target: "x86_64", argFilters: false });
    assert.deepEqual(
      off.rules.filter((r) => r.args),
      [],
    );
  });

  it("keeps clone open when a run created namespaces", () => {
    const ns = run("a", { x86_64: { clone: [1, 0, 0] } }, { x86_64: { clone: ["0", String(0x20000000)] } });
    const p = buildSeccompPolicy(buildAllowlist([ns], { name: "t", baselines: [] }), { target: "x86_64", argFilters: true });
    assert.deepEqual(
      p.rules.filter((r) => r.args),
      [],
    );
    assert.ok(names(p).includes("clone"));
  });
});
