// Writing a container's output directory so that no run is lost and its files change together:
// - one writer at a time: `.syscage.lock` (holding the writer's pid) is created exclusively before
//   the allowlist is read and removed after the last rename; a second `generate` waits for it, and
//   a lock whose process is gone (killed) is taken over;
// - all files are written to temporaries first (flushed), then renamed over their targets, the
//   allowlist last: until that last rename the directory's allowlist is the old one, and running
//   `generate` again rewrites the rest from it. A full disk or an error while writing leaves the old
//   files untouched and no temporary behind;
// - temporaries of a killed run are removed by the next writer (it holds the lock, so none is live).
import { constants } from "node:fs";
import { lstat, mkdir, open, readdir, readFile, readlink, rename, rm, stat, unlink } from "node:fs/promises";
import { readFileSync, rmdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { UserError } from "../model/diagnostics.js";

export const LOCK_FILE = ".syscage.lock";
const TMP_SUFFIX = ".syscage-tmp";
/** Temporaries of this module (`.NAME.PID.RAND.syscage-tmp`) and of writeFileAtomic before it (`.HEX.tmp`). */
const STALE_TMP = /^\..*\.syscage-tmp$|^\.[0-9a-f]{12}\.tmp$/;
const POLL_MS = 100;
const MY_START = startTime(process.pid);

/** What an errno means for a user, with what to do. */
function explain(e: unknown, path: string, doing: string): UserError {
  const code = (e as NodeJS.ErrnoException)?.code ?? "";
  const why: Record<string, string> = {
    ENOTDIR: "a part of the path is a file, not a directory; choose another --out or remove that file",
    EEXIST: "a file is in the way of the directory; choose another --out or remove that file",
    ENOENT: "a part of the path does not exist (a dangling symlink?); choose another --out or create it",
    EISDIR: "it is a directory; remove or rename it",
    ENOSPC: "no space left on the device; free some and run again",
    EDQUOT: "disk quota exceeded; free some and run again",
    EROFS: "the file system is read-only; choose another --out",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ELOOP: "too many symlinks (a loop?)",
  };
  return new UserError(`${path}: cannot ${doing}: ${why[code] ?? (e as Error)?.message ?? String(e)}`, "SC_OUTPUT", { cause: e });
}

/** When process `pid` started (clock ticks since boot, /proc/PID/stat field 22); undefined off Linux. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the writer that wrote the lock `text` (`PID [START]`) still runs: a reused pid has another start time. */
function alive(text: string): boolean {
  const [pidText, started] = text.trim().split(" ");
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = started === undefined ? undefined : startTime(pid);
  return now === undefined || now === started;
}

/**
 * Makes `dir` (with its parents) and takes its lock, waiting up to `waitMs` for another writer.
 * Returns the function that releases it. The lock is also removed if the process exits first.
 */
export async function lockOutputDir(dir: string, options: { waitMs?: number; onWait?: (pid: number) => void } = {}): Promise<() => Promise<void>> {
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) =>
    e.code === "ENOENT" ? undefined : Promise.reject(explain(e, dir, "use it as the output directory")),
  );
  if (!st && (await lstat(dir).catch(() => undefined))?.isSymbolicLink()) {
    throw new UserError(
      `${dir}: cannot use it as the output directory: it is a symlink to ${await readlink(dir)}, which does not exist; create its target or choose another --out`,
      "SC_OUTPUT",
    );
  }
  if (st && !st.isDirectory())
    throw new UserError(`${dir}: cannot use it as the output directory: it is a file, not a directory; choose another --out or remove that file`, "SC_OUTPUT");
  // Directories made only to hold the lock are removed again if nothing was written in them.
  const createdTop = await mkdir(dir, { recursive: true }).catch((e) => Promise.reject(explain(e, dir, "create the output directory")));
  const created = createdTop === undefined ? [] : ancestorsUpTo(resolve(dir), resolve(createdTop));
  const lock = join(dir, LOCK_FILE);
  const deadline = Date.now() + (options.waitMs ?? 10 * 60_000);
  let told = false;
  for (;;) {
    try {
      const fh = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
      try {
        await fh.writeFile(`${process.pid}${MY_START ? ` ${MY_START}` : ""}\n`);
      } catch (e) {
        await fh.close();
        await unlink(lock).catch(() => undefined);
        throw explain(e, lock, "create the lock file");
      }
      await fh.close();
      break;
    } catch (e) {
      if (e instanceof UserError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      // The writer we waited for made the directory, failed and removed it: make it again.
      if (code === "ENOENT" && Date.now() < deadline) {
        await mkdir(dir, { recursive: true }).catch(() => undefined);
        continue;
      }
      if (code !== "EEXIST") throw explain(e, lock, "create the lock file");
    }
    const text = await readFile(lock, "utf8").catch(() => undefined);
    if (text === undefined) continue; // released between our two calls
    const pid = Number.parseInt(text, 10);
    // An empty file: its writer is between create and write, or was killed there (then it stays empty).
    const killedEarly = text === "" && Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now()) > 5000;
    if ((text !== "" && !alive(text)) || killedEarly) {
      // A killed writer's lock: take it over (rename-free: a racing taker gets EEXIST next round).
      await unlink(lock).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `${lock}: another syscage (pid ${Number.isNaN(pid) ? "unknown" : pid}) is writing this directory; wait for it to finish, or remove the file if no syscage is running`,
        "SC_LOCKED",
      );
    }
    if (!told && !Number.isNaN(pid)) {
      told = true;
      options.onWait?.(pid);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const onExit = (): void => {
    try {
      unlinkSync(lock);
      for (const d of created) rmdirSync(d);
    } catch {
      // already gone, or the directory holds files now
    }
  };
  process.once("exit", onExit);
  await removeStaleTemporaries(dir);
  return async () => {
    process.removeListener("exit", onExit);
    onExit();
  };
}

