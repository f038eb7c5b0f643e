// Values from a trace that a format cannot hold never stop a run and never reach a terminal raw:
// - a port, an address, a socket family or type that a format cannot hold is left out (of the
//   Falco rules only, or of both files when AppArmor cannot hold it), with SC_UNSAFE_VALUE naming
//   the trace file (and line, when the parser can tell), and `generate` still writes every file;
// - C1 controls (U+0085, U+009B) and bidirectional characters (U+202E) in a path are caught while
//   parsing, so the diagnostic names the trace line; no message prints them raw.
// Checked with the real tools: apparmor_parser compiles the profile, Falco's schema and sysdig's
// compiler accept the rules.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as yaml from "js-yaml";
import { emitDiffMarkdown, emitDiffText } from "../emit/diff-report.js";
import { diagnostic, formatDiagnostic } from "../model/diagnostics.js";
import { displayValue, terminalSafe } from "../model/untrusted-text.js";
import { recordCommand } from "../io/record.js";
import { assertParserAccepts } from "./support/apparmor-oracle.js";
import { assertSchemaValid, assertSysdigCompiles, parseRules } from "./support/falco-oracle.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

/** Characters a terminal or a reader must never get raw from trace content. */
const RAW_DANGER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/u;

// What strace could never print, or a format cannot hold: line numbers are 1-based in this text.
const TRACE = [
  `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3`,
  `100 connect(3, {sa_family=AF_INET, sin_port=htons(70000), sin_addr=inet_addr("10.0.0.1")}, 16) = 0`, // 2: port
  `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4`,
  `100 connect(4, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("999.1.2.3")}, 16) = 0`, // 4: address
  `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5`,
  `100 bind(5, {sa_family=AF_INET, sin_port=htons(99999), sin_addr=inet_addr("0.0.0.0")}, 16) = 0`, // 6: port
  `100 listen(5, 5) = 0`,
  `100 socket(0x2e /* AF_??? */, SOCK_STREAM, 0) = 6`, // 8: family AppArmor does not know
  `100 socket(AF_INET, 0xf /* SOCK_??? */, 0) = 7`, // 9: type AppArmor does not know
  `100 socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 8`,
  `100 sendto(8, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(65536), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 1`, // 11: port
  `100 openat(AT_FDCWD, "/tmp/rlo\\342\\200\\256txt.exe", O_WRONLY|O_CREAT, 0666) = 9`, // 12: U+202E
  `100 openat(AT_FDCWD, "/tmp/csi\\302\\23331m", O_WRONLY|O_CREAT, 0666) = 10`, // 13: U+009B
  `100 openat(AT_FDCWD, "/tmp/nel\\302\\205x", O_WRONLY|O_CREAT, 0666) = 11`, // 14: U+0085
  `100 openat(AT_FDCWD, "/tmp/lrm\\342\\200\\216x", O_WRONLY|O_CREAT, 0666) = 12`, // 15: U+200E
  `100 openat(AT_FDCWD, "/tmp/ok", O_WRONLY|O_CREAT, 0666) = 13`, // 16
  `100 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 15`,
  `100 connect(15, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "1::2::3", &sin6_addr), sin6_scope_id=0}, 28) = 0`, // 18: address
  `100 connect(15, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::ffff:10.0.0.3", &sin6_addr), sin6_scope_id=0}, 28) = 0`,
  `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 14`,
  `100 connect(14, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("10.0.0.2")}, 16) = 0`,
  `100 exit_group(0) = ?`,
  `100 +++ exited with 0 +++`,
  ``,
].join("\n");

