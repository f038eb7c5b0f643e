// Semantic diffs, golden in every format, for the changes reviewers meet; exit codes of each
// --fail-on mode; REF:PATH against a commit in a temporary git repository.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { emitDiffJson, emitDiffMarkdown, emitDiffText } from "../emit/diff-report.js";
import { assertGolden } from "../test/support/golden.js";
import { DATA, FIXTURES } from "../test/support/paths.js";
import { runCli } from "../test/support/run-cli.js";
import { shouldFail } from "./compare.js";
import * as yaml from "js-yaml";
import { diffArtifacts, loadReaderSchemas, NotAnArtifactError } from "./diff-artifacts.js";
import { ArtifactInputError, isArtifactInputError } from "./artifact-input-error.js";
import { CONTEXT_ALLOWLIST } from "../io/artifact-sets.js";
import { ARTIFACT_READERS } from "../pipeline/artifacts.js";

// The readers check allowlists and seccomp profiles with zod schemas, loaded on demand.
await loadReaderSchemas();

const BASIC = join(FIXTURES, "generate", "basic", "expected");
const GOLDEN = join(FIXTURES, "diff");
const seccompText = readFileSync(join(BASIC, "seccomp.x86_64.json"), "utf8");
const allowlistText = readFileSync(join(BASIC, "allowlist.yaml"), "utf8");
const dropInText = readFileSync(join(BASIC, "syscage.x86_64.conf"), "utf8");

type Profile = {
  defaultAction: string;
  architectures: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args?: { index: number; value: number; valueTwo: number; op: string }[]; comment?: string }[];
};
const base = (): Profile => JSON.parse(seccompText) as Profile;
const json = (p: Profile) => `${JSON.stringify(p, null, 2)}\n`;

function withProfile(edit: (p: Profile) => void): string {
  const p = base();
  edit(p);
  return json(p);
}

const APPARMOR_OLD = `abi <abi/3.0>,
#include <tunables/global>

profile web flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>
  network inet stream,
  "/etc/passwd" r,
  "/srv/www/" r,
  "/srv/www/index.html" r,
  "/usr/bin/python3.11" ix,
  deny /proc/sysrq-trigger rwklx,
}
`;
const APPARMOR_NEW = `abi <abi/3.0>,
#include <tunables/global>

profile web flags=(attach_disconnected,mediate_deleted) {
  #include <abstractions/base>
  # reordered, one rule widened, a capability and a network family added
  capability net_bind_service,
  network inet stream,
  network inet6 stream,
  "/usr/bin/python3.11" ix,
  "/srv/www/index.html" rw,
  "/srv/www/" r,
  "/etc/passwd" r,
  deny /proc/sysrq-trigger rwklx,
}
`;
const FALCO_OLD = `- required_engine_version: 0.26.0
- list: syscage_web_execs
  items: ["/usr/bin/python3.11"]
- macro: syscage_web_scope
  condition: container.image.repository in ("python", "docker.io/library/python")
- rule: syscage_web_unexpected_process
  desc: a process the recordings never ran
  condition: evt.type in (execve, execveat) and evt.dir=< and syscage_web_scope and not proc.exepath in (syscage_web_execs)
  output: unexpected process %proc.exepath
  priority: WARNING
`;
const FALCO_NEW = `- required_engine_version: 0.26.0
- list: syscage_web_execs
  items: ["/usr/bin/python3.11", "/usr/bin/curl"]
- macro: syscage_web_scope
  condition: container.image.repository in ("python", "docker.io/library/python")
- rule: syscage_web_unexpected_process
  desc: a process the recordings never ran
  condition: >-
    evt.type in (execve, execveat) and evt.dir=<
    and syscage_web_scope and not proc.exepath in (syscage_web_execs)
  output: unexpected process %proc.exepath
  priority: WARNING
  enabled: false
`;

interface Case {
  name: string;
  old: [string, string][];
  new: [string, string][];
}

