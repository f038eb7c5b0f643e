// The benchmark's trace mix: real programs recorded here with strace at bench time, in the shapes
// people record (`-f`, `-f -tt -T -y`, `-f -yy`, `-f -ttt -y -i`), every one as `strace -f -o FILE`
// (a PID column on every line) so that copies can be given their own pids and concatenated.
// Nothing here touches the network; scratch files live under the directory the caller passes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** strace flag sets, rotated over the workloads so that every shape is in the mix. */
const SHAPES = [
  { tag: "f", flags: ["-f"] },
  { tag: "f-tt-T-y", flags: ["-f", "-tt", "-T", "-y"] },
  { tag: "f-yy", flags: ["-f", "-yy"] },
  { tag: "f-ttt-y-i", flags: ["-f", "-ttt", "-y", "-i"] },
];

/**
 * Workloads: real programs doing real file, process and socket work on local data. Each is a
 * command line run under `sh -c` in a scratch directory `$W` (so relative paths and chdir occur).
 * A workload whose program is missing is skipped.
 */
const WORKLOADS = [
  {
    name: "shell",
    needs: ["sh", "ls", "sort", "uniq", "find"],
    script:
      'cd "$W" && for i in 1 2 3; do ls -la /usr/lib > ls.txt; cat /etc/passwd | sort | uniq -c > u.txt; find /usr/share/doc -maxdepth 2 -name "*.gz" | head -40 > f.txt; done; rm -f ls.txt u.txt f.txt',
  },
  {
    name: "tar",
    needs: ["tar", "gzip"],
    script:
      'cd "$W" && mkdir -p t && tar czf t/doc.tgz -C /usr/share/doc $(ls /usr/share/doc | head -20) 2>/dev/null; cd t && tar xzf doc.tgz && cd .. && rm -rf t',
  },
  {
    name: "python",
    needs: ["python3"],
    script:
      'cd "$W" && python3 -c "' +
      "import os, json, threading, subprocess, socket\n" +
      "os.makedirs('py/a/b', exist_ok=True)\n" +
      "[open(f'py/a/b/f{i}.json','w').write(json.dumps({'i': i})) for i in range(60)]\n" +
      "os.chdir('py')\n" +
      "n = sum(len(open(os.path.join(r, f)).read()) for r, _, fs in os.walk('.') for f in fs)\n" +
      "t = [threading.Thread(target=lambda: [os.stat(p) for p in os.listdir('/usr/lib')]) for _ in range(3)]\n" +
      "[x.start() for x in t]; [x.join() for x in t]\n" +
      "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.send(b'hi'); a.recv(2)\n" +
      "subprocess.run(['ls', '-l', 'a/b'], stdout=subprocess.DEVNULL)\n" +
      '"; rm -rf py',
  },
  {
    name: "sqlite",
    needs: ["sqlite3"],
    script:
      'cd "$W" && rm -f b.db && sqlite3 b.db "create table t(k integer primary key, v text); ' +
      "with recursive c(x) as (select 1 union all select x+1 from c where x < 3000) insert into t(v) select hex(randomblob(20)) from c; " +
      "create index i on t(v); select count(*) from t where v like 'A%'; vacuum;\" > /dev/null && rm -f b.db",
  },
  {
    name: "node",
    needs: ["node"],
    script:
      'cd "$W" && node -e "' +
      "const fs = require('fs'), cp = require('child_process'), { Worker } = require('worker_threads');" +
      "fs.mkdirSync('nd', { recursive: true });" +
      "for (let i = 0; i < 80; i++) fs.writeFileSync('nd/f' + i, 'x'.repeat(i));" +
      "for (const f of fs.readdirSync('nd')) fs.readFileSync('nd/' + f);" +
      "new Worker('require(\\\"fs\\\").readdirSync(\\\"/usr/lib\\\")', { eval: true }).on('exit', () => { cp.execFileSync('sh', ['-c', 'ls nd | wc -l']); fs.rmSync('nd', { recursive: true }); });" +
      '"',
  },
  {
    name: "git",
    needs: ["git"],
    script:
      'cd "$W" && rm -rf g && mkdir g && cd g && git init -q . && for i in $(seq 1 30); do echo "$i" > "f$i.txt"; done && git add . && ' +
      "git -c user.name=b -c user.email=b@b commit -qm one && git log --stat > /dev/null && git status --short > /dev/null; cd .. && rm -rf g",
  },
  {
    name: "cc",
    needs: ["gcc"],
    script: 'cd "$W" && printf "#include <stdio.h>\\nint main(void){puts(\\"hi\\");return 0;}\\n" > h.c && gcc -O1 -o h h.c && ./h > /dev/null; rm -f h h.c',
  },
  {
    name: "perl",
    needs: ["perl"],
    script:
      'cd "$W" && perl -e \'opendir(my $d, "/usr/share/perl5") or exit 0; for my $f (readdir $d) { my @s = stat("/usr/share/perl5/$f"); } open(my $o, ">", "p.txt"); print $o "x" x 1000; close $o; unlink "p.txt";\'',
  },
];

function have(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/**
 * Records the mix into `dir` (once: kept as the cache for later runs) and returns the trace files,
 * sorted. `log` receives progress lines. Fails (returns []) only when strace is missing.
 */
export function recordMix(dir, log) {
  const done = join(dir, "done");
  if (existsSync(done))
    return readdirSync(dir)
      .filter((f) => f.endsWith(".trace"))
      .sort()
      .map((f) => join(dir, f));
  if (!have("strace")) return [];
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const scratch = join(dir, "scratch");
  mkdirSync(scratch);
  let k = 0;
  for (const w of WORKLOADS) {
    if (!w.needs.every(have)) {
      log(`mix: skipping ${w.name} (needs ${w.needs.join(", ")})`);
      continue;
    }
    const shape = SHAPES[k % SHAPES.length];
    k++;
    const out = join(dir, `${String(k).padStart(2, "0")}-${w.name}.${shape.tag}.trace`);
    log(`mix: recording ${w.name} with strace ${shape.flags.join(" ")}`);
    const r = spawnSync("strace", [...shape.flags, "-s", "256", "-o", `${out}.tmp`, "sh", "-c", w.script], {
      env: { ...process.env, W: scratch, LC_ALL: "C" },
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 120_000,
    });
    if (r.status !== 0 || !existsSync(`${out}.tmp`)) {
      log(`mix: ${w.name} failed (${r.error?.message ?? r.stderr?.toString().trim().slice(0, 200)}); left out`);
      rmSync(`${out}.tmp`, { force: true });
      continue;
    }
    renameSync(`${out}.tmp`, out);
  }
  rmSync(scratch, { recursive: true, force: true });
  writeFileSync(done, "");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".trace"))
    .sort()
    .map((f) => join(dir, f));
}
