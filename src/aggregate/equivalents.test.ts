// Equivalent entry points and implied calls: what each observed call grants beside itself, per
// architecture, and what it never grants.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowlistSchema, type RunRecord } from "../model/allowlist.js";
import { ARCHES, isSyscall, type Arch } from "../model/arch.js";
import { configSchema } from "../model/config.js";
import { EQUIVALENT_GROUPS } from "../model/equivalent-syscalls.js";
import { IMPLIED_RULES } from "../model/implied-syscalls.js";
import { ENOSYS_PROBES } from "../model/enosys-probes.js";
import { HIGH_RISK } from "../model/high-risk-syscalls.js";
import { allowlistItems, syscallReason } from "../diff/allowlist-items.js";
import { buildAllowlist, mergeAllowlists } from "./build-allowlist.js";
import { buildSeccompPolicy } from "./seccomp-policy.js";

function run(id: string, syscalls: Record<string, [number, number, number]>, arch: Arch = "x86_64"): RunRecord {
  const sha = [...id]
    .map((c) => c.charCodeAt(0).toString(16))
    .join("")
    .padEnd(64, "0")
    .slice(0, 64);
  return { id, files: [id], sha256: sha, kind: "trace", flags: ["-f"], arches: [arch], syscalls: { [arch]: syscalls } };
}
const allowed = (p: ReturnType<typeof buildSeccompPolicy>) => new Set(p.rules.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names));

/** Calls whose power differs from every neighbour's: no group may hold them (README "Equivalent syscalls"). */
const NEVER = [
  "openat2",
  "clone",
  "clone3",
  "fork",
  "vfork",
  "execve",
  "execveat",
  "kill",
  "tkill",
  "tgkill",
  "pidfd_send_signal",
  "rt_sigqueueinfo",
  "pipe2",
  "renameat2",
];

