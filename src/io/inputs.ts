import type { Stats } from "node:fs";
import { readdir, readlink, stat } from "node:fs/promises";
import { basename, relative } from "node:path";
import { UserError } from "../model/diagnostics.js";
import type { RunSource } from "../model/trace.js";

/** A run's file with the pid its name gives (`-ff -o P` writes `P.PID`). */
export interface RunFile {
  path: string;
  /** The name to show in diagnostics (as the user would type it). */
  display: string;
  pid?: number;
}

export interface InputRun extends RunSource {
  runFiles: RunFile[];
}

/** How the CLI passes a `-` input through its argument parser. */
export const STDIN_ARG = "\0stdin";

/** What a directory input skips: documentation and configuration files that live beside traces. */
export const NOT_TRACES = ["**/*.md", "**/*.json", "**/*.yaml", "**/*.yml", "**/*.sh"];

const FF_NAME = /^(.*)\.(\d+)(\.gz)?$/;

/** fast-glob, loaded for the first input that is not a path (its modules take 15 ms to load, a tenth of a small run). */
let fg: typeof import("fast-glob") | undefined;

/**
 * Expands the inputs the user named (files, directories, globs, `-`) into runs. Each file is a run,
 * except the per-process files of one `strace -ff -o P` recording (`P.123`, `P.124`, ...), which
 * together form one run. A path or glob that matches nothing is an error naming it.
 */
export async function expandInputs(inputs: string[], cwd: string = process.cwd()): Promise<InputRun[]> {
  const files: string[] = [];
  let stdin = false;
  for (const input of inputs) {
    if (input === "-" || input === STDIN_ARG) {
      stdin = true;
      continue;
    }
    const st = await stat(input).catch(() => undefined);
    // A pipe named on the command line is read as a stream (`syscage stats <(strace -o /dev/stdout ...)`).
    if (st?.isFile() || st?.isFIFO()) files.push(input);
    else if (st?.isDirectory()) {
      // Notes kept beside traces (README.md, recording scripts' JSON) are not traces.
      const found = await walkDirectory(input);
      if (found.length === 0) throw new UserError(`${input}: the directory holds no files`, "SC_INPUT_NOT_FOUND");
      for (const f of found) files.push(joinPath(input, f));
    } else if (st) {
      throw notAFile(input, st);
    } else if ((fg ??= (await import("fast-glob")).default).isDynamicPattern(input)) {
      const found = await fg(input, { cwd, onlyFiles: true, dot: false });
      if (found.length === 0) throw new UserError(`${input}: no file matches this pattern`, "SC_INPUT_NOT_FOUND");
      for (const f of found.sort()) files.push(f);
    } else {
      throw new UserError(`${input}: no such file or directory`, "SC_INPUT_NOT_FOUND");
    }
  }
  const unique = [...new Set(files)];
  const groups = new Map<string, RunFile[]>();
  const runs: InputRun[] = [];
  for (const path of unique) {
    const display = relative(cwd, path) || path;
    const m = FF_NAME.exec(basename(path));
    if (m) {
      const key = path.slice(0, path.length - basename(path).length) + m[1];
      const list = groups.get(key) ?? [];
      list.push({ path, display, pid: Number(m[2]) });
      groups.set(key, list);
    } else runs.push(single(path, display));
  }
  for (const [key, list] of groups) {
    if (list.length === 1) {
      // A lone `name.123` is still a per-process file: keep its pid.
      const f = list[0]!;
      runs.push({ id: f.display, files: [f.display], runFiles: [f] });
      continue;
    }
    list.sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0));
    const id = relative(cwd, key) || key;
    runs.push({ id, files: list.map((f) => f.display), runFiles: list });
  }
  runs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (stdin) runs.push({ id: "-", files: ["-"], runFiles: [{ path: "-", display: "-" }] });
  return runs;
}

function single(path: string, display: string): InputRun {
  return { id: display, files: [display], runFiles: [{ path, display }] };
}

/** The error for an input that exists but is no regular file: reading a FIFO or a device would block or never end. */
function notAFile(path: string, st: Stats): UserError {
  const kind = st.isFIFO()
    ? "a FIFO (named pipe)"
    : st.isCharacterDevice()
      ? "a character device"
      : st.isBlockDevice()
        ? "a block device"
        : st.isSocket()
          ? "a socket"
          : "not a regular file";
  return new UserError(`${path}: is ${kind}, expected a trace file or directory (for a pipe, use - and redirect it to standard input)`, "SC_INPUT_UNREADABLE");
}

/** What NOT_TRACES skips, by name. */
function isNotTrace(name: string): boolean {
  return /\.(?:md|json|ya?ml|sh)$/.test(name);
}

/**
 * The files under `dir` (relative, sorted, no dot files, no NOT_TRACES), following symlinks. Each
 * real file is listed once (by device and inode), whichever names lead to it: a symlink loop
 * (`again -> .`) or a second link to a trace does not make it two runs. A dangling symlink is an
 * error naming it (a lost trace would otherwise go unnoticed).
 */
async function walkDirectory(dir: string): Promise<string[]> {
  const out: string[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const id = (st: { dev: number; ino: number }) => `${st.dev}:${st.ino}`;
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === "" ? dir : joinPath(dir, rel);
    const st = await stat(abs);
    if (seenDirs.has(id(st))) return;
    seenDirs.add(id(st));
    const entries = (await readdir(abs)).filter((n) => !n.startsWith(".")).sort();
    // Files first, then subdirectories: the shortest name of a file reached twice is the one kept.
    const subdirs: string[] = [];
    for (const name of entries) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const full = joinPath(dir, r);
      const est = await stat(full).catch((e: NodeJS.ErrnoException) => e);
      if (est instanceof Error) {
        if (est.code === "ENOENT" || est.code === "ELOOP") {
          const target = await readlink(full).catch(() => "?");
          throw new UserError(`${full}: a symlink to ${target}, which does not exist; restore its target or remove the link`, "SC_INPUT_NOT_FOUND", {
            cause: est,
          });
        }
        throw new UserError(`${full}: cannot read it: ${est.message}`, "SC_INPUT_UNREADABLE", { cause: est });
      }
      if (est.isDirectory()) subdirs.push(r);
      else if (isNotTrace(name)) continue;
      else if (!est.isFile()) throw notAFile(full, est);
      else if (!seenFiles.has(id(est))) {
        seenFiles.add(id(est));
        out.push(r);
      }
    }
    for (const r of subdirs) await walk(r);
  };
  await walk("");
  return out.sort();
}

function joinPath(dir: string, f: string): string {
  return dir.endsWith("/") ? dir + f : `${dir}/${f}`;
}
