import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SAMPLES = join(REPO, "samples");
export const FIXTURES = join(REPO, "src", "test", "fixtures");
/** Real traces other people published; beside the repository, never copied into it. */
export const CORPUS = join(REPO, "..", "shared", "corpus");
export const SHARED_DATA = join(REPO, "..", "shared", "data");
export const CLI = join(REPO, "src", "cli.ts");
/** tsx's loader by absolute URL, so a CLI run from another working directory still finds it. */
export const TSX = pathToFileURL(join(REPO, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** Whether a system tool is there; in CI (CI=true) a missing tool fails the test instead of skipping it. */
export function haveTool(cmd: string, args: string[] = ["--version"]): boolean {
  const ok = spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
  if (!ok && process.env.CI === "true") throw new Error(`${cmd} is required in CI (.ci/run installs it)`);
  return ok;
}

export function exists(p: string): boolean {
  return existsSync(p);
}
