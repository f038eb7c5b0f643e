import { spawn } from "node:child_process";
import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../model/diagnostics.js";

/** The strace flags `record` uses: follow forks, fd paths, long strings, and strace's own table (-C) as a self-check. */
export const RECORD_FLAGS = ["-f", "-C", "-y", "-s", "4096"];

export interface RecordResult {
  file: string;
  /** The command's exit status (128 + signal when it was killed). */
  status: number;
}

/** The next free `run-NNN.trace` name in `dir` (every way of recording numbers runs alike). */
export async function nextRunFile(dir: string): Promise<string> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let max = 0;
  for (const n of names) {
    const m = /^run-(\d+)\.trace(\.gz)?$/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return join(dir, `run-${String(max + 1).padStart(3, "0")}.trace`);
}

/**
 * Runs `command` under strace, writing the trace to a new run file in `dir` (atomically: a partial
 * trace never takes a run's name). strace's and the command's stderr pass through.
 */
export async function recordCommand(
  dir: string,
  command: string[],
  extraStraceArgs: string[],
  options: { stdout?: "inherit" | "ignore" } = {},
): Promise<RecordResult> {
  if (command.length === 0) throw new UserError("record needs a command after --, e.g. syscage record --name web -- python3 -m http.server", "SC_USAGE");
  return inRunDir(dir, () => recordInto(dir, command, extraStraceArgs, options));
}

/**
 * Makes `dir` (with its parents) and runs `record` in it. When the recording fails, the directories
 * this call made are taken away again if they are still empty: a failed `record --name web` leaves
 * no empty samples/web behind.
 */
export async function inRunDir<T>(dir: string, record: () => Promise<T>): Promise<T> {
  const created = await mkdir(dir, { recursive: true });
  try {
    return await record();
  } catch (e) {
    if (created !== undefined) await removeEmptyUpTo(dir, created);
    throw e;
  }
}

/** Removes `dir` and its parents up to and including `top` while they are empty (never what another writer put there). */
async function removeEmptyUpTo(dir: string, top: string): Promise<void> {
  const last = resolve(top);
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (
      !(await rmdir(d).then(
        () => true,
        () => false,
      ))
    )
      return;
    if (d === last || dirname(d) === d) return;
  }
}

async function recordInto(dir: string, command: string[], extraStraceArgs: string[], options: { stdout?: "inherit" | "ignore" }): Promise<RecordResult> {
  const file = await nextRunFile(dir);
  const tmp = `${file}.partial`;
  const args = [...RECORD_FLAGS, ...extraStraceArgs, "-o", tmp, "--", ...command];
  let ptraceDenied = false;
  const status = await new Promise<number>((resolvePromise, reject) => {
    const child = spawn("strace", args, { stdio: ["inherit", options.stdout ?? "inherit", "pipe"] });
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new UserError("strace is not installed (Debian/Ubuntu: apt-get install strace)", "SC_NO_STRACE"));
      else reject(e);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      if (/PTRACE_TRACEME|PTRACE_SEIZE|ptrace\(.*Operation not permitted|attach: .*Operation not permitted/.test(text)) ptraceDenied = true;
      process.stderr.write(chunk);
    });
    child.on("close", (code, signal) => resolvePromise(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
  const size = (await stat(tmp).catch(() => undefined))?.size ?? 0;
  if (ptraceDenied && size === 0) {
    await rm(tmp, { force: true });
    throw new UserError(
      "strace may not trace here: ptrace is not permitted (in a container, run it with --cap-add SYS_PTRACE and a seccomp profile that allows ptrace; check /proc/sys/kernel/yama/ptrace_scope)",
      "SC_PTRACE_DENIED",
    );
  }
  if (size === 0) {
    await rm(tmp, { force: true });
    throw new UserError(`strace wrote no trace for ${command[0]} (exit status ${status})`, "SC_NO_TRACE");
  }
  await rename(tmp, file);
  return { file, status };
}

function signalNumber(signal: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
  return table[signal] ?? 0;
}
