import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { UserError } from "../model/diagnostics.js";

/** The OCI runtimes syscage drives. */
export const RUNTIMES = ["runc", "crun"] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Docker's default capabilities (moby oci/caps/defaults.go), so a throwaway container looks like `docker run`. */
const DOCKER_CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

export interface BundleOptions {
  /** The container's command. */
  args: string[];
  /** linux.seccomp (an OCI or Docker seccomp object); none: no filter. */
  seccomp?: unknown;
  /** process.noNewPrivileges (default false, like `docker run`). */
  noNewPrivileges?: boolean;
  /** Share the host's network namespace instead of a new one with only lo. */
  hostNetwork?: boolean;
  env?: string[];
  cwd?: string;
}

/** The hard RLIMIT_NOFILE of this process: a runtime without CAP_SYS_RESOURCE cannot set more ("error setting rlimit type 7"). */
function nofileHardLimit(): number {
  try {
    const text = spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim();
    const n = Number(text);
    return Number.isInteger(n) && n > 0 ? Math.min(n, 1048576) : 1024;
  } catch {
    return 1024;
  }
}

/**
 * The config.json of a throwaway bundle: the rootfs holds only empty mount points and the
 * `bin lib lib64 sbin -> usr/...` links, and the host's /usr and /etc are bound read-only, so the
 * container runs the very binaries a host recording traced. Root read-only, a tmpfs on /tmp,
 * Docker's capabilities, namespaces pid, ipc, uts, mount (and network unless hostNetwork).
 */
export function bundleConfig(o: BundleOptions): Record<string, unknown> {
  const nofile = nofileHardLimit();
  const namespaces = ["pid", "ipc", "uts", "mount", ...(o.hostNetwork ? [] : ["network"])].map((type) => ({ type }));
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: o.args,
      cwd: o.cwd ?? "/",
      env: o.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"],
      capabilities: { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: nofile, soft: nofile }],
      noNewPrivileges: o.noNewPrivileges ?? false,
    },
    root: { path: "rootfs", readonly: true },
    hostname: "syscage",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/usr", type: "bind", source: "/usr", options: ["rbind", "ro", "nosuid", "nodev"] },
      { destination: "/etc", type: "bind", source: "/etc", options: ["rbind", "ro", "nosuid", "nodev"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"] },
    ],
    linux: {
      namespaces,
      resources: { devices: [{ allow: false, access: "rwm" }] },
      maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
      ...(o.seccomp !== undefined ? { seccomp: o.seccomp } : {}),
    },
  };
}

/** Creates a throwaway bundle directory (see bundleConfig) and returns its path. */
export async function createBundle(o: BundleOptions, parent: string = tmpdir()): Promise<string> {
  const dir = await mkdtemp(join(parent, "syscage-bundle-"));
  for (const d of ["usr", "etc", "proc", "dev", "sys", "tmp"]) await mkdir(join(dir, "rootfs", d), { recursive: true });
  for (const l of ["bin", "lib", "lib64", "sbin"]) if (existsSync(`/${l}`)) await symlink(`usr/${l}`, join(dir, "rootfs", l));
  await writeFile(join(dir, "config.json"), `${JSON.stringify(bundleConfig(o), null, 1)}\n`);
  return dir;
}

/** Replaces linux.seccomp in a bundle's config.json (a copy of the user's bundle is never needed: only throwaway bundles are edited). */
export async function setBundleSeccomp(dir: string, seccomp: unknown): Promise<void> {
  const path = join(dir, "config.json");
  const config = JSON.parse(await readFile(path, "utf8")) as { linux?: Record<string, unknown> };
  config.linux = { ...(config.linux ?? {}), seccomp };
  await writeFile(path, `${JSON.stringify(config, null, 1)}\n`);
}

export async function removeBundle(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A unique container id for a throwaway container. */
export function containerId(prefix = "syscage"): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** Whether `runtime` is installed (runs `RUNTIME --version`). */
export function haveRuntime(runtime: Runtime): boolean {
  return spawnSync(runtime, ["--version"], { stdio: "ignore" }).status === 0;
}

/** The runtime's version line (`runc version 1.1.5+ds1`, `crun version 1.8.1`). */
export function runtimeVersion(runtime: Runtime): string {
  const r = spawnSync(runtime, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new UserError(`${runtime} is not installed (Debian/Ubuntu: apt-get install ${runtime})`, "SC_NO_RUNTIME");
  return r.stdout.split("\n")[0]!.trim();
}

/**
 * crun 1.8 refuses a cgroup v1 "hybrid" host whose cgroup2 mount still holds controllers ("cgroups in
 * hybrid mode not supported"). Seen from a private mount namespace with an empty tmpfs over
 * /sys/fs/cgroup, the host looks like cgroup v1 with nothing mounted; crun then runs without cgroup
 * management. The host itself is untouched.
 */
export function crunNeedsHybridWorkaround(): boolean {
  try {
    if (statfsSync("/sys/fs/cgroup").type !== 0x01021994 /* TMPFS_MAGIC */) return false;
    return spawnSync("cat", ["/sys/fs/cgroup/unified/cgroup.controllers"], { encoding: "utf8" }).stdout.trim() !== "";
  } catch {
    return false;
  }
}

/**
 * The argv that runs `runtime ARGS` (optionally under `wrapper`, e.g. strace), with crun's hybrid
 * cgroup workaround where this host needs it.
 */
export function runtimeArgv(runtime: Runtime, args: string[], wrapper: string[] = []): string[] {
  if (runtime === "crun" && crunNeedsHybridWorkaround()) {
    return [
      "unshare",
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      'mount -t tmpfs none /sys/fs/cgroup && exec "$@"',
      "sh",
      ...wrapper,
      "crun",
      "--cgroup-manager=disabled",
      ...args,
    ];
  }
  return [...wrapper, runtime, ...args];
}

/** Removes a container whatever its state (`RUNTIME delete -f ID`); errors are ignored (it may not exist). */
export function deleteContainer(runtime: Runtime, id: string): void {
  spawnSync(runtimeArgv(runtime, ["delete", "-f", id])[0]!, runtimeArgv(runtime, ["delete", "-f", id]).slice(1), { stdio: "ignore" });
}
