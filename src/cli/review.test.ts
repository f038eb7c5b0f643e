// check, generate's diff and the falco export, as a user runs them.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import type { CheckReport } from "../model/diff.js";
import { runCli } from "../test/support/run-cli.js";
import { FIXTURES } from "../test/support/paths.js";

const TRACES = join(FIXTURES, "generate", "basic", "traces");

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "syscage-review-"));
  writeFileSync(
    join(dir, "syscage.yaml"),
    [
      "schemaVersion: 1",
      "defaults: {recordedArch: x86_64}",
      "containers:",
      `  sh: {inputs: [${JSON.stringify(join(TRACES, "run1.trace"))}], images: [debian]}`,
      `  py: {inputs: [${JSON.stringify(join(TRACES, "run2.trace"))}], images: [docker.io/library/python]}`,
      "",
    ].join("\n"),
  );
  const g = runCli(["generate"], { cwd: dir });
  assert.equal(g.status, 0, g.stderr);
  return dir;
}

describe("syscage check", () => {
  it("exits 0 when the committed profiles match their traces, 1 with the diff when one is stale", () => {
    const dir = project();
    const ok = runCli(["check"], { cwd: dir });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /every profile is up to date/);
    // --format json has one shape, stale or not: a diff report (model/diff.ts CheckReport) with `stale`.
    const okJson = runCli(["check", "--format", "json"], { cwd: dir });
    assert.equal(okJson.status, 0, okJson.stderr);
    const fresh = JSON.parse(okJson.stdout) as CheckReport;
    assert.deepEqual(Object.keys(fresh).sort(), ["artifacts", "new", "old", "schemaVersion", "stale", "summary"]);
    assert.deepEqual([fresh.schemaVersion, fresh.stale, fresh.artifacts, fresh.summary.added], [1, [], [], 0]);
    const p = join(dir, "profiles", "py", "seccomp.json");
    const doc = JSON.parse(readFileSync(p, "utf8")) as { syscalls: { names: string[] }[] };
    doc.syscalls[0]!.names = doc.syscalls[0]!.names.filter((n) => n !== "getrandom");
    writeFileSync(p, JSON.stringify(doc, null, 2));
    const stale = runCli(["check"], { cwd: dir });
    assert.equal(stale.status, 1);
    assert.match(
      stale.stdout,
      /profiles\/py\/seccomp\.json \(seccomp\)\n {2}x86_64\n {4}\+ getrandom {2}SCMP_ACT_ALLOW {2}\[seen in 1 of 1 runs; baseline always\]/,
    );
    assert.match(stale.stdout, /stale: py; run syscage generate/);
    const md = runCli(["check", "--format", "markdown"], { cwd: dir });
    assert.equal(md.status, 1);
    assert.match(md.stdout, /^### syscage: 1 added/);
    const staleJson = runCli(["check", "--format", "json"], { cwd: dir });
    assert.equal(staleJson.status, 1);
    const report = JSON.parse(staleJson.stdout) as CheckReport;
    assert.deepEqual(Object.keys(report).sort(), Object.keys(fresh).sort(), "the same keys as when up to date");
    assert.deepEqual([report.stale, report.old, report.new, report.summary.added], [["py"], "committed", "regenerated", 1]);
    assert.ok(
      report.artifacts.some((a) => a.path === "profiles/py/seccomp.json" && a.changes.some((c) => c.id.endsWith("getrandom"))),
      staleJson.stdout,
    );
    // generate shows what it is about to replace, then writes the profile back.
    const g = runCli(["generate", "--name", "py"], { cwd: dir });
    assert.equal(g.status, 0, g.stderr);
    assert.match(g.stdout, /\+ getrandom/);
    assert.equal(runCli(["check"], { cwd: dir }).status, 0);
  });
});

describe("generate's diff of the files it replaces", () => {
  // generate skips the diff when no file on disk differs from its new content: these are the cases around that shortcut.
  it("prints nothing when the files are new or the same, and counts new files in the summary when one changed", () => {
    const dir = project();
    const again = runCli(["generate", "--name", "py"], { cwd: dir });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /syscage diff/);
    rmSync(join(dir, "profiles", "py", "apparmor.profile"));
    const oneNew = runCli(["generate", "--name", "py"], { cwd: dir });
    assert.equal(oneNew.status, 0, oneNew.stderr);
    assert.doesNotMatch(oneNew.stdout, /syscage diff/);
    const p = join(dir, "profiles", "py", "seccomp.json");
    const doc = JSON.parse(readFileSync(p, "utf8")) as { syscalls: { names: string[] }[] };
    doc.syscalls[0]!.names = doc.syscalls[0]!.names.filter((n) => n !== "getrandom");
    writeFileSync(p, JSON.stringify(doc, null, 2));
    rmSync(join(dir, "profiles", "py", "apparmor.profile"));
    const g = runCli(["generate", "--name", "py"], { cwd: dir });
    assert.equal(g.status, 0, g.stderr);
    const added = Number(/^syscage diff committed -> regenerated: (\d+) added/m.exec(g.stdout)?.[1]);
    assert.ok(added > 1, `the new apparmor.profile's rules count as added too:\n${g.stdout}`);
    assert.match(g.stdout, /\+ getrandom/);
    assert.doesNotMatch(g.stdout, /apparmor\.profile \(apparmor\)/, "a new file's changes are not listed");
  });

  it("refuses to replace a file it did not write, even when the others are new", () => {
    const dir = project();
    rmSync(join(dir, "profiles", "py"), { recursive: true });
    const g0 = runCli(["generate", "--name", "py"], { cwd: dir });
    assert.equal(g0.status, 0, g0.stderr);
    rmSync(join(dir, "profiles", "py", "seccomp.json"));
    writeFileSync(join(dir, "profiles", "py", "allowlist.yaml"), "just: notes\n");
    const g = runCli(["generate", "--name", "py", "--fresh"], { cwd: dir });
    assert.equal(g.status, 2);
    assert.match(g.stderr, /not one syscage wrote.*SC_DIFF_INPUT/);
  });
});

describe("syscage falco", () => {
  it("exports the rules of several containers into one file", () => {
    const dir = project();
    const out = join(dir, "all-rules.yaml");
    const r = runCli(["falco", "--out", out], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const doc = yaml.load(readFileSync(out, "utf8")) as Record<string, unknown>[];
    const rules = doc.filter((e) => "rule" in e).map((e) => String(e.rule));
    assert.ok(rules.some((n) => n.startsWith("syscage py:")) && rules.some((n) => n.startsWith("syscage sh:")), rules.join(", "));
    const lists = doc.filter((e) => "list" in e).map((e) => String(e.list));
    assert.equal(new Set(lists).size, lists.length, "list names are unique");
  });

  it("needs the images of a container it is given by allowlist alone", () => {
    const dir = project();
    const other = mkdtempSync(join(tmpdir(), "syscage-noconfig-"));
    const r = runCli(["falco", join(dir, "profiles", "py")], { cwd: other });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no images for container py; add images: to the config or pass --image py=IMAGE/);
    const ok = runCli(["falco", join(dir, "profiles", "py"), "--image", "py=python"], { cwd: other });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /syscage_py_images/);
  });
});
