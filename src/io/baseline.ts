import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSyscall, type Arch } from "../model/arch.js";
import { UserError } from "../model/diagnostics.js";
import type { MeasuredBaseline } from "../model/measured-baseline.js";
import type { MeasuredBaselines } from "../model/baselines.js";
import { planContainerCut } from "./container-trace.js";
import { readIfExists } from "./files.js";
import { containerId, createBundle, runtimeVersion, type Runtime } from "./oci-bundle.js";
import { traceRuntimeRun } from "./record-container.js";
import { parseYamlFile } from "./yaml-file.js";

/** The container `baseline` runs: nothing but its own start. */
export const TRIVIAL_COMMAND = ["/usr/bin/true"];

/**
 * Calls runc's Go runtime makes from other threads whenever its scheduler, allocator or signal
 * code runs, not at a fixed step of the start: a few recorded starts may show none of them, and
 * the next start may make them under the filter (a futex wake denied crashes runc init: Go's
 * futexwakeup faults on purpose). They act on runc's own threads and memory and grant nothing a
 * container could use: they are kept in the measured list whether or not the runs showed them.
 * golang/go src/runtime/os_linux.go @ 02fa1b3b25cd300bc96ee7f833b932c6a22acce1 (futexsleep,
 * futexwakeup, osyield = sched_yield, usleep = nanosleep, signalM = tgkill(getpid(), tid), gettid,
 * sigprocmask, sigaltstack, sigreturn) and src/runtime/mem_linux.go (mmap, munmap, madvise).
 */
const GO_RUNTIME_ASYNC: readonly string[] = [
  "futex",
  "getpid",
  "gettid",
  "madvise",
  "mmap",
  "mmap2",
  "munmap",
  "nanosleep",
  "rt_sigprocmask",
  "rt_sigreturn",
  "sched_yield",
  "sigaltstack",
  "tgkill",
];

/**
 * Measures what `runtime` runs under the seccomp filter: records a trivial container `runs` times
 * (a filter that allows everything, so the runtime loads one at its usual place) and takes the union
 * of the calls made after the filter load up to the entrypoint's execve (parse/container-cut.ts).
 */
export async function measureBaseline(runtime: Runtime, noNewPrivileges: boolean, runs: number, arch: Arch): Promise<MeasuredBaseline> {
  const version = runtimeVersion(runtime);
  const work = await mkdtemp(join(tmpdir(), "syscage-baseline-"));
  const names: Record<string, Set<string>> = {};
  const loads = new Set<string>();
  try {
    for (let i = 0; i < runs; i++) {
      const bundle = await createBundle({ args: TRIVIAL_COMMAND, seccomp: { defaultAction: "SCMP_ACT_ALLOW" }, noNewPrivileges }, work);
      const full = join(work, `run-${i}.trace`);
      const status = await traceRuntimeRun(runtime, bundle, containerId("syscage-baseline"), full, "ignore");
      const plan = await planContainerCut(full, arch);
      if (!plan.entrypoint || !plan.filterLoad)
        throw new UserError(
          `${runtime} did not run the trivial container (exit status ${status}): no ${plan.entrypoint ? "filter load" : "entrypoint execve"} in its trace`,
          "SC_BASELINE",
        );
      loads.add(plan.filterLoad.call);
      for (const [a, counts] of Object.entries(plan.baseline)) for (const n of Object.keys(counts ?? {})) (names[a] ??= new Set()).add(n);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  // runc is a Go program: its runtime's asynchronous calls belong to every start (see GO_RUNTIME_ASYNC).
  if (runtime === "runc") for (const [a, set] of Object.entries(names)) for (const n of GO_RUNTIME_ASYNC) if (isSyscall(a as Arch, n)) set.add(n);
  const syscalls: Record<string, string[]> = {};
  for (const a of Object.keys(names).sort()) syscalls[a] = [...names[a]!].sort();
  return {
    schemaVersion: 1,
    name: noNewPrivileges ? `${runtime}-nnp` : runtime,
    runtime,
    version,
    noNewPrivileges,
    measured: `union of ${runs} run(s) of a container running ${TRIVIAL_COMMAND.join(" ")}; filter loaded with ${[...loads].sort().join(", ")}; calls of the loading process and its later children from the load up to the entrypoint's execve${runtime === "runc" ? "; plus the Go runtime's asynchronous calls (futex, nanosleep, sched_yield, tgkill, signal mask and stack, memory), which any start may make" : ""}`,
    syscalls,
  };
}

/** Reads measured baseline files for `generate`. */
export async function readMeasuredBaselines(paths: string[]): Promise<{ measured: MeasuredBaselines; files: { path: string; baseline: MeasuredBaseline }[] }> {
  const measured: MeasuredBaselines = {};
  const files: { path: string; baseline: MeasuredBaseline }[] = [];
  for (const path of paths) {
    const text = await readIfExists(path);
    if (text === undefined) throw new UserError(`${path}: no such measured baseline (write one with syscage baseline --runtime runc|crun)`, "SC_BASELINE");
    const b = parseYamlFile(text, path, (await import("../model/measured-baseline.js")).measuredBaselineSchema, "SC_BASELINE");
    measured[b.name] = b.syscalls;
    files.push({ path, baseline: b });
  }
  return { measured, files };
}
