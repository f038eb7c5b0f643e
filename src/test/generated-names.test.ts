// Generated names in AppArmor profiles, judged by apparmor_parser's own file DFA:
// - a real script (mktemp directory and file, a pid file, a timestamped log) recorded twice with
//   syscage's record code: the profile made from those two runs must admit every file a THIRD run
//   writes, although all of its names are new; every rule is "seen" in at least one run;
// - hostile names (hash-, UUID-, mktemp-, pid- and timestamp-shaped, in /etc, at the root, in /tmp,
//   /var, /usr, /lib64...) must never make a write rule that admits anything beyond the recorded
//   paths in those directories.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { aggregateResources } from "../aggregate/resources.js";
import { recordRun } from "../aggregate/build-allowlist.js";
import { emitAppArmor } from "../emit/apparmor.js";
import type { RunRecord } from "../model/allowlist.js";
import type { FileAccess, FileUse } from "../model/resources.js";
import { expandInputs } from "../io/inputs.js";
import { parseRuns } from "../io/parse-runs.js";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import { dfaAccepts, fileDfa } from "./support/apparmor-oracle.js";
import { skipUnless } from "./support/skip.js";

/** The file rules of a profile that grant writing (`w` or `a`), without comments. */
function writeRules(profile: string): string[] {
  const out: string[] = [];
  for (const line of profile.split("\n")) {
    const m = /^\s+(owner\s+)?("(?:[^"\\]|\\.)*")\s+([a-z]+),/.exec(line);
    if (m && /[wa]/.test(m[3]!)) out.push(`${m[2]} ${m[3]},`);
  }
  return out;
}

// The pid is written with at least five digits: the generalizer takes runs of four or more digits
// for pids, and a machine that has run few processes (a fresh CI runner) hands out three-digit ones.
const SCRIPT = [
  'd=$(mktemp -d); f=$(mktemp "$WORK/job.XXXXXX"); p=$(printf %05d $$)',
  'echo x > "$d/out.json"; mkdir "$d/sub"; echo y > "$d/sub/a.txt"; cat "$d/out.json" "$d/sub/a.txt" > "$f"',
  'echo $$ > "$WORK/app.$p.pid"',
  'echo done > "$WORK/log-$(date +%Y%m%dT%H%M%S)-$p.txt"',
  'rm -rf "$d" "$f" "$WORK/app.$p.pid"',
].join("; ");

describe("generated names: a profile from two runs admits the third", { skip: skipUnless("strace", "apparmor_parser") }, () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "syscage-generated-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("mktemp directories and files, a pid file and a timestamped log", async () => {
    const work = join(dir, "work");
    const env = { TMPDIR: work, WORK: work };
    const cmd = ["/bin/dash", "-c", `mkdir -p "$WORK"; ${SCRIPT}`];
    const record = async (runs: string) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const r = await recordCommand(join(dir, runs), cmd, [], { stdout: "ignore" });
        assert.equal(r.status, 0);
        return r.file;
      } finally {
        for (const k of Object.keys(env))
          if (saved[k] === undefined) delete process.env[k];
          else process.env[k] = saved[k];
      }
    };
    await record("runs");
    await new Promise((r) => setTimeout(r, 1100)); // a different timestamp
    await record("runs");
    await new Promise((r) => setTimeout(r, 1100));
    const third = await record("third");

    // many-files off: the generated and between-runs rules alone must carry the third run (many-files
    // would make work/* of the 5+ files written there, which admits any name).
    const job = jobFor("gen", { inputs: [join(dir, "runs")], out: join(dir, "profile"), generalize: { manyFiles: false } }, undefined, dir);
    const result = await generateContainer(job, { fresh: true });
    const profile = result.files.find((f) => f.path.endsWith("apparmor.profile"))!.content;
    assert.doesNotMatch(profile, /seen in 0 of/);
    const rules = writeRules(profile).filter((r) => r.includes(work));
    const dfa = fileDfa(rules);

    const [thirdRun] = await parseRuns(await expandInputs([third]), { arch: "x86_64", observe: true });
    const written = (recordRun(thirdRun!).resources?.files ?? []).filter(
      (f) => f.path.startsWith(`${work}/`) && f.access.some((a) => ["write", "create", "append", "delete"].includes(a)),
    );
    const learnt = new Set(result.allowlist.runs.flatMap((r) => r.resources?.files.map((f) => f.path) ?? []));
    const fresh = written.filter((f) => !learnt.has(f.path));
    assert.ok(fresh.length >= 5, `the third run's generated names are new: ${fresh.map((f) => f.path).join(", ")}`);
    for (const f of written) assert.ok(dfaAccepts(dfa, f.dir ? `${f.path}/` : f.path), `the profile does not admit ${f.path} (rules:\n${rules.join("\n")})`);
    // ... and only inside the directory the names were generated in.
    for (const other of [`${work}/evil`, `${work}/other/x`, "/tmp/evil", `${dir}/x`]) assert.ok(!dfaAccepts(dfa, other), `admits ${other}`);
    const by = new Set(result.allowlist.resources!.files.flatMap((f) => f.generalizedBy?.split(",") ?? []));
    assert.ok(by.has("generated"), [...by].join(","));
  });
});