describe("values a format cannot hold: left out, never an aborted run", { skip: skipUnless("apparmor_parser", "sysdig") }, () => {
  let dir = "";
  let first: ReturnType<typeof runCli>;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "syscage-values-")));
    writeFileSync(join(dir, "t.trace"), TRACE);
    first = runCli(["generate", "--name", "x", "--out", "out", "--image", "docker.io/library/foo", "t.trace"], { cwd: dir });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("generate succeeds and writes every file", () => {
    assert.equal(first.status, 0, first.stderr);
    for (const f of ["allowlist.yaml", "seccomp.json", "apparmor.profile", "falco-rules.yaml"])
      assert.ok(readFileSync(join(dir, "out", f), "utf8").length > 0, f);
  });

  it("each value is reported once, at its trace line, and nothing is printed raw", () => {
    const lines = first.stderr.trim().split("\n");
    const at = (n: number) => lines.filter((l) => l.startsWith(`t.trace:${n}: `) && l.endsWith("(SC_UNSAFE_VALUE)"));
    for (const n of [2, 4, 6, 11, 12, 13, 14, 15, 18]) assert.equal(at(n).length, 1, `line ${n}:\n${first.stderr}`);
    assert.match(at(12)[0]!, /U\+202E/);
    assert.match(at(13)[0]!, /U\+009B/);
    assert.match(at(14)[0]!, /U\+0085/);
    // Socket kinds AppArmor cannot hold: named by the run that held them.
    assert.equal(lines.filter((l) => l.startsWith("t.trace: ") && l.includes('socket "46 stream"')).length, 1, first.stderr);
    assert.equal(lines.filter((l) => l.startsWith("t.trace: ") && l.includes('socket "inet 15"')).length, 1, first.stderr);
    assert.doesNotMatch(first.stderr + first.stdout, RAW_DANGER);
  });

  it("the profiles hold the good values, none of the bad ones, and the real tools accept them", async () => {
    const profile = readFileSync(join(dir, "out", "apparmor.profile"), "utf8");
    const falco = readFileSync(join(dir, "out", "falco-rules.yaml"), "utf8");
    assertParserAccepts(profile);
    assertSchemaValid(falco);
    await assertSysdigCompiles(parseRules(falco));
    assert.match(profile, /"\/tmp\/ok" w/);
    assert.match(falco, /10\.0\.0\.2/);
    assert.match(falco, /10\.0\.0\.3/); // the v4-mapped IPv6 peer, as Falco reads it
    for (const bad of ["70000", "99999", "65536", "999.1.2.3", "1::2::3", "/tmp/rlo", "/tmp/csi", "/tmp/nel", "/tmp/lrm"]) {
      assert.ok(!falco.includes(bad), `${bad} in the Falco rules`);
      assert.ok(!profile.includes(bad), `${bad} in the AppArmor profile`);
    }
    assert.doesNotMatch(profile, /network 46|network inet 15/);
    assert.doesNotMatch(profile + falco, RAW_DANGER);
  });

  it("a value the allowlist holds (hand-edited or from an older syscage) is left out of the Falco rules only, naming where it came from", async () => {
    const path = join(dir, "out", "allowlist.yaml");
    const doc = yaml.load(readFileSync(path, "utf8")) as {
      resources: { connects: Record<string, unknown>[]; listens: Record<string, unknown>[] };
      runs: { resources: { connects: Record<string, unknown>[] } }[];
    };
    doc.resources.connects.push({ family: "inet", proto: "tcp", address: "10.9.9.9", port: 70001, runs: 1 });
    doc.resources.connects.push({ family: "inet6", proto: "tcp", address: "fe80::1%eth0", port: 80, runs: 1 });
    doc.resources.listens.push({ family: "inet", proto: "tcp", address: "0.0.0.0", port: -1, runs: 1 });
    doc.runs[0]!.resources.connects.push({ family: "inet", proto: "tcp", address: "10.9.9.9", port: 70001 });
    writeFileSync(path, yaml.dump(doc));
    const r = runCli(["generate", "--name", "x", "--out", "out", "--image", "docker.io/library/foo", "t.trace"], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    const falco = readFileSync(join(dir, "out", "falco-rules.yaml"), "utf8");
    await assertSysdigCompiles(parseRules(falco));
    assert.ok(!falco.includes("10.9.9.9") && !falco.includes("fe80::1%eth0"), falco);
    assert.match(r.stderr, /^t\.trace: warning: connect "10\.9\.9\.9 port 70001" left out of the Falco rules: .*\(SC_UNSAFE_VALUE\)$/m);
  });
});

