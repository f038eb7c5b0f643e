// How many CPUs this process may keep busy. Node 20's availableParallelism() reads the affinity mask
// only: in a container run with `--cpus 1`, or a Kubernetes pod with a CPU limit of one, on a
// 16-core node it says 16, and syscage would start a worker per core (several inputs) or split one
// big file over two threads, all of them sharing one CPU's time. The limit is a cgroup CPU quota:
// `cpu.max` (cgroup v2) or `cpu.cfs_quota_us` / `cpu.cfs_period_us` (v1), on the process's cgroup
// or one above it (the tightest applies).
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

const CGROUP_ROOT = "/sys/fs/cgroup";

/** The CPUs this process may use: the affinity mask, capped by a cgroup CPU quota (rounded up, at least 1). */
export function usableCores(): number {
  const cores = availableParallelism();
  const quota = cgroupCpuQuota(CGROUP_ROOT, readText("/proc/self/cgroup") ?? "");
  return quota === undefined ? cores : Math.max(1, Math.min(cores, quota));
}

/** cgroup v2 `cpu.max` ("max 100000" unlimited, "150000 100000" one and a half CPUs): CPUs, rounded up. */
export function cpusFromCpuMax(text: string): number | undefined {
  const m = /^(\d+|max)\s+(\d+)\s*$/.exec(text);
  if (!m || m[1] === "max") return undefined;
  return cpus(Number(m[1]), Number(m[2]));
}

/** cgroup v1 `cpu.cfs_quota_us` (-1 unlimited) and `cpu.cfs_period_us`: CPUs, rounded up. */
export function cpusFromCfs(quota: string, period: string): number | undefined {
  if (!/^-?\d+\s*$/.test(quota) || !/^\d+\s*$/.test(period)) return undefined;
  return cpus(Number(quota.trim()), Number(period.trim()));
}

function cpus(quota: number, period: number): number | undefined {
  if (!(quota > 0) || !(period > 0)) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/**
 * The tightest CPU quota on the process's cgroups (`procSelfCgroup`: /proc/self/cgroup) under
 * `root`, from each cgroup up to the root of the mount; undefined when there is none. In a
 * container with its own cgroup namespace the path is `/` and its limit sits at the mount's root;
 * without one, the path may name a cgroup the container cannot see, and the walk up finds the root.
 */
export function cgroupCpuQuota(root: string, procSelfCgroup: string): number | undefined {
  let tightest: number | undefined;
  const take = (n: number | undefined): void => {
    if (n !== undefined && (tightest === undefined || n < tightest)) tightest = n;
  };
  for (const line of procSelfCgroup.split("\n")) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (!m) continue;
    const [, controllers, path] = m as unknown as [string, string, string];
    if (controllers === "") {
      // cgroup v2: one hierarchy, mounted at the root (or, on a hybrid system, at root/unified).
      for (const base of [root, join(root, "unified")])
        for (const dir of upFrom(base, path)) {
          const text = readText(join(dir, "cpu.max"));
          if (text !== undefined) take(cpusFromCpuMax(text));
        }
    } else if (controllers.split(",").includes("cpu")) {
      for (const mount of [join(root, controllers), join(root, "cpu"), join(root, "cpu,cpuacct")])
        for (const dir of upFrom(mount, path)) {
          const quota = readText(join(dir, "cpu.cfs_quota_us"));
          const period = readText(join(dir, "cpu.cfs_period_us"));
          if (quota !== undefined && period !== undefined) take(cpusFromCfs(quota, period));
        }
    }
  }
  return tightest;
}

/** `base` joined with `path`, then each parent up to `base` itself. */
function upFrom(base: string, path: string): string[] {
  const parts = path.split("/").filter((p) => p !== "" && p !== "." && p !== "..");
  const out: string[] = [];
  for (let k = parts.length; k >= 0; k--) out.push(join(base, ...parts.slice(0, k)));
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
