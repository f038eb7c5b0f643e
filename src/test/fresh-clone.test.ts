// The repository stands alone, and the ways a user installs syscage work:
// - a clone of this commit in an empty temporary directory (no ../shared beside it) passes the
//   README's test command, run as written, with the system tools (strace, apparmor_parser, sysdig,
//   python3 and its seccomp binding, sqlite3, runc, crun...) hidden from PATH: the tests that need
//   them are reported as skipped, naming the missing package, and nothing fails;
// - `npm pack` ships the built program and no test file;
// - `npm install -g` from the tarball, from a fresh clone (`npm install -g .`) and from a git URL
//   pinned at a commit gives a working `syscage`, whose --version is its own from any directory.
// Slow (npm ci, the whole suite, three installs): runs under CI=true or SYSCAGE_SLOW_TESTS=1, and
// the inner run of the suite skips this file (FRESH_CLONE_INNER) so it never recurses.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO, SAMPLES } from "./support/paths.js";
import { FRESH_CLONE_INNER, skipUnlessSlowTests } from "./support/skip.js";

/** What a machine with only Node and git lacks: every tool the oracles use. */
const HIDDEN = /^(strace|apparmor_parser|sysdig|runc|crun|podman|sqlite3|systemd-analyze|capsh|jq|pyenv|python[0-9.]*(-config)?)$/;

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
const WEB_TRACE = join(SAMPLES, "web", "run1.f-o.trace");

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, input?: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 20 * 60_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.error, undefined, `${what}: ${String(r.error)}`);
  assert.equal(r.status, 0, `${what} exited ${r.status}:\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-6000)}`);
  return r.stdout;
}

/** A PATH directory holding every command of this PATH except the hidden tools. */
function pathWithoutTools(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const seen = new Set<string>();
  for (const d of (process.env.PATH ?? "").split(delimiter)) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const n of names) {
      if (seen.has(n) || HIDDEN.test(n)) continue;
      try {
        accessSync(join(d, n), constants.X_OK);
      } catch {
        continue;
      }
      seen.add(n);
      symlinkSync(join(d, n), join(dir, n));
    }
  }
  // node itself, wherever it is (nvm, a tarball): the suite runs on this one.
  if (!seen.has("node")) symlinkSync(process.execPath, join(dir, "node"));
  return dir;
}

/** A fresh shell's environment: no CI, no npm lifecycle variables, no corpus, tools hidden. */
function userEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "CI" || k.startsWith("npm_") || k.startsWith("SYSCAGE_") || k === "NODE_OPTIONS" || k === "NODE_TEST_CONTEXT") continue;
    env[k] = v;
  }
  env.PATH = path;
  env[FRESH_CLONE_INNER] = "1";
  return env;
}

/** Clones this repository's commit into `dest`, with the working tree's uncommitted changes to tracked files. */
function cloneHere(dest: string, env: NodeJS.ProcessEnv): string {
  const head = ok(sh("git", ["rev-parse", "HEAD"], REPO, env), "git rev-parse").trim();
  ok(sh("git", ["clone", "--quiet", "--no-hardlinks", REPO, dest], dirname(dest), env), "git clone");
  ok(sh("git", ["checkout", "--quiet", "--detach", head], dest, env), "git checkout");
  const diff = sh("git", ["diff", "HEAD", "--binary"], REPO, env).stdout;
  if (diff !== "") {
    ok(sh("git", ["apply", "--binary", "-"], dest, env, diff), "git apply (uncommitted changes)");
    ok(
      sh("git", ["-c", "user.name=syscage-test", "-c", "user.email=test@invalid", "commit", "-qam", "uncommitted changes of the working tree"], dest, env),
      "git commit",
    );
  }
  return ok(sh("git", ["rev-parse", "HEAD"], dest, env), "git rev-parse").trim();
}

/** The README's first code block: the commands a new user runs first, comments cut off. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => (l.split("#")[0] as string).trim())
    .filter(Boolean);
}

/** The README's test command, exactly as written. */
function readmeTestCommand(): string {
  const line = readmeCommands().find((l) => /\bnpm test\b/.test(l));
  assert.ok(line, "the README names no test command");
  return line;
}