describe("equivalent syscalls", () => {
  it("grants clock_nanosleep for a recorded nanosleep, marked equivalent:nanosleep, and the profile allows it", () => {
    const a = buildAllowlist([run("r1", { nanosleep: [3, 0, 0], read: [1, 0, 0] })], { name: "t", baselines: [] });
    assert.deepEqual(a.syscalls.clock_nanosleep, { runs: 0, calls: 0, errors: 0, unfinished: 0, arches: ["x86_64"], from: ["equivalent:nanosleep"] });
    assert.ok(allowed(buildSeccompPolicy(a, { target: "x86_64", argFilters: true })).has("clock_nanosleep"));
    // Written and read back: the origin survives the schema.
    assert.ok(allowlistSchema.safeParse(JSON.parse(JSON.stringify(a))).success);
  });

  it("is defined per architecture: aarch64 gets no open, x86_64 gets open for openat", () => {
    const arm = buildAllowlist([run("r1", { openat: [3, 0, 0], ppoll: [1, 0, 0], dup3: [1, 0, 0] }, "aarch64")], { name: "t", baselines: [] });
    for (const absent of ["open", "poll", "dup2", "creat"]) assert.equal(arm.syscalls[absent], undefined, absent);
    const x86 = buildAllowlist([run("r1", { openat: [3, 0, 0], ppoll: [1, 0, 0], dup3: [1, 0, 0] })], { name: "t", baselines: [] });
    assert.deepEqual(x86.syscalls.open?.from, ["equivalent:openat"]);
    assert.deepEqual(x86.syscalls.poll?.from, ["equivalent:ppoll"]);
    assert.deepEqual(x86.syscalls.dup2?.from, ["equivalent:dup3"]);
    assert.deepEqual(x86.syscalls.creat?.from, ["equivalent:openat"]);
    // i386 has its own names: a recorded nanosleep grants clock_nanosleep_time64 there.
    const i386 = buildAllowlist([run("r1", { nanosleep: [1, 0, 0], waitpid: [1, 0, 0] }, "i386")], { name: "t", baselines: [] });
    assert.deepEqual(i386.syscalls.clock_nanosleep_time64?.from, ["equivalent:nanosleep"]);
    assert.deepEqual(i386.syscalls.wait4?.from, ["equivalent:waitpid"]);
  });

  it("translates an equivalent like the observed call when the profile is for another architecture", () => {
    const a = buildAllowlist([run("r1", { nanosleep: [1, 0, 0], poll: [1, 0, 0] })], { name: "t", baselines: [] });
    const p = buildSeccompPolicy(a, { target: "aarch64", argFilters: true });
    for (const n of ["nanosleep", "clock_nanosleep", "ppoll"]) assert.ok(allowed(p).has(n), n);
    assert.ok(!allowed(p).has("poll"));
  });

  it("grants one way only where the wider call has more flags: pipe2 -> pipe, renameat2 -> rename, never back", () => {
    const wide = buildAllowlist([run("r1", { pipe2: [1, 0, 0], renameat2: [1, 0, 0] })], { name: "t", baselines: [] });
    assert.deepEqual(wide.syscalls.pipe?.from, ["equivalent:pipe2"]);
    assert.deepEqual(wide.syscalls.rename?.from, ["equivalent:renameat2"]);
    assert.deepEqual(wide.syscalls.renameat?.from, ["equivalent:renameat2"]);
    const narrow = buildAllowlist([run("r1", { pipe: [1, 0, 0], rename: [1, 0, 0], creat: [1, 0, 0] })], { name: "t", baselines: [] });
    for (const n of ["pipe2", "renameat2", "open", "openat"]) assert.equal(narrow.syscalls[n], undefined, n);
    assert.deepEqual(narrow.syscalls.renameat?.from, ["equivalent:rename"]);
  });

  it("never grants a call whose power differs, nor an ENOSYS probe (whatever was observed)", () => {
    const everything = Object.fromEntries(
      EQUIVALENT_GROUPS.flatMap((g) => [...g.same, ...(g.grantedBy ?? [])]).map((n) => [n, [1, 0, 0] as [number, number, number]]),
    );
    for (const arch of ["x86_64", "i386", "aarch64"] as Arch[]) {
      const valid = Object.fromEntries(Object.entries(everything).filter(([n]) => isSyscall(arch, n)));
      const a = buildAllowlist([run("r1", valid, arch)], { name: "t", baselines: [], implied: false });
      for (const n of [...NEVER, ...ENOSYS_PROBES.map((p) => p.name)]) {
        if (!valid[n]) assert.equal(a.syscalls[n], undefined, `${arch}: ${n}`);
      }
    }
    for (const g of EQUIVALENT_GROUPS) {
      for (const n of g.same) assert.ok(!NEVER.includes(n) && !ENOSYS_PROBES.some((p) => p.name === n) && !Object.hasOwn(HIGH_RISK, n), `${g.name}: ${n}`);
      assert.ok(
        [...g.same, ...(g.grantedBy ?? [])].every((n) => ARCHES.some((arch) => isSyscall(arch, n))),
        `${g.name}: every name is a syscall somewhere`,
      );
      assert.match(g.source, /torvalds\/linux|glibc/, `${g.name} cites its source`);
    }
  });

  it("is turned off by equivalents: false, which the allowlist and the config remember", () => {
    const off = buildAllowlist([run("r1", { nanosleep: [1, 0, 0] })], { name: "t", baselines: [], equivalents: false });
    assert.equal(off.syscalls.clock_nanosleep, undefined);
    assert.equal(off.equivalents, false);
    const on = buildAllowlist([run("r2", { read: [1, 0, 0] })], { name: "t", baselines: [] });
    const merged = mergeAllowlists(off, on);
    assert.equal(merged.equivalents, false);
    assert.equal(merged.syscalls.clock_nanosleep, undefined);
    assert.equal(
      configSchema.safeParse({ schemaVersion: 1, defaults: { equivalents: false }, containers: { web: { inputs: ["x"], implied: false } } }).success,
      true,
    );
    assert.equal(configSchema.safeParse({ schemaVersion: 1, containers: { web: { inputs: ["x"], equivalents: "no" } } }).success, false);
  });

  it("explains itself in diffs: the allowlist item and the seccomp reason name the observed call and why", () => {
    const a = buildAllowlist([run("r1", { nanosleep: [1, 0, 0], wait4: [1, 0, 0] })], { name: "t", baselines: [] });
    assert.match(syscallReason(a, "clock_nanosleep") ?? "", /equivalent of nanosleep, which was seen \(same operation: nanosleep\(req\) is clock_nanosleep/);
    assert.match(syscallReason(a, "kill") ?? "", /implied by wait4, which was seen/);
    const item = allowlistItems(a).find((i) => i.id === "clock_nanosleep");
    assert.match(item?.value ?? "", /equivalent:nanosleep \(same operation: /);
  });
});

describe("implied calls", () => {
  it("grants kill to a workload that waits for its children, and nothing else", () => {
    const a = buildAllowlist([run("r1", { wait4: [2, 0, 0], clone: [2, 0, 0] })], { name: "t", baselines: [] });
    assert.deepEqual(a.syscalls.kill?.from, ["implied:wait4"]);
    for (const n of ["tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo"]) assert.equal(a.syscalls[n], undefined, n);
    assert.ok(IMPLIED_RULES.every((r) => r.grants.every((g) => !["tkill", "tgkill", "pidfd_send_signal"].includes(g) && !Object.hasOwn(HIGH_RISK, g))));
  });

  it("grants no kill to a workload that never waited, nor with implied: false", () => {
    assert.equal(buildAllowlist([run("r1", { clone: [2, 0, 0], read: [1, 0, 0] })], { name: "t", baselines: [] }).syscalls.kill, undefined);
    const off = buildAllowlist([run("r1", { wait4: [2, 0, 0] })], { name: "t", baselines: [], implied: false });
    assert.equal(off.syscalls.kill, undefined);
    assert.equal(off.implied, false);
  });

  it("keeps a recorded kill as observed, without an implied tag", () => {
    const a = buildAllowlist([run("r1", { wait4: [2, 0, 0], kill: [1, 0, 0] })], { name: "t", baselines: [] });
    assert.deepEqual(a.syscalls.kill?.from, ["observed"]);
  });
});
