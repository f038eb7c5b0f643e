// usableCores: a cgroup CPU quota caps the cores syscage uses (Node 20's availableParallelism reads
// the affinity mask only). The quota files are parsed as the kernel writes them, found on a fake
// hierarchy laid out as cgroup v2, v1 and hybrid systems lay them out, and, where this process may
// make a cgroup (root, cgroup v1's cpu controller, as on this project's machines), read by a process
// put into a real one with a one-CPU quota.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, describe, it } from "node:test";
import { REPO, TSX } from "../test/support/paths.js";
import { cgroupCpuQuota, cpusFromCfs, cpusFromCpuMax, usableCores } from "./cpus.js";

const scratch = mkdtempSync(join(tmpdir(), "syscage-cpus-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake cgroup mount: `files` maps paths under it to contents. */
function hierarchy(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(join(full, ".."), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

describe("cgroup CPU quotas", () => {
  it("cpu.max and cfs_quota_us/cfs_period_us as the kernel writes them", () => {
    assert.equal(cpusFromCpuMax("max 100000\n"), undefined);
    assert.equal(cpusFromCpuMax("100000 100000\n"), 1);
    assert.equal(cpusFromCpuMax("150000 100000\n"), 2, "rounded up");
    assert.equal(cpusFromCpuMax("50000 100000\n"), 1, "at least one");
    assert.equal(cpusFromCpuMax("400000 100000"), 4);
    assert.equal(cpusFromCpuMax("garbage"), undefined);
    assert.equal(cpusFromCpuMax("0 100000"), undefined);
    assert.equal(cpusFromCfs("-1\n", "100000\n"), undefined);
    assert.equal(cpusFromCfs("200000\n", "100000\n"), 2);
    assert.equal(cpusFromCfs("25000\n", "100000\n"), 1);
    assert.equal(cpusFromCfs("x", "100000"), undefined);
  });

  it("cgroup v2: the tightest quota from the process's cgroup up to the mount's root", () => {
    const root = hierarchy("v2", {
      "cpu.max": "max 100000\n",
      "kubepods/cpu.max": "max 100000\n",
      "kubepods/pod1/cpu.max": "200000 100000\n",
      "kubepods/pod1/ctr/cpu.max": "max 100000\n",
      "tight/cpu.max": "100000 100000\n",
      "tight/loose/cpu.max": "300000 100000\n",
    });
    assert.equal(cgroupCpuQuota(root, "0::/kubepods/pod1/ctr\n"), 2);
    assert.equal(cgroupCpuQuota(root, "0::/tight/loose\n"), 1, "a parent's quota applies to its children");
    assert.equal(cgroupCpuQuota(root, "0::/\n"), undefined, "no quota anywhere");
  });

  it("in a container: its cgroup namespace's root, or a path it cannot see", () => {
    const ns = hierarchy("ns", { "cpu.max": "150000 100000\n" });
    assert.equal(cgroupCpuQuota(ns, "0::/\n"), 2);
    assert.equal(cgroupCpuQuota(ns, "0::/system.slice/docker-abc.scope\n"), 2, "the walk up reaches the mount's root");
  });

  it("cgroup v1 (the cpu controller, alone or with cpuacct) and hybrid systems", () => {
    const v1 = hierarchy("v1", {
      "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
      "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
      "cpu,cpuacct/docker/x/cpu.cfs_quota_us": "50000\n",
      "cpu,cpuacct/docker/x/cpu.cfs_period_us": "100000\n",
      "unified/cgroup.controllers": "\n",
    });
    assert.equal(cgroupCpuQuota(v1, "12:memory:/docker/x\n4:cpu,cpuacct:/docker/x\n0::/docker/x\n"), 1);
    assert.equal(cgroupCpuQuota(v1, "4:cpu,cpuacct:/\n0::/\n"), undefined);
    const split = hierarchy("v1-split", { "cpu/job/cpu.cfs_quota_us": "300000\n", "cpu/job/cpu.cfs_period_us": "100000\n" });
    assert.equal(cgroupCpuQuota(split, "1:cpu:/job\n2:cpuacct:/job\n"), 3);
  });

  it("never more than the affinity mask gives, never fewer than one", () => {
    const n = usableCores();
    assert.ok(n >= 1 && n <= availableParallelism(), `${n} of ${availableParallelism()}`);
  });
});

// A real cgroup: as root on cgroup v1's cpu controller (this project's machines); elsewhere skipped,
// with the reason.
const V1_CPU = "/sys/fs/cgroup/cpu";
const realCgroup = ((): string | undefined => {
  if (process.getuid?.() !== 0 || !existsSync(join(V1_CPU, "cpu.cfs_quota_us"))) return undefined;
  const dir = join(V1_CPU, `syscage-test-${process.pid}`);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return undefined;
  }
})();

describe("in a real cgroup", () => {
  after(() => {
    if (realCgroup) rmdirSync(realCgroup);
  });
  it("a process under a one-CPU quota uses one core", {
    skip: realCgroup === undefined ? "needs root and cgroup v1's cpu controller at /sys/fs/cgroup/cpu" : false,
  }, () => {
    const dir = realCgroup!;
    writeFileSync(join(dir, "cpu.cfs_period_us"), "100000");
    writeFileSync(join(dir, "cpu.cfs_quota_us"), "100000");
    const module = pathToFileURL(join(REPO, "src", "io", "cpus.ts")).href;
    const script = `import { usableCores } from ${JSON.stringify(module)}; console.log(usableCores());`;
    // The shell moves itself into the cgroup, then becomes node.
    const r = spawnSync("sh", ["-c", `echo $$ > "${dir}/cgroup.procs" && exec "$0" --import "$1" --input-type=module -e "$2"`, process.execPath, TSX, script], {
      encoding: "utf8",
      cwd: REPO,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "1");
  });
});