const CASES: Case[] = [
  {
    name: "syscalls-added-removed",
    old: [
      ["web/seccomp.json", seccompText],
      ["web/allowlist.yaml", allowlistText],
    ],
    new: [
      ["web/seccomp.json", withProfile((p) => (p.syscalls[0]!.names = [...p.syscalls[0]!.names.filter((n) => n !== "pipe2"), "ptrace", "mprotect"].sort()))],
      ["web/allowlist.yaml", allowlistText],
    ],
  },
  { name: "arch-added", old: [["seccomp.json", seccompText]], new: [["seccomp.json", withProfile((p) => p.architectures.push("SCMP_ARCH_X86"))]] },
  {
    name: "arg-filter-changed",
    old: [["seccomp.json", seccompText]],
    new: [["seccomp.json", withProfile((p) => (p.syscalls.find((r) => r.names[0] === "socket" && r.args?.[0]?.value === 2)!.args![0]!.value = 10))]],
  },
  {
    name: "reordered-no-change",
    old: [
      ["seccomp.json", seccompText],
      ["apparmor.profile", APPARMOR_OLD],
    ],
    new: [
      [
        "seccomp.json",
        JSON.stringify({
          ...base(),
          syscalls: base()
            .syscalls.reverse()
            .map((r) => ({ ...r, names: [...r.names].reverse() })),
        }),
      ],
      ["apparmor.profile", APPARMOR_OLD.split("\n").reverse().join("\n").replace("profile web", "# comment\nprofile web")],
    ],
  },
  { name: "apparmor-changed", old: [["apparmor.profile", APPARMOR_OLD]], new: [["apparmor.profile", APPARMOR_NEW]] },
  { name: "falco-changed", old: [["falco-rules.yaml", FALCO_OLD]], new: [["falco-rules.yaml", FALCO_NEW]] },
  {
    // A name removed, a risky one added, a probe's ENOSYS line dropped (its call then gets EPERM),
    // a family and a capability added, reordered lines: what systemd would do differently.
    name: "systemd-changed",
    old: [
      ["web/syscage.conf", dropInText],
      ["web/allowlist.yaml", allowlistText],
    ],
    new: [
      [
        "web/syscage.conf",
        dropInText
          .replace("SystemCallFilter=pipe2\n", "")
          .replace("SystemCallFilter=~openat2:ENOSYS\n", "")
          .replace("SystemCallErrorNumber=EPERM\n", "SystemCallFilter=ptrace\nSystemCallErrorNumber=EPERM\n")
          .replace("RestrictAddressFamilies=AF_INET AF_UNIX", "RestrictAddressFamilies=AF_UNIX AF_INET6 AF_INET")
          .replace(/CapabilityBoundingSet=\n$/, "CapabilityBoundingSet=\nCapabilityBoundingSet=CAP_NET_RAW\n"),
      ],
      ["web/allowlist.yaml", allowlistText],
    ],
  },
  {
    name: "allowlist-coverage",
    old: [["allowlist.yaml", allowlistText]],
    new: [["allowlist.yaml", allowlistText.replace("  dup2: {runs: 1,", "  dup2: {runs: 2,").replace(/^ {2}pipe2: .*\n/m, "")]],
  },
];

function report(c: Case) {
  return diffArtifacts("old", new Map(c.old), "new", new Map(c.new), ARTIFACT_READERS);
}

describe("semantic diff: golden in text, markdown and json", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const r = report(c);
      assertGolden(join(GOLDEN, c.name, "diff.txt"), emitDiffText(r));
      assertGolden(join(GOLDEN, c.name, "diff.md"), emitDiffMarkdown(r));
      assertGolden(join(GOLDEN, c.name, "diff.json"), emitDiffJson(r));
    });
  }

  it("a pure reordering is no change", () => {
    const r = report(CASES.find((c) => c.name === "reordered-no-change")!);
    assert.deepEqual(r.summary, { added: 0, removed: 0, changed: 0, grants: 0, revokes: 0, risky: 0 });
  });

  it("an added permission says why and flags risk", () => {
    const r = report(CASES[0]!);
    const changes = r.artifacts.flatMap((a) => a.changes);
    const ptrace = changes.find((c) => c.id === "x86_64 ptrace");
    assert.equal(ptrace?.effect, "grant");
    assert.ok(ptrace?.risk, "ptrace is high-risk");
    const mprotect = changes.find((c) => c.id === "x86_64 mprotect");
    assert.equal(mprotect, undefined, "mprotect was already allowed: adding it again is no change");
    const pipe2 = changes.find((c) => c.id === "x86_64 pipe2");
    assert.deepEqual([pipe2?.type, pipe2?.effect], ["removed", "revoke"]);
  });

  it("systemd: what systemd would do differently, with grants, revokes and risks", () => {
    const r = report(CASES.find((c) => c.name === "systemd-changed")!);
    const by = new Map(r.artifacts.flatMap((a) => a.changes).map((c) => [c.id, c]));
    assert.deepEqual([by.get("SystemCallFilter ptrace")?.effect, Boolean(by.get("SystemCallFilter ptrace")?.risk)], ["grant", true]);
    assert.equal(by.get("SystemCallFilter pipe2")?.effect, "revoke");
    // ENOSYS -> EPERM: still denied, only the errno differs.
    assert.equal(by.get("SystemCallFilter openat2")?.effect, "info");
    assert.equal(by.get("RestrictAddressFamilies AF_INET6")?.effect, "grant");
    assert.equal(by.get("CapabilityBoundingSet CAP_NET_RAW")?.effect, "grant");
    assert.equal(by.size, 5, "reordering families is no change");
  });

  it("Docker's default profile against a generated one", () => {
    const moby = readFileSync(join(DATA, "moby-seccomp-default.json"), "utf8");
    const r = diffArtifacts(
      "moby default",
      new Map([["seccomp.json", moby]]),
      "generated",
      new Map([
        ["seccomp.json", seccompText],
        [CONTEXT_ALLOWLIST, allowlistText],
      ]),
      ARTIFACT_READERS,
    );
    assertGolden(join(GOLDEN, "docker-default-vs-generated", "diff.txt"), emitDiffText(r));
    assertGolden(join(GOLDEN, "docker-default-vs-generated", "diff.md"), emitDiffMarkdown(r));
    const x86 = r.artifacts[0]!.changes.filter((c) => c.group === "x86_64");
    // Docker allows 306 x86_64 syscalls unconditionally; the generated profile keeps only what ran.
    assert.ok(x86.filter((c) => c.effect === "revoke").length > 200);
  });
});

