// The pull-request comment (`syscage diff --format markdown --max-bytes N`): a hidden marker the
// workflow finds its own comment by, and a size cap (GitHub refuses bodies over 65,536 characters)
// that keeps the summary and the risky lines. Checked on generated reports of every size, and on
// a real diff through the CLI.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ArtifactDiff, Change, DiffReport } from "../model/diff.js";
import { runCli } from "../test/support/run-cli.js";
import { emitDiffMarkdown } from "./diff-report.js";
import { GITHUB_COMMENT_LIMIT, PR_COMMENT_MARKER, emitPrComment } from "./pr-comment.js";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

/** A deterministic report: `containers` x `files` artifacts with `perFile` changes, every `riskEvery`-th risky. */
function report(containers: number, perFile: number, riskEvery: number): DiffReport {
  const artifacts: ArtifactDiff[] = [];
  const summary = { added: 0, removed: 0, changed: 0, grants: 0, revokes: 0, risky: 0 };
  for (let c = 0; c < containers; c++) {
    for (const [file, kind] of [
      ["apparmor.profile", "apparmor"],
      ["seccomp.json", "seccomp"],
      ["falco-rules.yaml", "falco"],
    ] as const) {
      const changes: Change[] = [];
      for (let i = 0; i < perFile; i++) {
        const risky = riskEvery > 0 && i % riskEvery === 0;
        const type = i % 3 === 0 ? "added" : i % 3 === 1 ? "removed" : "changed";
        const change: Change = {
          type,
          effect: type === "removed" ? "revoke" : "grant",
          group: kind === "seccomp" ? "x86_64" : "files",
          id: kind === "seccomp" ? `x86_64 syscall_${c}_${i}` : `file "/srv/app-${c}/data/ünïcode-${i}/<x>|y.log"`,
          after: "rw",
          reason: `seen in ${1 + (i % 4)} of 4 runs`,
          ...(risky ? { risk: `Writable system path number ${i} — a risk note long enough to matter in a table row.` } : {}),
        };
        changes.push(change);
        summary[type]++;
        if (change.effect === "grant") summary.grants++;
        else summary.revokes++;
        if (risky) summary.risky++;
      }
      artifacts.push({ path: `c${c}/${file}`, kind, status: "modified", changes });
    }
  }
  return { schemaVersion: 1, old: "origin/main:profiles", new: "profiles", artifacts, summary };
}

function riskyLines(r: DiffReport): number {
  return r.artifacts.reduce((n, a) => n + a.changes.filter((c) => c.risk).length, 0);
}

describe("emitPrComment", () => {
  it("a report that fits is the full Markdown report behind the marker", () => {
    const r = report(1, 5, 2);
    assert.equal(emitPrComment(r, { maxBytes: GITHUB_COMMENT_LIMIT }), `${PR_COMMENT_MARKER}\n${emitDiffMarkdown(r)}`);
  });

  for (const [containers, perFile, riskEvery] of [
    [4, 200, 50],
    [4, 2000, 10],
    [10, 3000, 1],
    [1, 20000, 0],
  ] as const) {
    it(`${containers} containers x 3 files x ${perFile} changes (risky every ${riskEvery || "never"}): capped, marker, summary, risky lines first`, () => {
      const r = report(containers, perFile, riskEvery);
      const full = emitDiffMarkdown(r);
      assert.ok(bytes(full) > GITHUB_COMMENT_LIMIT, `the generated report is only ${bytes(full)} bytes`);
      for (const maxBytes of [GITHUB_COMMENT_LIMIT - 536, 20_000, 4_096]) {
        const body = emitPrComment(r, { maxBytes, fullReportAt: "the artifact syscage-review" });
        assert.ok(bytes(body) <= maxBytes, `${bytes(body)} > ${maxBytes}`);
        assert.ok(body.startsWith(`${PR_COMMENT_MARKER}\n### syscage: `), body.slice(0, 200));
        assert.ok(body.includes(full.split("\n")[0] as string), "the summary line is kept");
        assert.match(body, /Shortened to fit a comment/);
        assert.match(body, /the artifact syscage-review/);
        const total = riskyLines(r);
        const shown = (body.match(/\| ⚠️ /g) ?? []).length;
        assert.match(body, new RegExp(`${shown} of ${total} risky line\\(s\\)`));
        if (total > 0) assert.ok(shown > 0, "no risky line kept");
        // Risky lines come before any artifact row: a row is only shown when every risky line is.
        const rows = Number(/(\d+) of \d+ artifact row/.exec(body)?.[1]);
        if (rows > 0) assert.equal(shown, total, "artifact rows shown while risky lines were left out");
      }
    });
  }

  it("the CLI: syscage diff --format markdown --max-bytes on a real diff", () => {
    const args = ["diff", "--format", "markdown", "data/moby-seccomp-default.json", "profiles/web/seccomp.x86_64.json"];
    const full = runCli(args);
    assert.equal(full.status, 0, full.stderr);
    const capped = runCli([...args, "--max-bytes", "2048", "--full-report", "the job summary"]);
    assert.equal(capped.status, 0, capped.stderr);
    assert.ok(bytes(capped.stdout) <= 2048);
    assert.ok(capped.stdout.startsWith(PR_COMMENT_MARKER));
    assert.match(capped.stdout, /clone3/, "the risky line (clone3) is kept");
    assert.ok(bytes(full.stdout) > 2048 && !full.stdout.includes(PR_COMMENT_MARKER));
    const wrong = runCli(["diff", "--max-bytes", "2048", "data/moby-seccomp-default.json", "profiles/web/seccomp.x86_64.json"]);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--max-bytes shapes a Markdown comment/);
  });
});
