import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { planContainerCut, writeContainerCut } from "../io/container-trace.js";
import { parseRun } from "../io/parse-run.js";
import { FIXTURES } from "../test/support/paths.js";
import { parseText } from "../test/support/parse-text.js";
import { childPid, ContainerCutPlanner, isFilterLoad, isRuntimeSelfExec } from "./container-cut.js";

const DIR = join(FIXTURES, "container");
const RUNTIME_SETUP = ["mount", "pivot_root", "umount2", "unshare", "keyctl", "setns"];

async function syscalls(file: string): Promise<Set<string>> {
  const r = await parseRun({ id: file, files: [file], runFiles: [{ path: file, display: file }] }, { arch: "x86_64" });
  return new Set(Object.keys(r.counts.x86_64 ?? {}));
}

describe("container cut on real runtime traces", () => {
  for (const name of ["runc-full", "crun-full", "runc-nnp-full", "crun-nnp-full"]) {
    it(`${name}: keeps sh and its cat child from the entrypoint's execve on, and none of the runtime's setup`, async () => {
      const file = join(DIR, `${name}.trace.gz`);
      const plan = await planContainerCut(file, "x86_64");
      assert.equal(plan.entrypoint?.path, "/usr/bin/sh");
      assert.ok(plan.runtimePids >= 1, "the runtime's processes are counted");
      const tmp = mkdtempSync(join(tmpdir(), "syscage-cut-"));
      const out = join(tmp, "cut.trace");
      const kept = await writeContainerCut(file, plan, out);
      const text = readFileSync(out, "latin1");
      const cut = await syscalls(out);
      rmSync(tmp, { recursive: true, force: true });
      const lines = text.split("\n").filter(Boolean);
      assert.equal(lines.length, kept);
      assert.match(lines[0]!, /^\d+ +execve\("\/usr\/bin\/sh", \["sh", "-c", "echo x \| cat"\]/, "the cut starts at the entrypoint's execve");
      assert.match(text, /execve\("\/usr\/bin\/cat"/, "the child the container forked is kept");
      assert.doesNotMatch(text, /runc|crun|\/proc\/self\/exe/, "nothing of the runtime's own programs");
      const full = await syscalls(file);
      for (const s of RUNTIME_SETUP) assert.ok(!cut.has(s), `${s} is the runtime's, not the container's`);
      assert.ok(
        RUNTIME_SETUP.some((s) => full.has(s)),
        "the full trace does hold the runtime's setup",
      );
      for (const s of ["execve", "pipe2", "write", "wait4", "exit_group"]) assert.ok(cut.has(s), `${s} is the workload's`);
      assert.ok(cut.size < full.size / 1.5, `${cut.size} of ${full.size} syscalls kept`);
    });
  }

  it("measures what runs under the filter: runc loads it with prctl, crun with seccomp; the entrypoint's execve is under it", async () => {
    for (const [name, call] of [
      ["runc-full", "prctl"],
      ["crun-full", "seccomp"],
      ["runc-nnp-full", "prctl"],
      ["crun-nnp-full", "seccomp"],
    ] as const) {
      const plan = await planContainerCut(join(DIR, `${name}.trace.gz`), "x86_64");
      assert.equal(plan.filterLoad?.call, call, name);
      const base = plan.baseline.x86_64 ?? {};
      assert.ok(base.execve, `${name}: execve of the entrypoint is made under the filter`);
      for (const s of ["mount", "pivot_root", "umount2", "unshare"]) assert.equal(base[s], undefined, `${name}: ${s} runs before the filter`);
    }
    const runc = (await planContainerCut(join(DIR, "runc-full.trace.gz"), "x86_64")).baseline.x86_64 ?? {};
    const runcNnp = (await planContainerCut(join(DIR, "runc-nnp-full.trace.gz"), "x86_64")).baseline.x86_64 ?? {};
    // Without no_new_privileges runc loads the filter before dropping privileges (setgroups, setuid...).
    assert.ok(runc.setgroups && runc.capset, "runc: setgroups and capset after the filter");
    assert.ok(Object.keys(runcNnp).length < Object.keys(runc).length, "no_new_privileges: fewer calls follow the filter");
  });
});

describe("container cut rules", () => {
  const one = (line: string) => parseText(`${line}\n`).events[0]!;
  it("tells the runtime re-executing itself from the container's programs", () => {
    assert.equal(isRuntimeSelfExec(one('5 execve("/proc/self/exe", ["runc", "init"], 0xc0000740c0 /* 7 vars */) = 0')), true);
    assert.equal(isRuntimeSelfExec(one('5 execveat(6</>, "", ["runc", "init"], 0x3e2cd2e0 /* 8 vars */, AT_EMPTY_PATH) = 0')), true);
    assert.equal(isRuntimeSelfExec(one('5 execve("/usr/bin/sh", ["sh"], 0x1 /* 2 vars */) = 0')), false);
    assert.equal(isRuntimeSelfExec(one('5 execveat(3</usr/bin>, "sh", ["sh"], 0x1 /* 2 vars */, 0) = 0')), false);
  });
  it("reads the child's pid in strace's namespace when --pidns-translation printed it", () => {
    assert.equal(childPid(one("7 clone(child_stack=NULL, flags=SIGCHLD) = 2 /* 11124 in strace's PID NS */")), 11124);
    assert.equal(childPid(one("7 clone(child_stack=NULL, flags=SIGCHLD) = 11124")), 11124);
    assert.equal(childPid(one("7 clone(child_stack=NULL, flags=SIGCHLD) = -1 EAGAIN (Resource temporarily unavailable)")), undefined);
  });
  it("counts only a successful filter load, not the probes with a NULL filter", () => {
    assert.equal(isFilterLoad(one("9 seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) = -1 EFAULT (Bad address)")), false);
    assert.equal(isFilterLoad(one("9 seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, {len=7, filter=0x56086d0843b0}) = 0")), true);
    assert.equal(isFilterLoad(one("9 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=7, filter=0xc000139780}) = 0")), true);
  });
  it("a path in the container's arguments cannot make a later exec look like the entrypoint's runtime", () => {
    const planner = new ContainerCutPlanner();
    const { events } = parseText(
      [
        '1 execve("/usr/sbin/runc", ["runc", "run", "x"], 0x1 /* 1 vars */) = 0',
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 2",
        '2 execve("/proc/self/exe", ["runc", "init"], 0x1 /* 1 vars */) = 0',
        '2 execve("/bin/sh", ["sh", "-c", "/proc/self/exe ) = 0"], 0x1 /* 1 vars */) = 0',
        "2 clone(child_stack=NULL, flags=SIGCHLD) = 3",
        '3 execve("/proc/self/exe", [], 0x1 /* 1 vars */) = 0',
        "1 clone(child_stack=NULL, flags=SIGCHLD) = 4",
        "4 getpid() = 4",
      ].join("\n") + "\n",
    );
    for (const e of events) planner.observe(e);
    const plan = planner.plan();
    assert.deepEqual(plan.entrypoint, { pid: 2, line: 4, path: "/bin/sh" });
    assert.deepEqual([...plan.keep.keys()].sort(), [2, 3], "the container's child is kept, the runtime's later child is not");
  });
});
