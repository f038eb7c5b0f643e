// The artifact table: every output is read back by its own row and by no other (else generate's and
// check's diffs would silently leave it out), diff refuses files that are no artifact instead of
// guessing, and the systemd reader evaluates assignments the way systemd does.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { diffArtifacts, NotAnArtifactError, recognize, loadReaderSchemas } from "../diff/diff-artifacts.js";
import { systemdItems } from "../diff/systemd-items.js";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { ARTIFACT_KINDS, OUTPUT_FORMATS } from "../model/artifacts.js";
import { FIXTURES } from "../test/support/paths.js";
import { runCli } from "../test/support/run-cli.js";
import { ARTIFACT_READERS, ARTIFACTS, OUTPUTS, outputFileName, SELECTABLE_FORMATS } from "./artifacts.js";

// The readers check allowlists and seccomp profiles with zod schemas, loaded on demand.
await loadReaderSchemas();

const BASIC = join(FIXTURES, "generate", "basic");

describe("the artifact table", () => {
  it("has one row per kind and offers every selectable format", () => {
    assert.deepEqual(Object.keys(ARTIFACTS).sort(), [...ARTIFACT_KINDS].sort());
    assert.deepEqual(SELECTABLE_FORMATS.map((f) => f.name).sort(), [...OUTPUT_FORMATS].sort());
    assert.equal(new Set(OUTPUTS.map((o) => o.file)).size, OUTPUTS.length, "two outputs share a file name");
  });

  it("reads every generated file back as its own kind, and as no other", async () => {
    const formats = [...OUTPUT_FORMATS];
    const job = jobFor(
      "basic",
      {
        inputs: ["traces/run1.trace", "traces/run2.trace"],
        formats,
        arches: ["x86_64", "aarch64"],
        recordedArch: "x86_64",
        out: "expected",
        images: ["docker.io/library/python"],
      },
      undefined,
      BASIC,
    );
    const r = await generateContainer(job, { fresh: true });
    const seen = new Set<string>();
    for (const o of OUTPUTS) {
      const names = new Set(["x86_64", "aarch64"].map((arch) => outputFileName(o, arch, true)));
      const files = r.files.filter((f) => names.has(basename(f.path)));
      assert.ok(files.length > 0, `${o.name}: no ${o.file} generated`);
      for (const f of files) {
        const kinds = ARTIFACT_KINDS.filter((k) => ARTIFACT_READERS[k].recognize(f.path, f.content));
        assert.deepEqual(kinds, [o.kind], `${f.path}`);
        assert.ok(ARTIFACT_READERS[o.kind].items(f.path, f.content).length > 0, `${f.path} reads as no items`);
        seen.add(f.path);
      }
    }
    assert.equal(seen.size, r.files.length, "a generated file belongs to no output of the table");
  });

  it("recognizes no Markdown, text or config file as an artifact, whatever it quotes", () => {
    const apparmor = readFileSync(join(BASIC, "expected", "apparmor.profile"), "utf8");
    assert.equal(recognize(ARTIFACT_READERS, "notes.md", `# Notes\n\n${apparmor}`), undefined);
    assert.equal(recognize(ARTIFACT_READERS, "syscage.yaml", "schemaVersion: 1\ncontainers: {}\n"), undefined);
    assert.equal(recognize(ARTIFACT_READERS, "other.conf", "[Journal]\nStorage=volatile\n"), undefined);
    assert.throws(
      () => diffArtifacts("a", new Map([["notes.md", "x"]]), "b", new Map([["notes.md", "y"]]), ARTIFACT_READERS, { strict: true }),
      NotAnArtifactError,
    );
  });
});

