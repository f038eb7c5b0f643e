import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DenialCollector, denialsFail, type Denial } from "../aggregate/denials.js";
import { evaluateProfile, type Verdict } from "../aggregate/seccomp-eval.js";
import type { Arch } from "../model/arch.js";
import { UserError } from "../model/diagnostics.js";
import type { SeccompFile } from "../model/seccomp-file.js";
import { seccompFileSchema } from "../model/seccomp-file-schema.js";
import type { VerifyReport } from "../emit/verify-report.js";
import { planContainerCut, writeContainerCut } from "./container-trace.js";
import { containerId, createBundle, deleteContainer, removeBundle, runtimeArgv, runtimeVersion, type Runtime } from "./oci-bundle.js";
import { parseRun } from "./parse-run.js";
import { runForwardingSignals } from "./record-container.js";
import { openInput, readLines } from "./read-lines.js";

export type VerifyRuntime = "emulate" | Runtime;

/** Reads a seccomp profile (Docker or OCI JSON) for `verify`; a bad file is a user error naming it. */
export async function readSeccompProfile(path: string): Promise<SeccompFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UserError(`${path}: cannot read the profile: ${(e as Error).message}`, "SC_PROFILE", { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}:1: not a seccomp profile, expected Docker or OCI seccomp JSON, got invalid JSON (${(e as Error).message})`, "SC_PROFILE", {
      cause: e,
    });
  }
  const parsed = seccompFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `${path}:1: not a seccomp profile, expected ${issue?.path.join(".") || "an object"} to be valid: ${issue?.message ?? "unknown"}`,
      "SC_PROFILE",
    );
  }
  return parsed.data;
}

/** Syscalls whose verdict depends on arguments: strace prints them raw so the conditions can be checked exactly. */
function conditionalNames(verdicts: ReadonlyMap<string, Verdict>): string[] {
  return [...verdicts].filter(([, v]) => v.kind === "conditional").map(([n]) => n);
}

/**
 * strace options that make every call the profile denies fail as the filter would make it fail:
 * one `-e inject=?a,?b:error=N` per errno (`?`: names this strace does not know are skipped), and
 * `error=ENOSYS:signal=SIGSYS` for kill actions.
 */
export function injectOptions(verdicts: ReadonlyMap<string, Verdict>): string[] {
  const byErrno = new Map<string, string[]>();
  for (const [name, v] of verdicts) {
    const key = v.kind === "errno" ? `error=${v.errno}` : v.kind === "kill" ? "error=ENOSYS:signal=SIGSYS" : undefined;
    if (!key) continue;
    const list = byErrno.get(key) ?? [];
    list.push(`?${name}`);
    byErrno.set(key, list);
  }
  return [...byErrno].sort(([a], [b]) => a.localeCompare(b)).flatMap(([key, names]) => ["-e", `inject=${names.join(",")}:${key}`]);
}

let stackSupport: boolean | undefined;
/** Whether this strace can print stacks (`-k`, built with libunwind or libdw). */
function straceHasStacks(): boolean {
  stackSupport ??= spawnSync("strace", ["-k", "-e", "trace=none", "-o", "/dev/null", "true"], { stdio: "ignore" }).status === 0;
  return stackSupport;
}

/** The text of the given lines of a trace, each with the `-k` stack frames that follow it. */
async function linesWithStacks(file: string, wanted: Set<number>): Promise<Map<number, { text: string; stack: string[] }>> {
  const out = new Map<number, { text: string; stack: string[] }>();
  let current: { text: string; stack: string[] } | undefined;
  await readLines(openInput(file), {
    line: (text, lineNo) => {
      if (current && text.startsWith(" > ")) {
        if (current.stack.length < 16) current.stack.push(text);
        return;
      }
      current = undefined;
      if (wanted.has(lineNo)) {
        current = { text: Buffer.from(text, "latin1").toString("utf8"), stack: [] };
        out.set(lineNo, current);
      }
    },
    bytes: () => {},
    problem: () => {},
  });
  return out;
}

async function collectDenials(file: string, verdicts: ReadonlyMap<string, Verdict>, emulated: boolean, arch: Arch): Promise<VerifyReport["denials"]> {
  const collector = new DenialCollector(verdicts, emulated);
  await parseRun({ id: file, files: [file], runFiles: [{ path: file, display: file }] }, { arch, onSyscall: (e) => collector.observe(e) });
  const denials: Denial[] = collector.result();
  const lines = await linesWithStacks(file, new Set(denials.map((d) => d.firstLine)));
  return denials.map((d) => ({ ...d, firstTrace: lines.get(d.firstLine)?.text.replace(/^\d+ +/, "") ?? "", stack: lines.get(d.firstLine)?.stack ?? [] }));
}

export interface VerifyOptions {
  profilePath: string;
  runtime: VerifyRuntime;
  command: string[];
  arch: Arch;
  /** Where the command's standard output goes: the terminal, or stderr (when the report is JSON on stdout). */
  commandStdout: "inherit" | "stderr";
  /** Keep the trace here instead of deleting it. */
  keepTrace?: string;
  noNewPrivileges?: boolean;
  /** runc/crun: how long the container may stay created without its entrypoint running (default 15 s). */
  startTimeoutMs?: number;
}

/** Runs the command under the profile (emulated, or enforced by an OCI runtime) and reports what it denied. */
export async function verifyProfile(o: VerifyOptions): Promise<VerifyReport> {
  if (o.command.length === 0)
    throw new UserError("verify needs a command after --, e.g. syscage verify --profile profiles/web/seccomp.json -- python3 -m http.server", "SC_USAGE");
  const profile = await readSeccompProfile(o.profilePath);
  const verdicts = evaluateProfile(profile, o.arch);
  const work = await mkdtemp(join(tmpdir(), "syscage-verify-"));
  const trace = join(work, "run.trace");
  const notes: string[] = [];
  const raw = conditionalNames(verdicts);
  const rawOpt = raw.length > 0 ? ["-e", `raw=${raw.map((n) => `?${n}`).join(",")}`] : [];
  try {
    let exitStatus: number;
    let analysed = trace;
    if (o.runtime === "emulate") {
      const stack = straceHasStacks() ? ["-k"] : [];
      if (stack.length === 0) notes.push("this strace cannot print stacks (-k): built without libunwind/libdw");
      exitStatus = await runForwardingSignals(["strace", "-f", "-s", "256", ...stack, ...rawOpt, ...injectOptions(verdicts), "-o", trace, "--", ...o.command], {
        stdout: o.commandStdout,
      });
      const size = (await stat(trace).catch(() => undefined))?.size ?? 0;
      if (size === 0)
        throw new UserError(`${o.command[0]}: the command did not run under strace (exit status ${exitStatus}); see strace's message above`, "SC_NO_TRACE");
    } else {
      runtimeVersion(o.runtime);
      const bundle = await createBundle({ args: o.command, seccomp: profile, noNewPrivileges: o.noNewPrivileges ?? false }, work);
      const id = containerId("syscage-verify");
      try {
        const argv = runtimeArgv(o.runtime, ["run", "--bundle", bundle, id], ["strace", "-f", "--pidns-translation", "-s", "256", ...rawOpt, "-o", trace]);
        // A runtime whose own post-filter calls are denied can spin in `runc init` forever: stop a
        // container that is still only "created" (its entrypoint never ran) after startTimeout.
        let createdFor = 0;
        const runtime = o.runtime;
        const watchdog = setInterval(() => {
          const argvState = runtimeArgv(runtime, ["state", id]);
          const state = spawnSync(argvState[0]!, argvState.slice(1), { encoding: "utf8" });
          createdFor = /"status":\s*"created"/.test(state.stdout ?? "") ? createdFor + 500 : 0;
          if (createdFor >= (o.startTimeoutMs ?? 15_000)) {
            notes.push(`the container was still not started after ${(o.startTimeoutMs ?? 15_000) / 1000} s: stopped`);
            deleteContainer(runtime, id);
          }
        }, 500);
        try {
          exitStatus = await runForwardingSignals(argv, { stdout: o.commandStdout });
        } finally {
          clearInterval(watchdog);
        }
      } finally {
        deleteContainer(o.runtime, id);
        await removeBundle(bundle);
      }
      const plan = await planContainerCut(trace, o.arch);
      if (!plan.entrypoint) {
        notes.push(
          `${o.runtime} did not start the container's command under this profile: the runtime's own calls after it loads the filter are denied (generate with the ${o.runtime} baseline, or measure one with syscage baseline --runtime ${o.runtime})`,
        );
        return { schemaVersion: 1, profile: o.profilePath, runtime: o.runtime, command: o.command, exitStatus, denials: [], failed: true, notes };
      }
      analysed = join(work, "container.trace");
      await writeContainerCut(trace, plan, analysed);
    }
    const denials = await collectDenials(analysed, verdicts, o.runtime === "emulate", o.arch);
    if (o.runtime === "emulate" && raw.length > 0)
      notes.push(
        `rules that depend on arguments (${raw.join(", ")}) cannot be injected: they were checked against the recorded arguments after the run (a call they deny is listed as WOULD BE DENIED)`,
      );
    return { schemaVersion: 1, profile: o.profilePath, runtime: o.runtime, command: o.command, exitStatus, denials, failed: denialsFail(denials), notes };
  } finally {
    if (o.keepTrace) await copyFile(trace, o.keepTrace).catch(() => {});
    await rm(work, { recursive: true, force: true });
  }
}
