// Real enforcement: record a real workload with strace, generate its seccomp profile, load the
// profile with libseccomp (Debian's python3-seccomp) and run the workload again under it. It must
// exit 0 with the same output; with one observed syscall taken out of the profile it must fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import { expandInputs } from "../io/inputs.js";
import { parseRun } from "../io/parse-run.js";
import { baselineNames } from "../aggregate/build-allowlist.js";
import { REPO } from "./support/paths.js";
import { pythonWithSeccomp, skipUnless, skipUnlessCommand } from "./support/skip.js";

const LOADER = join(REPO, "src", "test", "support", "seccomp-exec.py");
const MISSING = skipUnless("strace", "python3-seccomp");
/** The python3 on PATH with libseccomp's binding (the system one, not a pyenv shim). */
const PY = pythonWithSeccomp() ?? "python3";

interface Workload {
  name: string;
  cmd: (dir: string) => string[];
  /** Undo side effects so the confined run starts from the same state. */
  reset?: (dir: string) => void;
  /** An observed syscall the workload cannot do without: removing it must break the run. */
  essential: string;
  tool?: string;
  /** Argument-filtered rules the profile must hold, so the run under it proves they are safe. */
  filtered?: string[];
}

const HTTP_PAIR = `
import http.server, threading, urllib.request
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello " + self.path).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
t = threading.Thread(target=srv.serve_forever); t.start()
for p in ("/a", "/b"):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (srv.server_address[1], p)) as r: print(r.status, r.read().decode())
srv.shutdown(); t.join(); srv.server_close()
`;

const NODE_RUNTIME = `
const { Worker } = require("worker_threads");
const { execFileSync } = require("child_process");
const w = new Worker("const {parentPort}=require('worker_threads'); let h=0; for (let i=0;i<200000;i++) h=(h*31+i)|0; parentPort.postMessage(h)", { eval: true });
w.on("message", (h) => {
  console.log("worker", h);
  console.log(execFileSync("/bin/echo", ["child", "ran"]).toString().trim());
  w.terminate();
});
`;

const WORKLOADS: Workload[] = [
  { name: "server on loopback with its client (python http.server + urllib)", cmd: () => [PY, "-c", HTTP_PAIR], essential: "accept4", filtered: ["socket"] },
  {
    name: "language runtime with threads and a child process (node worker + execFileSync)",
    cmd: () => [process.execPath, "-e", NODE_RUNTIME],
    essential: "clone3",
  },
  {
    name: "shell pipeline (sh, printf | sort | uniq, a failing ls)",
    cmd: (dir) => [
      "/bin/sh",
      "-c",
      `cd ${dir} && printf 'b\\na\\nb\\n' | sort | uniq -c > out.txt && cat out.txt && (ls /nonexistent 2>/dev/null || echo missing)`,
    ],
    reset: (dir) => rmSync(join(dir, "out.txt"), { force: true }),
    essential: "pipe2",
    filtered: ["clone"],
  },
  {
    name: "database (sqlite3 with a file, a transaction and a join)",
    tool: "sqlite3",
    cmd: (dir) => [
      "sqlite3",
      join(dir, "t.db"),
      "create table a(id integer primary key, n text); create table b(a_id int, v int); begin; insert into a(n) values ('x'),('y'); insert into b values (1,10),(1,5),(2,7); commit; select n, sum(v) from a join b on b.a_id=a.id group by n order by n;",
    ],
    reset: (dir) => {
      rmSync(join(dir, "t.db"), { force: true });
      rmSync(join(dir, "t.db-journal"), { force: true });
    },
    essential: "pwrite64",
  },
];

function run(cmd: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("seccomp enforcement with libseccomp", { skip: MISSING }, () => {
  for (const w of WORKLOADS) {
    it(w.name, { skip: w.tool === undefined ? false : skipUnlessCommand(w.tool, ["-version"]) }, async () => {
      const dir = mkdtempSync(join(tmpdir(), "syscage-enforce-"));
      const cmd = w.cmd(dir);
      const expected = run(cmd);
      assert.equal(expected.status, 0, expected.stderr);
      w.reset?.(dir);

      const rec = await recordCommand(join(dir, "runs"), cmd, [], { stdout: "ignore" });
      assert.equal(rec.status, 0);
      w.reset?.(dir);

      const job = jobFor("w", { inputs: [rec.file], out: join(dir, "profile"), formats: ["docker", "oci"] }, undefined, dir);
      const result = await generateContainer(job, { fresh: true });
      const profile = result.files.find((f) => f.path.endsWith("seccomp.json"))!;
      const oci = result.files.find((f) => f.path.endsWith("seccomp.oci.json"))!;
      const profilePath = join(dir, "seccomp.json");
      writeFileSync(profilePath, profile.content);
      writeFileSync(join(dir, "seccomp.oci.json"), oci.content);

      // Every name resolves in libseccomp for the profile's architectures.
      for (const p of [profilePath, join(dir, "seccomp.oci.json")]) {
        const check = run([PY, LOADER, "--check", p]);
        assert.equal(check.status, 0, `names libseccomp does not know: ${check.stdout}`);
      }

      // Tightness: the profile allows the observed names plus the baselines, nothing else.
      const [traceRun] = await expandInputs([rec.file]);
      const parsed = await parseRun(traceRun!, { arch: "x86_64" });
      const observed = Object.keys(parsed.counts.x86_64 ?? {});
      const doc = JSON.parse(profile.content) as { syscalls: { names: string[]; action: string }[] };
      const allowed = new Set(doc.syscalls.filter((r) => r.action === "SCMP_ACT_ALLOW").flatMap((r) => r.names));
      // ... and the observed calls' equivalent entry points and implied calls (model/equivalent-syscalls.ts, implied-syscalls.ts).
      const derived = Object.entries(result.allowlist.syscalls)
        .filter(([, e]) => e.from.some((f) => /^(equivalent|implied):/.test(f)))
        .map(([n]) => n);
      const expectedNames = new Set([
        ...observed,
        ...derived,
        ...baselineNames("runc", "x86_64"),
        ...baselineNames("always", "x86_64"),
        ...baselineNames("task-local", "x86_64"),
      ]);
      assert.deepEqual([...allowed].sort(), [...expectedNames].sort());

      const withArgs = (JSON.parse(profile.content) as { syscalls: { names: string[]; args?: unknown[] }[] }).syscalls
        .filter((r) => r.args)
        .flatMap((r) => r.names);
      for (const n of w.filtered ?? []) assert.ok(withArgs.includes(n), `${n} should be argument-filtered`);

      // Runs under the profile: exit 0, same output.
      const confined = run([PY, LOADER, profilePath, ...cmd]);
      assert.equal(confined.status, 0, `confined run failed: ${confined.stderr.slice(-800)}`);
      assert.equal(confined.stdout, expected.stdout);
      w.reset?.(dir);

      // The same profile without one syscall the workload needs must fail: the check can fail.
      assert.ok(observed.includes(w.essential), `${w.essential} was not observed`);
      const cut = JSON.parse(profile.content) as { syscalls: { names: string[]; action: string }[] };
      for (const r of cut.syscalls) r.names = r.names.filter((n) => n !== w.essential);
      cut.syscalls = cut.syscalls.filter((r) => r.names.length > 0);
      const cutPath = join(dir, "seccomp-cut.json");
      writeFileSync(cutPath, JSON.stringify(cut));
      const broken = run([PY, LOADER, cutPath, ...cmd]);
      assert.ok(broken.status !== 0 || broken.stdout !== expected.stdout, `still ran without ${w.essential}`);
      rmSync(dir, { recursive: true, force: true });
    });
  }
});
