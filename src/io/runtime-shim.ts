import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { nextRunFile } from "./record.js";
import { archOfNode } from "../model/arch.js";
import { isSandbox, parseCreateArgs, parseRuntimeArgs, runName } from "../parse/runtime-args.js";
import { planContainerCut, writeContainerCut } from "./container-trace.js";
import { CONTAINER_RECORD_FLAGS } from "./record-container.js";

// syscage-runtime-shim: an OCI runtime for Docker, Podman and containerd that is runc's command line
// passed through to the real runtime, with `create` and `run` recorded under strace from the
// runtime's first instruction. The container's part of the trace is cut out (parse/container-cut.ts)
// when the engine deletes the container, and filed as OUT/NAME/run-NNN.trace. Recording never
// stops a container from starting: when it cannot record, it runs the container unrecorded and says
// so on stderr.

/** Where the shim's settings come from: its flags, else the environment, else the config file. */
export const SHIM_CONFIG_FILE = "/etc/syscage/shim.json";
export const DEFAULT_SHIM_OUT = "/var/lib/syscage/runs";

export interface ShimConfig {
  /** Directory the runs go to: OUT/NAME/run-NNN.trace. */
  out: string;
  /** The real runtime (path or name on PATH). */
  runtime: string;
}

function readConfigFile(path: string): Partial<ShimConfig> {
  try {
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const out: Partial<ShimConfig> = {};
    if (typeof json.out === "string") out.out = json.out;
    if (typeof json.runtime === "string") out.runtime = json.runtime;
    return out;
  } catch {
    return {};
  }
}

/** Flags (`--syscage-out`, `--syscage-runtime`) > SYSCAGE_SHIM_OUT / SYSCAGE_SHIM_RUNTIME > SYSCAGE_SHIM_CONFIG or /etc/syscage/shim.json > defaults. */
export function shimConfig(flags: { out?: string; runtime?: string }, env: NodeJS.ProcessEnv = process.env): ShimConfig {
  const file = readConfigFile(env.SYSCAGE_SHIM_CONFIG ?? SHIM_CONFIG_FILE);
  return {
    out: flags.out ?? env.SYSCAGE_SHIM_OUT ?? file.out ?? DEFAULT_SHIM_OUT,
    runtime: flags.runtime ?? env.SYSCAGE_SHIM_RUNTIME ?? file.runtime ?? "runc",
  };
}

function say(message: string): void {
  process.stderr.write(`syscage-runtime-shim: ${message}\n`);
}

/** Runs argv with the engine's stdio (and the fds it asked to preserve); resolves with its exit status. */
function run(argv: string[], preserveFds = 0): Promise<number> {
  const stdio: (number | "inherit")[] = ["inherit", "inherit", "inherit"];
  for (let fd = 3; fd < 3 + preserveFds; fd++) stdio.push(fd);
  return new Promise((res) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio });
    child.on("error", (e) => {
      say(`cannot run ${argv[0]}: ${e.message}`);
      res(127);
    });
    child.on("close", (code, signal) => res(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGTERM" ? 15 : signal === "SIGINT" ? 2 : 1)));
  });
}

interface Pending {
  name: string;
  id: string;
  full: string;
  /** The output directory at create time: delete may come without the flags create had (Podman's cleanup). */
  out: string;
}

function pendingDir(out: string): string {
  return join(out, ".pending");
}

/** Where the shim notes a container being recorded, whatever its settings: found again by id on delete. */
export const SHIM_STATE_DIR = process.env.SYSCAGE_SHIM_STATE ?? "/run/syscage-shim";

/** Why recording cannot work here, or undefined when it can. */
async function cannotRecord(out: string): Promise<string | undefined> {
  if (spawnSync("strace", ["-V"], { stdio: "ignore" }).status !== 0) return "strace is not installed (apt-get install strace)";
  try {
    await mkdir(pendingDir(out), { recursive: true });
  } catch (e) {
    return `cannot write to ${out}: ${(e as Error).message}`;
  }
  return undefined;
}

function annotationsOf(bundle: string): Record<string, unknown> {
  try {
    const config = JSON.parse(readFileSync(join(bundle, "config.json"), "utf8")) as { annotations?: Record<string, unknown> };
    return config.annotations ?? {};
  } catch {
    return {};
  }
}

/** Whether a strace is still writing `file` (its tracer outlives `create` with -D). */
function tracerAlive(file: string): boolean {
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
      if (cmd.includes(file) && cmd.some((c) => c.endsWith("strace"))) return true;
    } catch {
      // the process is gone
    }
  }
  return false;
}

