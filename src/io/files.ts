import { readFile } from "node:fs/promises";
import { writeFilesTogether } from "./output-dir.js";
import { UserError } from "../model/diagnostics.js";

/**
 * Writes `content` so that readers see the old file or the new one, never half of it: a temporary
 * file in the same directory, flushed, then renamed over the target. Errors (a directory in the
 * way, a full disk) are one-line user errors and leave the old file as it was.
 */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await writeFilesTogether([{ path, content }]);
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "EISDIR") throw new UserError(`${path}: is a directory, expected a file; remove or rename it`, "SC_OUTPUT", { cause: e });
    if (code === "ENOTDIR") throw new UserError(`${path}: a part of the path is a file, not a directory`, "SC_OUTPUT", { cause: e });
    if (code === "EACCES") throw new UserError(`${path}: permission denied`, "SC_INPUT_UNREADABLE", { cause: e });
    throw e;
  }
}
