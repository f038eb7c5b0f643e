import { spawnSync } from "node:child_process";
import { CLI, REPO, TSX } from "./paths.js";

/** Runs the CLI from source (through tsx), as a user would run `syscage ARGS`. */
export function runCli(
  args: string[],
  options: { input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", TSX, CLI, ...args], {
    cwd: options.cwd ?? REPO,
    input: options.input,
    ...(options.env ? { env: options.env } : {}),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
