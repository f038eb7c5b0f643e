import { spawn } from "node:child_process";
import { copyFile, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { inRunDir, nextRunFile } from "./record.js";
import type { Arch } from "../model/arch.js";
import { UserError } from "../model/diagnostics.js";
import type { CutPlan } from "../parse/container-cut.js";
import { planContainerCut, writeContainerCut } from "./container-trace.js";
import { containerId, deleteContainer, runtimeArgv, runtimeVersion, type Runtime } from "./oci-bundle.js";

/**
 * strace flags for a runtime recording: follow forks, fd paths, long strings, and pids in strace's
 * own PID namespace (`--pidns-translation`), so children the container creates in its namespace can
 * be told apart from the runtime's processes. No `-C`: its table would count the runtime too.
 */
export const CONTAINER_RECORD_FLAGS = ["-f", "--pidns-translation", "-y", "-s", "4096"];

export interface ContainerRecording {
  /** The run file holding the container's activity only. */
  file: string;
  /** The container's exit status (runc/crun run's status; 128 + signal when it was killed). */
  status: number;
  plan: CutPlan;
  /** Lines kept out of the full trace. */
  kept: number;
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15, SIGSYS: 31 };
  return table[signal] ?? 0;
}

/**
 * Runs argv to completion with Ctrl-C (SIGINT) and SIGTERM left to it: `runc run` forwards them to
 * the container, strace keeps tracing until the container is gone, and syscage then writes the run.
 */
export function runForwardingSignals(argv: string[], options: { stdout?: "inherit" | "ignore" | "stderr"; cwd?: string } = {}): Promise<number> {
  const ignore = () => {};
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  const stdout = options.stdout === "stderr" ? process.stderr : (options.stdout ?? "inherit");
  return new Promise<number>((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["inherit", stdout, "inherit"], ...(options.cwd ? { cwd: options.cwd } : {}) });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new UserError(`${argv[0]} is not installed (Debian/Ubuntu: apt-get install ${argv[0]})`, "SC_NO_STRACE"));
      else reject(e);
    });
    child.on("close", (code, signal) => resolvePromise(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  }).finally(() => {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", ignore);
  });
}

/** Runs `RUNTIME run --bundle BUNDLE ID` under strace (CONTAINER_RECORD_FLAGS) into `full`; returns the container's exit status. */
export async function traceRuntimeRun(runtime: Runtime, bundle: string, id: string, full: string, stdout?: "inherit" | "ignore" | "stderr"): Promise<number> {
  const argv = runtimeArgv(runtime, ["run", "--bundle", bundle, id], ["strace", ...CONTAINER_RECORD_FLAGS, "-o", full]);
  try {
    const status = await runForwardingSignals(argv, stdout ? { stdout } : {});
    if (((await stat(full).catch(() => undefined))?.size ?? 0) === 0)
      throw new UserError(`strace wrote no trace of ${runtime} (exit status ${status})`, "SC_NO_TRACE");
    return status;
  } finally {
    deleteContainer(runtime, id);
  }
}

export interface RecordContainerOptions {
  /** Directory for the run file (samples/NAME). */
  dir: string;
  runtime: Runtime;
  bundle: string;
  id?: string;
  arch: Arch;
  stdout?: "inherit" | "ignore" | "stderr";
  /** Keep strace's full trace (runtime included) here too. */
  keepFull?: string;
}

/**
 * Runs an OCI bundle with `RUNTIME run` under strace from the runtime's first instruction, then
 * keeps the container's activity only (see parse/container-cut.ts) as a new run file in `dir`.
 */
export async function recordContainer(o: RecordContainerOptions): Promise<ContainerRecording> {
  runtimeVersion(o.runtime);
  const bundle = resolve(o.bundle);
  if (!existsSync(join(bundle, "config.json"))) throw new UserError(`${o.bundle}: not an OCI bundle, expected a directory with config.json`, "SC_NO_BUNDLE");
  return inRunDir(o.dir, () => recordContainerInto(o, bundle));
}

async function recordContainerInto(o: RecordContainerOptions, bundle: string): Promise<ContainerRecording> {
  const work = await mkdtemp(join(tmpdir(), "syscage-record-"));
  const full = join(work, "full.trace");
  const id = o.id ?? containerId("syscage-record");
  try {
    const status = await traceRuntimeRun(o.runtime, bundle, id, full, o.stdout);
    if (o.keepFull) await copyFile(full, o.keepFull);
    const source = full;
    const plan = await planContainerCut(source, o.arch);
    if (!plan.entrypoint)
      throw new UserError(`${o.runtime} never started the container's entrypoint (exit status ${status}); see its error above`, "SC_NO_ENTRYPOINT");
    const file = await nextRunFile(o.dir);
    const tmp = `${file}.partial`;
    const kept = await writeContainerCut(source, plan, tmp);
    await rename(tmp, file);
    return { file, status, plan, kept };
  } finally {
    deleteContainer(o.runtime, id);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Attaches strace to a running process (`strace -f -p PID`) until it exits or Ctrl-C. The last resort:
 * everything the process did before the attach (its execve, dynamic loading, setup) is missed.
 */
export async function recordAttached(dir: string, pid: number): Promise<{ file: string; status: number }> {
  return inRunDir(dir, () => recordAttachedInto(dir, pid));
}

async function recordAttachedInto(dir: string, pid: number): Promise<{ file: string; status: number }> {
  const file = await nextRunFile(dir);
  const tmp = `${file}.partial`;
  const status = await runForwardingSignals(["strace", "-f", "-y", "-s", "4096", "-o", tmp, "-p", String(pid)]);
  if (((await stat(tmp).catch(() => undefined))?.size ?? 0) === 0) {
    await rm(tmp, { force: true });
    throw new UserError(`strace could not attach to pid ${pid} or wrote nothing (exit status ${status})`, "SC_NO_TRACE");
  }
  await rename(tmp, file);
  return { file, status };
}
