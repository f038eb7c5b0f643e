// Profiles that survive the next run. Each workload is recorded once with strace (through the
// repository's record code), its profile generated with the defaults, and then run many times in a
// row under that profile with libseccomp, without the tracer: the runs take the other way of their
// races (a child still alive at `wait`, workers still alive at `terminate()`) or another entry point
// for the same operation (clock_nanosleep where nanosleep was recorded). Every run must succeed.
// Each workload also has a control that shows the rule is what makes it pass: the profile without
// the rule's grant fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import { archOfNode, syscallNumber } from "../model/arch.js";
import { REPO } from "./support/paths.js";
import { pythonWithSeccomp, skipUnless } from "./support/skip.js";

const LOADER = join(REPO, "src", "test", "support", "seccomp-exec.py");
const PY = pythonWithSeccomp() ?? "python3";
/** Runs under each profile; modest so the file stays well under 30 s on a busy 2-core machine. */
const RUNS = 6;

interface Confined {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function confined(profile: string, cmd: string[], env: NodeJS.ProcessEnv = {}, timeout = 15_000): Confined {
  // SIGKILL: a shell spinning with every signal blocked ends only so.
  const r = spawnSync(PY, [LOADER, profile, ...cmd], { encoding: "utf8", timeout, killSignal: "SIGKILL", env: { ...process.env, ...env } });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

interface Profile {
  path: string;
  allowlist: Awaited<ReturnType<typeof generateContainer>>["allowlist"];
  /** The profile's text with `names` taken out of every rule, written beside it. */
  without: (names: string[]) => string;
}

async function recordAndGenerate(
  dir: string,
  cmd: string[],
  env: NodeJS.ProcessEnv = {},
  settings: { equivalents?: boolean; implied?: boolean } = {},
): Promise<Profile> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  let rec;
  try {
    rec = await recordCommand(join(dir, "runs"), cmd, [], { stdout: "ignore" });
  } finally {
    for (const k of Object.keys(env))
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  }
  assert.equal(rec.status, 0, "the recorded run succeeds");
  const job = jobFor("w", { inputs: [rec.file], out: join(dir, "profile"), ...settings }, undefined, dir);
  const result = await generateContainer(job, { fresh: true });
  const text = result.files.find((f) => f.path.endsWith("seccomp.json"))!.content;
  const path = join(dir, "seccomp.json");
  writeFileSync(path, text);
  return {
    path,
    allowlist: result.allowlist,
    without: (names) => {
      const doc = JSON.parse(text) as { syscalls: { names: string[] }[] };
      for (const r of doc.syscalls) r.names = r.names.filter((n) => !names.includes(n));
      doc.syscalls = doc.syscalls.filter((r) => r.names.length > 0);
      const p = join(dir, `seccomp-without-${names.join("-")}.json`);
      writeFileSync(p, JSON.stringify(doc));
      return p;
    },
  };
}

describe("profiles survive the next run (recorded once, enforced repeatedly)", { skip: skipUnless("strace", "python3-seccomp") }, () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "syscage-next-run-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("dash `kill $pid; wait $pid`: rt_sigsuspend comes from the task-local baseline", async () => {
    const d = mkdtempSync(join(dir, "dash-"));
    const cmd = ["/bin/dash", "-c", 'sleep 5 & pid=$!; kill $pid; wait $pid; echo "status $?"'];
    const p = await recordAndGenerate(d, cmd);
    assert.ok(p.allowlist.syscalls.rt_sigsuspend?.from.includes("baseline:task-local"));
    for (let i = 0; i < RUNS; i++) {
      const r = confined(p.path, cmd);
      assert.equal(r.status, 0, `run ${i + 1}: ${r.signal ?? ""} ${r.stderr.slice(-400)}`);
      assert.equal(r.stdout, "status 143\n");
    }
    // Control: without rt_sigsuspend, dash cannot wait for a live child (it spins until killed).
    const r = confined(p.without(["rt_sigsuspend"]), cmd, {}, 3_000);
    assert.ok(r.status !== 0 || r.stdout !== "status 143\n", "dash waited without rt_sigsuspend: the control cannot fail");
  });

  it("Python multiprocessing.Pool exit (terminate): kill is implied by waiting for the workers", async () => {
    const d = mkdtempSync(join(dir, "pool-"));
    const script = [
      "from multiprocessing import Pool",
      "def f(x): return x * x",
      'if __name__ == "__main__":',
      "    with Pool(4) as p: print(sum(p.map(f, range(3000))))",
    ].join("\n");
    const cmd = [PY, "-c", script];
    const p = await recordAndGenerate(d, cmd);
    const kill = p.allowlist.syscalls.kill;
    assert.ok(kill, "kill is granted");
    assert.ok(kill.from.includes("observed") || kill.from.some((f) => f.startsWith("implied:")), kill.from.join(","));
    for (let i = 0; i < RUNS; i++) {
      const r = confined(p.path, cmd);
      assert.equal(r.status, 0, `run ${i + 1}: ${r.signal ?? ""} ${r.stderr.slice(-400)}`);
      assert.equal(r.stdout, `${(2999 * 3000 * 5999) / 6}\n`);
    }
    // Without implied calls, kill is in the profile only when this recording happened to show it.
    const strict = await recordAndGenerate(mkdtempSync(join(dir, "pool-strict-")), cmd, {}, { implied: false });
    assert.ok(strict.allowlist.syscalls.kill === undefined || strict.allowlist.syscalls.kill.from.includes("observed"));
  });

  it("mktemp directories and files, a pid file and a timestamped log: every run's names are new", async () => {
    const d = mkdtempSync(join(dir, "mktemp-"));
    const env = { TMPDIR: d, WORK: d };
    const cmd = [
      "/bin/dash",
      "-c",
      'x=$(mktemp -d); f=$(mktemp "$WORK/job.XXXXXX"); echo x > "$x/out.json"; cat "$x/out.json" > "$f"; echo $$ > "$WORK/app.$$.pid"; ' +
        'echo done > "$WORK/log-$(date +%Y%m%dT%H%M%S)-$$.txt"; rm -rf "$x" "$f" "$WORK/app.$$.pid"; echo ok',
    ];
    const p = await recordAndGenerate(d, cmd, env);
    for (let i = 0; i < RUNS; i++) {
      const r = confined(p.path, cmd, env);
      assert.equal(r.status, 0, `run ${i + 1}: ${r.stderr.slice(-400)}`);
      assert.equal(r.stdout, "ok\n");
    }
  });

  it("retry loop with `sleep 0.1`: clock_nanosleep is the equivalent of a recorded nanosleep", async () => {
    const d = mkdtempSync(join(dir, "retry-"));
    // A retry loop whose sleeper changes with the image: the recorded build sleeps with the nanosleep
    // syscall (as Go and musl programs do), the next one is coreutils `sleep`, which calls
    // clock_nanosleep through glibc. The loop tries 3 times, sleeping between tries.
    const nr = syscallNumber(archOfNode(process.arch), "nanosleep");
    const nanosleep = `${PY} -c 'import ctypes; libc = ctypes.CDLL(None, use_errno=True); ts = (ctypes.c_long * 2)(0, 100000000); assert libc.syscall(${nr}, ts, None) == 0'`;
    const cmd = ["/bin/dash", "-c", 'n=0; until [ $n -ge 3 ]; do n=$((n+1)); eval "$SLEEPER"; done; echo "tried $n"'];
    const p = await recordAndGenerate(d, cmd, { SLEEPER: nanosleep });
    assert.ok(p.allowlist.syscalls.nanosleep?.from.includes("observed"));
    assert.deepEqual(p.allowlist.syscalls.clock_nanosleep?.from, ["equivalent:nanosleep"]);
    for (let i = 0; i < RUNS; i++) {
      const r = confined(p.path, cmd, { SLEEPER: "sleep 0.1" });
      assert.equal(r.status, 0, `run ${i + 1}: ${r.stderr.slice(-400)}`);
      assert.equal(r.stdout, "tried 3\n");
    }
    // Control: with --no-equivalents the same recording gives a profile coreutils sleep dies under.
    const off = await recordAndGenerate(mkdtempSync(join(dir, "retry-off-")), cmd, { SLEEPER: nanosleep }, { equivalents: false });
    assert.equal(off.allowlist.syscalls.clock_nanosleep, undefined);
    const r = confined(off.path, cmd, { SLEEPER: "sleep 0.1" });
    assert.ok(r.status !== 0 || /Operation not permitted/.test(r.stderr), `sleep ran without clock_nanosleep: ${r.stderr}`);
  });
});