describe("diff: a file that is no artifact", () => {
  const dir = mkdtempSync(join(tmpdir(), "syscage-table-"));
  const seccomp = join(BASIC, "expected", "seccomp.x86_64.json");

  it("is an error naming it and the known kinds (exit 2, one line)", () => {
    writeFileSync(join(dir, "notes.md"), `# Notes\n\nprofile web {\n}\n`);
    const r = runCli(["diff", seccomp, join(dir, "notes.md")]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /notes\.md: not a syscage artifact, expected one of allowlist, seccomp, apparmor, falco, systemd \(SC_DIFF_INPUT\)/);
    const mixed = runCli(["diff", seccomp, join(BASIC, "expected", "syscage.x86_64.conf")]);
    assert.equal(mixed.status, 2);
    assert.match(mixed.stderr, /is seccomp, .* is systemd/);
  });

  it("on disk where generate would write one, stops generate with one line (exit 2), not a stack", () => {
    const out = join(dir, "gen");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "seccomp.json"), "{ not json");
    const r = runCli(["generate", "--name", "basic", "--fresh", "--recorded-arch", "x86_64", "--out", out, join(BASIC, "traces", "run1.trace")]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^syscage: .*seccomp\.json: not a syscage artifact, expected one of .*; the file on disk is not one syscage wrote: move it away and run again \(SC_DIFF_INPUT\)\n$/,
    );
  });

  it("a known kind that fails its reader is the file's error too (exit 2, one line): a schema, a unit line", () => {
    // Recognized as seccomp (a defaultAction), refused by its schema.
    writeFileSync(join(dir, "bad-seccomp.json"), JSON.stringify({ defaultAction: "SCMP_ACT_ERRNO", syscalls: "read" }));
    const s = runCli(["diff", seccomp, join(dir, "bad-seccomp.json")]);
    assert.equal(s.status, 2, s.stderr);
    assert.match(s.stderr, /^syscage: .*bad-seccomp\.json: not a seccomp profile: syscalls: .* \(SC_DIFF_INPUT\)\n$/);
    // Recognized as a systemd drop-in, with a line that is no assignment.
    const unit = readFileSync(join(BASIC, "expected", "syscage.x86_64.conf"), "utf8");
    writeFileSync(join(dir, "bad.conf"), `${unit}SystemCallFilter\n`);
    const u = runCli(["diff", join(BASIC, "expected", "syscage.x86_64.conf"), join(dir, "bad.conf")]);
    assert.equal(u.status, 2, u.stderr);
    assert.match(u.stderr, /^syscage: .*bad\.conf: not a systemd unit file: line \d+: expected Key=Value.* \(SC_DIFF_INPUT\)\n$/);
  });

  it("in a directory, is named as not compared", () => {
    for (const side of ["old", "new"]) {
      mkdirSync(join(dir, side), { recursive: true });
      writeFileSync(join(dir, side, "seccomp.json"), readFileSync(seccomp, "utf8"));
      writeFileSync(join(dir, side, "syscage.yaml"), "schemaVersion: 1\ncontainers: {}\n");
    }
    const r = runCli(["diff", join(dir, "old"), join(dir, "new")]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /not compared \(no syscage artifact\): syscage\.yaml/);
    const j = JSON.parse(runCli(["diff", "--format", "json", join(dir, "old"), join(dir, "new")]).stdout) as { ignored?: string[] };
    assert.deepEqual(j.ignored, ["syscage.yaml"]);
  });
});

describe("systemd reader: assignments as systemd evaluates them", () => {
  const ids = (text: string) =>
    systemdItems(text, "x.conf")
      .map((i) => `${i.id}=${i.value}`)
      .sort();

  it("an empty assignment resets; the first line decides the mode; ~name:ERRNO in an allow list sets that errno", () => {
    const t =
      "[Service]\nSystemCallFilter=~ptrace\nSystemCallFilter=\nSystemCallFilter=read write\nSystemCallFilter=~write\nSystemCallFilter=~clone3:ENOSYS\nSystemCallErrorNumber=EPERM\n";
    assert.deepEqual(
      ids(t).filter((i) => i.startsWith("SystemCallFilter") || i.startsWith("default")),
      ["SystemCallFilter clone3=errno ENOSYS", "SystemCallFilter read=allow", "default action=errno EPERM"],
    );
  });

  it("an absent directive permits everything; CapabilityBoundingSet= lines OR, ~ removes", () => {
    assert.deepEqual(ids("[Service]\nExecStart=/bin/true\n"), [
      "CapabilityBoundingSet *=allow",
      "RestrictAddressFamilies *=allow",
      "SystemCallArchitectures *=allow",
      "SystemCallFilter *=allow",
    ]);
    const caps = ids("[Service]\nCapabilityBoundingSet=CAP_A CAP_B\nCapabilityBoundingSet=CAP_C\nCapabilityBoundingSet=~CAP_B\n").filter((i) =>
      i.startsWith("Cap"),
    );
    assert.deepEqual(caps, ["CapabilityBoundingSet CAP_A=allow", "CapabilityBoundingSet CAP_C=allow"]);
    assert.deepEqual(
      ids("[Service]\nRestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=none\n").filter((i) => i.startsWith("Restrict")),
      [],
    );
  });

  it("only reads the [Service] section, and names a file it cannot read", () => {
    assert.deepEqual(
      ids("[Unit]\nSystemCallFilter=read\n[Service]\n").filter((i) => i.startsWith("SystemCallFilter")),
      ["SystemCallFilter *=allow"],
    );
    assert.throws(() => systemdItems("[Service]\nnot a line\n", "bad.conf"), /bad\.conf: not a systemd unit file: line 2/);
  });
});
