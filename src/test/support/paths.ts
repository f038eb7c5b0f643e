import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REQUIREMENTS, type Requirement, corpusDir, skipUnless, skipUnlessCommand } from "./skip.js";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SAMPLES = join(REPO, "samples");
export const FIXTURES = join(REPO, "src", "test", "fixtures");
/**
 * Real traces other people published: $SYSCAGE_CORPUS or ../shared/corpus beside the repository,
 * never copied into it (most files have no licence). Tests skip through skipUnless("corpus").
 */
export const CORPUS = corpusDir() ?? join(REPO, "..", "shared", "corpus");
/** Reference data vendored from other projects (see data/PROVENANCE.md). */
export const DATA = join(REPO, "data");
/** @deprecated The data now lives in the repository: use DATA (same file names). */
export const SHARED_DATA = DATA;
export const CLI = join(REPO, "src", "cli.ts");
/** tsx's loader by absolute URL, so a CLI run from another working directory still finds it. */
export const TSX = pathToFileURL(join(REPO, "node_modules", "tsx", "dist", "loader.mjs")).href;

/**
 * Whether a system tool is on PATH; in CI (CI=true) a missing tool fails the test instead of
 * skipping it. Prefer `skipUnless(...)` from ./skip.ts, whose result is the skip reason.
 */
export function haveTool(cmd: string, args: string[] = ["--version"]): boolean {
  const name = basename(cmd);
  return (name in REQUIREMENTS ? skipUnless(name as Requirement) : skipUnlessCommand(name, args)) === false;
}

export function exists(p: string): boolean {
  return existsSync(p);
}