describe("--fail-on", () => {
  const cases: [string, Record<"added" | "risky" | "removed" | "any", boolean>][] = [
    ["syscalls-added-removed", { added: true, risky: true, removed: true, any: true }],
    ["arch-added", { added: true, risky: false, removed: false, any: true }],
    ["reordered-no-change", { added: false, risky: false, removed: false, any: false }],
    ["falco-changed", { added: true, risky: false, removed: false, any: true }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => {
      const r = report(CASES.find((c) => c.name === name)!);
      for (const mode of ["added", "risky", "removed", "any"] as const) assert.equal(shouldFail(r, mode), expected[mode], mode);
    });
  }

  it("exit codes through the CLI: 1 when the kind of change is present, 0 when not, 2 on error", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-failon-"));
    const c = CASES[0]!;
    mkdirSync(join(dir, "old", "web"), { recursive: true });
    mkdirSync(join(dir, "new", "web"), { recursive: true });
    for (const [p, t] of c.old) writeFileSync(join(dir, "old", p), t);
    for (const [p, t] of c.new) writeFileSync(join(dir, "new", p), t);
    const rr = (mode: string) => runCli(["diff", "--fail-on", mode, join(dir, "old"), join(dir, "new")]).status;
    assert.equal(rr("risky"), 1);
    assert.equal(rr("removed"), 1);
    assert.equal(runCli(["diff", "--fail-on", "any", join(dir, "old"), join(dir, "old")]).status, 0);
    assert.equal(runCli(["diff", "--fail-on", "any", join(dir, "old"), join(dir, "missing")]).status, 2);
  });
});

describe("REF:PATH", () => {
  it("compares a committed version in git with the working tree", () => {
    const dir = mkdtempSync(join(tmpdir(), "syscage-git-"));
    const g = (...args: string[]) =>
      execFileSync("git", ["-C", dir, ...args], {
        encoding: "utf8",
        env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
      });
    g("init", "-q");
    mkdirSync(join(dir, "profiles", "web"), { recursive: true });
    writeFileSync(join(dir, "profiles", "web", "seccomp.json"), seccompText);
    writeFileSync(join(dir, "profiles", "web", "allowlist.yaml"), allowlistText);
    g("add", ".");
    g("commit", "-qm", "profiles");
    writeFileSync(
      join(dir, "profiles", "web", "seccomp.json"),
      withProfile((p) => p.syscalls[0]!.names.push("bpf")),
    );
    const r = runCli(["diff", "--format", "json", "HEAD:profiles/web", "profiles/web"], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { artifacts: { path: string; changes: { id: string; type: string; risk?: string }[] }[] };
    assert.deepEqual(
      j.artifacts.find((a) => a.path === "seccomp.json")?.changes.map((c) => [c.id, c.type, Boolean(c.risk)]),
      [["x86_64 bpf", "added", true]],
    );
    const file = runCli(["diff", "--format", "json", "HEAD:profiles/web/seccomp.json", "profiles/web/seccomp.json"], { cwd: dir });
    assert.equal(file.status, 0, file.stderr);
    assert.equal(JSON.parse(file.stdout).summary.added, 1);
    const bad = runCli(["diff", "nope:profiles/web", "profiles/web"], { cwd: dir });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /git cat-file/);
  });
});

describe("what readers throw: the file's error, or a bug", () => {
  it("counts ArtifactInputError, NotAnArtifactError, JSON and YAML syntax errors as the file's; anything else as a bug", () => {
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    assert.equal(isArtifactInputError(new ArtifactInputError("x: not a seccomp profile")), true);
    assert.equal(isArtifactInputError(new NotAnArtifactError("notes.md", ["seccomp"])), true);
    assert.equal(isArtifactInputError(thrown(() => JSON.parse("{ not json"))), true);
    assert.equal(isArtifactInputError(thrown(() => yaml.load("a: [1, 2"))), true);
    assert.equal(isArtifactInputError(thrown(() => (null as unknown as { spec: unknown }).spec)), false);
    assert.equal(isArtifactInputError(new RangeError("Invalid array length")), false);
    assert.equal(isArtifactInputError(new Error("a plain error")), false);
  });
});
