// The one place that decides whether a test may skip because something outside the repository is
// missing: a system tool (strace, apparmor_parser, sysdig, libseccomp's Python binding...) or the
// public strace corpus. Every such skip names what is missing and the Debian package that brings
// it. Under CI=true nothing may be missing (.ci/run installs the tools): the helper throws, so
// the test file fails with the same message instead of passing with fewer tests.
//
// Tools are looked up on PATH only (never by absolute path), so hiding them from PATH hides them
// from every test: the fresh-clone test (src/test/fresh-clone.test.ts) relies on that.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { REPO } from "./paths.js";

/** Something a test needs that the repository does not hold. */
export type Requirement =
  | "strace"
  | "apparmor_parser"
  | "sysdig"
  | "python3"
  | "python3-seccomp"
  | "sqlite3"
  | "runc"
  | "crun"
  | "podman"
  | "systemd-analyze"
  | "capsh"
  | "jq"
  | "corpus";

interface RequirementInfo {
  /** How a user gets it: the Debian package, or where the data comes from. */
  remedy: string;
  present: () => boolean;
}

/** Every executable named `cmd` on PATH, in PATH order. */
export function onPath(cmd: string): string[] {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, cmd);
    try {
      accessSync(p, constants.X_OK);
      if (!found.includes(p)) found.push(p);
    } catch {
      // not here
    }
  }
  return found;
}

/** The first `cmd` on PATH that runs `args` with exit status 0. */
function runnable(cmd: string, args: string[]): string | undefined {
  return onPath(cmd).find((p) => spawnSync(p, args, { stdio: "ignore", timeout: 20_000 }).status === 0);
}

const memo = new Map<string, string | undefined>();
function cached(key: string, find: () => string | undefined): string | undefined {
  if (!memo.has(key)) memo.set(key, find());
  return memo.get(key);
}

/**
 * The python3 on PATH that has libseccomp's binding (Debian's python3-seccomp is installed for the
 * system /usr/bin/python3; a pyenv or venv python3 earlier on PATH usually lacks it).
 */
export function pythonWithSeccomp(): string | undefined {
  return cached("python3-seccomp", () => runnable("python3", ["-c", "import seccomp"]));
}

/** The corpus: $SYSCAGE_CORPUS, else ../shared/corpus beside the repository. */
export function corpusDir(): string | undefined {
  const dir = process.env.SYSCAGE_CORPUS ?? join(REPO, "..", "shared", "corpus");
  return existsSync(dir) ? dir : undefined;
}

const tool = (cmd: string, args: string[]) => () => cached(cmd, () => runnable(cmd, args)) !== undefined;

export const REQUIREMENTS = {
  strace: { remedy: "apt-get install strace", present: tool("strace", ["-V"]) },
  apparmor_parser: { remedy: "apt-get install apparmor (it installs to /usr/sbin: keep that on PATH)", present: tool("apparmor_parser", ["--version"]) },
  sysdig: { remedy: "apt-get install sysdig", present: tool("sysdig", ["--version"]) },
  python3: { remedy: "apt-get install python3", present: tool("python3", ["--version"]) },
  "python3-seccomp": { remedy: "apt-get install python3-seccomp (for the system python3)", present: () => pythonWithSeccomp() !== undefined },
  sqlite3: { remedy: "apt-get install sqlite3", present: tool("sqlite3", ["-version"]) },
  runc: { remedy: "apt-get install runc", present: tool("runc", ["--version"]) },
  crun: { remedy: "apt-get install crun", present: tool("crun", ["--version"]) },
  podman: { remedy: "apt-get install podman", present: tool("podman", ["--version"]) },
  "systemd-analyze": { remedy: "apt-get install systemd", present: tool("systemd-analyze", ["--version"]) },
  capsh: { remedy: "apt-get install libcap2-bin", present: tool("capsh", ["--print"]) },
  jq: { remedy: "apt-get install jq", present: tool("jq", ["--version"]) },
  corpus: {
    remedy: "set SYSCAGE_CORPUS to the public strace corpus, or put it at ../shared/corpus beside the repository",
    present: () => corpusDir() !== undefined,
  },
} as const satisfies Record<Requirement, RequirementInfo>;

/** The message of a skip (and of the CI failure) for what is missing. */
export function missingMessage(missing: readonly Requirement[]): string {
  return missing.map((r) => `${r} is missing (${REQUIREMENTS[r].remedy})`).join("; ");
}

/**
 * `false` when everything is there, else the skip reason naming what is missing and how to get it.
 * Under CI=true a missing requirement throws instead: CI must run every test.
 * Use as `describe(name, { skip: skipUnless("strace", "python3-seccomp") }, ...)`.
 */
export function skipUnless(...needs: Requirement[]): string | false {
  const missing = needs.filter((r) => !REQUIREMENTS[r].present());
  if (missing.length === 0) return false;
  const message = missingMessage(missing);
  if (process.env.CI === "true") throw new Error(`CI=true, so nothing may be skipped: ${message}`);
  return message;
}

/**
 * A tool not in REQUIREMENTS, by command and probe arguments; same rules (PATH only, the skip names
 * the package, assumed to be named like the command; throws under CI=true).
 */
export function skipUnlessCommand(cmd: string, args: string[] = ["--version"], pkg = cmd): string | false {
  if (cached(`${cmd} ${args.join(" ")}`, () => runnable(cmd, args)) !== undefined) return false;
  const message = `${cmd} is missing (apt-get install ${pkg})`;
  if (process.env.CI === "true") throw new Error(`CI=true, so nothing may be skipped: ${message}`);
  return message;
}

/** Set in the environment of the suite the fresh-clone test runs, so that run does not clone again. */
export const FRESH_CLONE_INNER = "SYSCAGE_FRESH_CLONE_INNER";

/**
 * The slow end-to-end checks (a fresh clone running the whole suite, npm installs) run under
 * CI=true or SYSCAGE_SLOW_TESTS=1 (.ci/run sets both), and never inside their own inner run.
 */
export function skipUnlessSlowTests(): string | false {
  if (process.env[FRESH_CLONE_INNER] === "1") return "inside the fresh-clone test's own run of the suite (it does not clone itself again)";
  if (process.env.CI === "true" || process.env.SYSCAGE_SLOW_TESTS === "1") return false;
  return "slow (clones the repository, runs npm ci and the whole suite, installs the package three ways): set SYSCAGE_SLOW_TESTS=1 (CI=true runs it)";
}