describe("one place makes untrusted text safe for a terminal", () => {
  const hostile = "/tmp/a\u202Eexe.txt\u009B31m\u0085\u001b[2J\n\u2066x\ud800";
  it("terminalSafe escapes controls, C1, bidi, separators and lone surrogates, and nothing else", () => {
    const s = terminalSafe(hostile);
    assert.doesNotMatch(s, RAW_DANGER);
    assert.equal(s, "/tmp/a\\u{202e}exe.txt\\u{9b}31m\\u{85}\\u{1b}[2J\\u{a}\\u{2066}x\\u{d800}");
    assert.equal(terminalSafe('données-文件 "q" \\'), 'données-文件 "q" \\');
  });
  it("displayValue quotes and escapes what JSON.stringify leaves raw", () => {
    assert.equal(displayValue("a\u202Eb\u009Bc\u0085"), '"a\\u202eb\\u009bc\\u0085"');
  });
  it("formatDiagnostic never prints trace content raw", () => {
    const line = formatDiagnostic(diagnostic("SC_UNSAFE_VALUE", "t\u202E.trace", 3, 0, `file ${hostile} left out`));
    assert.doesNotMatch(line, RAW_DANGER);
    assert.ok(line.startsWith("t\\u{202e}.trace:3: warning: file /tmp/a\\u{202e}"), line);
  });
  it("the diff report (text and Markdown) escapes item text from a hand-written profile", () => {
    const report = {
      schemaVersion: 1 as const,
      old: "a",
      new: "b\u202E",
      summary: { added: 1, removed: 0, changed: 0, grants: 1, revokes: 0, risky: 0 },
      artifacts: [
        {
          path: "apparmor.profile",
          kind: "apparmor" as const,
          status: "modified" as const,
          changes: [{ type: "added" as const, group: "files", id: `files ${hostile}`, after: "w\u009B", effect: "grant" as const }],
        },
      ],
    };
    for (const out of [emitDiffText(report as never, { color: true }), emitDiffMarkdown(report as never)]) {
      assert.doesNotMatch(out.replace(/\x1b\[[0-9;]*m/g, ""), RAW_DANGER);
    }
  });
});

describe("trace content in the stats report", () => {
  it("an executed path with U+202E and U+009B is shown escaped in the process table", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "syscage-stats-")));
    try {
      writeFileSync(
        join(dir, "e.trace"),
        `100 execve("/tmp/rlo\\342\\200\\256x\\302\\233", ["x"], 0x1 /* 1 vars */) = 0\n100 exit_group(0) = ?\n100 +++ exited with 0 +++\n`,
      );
      const r = runCli(["stats", "e.trace"], { cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /\/tmp\/rlo\\u\{202e\}x\\u\{9b\}/);
      assert.doesNotMatch(r.stdout + r.stderr, RAW_DANGER);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("C1 and bidirectional characters in a real recording", { skip: skipUnless("strace", "python3") }, () => {
  let dir = "";
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("names the trace file and the line of each, and generate prints nothing raw", async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), "syscage-c1-")));
    const names = ["rlo\u202Etxt.exe", "csi\u009B31m", "nel\u0085x", "lsp\u2028x", "fsi\u2068x"];
    const program = `import os,sys\nfor n in sys.argv[2:]:\n    open(os.path.join(sys.argv[1], n), "w").close()\n`;
    writeFileSync(join(dir, "p.py"), program);
    const rec = await recordCommand(join(dir, "runs"), ["python3", "-S", join(dir, "p.py"), dir, ...names], [], { stdout: "ignore" });
    assert.equal(rec.status, 0);
    const r = runCli(["generate", "--name", "c1", "--out", join(dir, "out"), "--image", "foo", rec.file], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, RAW_DANGER);
    const traceLines = readFileSync(rec.file, "latin1").split("\n");
    for (const n of names) {
      const octal = [...Buffer.from(n.slice(3, 4))].map((b) => `\\${b.toString(8)}`).join("");
      const lineNo = traceLines.findIndex((l) => l.includes("openat(") && l.includes(octal)) + 1;
      assert.ok(lineNo > 0, `no openat of ${JSON.stringify(n)} (${octal}) in the trace`);
      assert.match(
        r.stderr,
        new RegExp(`runs/run-001\\.trace:${lineNo}: warning: openat: path .*\\(SC_UNSAFE_VALUE\\)`),
        `${n} at line ${lineNo}:\n${r.stderr}`,
      );
    }
    const profile = readFileSync(join(dir, "out", "apparmor.profile"), "utf8");
    for (const n of names) assert.ok(!profile.includes(n.slice(0, 3) + n.slice(4)) && !profile.includes(n), `${JSON.stringify(n)} in the profile`);
  });
});