/** `dir` and its parents up to and including `top` (deepest first). */
function ancestorsUpTo(dir: string, top: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    out.push(d);
    if (d === top || dirname(d) === d) return out;
  }
}

/** Removes temporaries a killed writer left in `dir` (call with the lock held). */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((n) => STALE_TMP.test(n));
  for (const n of stale) await rm(join(dir, n), { force: true });
  return stale;
}

/**
 * Writes `files` so that they change together: every content to a flushed temporary beside its
 * target, then the renames, `last` (the allowlist) after all others. Any error before the renames
 * removes the temporaries and leaves every target as it was.
 */
export async function writeFilesTogether(files: readonly { path: string; content: string }[], last = "allowlist.yaml"): Promise<void> {
  // A target that is a directory would fail its rename half-way through: refuse before writing.
  for (const f of files) {
    const st = await stat(f.path).catch(() => undefined);
    if (st?.isDirectory()) throw new UserError(`${f.path}: cannot write it: it is a directory; remove or rename it`, "SC_OUTPUT");
  }
  const ordered = [...files].sort((a, b) => Number(basename(a.path) === last) - Number(basename(b.path) === last));
  const temps: { tmp: string; path: string }[] = [];
  try {
    for (const f of ordered) {
      await mkdir(dirname(f.path), { recursive: true }).catch((e) => Promise.reject(explain(e, dirname(f.path), "create the output directory")));
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString("hex")}${TMP_SUFFIX}`);
      temps.push({ tmp, path: f.path });
      const fh = await open(tmp, "w", 0o644).catch((e) => Promise.reject(explain(e, f.path, "write it")));
      try {
        await fh.writeFile(f.content);
        await fh.sync();
      } catch (e) {
        throw explain(e, f.path, "write it (nothing was changed)");
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    for (const t of temps) await rm(t.tmp, { force: true });
    throw e;
  }
  for (let i = 0; i < temps.length; i++) {
    const t = temps[i]!;
    try {
      await rename(t.tmp, t.path);
    } catch (e) {
      for (const rest of temps.slice(i)) await rm(rest.tmp, { force: true });
      throw explain(e, t.path, "replace it (the allowlist is unchanged: run generate again)");
    }
  }
  for (const d of new Set(temps.map((t) => dirname(t.path)))) {
    // Make the renames durable; some file systems refuse fsync on a directory.
    const fh = await open(d, "r").catch(() => undefined);
    await fh?.sync().catch(() => undefined);
    await fh?.close();
  }
}