describe("hostile names never widen a write rule in a system directory, at the root or over /tmp", { skip: skipUnless("apparmor_parser") }, () => {
  const SHA = "320648bd07f0b71dceb2e45ac71919fa5555131f54b7d94685d7367c2304624a";
  const UUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  const W: FileAccess[] = ["write", "create"];
  const f = (path: string, access: FileAccess[] = W, dir = false): FileUse => ({ path, access, dir });
  const run = (id: string, files: FileUse[]): RunRecord => ({
    id,
    files: [id],
    sha256: id.repeat(64).slice(0, 64),
    kind: "trace",
    flags: [],
    arches: ["x86_64"],
    syscalls: {},
    resources: { files, execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [] },
  });
  const runA = [
    f(`/etc/${SHA}`),
    f(`/${UUID}`),
    f(`/${SHA}`),
    f(`/tmp/${SHA}`),
    f(`/var/${UUID}`),
    f("/etc/passwd.Xq3kLm9PzA"),
    f("/etc/cron.d/job-123456"),
    f("/usr/bin/tool.k3Jx9Q"),
    f("/lib64/ld-20261127T125101.so"),
    f("/root/.ssh/authorized_keys.Ab12Cd34"),
    f("/boot/vmlinuz-1234567"),
    f("/dev/sd12345"),
    f(`/proc/sys/kernel/${SHA}`),
    f(`/sys/kernel/${UUID}`),
    f("/12345678", ["create"], true),
    ...["a", "b", "c", "d", "e", "f"].map((n) => f(`/etc/${n}.conf`)),
    ...["a", "b", "c", "d", "e", "f"].map((n) => f(`/${n}`)),
    ...["a", "b", "c", "d", "e", "f"].map((n) => f(`/tmp/${n}`)),
    ...["a", "b", "c", "d", "e", "f"].map((n) => f(`/var/${n}`)),
    f("/etc/app-1234.conf"),
    f("/x9Yq3k", W, true),
  ];
  const runB = [f("/etc/app-5678.conf"), f("/p2Lm7Z", W, true), f("/usr/lib/x-Ab12Cd"), f("/usr/lib/x-Ef34Gh")];

  it("apparmor_parser's DFA of the write rules admits exactly the recorded paths there", () => {
    const resources = aggregateResources([run("a", runA), run("b", runB)], { manyFilesThreshold: 1 });
    const profile = emitAppArmor("hostile", resources, { runs: 2 });
    const rules = writeRules(profile);
    assert.ok(rules.length >= runA.length, "every recorded write has a rule");
    const dfa = fileDfa(rules);
    for (const x of [...runA, ...runB]) assert.ok(dfaAccepts(dfa, x.dir ? `${x.path}/` : x.path), `recorded ${x.path} is admitted`);
    const forbidden = [
      "/etc/shadow",
      "/etc/passwd",
      "/etc/passwd.other1",
      "/etc/cron.d/job-999999",
      "/etc/app-9999.conf",
      "/etc/x.conf",
      "/x",
      "/bin",
      "/evil",
      `/${SHA.replace("3", "4")}`,
      "/99999999/",
      "/q1Wq2E/",
      "/tmp/x",
      "/tmp/evil",
      "/var/x",
      "/var/log",
      "/usr/bin/tool.evil12",
      "/usr/lib/x-Zz99Yy",
      "/lib64/ld-20991231T000000.so",
      "/root/.ssh/authorized_keys",
      "/root/.ssh/authorized_keys.Zz99Yy88",
      "/boot/vmlinuz-9999999",
      "/dev/sda",
      "/dev/sd99999",
      "/proc/sys/kernel/core_pattern",
      "/sys/kernel/uevent_helper",
    ];
    for (const p of forbidden) assert.ok(!dfaAccepts(dfa, p), `a hostile name widened a write rule: ${p} is admitted`);
    assert.ok(
      resources.files.every((x) => !x.glob),
      `no pattern at all: ${resources.files
        .filter((x) => x.glob)
        .map((x) => x.path)
        .join(", ")}`,
    );
  });
});