describe("a fresh clone with only Node and git", { skip: skipUnlessSlowTests() }, () => {
  let root = "";
  let clone = "";
  let env: NodeJS.ProcessEnv = {};
  let head = "";
  let suite: SpawnSyncReturns<string> | undefined;

  before(() => {
    root = mkdtempSync(join(tmpdir(), "syscage-fresh-"));
    env = userEnv(pathWithoutTools(join(root, "bin")));
    clone = join(root, "syscage");
    head = cloneHere(clone, env);
    suite = sh("sh", ["-c", readmeTestCommand()], clone, env);
  });
  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("has no ../shared and hides the tools", () => {
    assert.ok(!existsSync(join(clone, "..", "shared")));
    const which = sh("sh", ["-c", "command -v strace || command -v sysdig || command -v python3 || command -v apparmor_parser || true"], clone, env);
    assert.equal(which.stdout.trim(), "");
  });

  it(`passes the README's test command (${readmeTestCommand()}), tool tests reported as skipped`, () => {
    assert.ok(suite);
    const out = `${suite.stdout}\n${suite.stderr}`;
    ok(suite, readmeTestCommand());
    assert.match(out, /ℹ fail 0/);
    const skipped = Number(/ℹ skipped (\d+)/.exec(out)?.[1] ?? 0);
    assert.ok(skipped >= 10, `only ${skipped} tests skipped: were the tools really hidden?`);
    assert.match(out, /strace is missing \(apt-get install strace\)/);
    assert.match(out, /python3-seccomp is missing \(apt-get install python3-seccomp/);
    assert.match(out, /corpus is missing \(set SYSCAGE_CORPUS/);
    assert.match(out, /inside the fresh-clone test's own run/, "the inner run must skip this file");
  });

  it("the README's other first command (rebuild profiles/ from samples/) works and changes nothing", () => {
    const others = readmeCommands().filter((c) => c !== readmeTestCommand());
    assert.ok(others.length > 0);
    for (const cmd of others) ok(sh("sh", ["-c", cmd], clone, env), cmd);
    assert.equal(ok(sh("git", ["status", "--porcelain"], clone, env), "git status").trim(), "", "the committed profiles differ from what the samples produce");
  });

  it("npm pack ships the built CLI and no test file", () => {
    const packed = JSON.parse(ok(sh("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], clone, env), "npm pack --dry-run")) as {
      files: { path: string }[];
    }[];
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    assert.ok(files.includes("dist/cli.js"), "dist/cli.js is not in the package");
    assert.deepEqual(
      files.filter((f) => /\.test\.|(^|\/)test\/|^src\//.test(f)),
      [],
    );
  });

  it("npm install -g of the npm pack tarball gives a working syscage with its own --version", () => {
    const packDir = join(root, "pack");
    mkdirSync(packDir);
    ok(sh("npm", ["pack", "--pack-destination", packDir, "--silent"], clone, env), "npm pack");
    const [tgz] = readdirSync(packDir);
    assert.ok(tgz);
    const prefix = join(root, "global-tarball");
    ok(sh("npm", ["install", "-g", join(packDir, tgz), "--prefix", prefix, "--no-audit", "--no-fund"], root, env), "npm install -g TARBALL");
    assertWorks(join(prefix, "bin", "syscage"));

    // As a dependency of a project whose own version differs: still syscage's version.
    const project = join(root, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "someone-else", version: "9.9.9", private: true }));
    ok(sh("npm", ["install", join(packDir, tgz), "--no-audit", "--no-fund"], project, env), "npm install TARBALL");
    assert.equal(ok(sh(join(project, "node_modules", ".bin", "syscage"), ["--version"], project, env), "--version").trim(), VERSION);
  });

  it("npm install -g . from a fresh clone (no node_modules, no dist) gives a working syscage", () => {
    const second = join(root, "second-clone");
    cloneHere(second, env);
    const prefix = join(root, "global-clone");
    ok(sh("npm", ["install", "-g", ".", "--prefix", prefix, "--no-audit", "--no-fund"], second, env), "npm install -g .");
    assertWorks(join(prefix, "bin", "syscage"));
  });

  it("a git URL pinned at a commit (npm pack URL, then npm install -g the tarball) gives a working syscage", () => {
    // The pin as scripts/github-workflow.yml uses it. `npm install -g GIT_URL` directly trips npm's
    // own bugs for global git installs with a prepare script (npm/cli#8440, #6984).
    const dir = join(root, "from-git");
    mkdirSync(dir);
    ok(sh("npm", ["pack", `git+file://${clone}#${head}`, "--silent"], dir, env), "npm pack GIT_URL");
    const [tgz] = readdirSync(dir);
    assert.ok(tgz);
    const prefix = join(root, "global-git");
    ok(sh("npm", ["install", "-g", join(dir, tgz), "--prefix", prefix, "--no-audit", "--no-fund"], root, env), "npm install -g (from git)");
    assertWorks(join(prefix, "bin", "syscage"));
  });

  /** --version is the package's from an unrelated directory, and a real command runs (stdin input). */
  function assertWorks(bin: string): void {
    const elsewhere = mkdtempSync(join(root, "cwd-"));
    writeFileSync(join(elsewhere, "package.json"), JSON.stringify({ name: "other", version: "9.9.9" }));
    assert.equal(ok(sh(bin, ["--version"], elsewhere, env), `${bin} --version`).trim(), VERSION);
    const stats = ok(sh(bin, ["stats", "-"], elsewhere, env, readFileSync(WEB_TRACE, "utf8")), `${bin} stats -`);
    assert.match(stats, /^\d+ syscalls, \d+ calls/);
  }
});