/** Cuts the container's part out of a finished full trace and files it as OUT/NAME/run-NNN.trace. */
async function fileRun(out: string, p: Pending): Promise<void> {
  for (let i = 0; i < 100 && tracerAlive(p.full); i++) await new Promise((r) => setTimeout(r, 100));
  const plan = await planContainerCut(p.full, archOfNode(process.arch));
  if (!plan.entrypoint) {
    say(`container ${p.id}: its entrypoint never ran; no run recorded`);
  } else {
    const dir = join(out, p.name);
    await mkdir(dir, { recursive: true });
    const file = await nextRunFile(dir);
    await writeContainerCut(p.full, plan, `${file}.partial`);
    await rename(`${file}.partial`, file);
    say(`container ${p.id}: run recorded as ${file}`);
  }
  if (process.env.SYSCAGE_SHIM_KEEP_FULL !== "1") await rm(p.full, { force: true });
}

async function finishPending(out: string, id: string): Promise<void> {
  const meta = [join(SHIM_STATE_DIR, `${safeId(id)}.json`), join(pendingDir(out), `${safeId(id)}.json`)].find((m) => existsSync(m));
  if (!meta) return;
  try {
    const p = JSON.parse(await readFile(meta, "utf8")) as Pending;
    await rm(meta, { force: true });
    await fileRun(p.out ?? out, p);
  } catch (e) {
    say(`container ${id}: the recording could not be filed: ${(e as Error).message}`);
  }
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** `create` or `run`: under strace when possible, else unrecorded (said on stderr). */
async function recordCreate(config: ShimConfig, globals: string[], command: "create" | "run", rest: string[]): Promise<number> {
  const passthrough = [config.runtime, ...globals, command, ...rest];
  const args = parseCreateArgs(rest);
  const bundle = resolve(args.bundle ?? ".");
  const annotations = annotationsOf(bundle);
  if (!args.id || isSandbox(annotations)) return run(passthrough, args.preserveFds);
  const why = await cannotRecord(config.out);
  if (why) {
    say(`not recording container ${args.id}: ${why}; running it unrecorded`);
    return run(passthrough, args.preserveFds);
  }
  const id = safeId(args.id);
  const pending: Pending = { name: runName(annotations, args.id), id: args.id, full: join(pendingDir(config.out), `${id}.full.trace`), out: config.out };
  const background = command === "create" || args.detach;
  const metaDir = await mkdir(SHIM_STATE_DIR, { recursive: true }).then(
    () => SHIM_STATE_DIR,
    () => pendingDir(config.out),
  );
  const meta = join(metaDir, `${id}.json`);
  await writeFile(meta, JSON.stringify(pending));
  // -D: strace's tracer is a detached grandchild, so `create` returns as soon as the container is
  // created and the tracer follows it through `start` to its exit.
  const status = await run(["strace", ...(background ? ["-D"] : []), ...CONTAINER_RECORD_FLAGS, "-o", pending.full, ...passthrough], args.preserveFds);
  const size = (await stat(pending.full).catch(() => undefined))?.size ?? 0;
  if (status !== 0 && size === 0) {
    // strace itself failed (ptrace not permitted...): the runtime never ran.
    await rm(meta, { force: true });
    await rm(pending.full, { force: true });
    say(`recording container ${args.id} failed (strace exit status ${status}); running it unrecorded`);
    return run(passthrough, args.preserveFds);
  }
  if (!background) await finishPending(config.out, args.id);
  return status;
}

/** The shim's entry point: returns the exit status to exit with. */
export async function shimMain(argv: string[]): Promise<number> {
  const inv = parseRuntimeArgs(argv);
  const config = shimConfig(inv.shim);
  if (inv.command === "create" || inv.command === "run") {
    try {
      return await recordCreate(config, inv.globals, inv.command, inv.rest);
    } catch (e) {
      say(`recording failed (${(e as Error).message}); running the container unrecorded`);
      return run([config.runtime, ...inv.globals, inv.command, ...inv.rest], parseCreateArgs(inv.rest).preserveFds);
    }
  }
  const status = await run([config.runtime, ...inv.globals, ...(inv.command ? [inv.command] : []), ...inv.rest]);
  if (inv.command === "delete") {
    const id = inv.rest.filter((a) => !a.startsWith("-")).pop();
    if (id) await finishPending(config.out, id);
  }
  return status;
}
