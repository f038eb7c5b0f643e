// The systemd drop-in in its real consumer: `systemd-analyze verify` reads it as systemd does and
// must print nothing about it (and does complain about a bad directive, so the check can fail);
// real workloads are recorded, their drop-in generated, and run again under its filter, applied
// with systemd's own semantics and sets (support/systemd-filter-exec.py: there is no systemd PID 1
// here for systemd-run). Cutting an essential syscall or socket family out of the drop-in breaks them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import { baselineNames } from "../aggregate/build-allowlist.js";
import { FIXTURES, REPO } from "./support/paths.js";
import { pythonWithSeccomp, skipUnless } from "./support/skip.js";

const RUNNER = join(REPO, "src", "test", "support", "systemd-filter-exec.py");
const PY = pythonWithSeccomp() ?? "python3";
const BASIC_DROPIN = join(FIXTURES, "generate", "basic", "expected", "syscage.x86_64.conf");

/** `systemd-analyze verify` of a oneshot unit running /bin/true with the drop-in; what it says about the drop-in. */
function verify(dropIn: string): { status: number | null; complaints: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "syscage-systemd-"));
  mkdirSync(join(dir, "syscage-probe.service.d"));
  writeFileSync(join(dir, "syscage-probe.service"), "[Unit]\nDescription=syscage probe\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n");
  writeFileSync(join(dir, "syscage-probe.service.d", "syscage.conf"), dropIn);
  // SYSTEMD_UNIT_PATH with a trailing ":" keeps the default search path too; no PID 1 is needed.
  const r = spawnSync("systemd-analyze", ["verify", join(dir, "syscage-probe.service")], {
    encoding: "utf8",
    env: { ...process.env, SYSTEMD_UNIT_PATH: `${dir}:` },
  });
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, complaints: `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes("syscage")) };
}

describe("systemd drop-in: systemd-analyze verify", { skip: skipUnless("systemd-analyze") }, () => {
  it("accepts every directive of the basic fixture's drop-in, silently", () => {
    const r = verify(readFileSync(BASIC_DROPIN, "utf8"));
    assert.deepEqual(r.complaints, []);
    assert.equal(r.status, 0);
  });

  it("complains about a directive systemd would ignore (the check can fail)", () => {
    const bad = `${readFileSync(BASIC_DROPIN, "utf8")}SystemCallFilter=write:EPERM\nRestrictAddressFamilies=AF_BOGUS\nSystemCallArchitectures=x86_64\n`;
    const r = verify(bad);
    assert.equal(r.complaints.length, 3, r.complaints.join("\n"));
    assert.match(r.complaints.join("\n"), /cannot take error number/);
  });
});

describe("committed drop-ins of the samples", { skip: skipUnless("systemd-analyze") }, () => {
  const files = readdirSync(join(REPO, "profiles"), { recursive: true, encoding: "utf8" }).filter((f) => /(^|\/)syscage(\.[a-z0-9_]+)?\.conf$/.test(f));
  it("exist for every container (formats: in profiles/syscage.yaml names systemd)", () => assert.ok(files.length >= 4, files.join(", ")));
  for (const f of files) {
    it(`profiles/${f} passes systemd-analyze verify silently`, () => {
      const r = verify(readFileSync(join(REPO, "profiles", f), "utf8"));
      assert.deepEqual(r.complaints, []);
      assert.equal(r.status, 0);
    });
  }
});

interface Workload {
  name: string;
  cmd: (dir: string) => string[];
  reset?: (dir: string) => void;
  /** An observed syscall the workload cannot do without: its line removed, the run must fail. */
  essential: string;
  /** Socket families the drop-in must restrict to; narrowed to AF_UNIX only, the run must fail. */
  families?: string[];
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

const WORKLOADS: Workload[] = [
  {
    name: "server on loopback with its client (python http.server + urllib)",
    cmd: () => [PY, "-c", HTTP_PAIR],
    essential: "accept4",
    families: ["AF_INET", "AF_UNIX"],
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
  },
];

/** A run that must fail may hang instead (a server that cannot accept): `timeout` ends it, status null. */
function run(cmd: string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("systemd drop-in: real workloads under its filter", { skip: skipUnless("systemd-analyze", "strace", "python3-seccomp") }, () => {
  for (const w of WORKLOADS) {
    it(w.name, async () => {
      const dir = mkdtempSync(join(tmpdir(), "syscage-systemd-run-"));
      const cmd = w.cmd(dir);
      const expected = run(cmd);
      assert.equal(expected.status, 0, expected.stderr);
      w.reset?.(dir);
      const rec = await recordCommand(join(dir, "runs"), cmd, [], { stdout: "ignore" });
      assert.equal(rec.status, 0);
      w.reset?.(dir);

      const job = jobFor("w", { inputs: [rec.file], out: join(dir, "profile"), formats: ["systemd"] }, undefined, dir);
      const result = await generateContainer(job, { fresh: true });
      const dropIn = result.files.find((f) => f.path.endsWith("syscage.conf"))!.content;
      assert.deepEqual(verify(dropIn).complaints, [], "systemd-analyze verify complains");
      // Tight, and no runtime baseline (systemd loads the filter itself): every allowlist name that
      // has a reason other than a runtime baseline (observed, equivalent, implied, always, task-local).
      const listed = [...dropIn.matchAll(/^SystemCallFilter=([a-z0-9_]+)$/gm)].map((m) => m[1]!);
      const runtime = /^baseline:(runc|crun)/;
      const wanted = Object.entries(result.allowlist.syscalls)
        .filter(([, e]) => e.from.some((f) => !runtime.test(f)))
        .map(([n]) => n);
      assert.deepEqual(listed, [...new Set([...wanted, ...baselineNames("always", "x86_64")])].sort());
      assert.ok(
        baselineNames("runc", "x86_64").some((n) => !listed.includes(n)),
        "runc's baseline would have added names",
      );
      if (w.families) assert.match(dropIn, new RegExp(`^RestrictAddressFamilies=${w.families.join(" ")}$`, "m"));

      const path = join(dir, "syscage.conf");
      writeFileSync(path, dropIn);
      const confined = run([PY, RUNNER, path, ...cmd]);
      assert.equal(confined.status, 0, `confined run failed: ${confined.stderr.slice(-800)}`);
      assert.equal(confined.stdout, expected.stdout);
      w.reset?.(dir);

      // Without one syscall the workload needs, it must fail: the filter is really applied.
      assert.match(dropIn, new RegExp(`^SystemCallFilter=${w.essential}$`, "m"));
      writeFileSync(path, dropIn.replace(new RegExp(`^SystemCallFilter=${w.essential}\\n`, "m"), ""));
      const cut = run([PY, RUNNER, path, ...cmd], 10_000);
      assert.ok(cut.status !== 0 || cut.stdout !== expected.stdout, `still ran without ${w.essential}`);
      w.reset?.(dir);

      if (w.families) {
        writeFileSync(path, dropIn.replace(/^RestrictAddressFamilies=AF_.*$/m, "RestrictAddressFamilies=AF_UNIX"));
        const narrowed = run([PY, RUNNER, path, ...cmd], 10_000);
        assert.ok(narrowed.status !== 0, "still ran with AF_UNIX only");
        assert.match(narrowed.stderr, /Address family not supported|EAFNOSUPPORT|Errno 97/);
      }
      rmSync(dir, { recursive: true, force: true });
    });
  }
});
