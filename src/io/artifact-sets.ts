import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import fg from "fast-glob";
import { UserError } from "../model/diagnostics.js";
import type { ArtifactSet } from "../diff/diff-artifacts.js";

const run = promisify(execFile);

/** One side of a diff: a file, a directory of profiles, or `REF:PATH` for a version in git. */
export interface Side {
  label: string;
  /** A single file (compared with the other side's single file whatever their names). */
  single: boolean;
  files: ArtifactSet;
  /** For a single file: the allowlist.yaml beside it, to explain added permissions. */
  context?: string;
}

async function git(args: string[]): Promise<string> {
  try {
    const r = await run("git", args, { maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return r.stdout;
  } catch (e) {
    const err = e as { stderr?: string; code?: string };
    if (err.code === "ENOENT") throw new UserError("git is not installed, so REF:PATH cannot be read", "SC_GIT", { cause: e });
    throw new UserError(`git ${args.join(" ")}: ${(err.stderr ?? String(e)).trim().split("\n")[0]}`, "SC_GIT", { cause: e });
  }
}

/** Loads a side; a path that exists on disk wins over the REF:PATH reading of the same text. */
export async function loadSide(spec: string): Promise<Side> {
  const st = await stat(spec).catch(() => undefined);
  if (st?.isFile()) {
    const context = await readFile(join(dirname(spec), "allowlist.yaml"), "utf8").catch(() => undefined);
    return { label: spec, single: true, files: new Map([[basename(spec), await readFile(spec, "utf8")]]), ...(context !== undefined ? { context } : {}) };
  }
  if (st?.isDirectory()) {
    const names = await fg("**/*", { cwd: spec, onlyFiles: true, dot: false });
    const files: ArtifactSet = new Map();
    for (const n of names.sort()) files.set(n, await readFile(`${spec}/${n}`, "utf8"));
    return { label: spec, single: false, files };
  }
  const colon = spec.indexOf(":");
  if (colon > 0) {
    const ref = spec.slice(0, colon);
    const path = spec.slice(colon + 1).replace(/\/+$/, "") || ".";
    const type = (await git(["cat-file", "-t", `${ref}:${path}`])).trim();
    if (type === "blob") {
      const context = await git(["show", `${ref}:${join(dirname(path), "allowlist.yaml")}`]).catch(() => undefined);
      return {
        label: spec,
        single: true,
        files: new Map([[basename(path), await git(["show", `${ref}:${path}`])]]),
        ...(context !== undefined ? { context } : {}),
      };
    }
    const list = (await git(["ls-tree", "-r", "--name-only", "--full-tree", ref, "--", path])).split("\n").filter(Boolean);
    const files: ArtifactSet = new Map();
    for (const full of list.sort()) files.set(relative(path, full), await git(["show", `${ref}:${full}`]));
    return { label: spec, single: false, files };
  }
  throw new UserError(`${spec}: no such file or directory (for a version in git, write REF:PATH, e.g. origin/main:profiles/web)`, "SC_INPUT_NOT_FOUND");
}

/** Pairs two single files under one name so they are compared with each other. */
export function pairSingles(a: Side, b: Side): [ArtifactSet, ArtifactSet] {
  if (a.single && b.single) {
    const name = [...b.files.keys()][0]!;
    const after = new Map(b.files);
    // The allowlist beside NEW explains its additions; it is context, not compared.
    if (b.context !== undefined && name !== "allowlist.yaml") after.set(CONTEXT_ALLOWLIST, b.context);
    return [new Map([[name, [...a.files.values()][0]!]]), after];
  }
  return [a.files, b.files];
}

/** Where a single file's neighbouring allowlist travels in an ArtifactSet (never compared). */
export const CONTEXT_ALLOWLIST = "\0context/allowlist.yaml";
