// Falco allowlists scoped by process, end to end on real programs recorded here by strace: a web
// server that spawns nothing and accepts connections (python3 -m http.server), and a worker that
// writes a file and connects out to a loopback listener. Their rules must be silent when replayed
// on their own recordings, and a drift run (a new program, a new written path, a new destination,
// a new port) must fire exactly the matching rule. Every condition is compiled by sysdig and the
// files validate against Falco's schema. The network is loopback only.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertNoUnused, assertSchemaValid, assertSysdigCompiles, parseRules } from "./support/falco-oracle.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

const PYTHON = "/usr/bin/python3";

const WORKER = `import socket, subprocess, sys
port, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "w") as f:
    f.write("ok\\n")
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"ping")
s.close()
if mode == "spawn":
    subprocess.run(["/usr/bin/true"], check=True)
if mode == "shell":
    subprocess.run(["/usr/bin/sh", "-c", "/usr/bin/true; /usr/bin/true"], check=True)
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function sink(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((sock) => sock.on("data", () => {}).on("error", () => {}));
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

function strace(out: string, argv: string[]): { done: Promise<number> } {
  const child = spawn("strace", ["-f", "-y", "-s", "4096", "-o", out, ...argv], { stdio: "ignore" });
  return { done: new Promise((resolve) => child.on("exit", (code) => resolve(code ?? -1))) };
}

function get(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/" }, (res) => {
      res.resume();
      res.on("end", () => resolve());
    });
    req.on("error", reject);
    req.end();
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, "127.0.0.1", () => {
        c.end();
        resolve(true);
      });
      c.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** Records python3 -m http.server on `port`, serving `requests` GETs, then stops it with SIGINT. */
async function recordWeb(out: string, dir: string, port: number, requests: number): Promise<void> {
  const run = strace(out, [PYTHON, "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir]);
  // Our own probe connections would be accepted too: the first request doubles as the probe.
  await waitForPort(port);
  for (let i = 0; i < requests; i++) await get(port);
  const pid = Number(/^(\d+)/.exec(readFileSync(out, "utf8"))?.[1]);
  process.kill(pid, "SIGINT");
  await run.done;
}

async function recordWorker(out: string, script: string, port: number, written: string, mode: string): Promise<void> {
  assert.equal(await strace(out, [PYTHON, script, String(port), written, mode]).done, 0, `worker ${mode} failed`);
}

function rulesFired(stdout: string): string[] {
  return [...new Set((JSON.parse(stdout) as { rule: string }[]).map((a) => a.rule))].sort();
}

describe("Falco rules scoped by process, replayed on real recordings", { skip: skipUnless("strace", "python3", "sysdig") }, () => {
  let dir = "";
  let sinks: Server[] = [];
  const t: Record<string, string> = {};
  let webPort = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "syscage-replay-"));
    writeFileSync(join(dir, "index.html"), "<p>hello</p>\n");
    const script = join(dir, "worker.py");
    writeFileSync(script, WORKER);
    const a = await sink();
    const b = await sink();
    sinks = [a.server, b.server];
    webPort = await freePort();
    const runs: [string, () => Promise<void>][] = [
      ["web-1", () => recordWeb(join(dir, "web-1.trace"), dir, webPort, 2)],
      ["web-2", () => recordWeb(join(dir, "web-2.trace"), dir, webPort, 1)],
      ["web-new-port", async () => recordWeb(join(dir, "web-new-port.trace"), dir, await freePort(), 1)],
      ["worker-1", () => recordWorker(join(dir, "worker-1.trace"), script, a.port, join(dir, "out.log"), "plain")],
      ["worker-2", () => recordWorker(join(dir, "worker-2.trace"), script, a.port, join(dir, "out.log"), "shell")],
      ["worker-spawn", () => recordWorker(join(dir, "worker-spawn.trace"), script, a.port, join(dir, "out.log"), "spawn")],
      ["worker-write", () => recordWorker(join(dir, "worker-write.trace"), script, a.port, join(dir, "other.log"), "plain")],
      ["worker-connect", () => recordWorker(join(dir, "worker-connect.trace"), script, b.port, join(dir, "out.log"), "plain")],
    ];
    for (const [name, record] of runs) {
      await record();
      t[name] = join(dir, `${name}.trace`);
    }
    for (const [name, traces, scope] of [
      ["web", [t["web-1"], t["web-2"]], "process"],
      ["worker", [t["worker-1"], t["worker-2"]], "process"],
      ["worker-image", [t["worker-1"], t["worker-2"]], "image"],
    ] as const) {
      writeFileSync(
        join(dir, `${name}.yaml`),
        `schemaVersion: 1\nprofiles: .\ncontainers:\n  ${name}:\n    inputs: [${traces.map((x) => JSON.stringify(x)).join(", ")}]\n    images: [python]\n    falcoScope: ${scope}\n`,
      );
      const r = runCli(["generate", "--config", join(dir, `${name}.yaml`), "--name", name]);
      assert.equal(r.status, 0, r.stderr);
    }
  });

  after(() => {
    for (const s of sinks) s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const replay = (...args: string[]) => runCli(["falco", "--replay", "--json", ...args]);

  it("writes per-process macros that validate against Falco's schema and that sysdig compiles", async () => {
    for (const name of ["web", "worker", "worker-image"]) {
      const text = readFileSync(join(dir, name, "falco-rules.yaml"), "utf8");
      assertSchemaValid(text);
      const rules = parseRules(text);
      assertNoUnused(rules);
      await assertSysdigCompiles(rules);
    }
    const web = readFileSync(join(dir, "web", "falco-rules.yaml"), "utf8");
    assert.match(
      web,
      new RegExp(`proc\\.exepath = "/usr/bin/python3\\.?[0-9.]*" and fd\\.sport in \\(${webPort}\\)`),
      "the server's accepted and listening port is allowed for python3 only",
    );
    const worker = readFileSync(join(dir, "worker", "falco-rules.yaml"), "utf8");
    assert.match(worker, /proc\.pexepath = "\/usr\/bin\/python3[0-9.]*" and proc\.exepath in \("\/usr\/bin\/sh"\)/);
    assert.match(worker, /proc\.pexepath = "\/usr\/bin\/sh" and proc\.exepath in \("\/usr\/bin\/true"\)/);
  });

  it("is silent on the runs it was generated from", () => {
    for (const [profile, traces] of [
      ["web", [t["web-1"], t["web-2"]]],
      ["worker", [t["worker-1"], t["worker-2"]]],
    ] as const) {
      const r = replay(...(traces as readonly string[]), join(dir, profile));
      assert.equal(r.status, 0, `${profile}: ${r.stdout}${r.stderr}`);
      assert.deepEqual(JSON.parse(r.stdout), []);
    }
  });

  it("fires exactly the matching rule on a drift run, with the event that fired it", () => {
    const cases: [string, string, string[]][] = [
      ["worker-spawn", "worker", ["syscage worker: process spawned that was not recorded"]],
      ["worker-write", "worker", ["syscage worker: file opened for writing outside the recorded write set"]],
      ["worker-connect", "worker", ["syscage worker: outbound connection that was not recorded"]],
      // A new port is listened on and then accepted on: both rules.
      ["web-new-port", "web", ["syscage web: inbound connection accepted that was not recorded", "syscage web: listening port that was not recorded"]],
    ];
    for (const [trace, profile, expected] of cases) {
      const r = replay(t[trace] as string, join(dir, profile));
      assert.equal(r.status, 1, `${trace}: ${r.stderr}`);
      assert.deepEqual(rulesFired(r.stdout), expected, trace);
      for (const alert of JSON.parse(r.stdout) as { file: string; line: number; fields: Record<string, string> }[]) {
        assert.ok(alert.line > 0);
        const line = readFileSync(t[trace] as string, "utf8").split("\n")[alert.line - 1] ?? "";
        assert.match(line, new RegExp(`\\b${alert.fields["evt.type"]}\\(`), `${trace}:${alert.line} is the event (${line.slice(0, 80)})`);
      }
    }
    const text = runCli(["falco", "--replay", t["worker-write"] as string, join(dir, "worker")]);
    assert.equal(text.status, 1);
    assert.match(
      text.stdout,
      /worker-write\.trace:\d+: syscage worker: file opened for writing outside the recorded write set \(NOTICE\) evt\.type="openat" .*fd\.name=".*other\.log"/,
    );
  });

  it("scoped by process, catches a known program started by a new parent; scoped by image, it does not", () => {
    // worker-spawn: python3 starts /usr/bin/true itself; recorded, only sh started it.
    const byProcess = replay(t["worker-spawn"] as string, join(dir, "worker"));
    assert.deepEqual(rulesFired(byProcess.stdout), ["syscage worker: process spawned that was not recorded"]);
    const alert = (JSON.parse(byProcess.stdout) as { fields: Record<string, string> }[])[0];
    assert.equal(alert?.fields["proc.exepath"], "/usr/bin/true");
    assert.match(alert?.fields["proc.pexepath"] ?? "", /^\/usr\/bin\/python3/);
    const byImage = replay(t["worker-spawn"] as string, join(dir, "worker-image"));
    assert.equal(byImage.status, 0, byImage.stdout);
  });

  it("evaluates the file as it is: an operator's appended macro term silences the alert", async () => {
    const extra = join(dir, "extra-rules.yaml");
    writeFileSync(
      extra,
      `- macro: syscage_worker_process_writes\n  condition: or (proc.exepath = "${PYTHON}" and fd.name in ("${join(dir, "other.log")}"))\n  override: {condition: append}\n`,
    );
    const before = replay(t["worker-write"] as string, join(dir, "worker"));
    assert.equal(before.status, 1);
    // The python3 executable as recorded (a versioned name on some systems) is what the rules hold.
    const exe = (JSON.parse(before.stdout) as { fields: Record<string, string> }[])[0]?.fields["proc.exepath"] ?? "";
    writeFileSync(
      extra,
      `- macro: syscage_worker_process_writes\n  condition: or (proc.exepath = "${exe}" and fd.name in ("${join(dir, "other.log")}"))\n  override: {condition: append}\n`,
    );
    const r = replay(t["worker-write"] as string, join(dir, "worker"), extra);
    assert.equal(r.status, 0, r.stdout);
    // The extension is what Falco's schema accepts, and the appended macro still compiles.
    assertSchemaValid(readFileSync(extra, "utf8"));
    const merged = parseRules(readFileSync(join(dir, "worker", "falco-rules.yaml"), "utf8"));
    const macro = "syscage_worker_process_writes";
    merged.macros.set(macro, `${merged.macros.get(macro) ?? ""} or (proc.exepath = "${exe}" and fd.name in ("${join(dir, "other.log")}"))`);
    await assertSysdigCompiles(merged);
    // A hand edit of the generated file counts too.
    const file = join(dir, "worker", "falco-rules.yaml");
    const text = readFileSync(file, "utf8");
    writeFileSync(
      file,
      text.replace(/fd\.name in \("([^"]*out\.log)"\)/, (_m, p: string) => `fd.name in ("${p}", "${join(dir, "other.log")}")`),
    );
    assert.equal(replay(t["worker-write"] as string, join(dir, "worker")).status, 0);
    writeFileSync(file, text);
  });

  it("without a profile, replays the rules of the config's only container", () => {
    const r = runCli(["falco", "--replay", "--json", "--config", join(dir, "web.yaml"), t["web-new-port"] as string]);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(rulesFired(r.stdout), [
      "syscage web: inbound connection accepted that was not recorded",
      "syscage web: listening port that was not recorded",
    ]);
  });

  it("exits 2 on a trace it cannot read, even when rules fired on another", () => {
    const binary = join(dir, "binary.trace");
    writeFileSync(binary, Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 7, 8]));
    const r = replay(t["worker-write"] as string, binary, join(dir, "worker"));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /SC_BINARY_INPUT/);
  });

  it("exits 2 with one line on a rules file it cannot read", () => {
    const bad = join(dir, "bad-rules.yaml");
    writeFileSync(bad, `- rule: x\n  desc: x\n  condition: proc.name startswith "a"\n  output: x\n  priority: NOTICE\n`);
    const r = replay(t["worker-1"] as string, bad, "--image", "python");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /SC_FALCO_RULES/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
});
