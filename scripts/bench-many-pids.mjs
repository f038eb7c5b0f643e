#!/usr/bin/env node
// Memory with many processes: a build or CI job under `strace -f` runs hundreds of thousands of
// short processes. syscage must keep what a profile needs (per-syscall counters, distinct files,
// programs, sockets), not every pid it ever saw. This script writes a synthetic `strace -f -o`
// trace in which a shell starts N processes one after another (each: clone in the parent, execve,
// an openat of a per-process and a shared file, a connect, exit_group, the exit line, SIGCHLD and
// wait4 in the parent), then runs `syscage stats` and `syscage generate` on it (one thread, on two
// with --jobs 2, and as the default chooses) and prints each one's wall time and peak RSS (GNU
// time's %M).
//
//   node scripts/bench-many-pids.mjs                 # 1,000,000 processes (target: peak RSS < 200 MiB)
//   node scripts/bench-many-pids.mjs --pids 130000   # the size that once overflowed the stats table
//   node scripts/bench-many-pids.mjs --json
//
// Needs `npm run build` first (it runs dist/cli.js) and /usr/bin/time. Not a unit test: a figure.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "dist", "cli.js");
const TIME = "/usr/bin/time";
const TARGET_MIB = 200;

const args = process.argv.slice(2);
const pidsArg = args.indexOf("--pids");
const PIDS = pidsArg >= 0 ? Number(args[pidsArg + 1]) : 1_000_000;
const JSON_OUT = args.includes("--json");
if (!Number.isInteger(PIDS) || PIDS < 1) throw new Error(`--pids: expected a whole number, got ${args[pidsArg + 1]}`);
if (!existsSync(CLI)) throw new Error("dist/cli.js is missing: run npm run build first");
if (!existsSync(TIME)) throw new Error(`${TIME} is missing (Debian: apt-get install time)`);

/** Writes the trace; resolves when it is on disk. */
async function writeTrace(path, n) {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const root = 100;
  let buf = `${root}  execve("/bin/sh", ["sh", "build.sh"], 0x7ffc0 /* 20 vars */) = 0\n`;
  const flush = async () => {
    if (!out.write(buf)) await new Promise((r) => out.once("drain", r));
    buf = "";
  };
  for (let i = 0; i < n; i++) {
    const pid = 1000 + i;
    buf +=
      `${root}  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a) = ${pid}\n` +
      `${pid}  execve("/usr/bin/cc${i % 7}", ["cc", "-c", "f${i}.c"], 0x55d0 /* 20 vars */) = 0\n` +
      `${pid}  openat(AT_FDCWD, "/src/obj/f${i % 1000}.o", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3\n` +
      `${pid}  openat(AT_FDCWD, "/usr/include/stdio.h", O_RDONLY) = 4\n` +
      `${pid}  socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 5\n` +
      `${pid}  connect(5, {sa_family=AF_INET, sin_port=htons(3128), sin_addr=inet_addr("10.0.0.1")}, 16) = 0\n` +
      `${pid}  exit_group(0)                     = ?\n` +
      `${pid}  +++ exited with 0 +++\n` +
      `${root}  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=${pid}, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n` +
      `${root}  wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = ${pid}\n`;
    if (buf.length > 1 << 20) await flush();
  }
  buf += `${root}  exit_group(0)                     = ?\n${root}  +++ exited with 0 +++\n`;
  await flush();
  await new Promise((r) => out.end(r));
}

function measure(label, cliArgs, cwd) {
  const rssFile = join(cwd, "rss.txt");
  const start = process.hrtime.bigint();
  const r = spawnSync(TIME, ["-f", "%M", "-o", rssFile, process.execPath, CLI, ...cliArgs], {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  const peakMiB = Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024;
  return { label, seconds: Math.round(seconds * 100) / 100, peakMiB: Math.round(peakMiB) };
}

const work = mkdtempSync(join(tmpdir(), "syscage-many-pids-"));
try {
  const trace = join(work, "build.trace");
  await writeTrace(trace, PIDS);
  const mib = statSync(trace).size / (1 << 20);
  // One thread, and the file split over two (a worker and the main thread: issue 14's "two workers").
  const results = [
    measure("syscage stats", ["stats", "--jobs", "1", trace], work),
    measure("syscage stats --jobs 2", ["stats", "--jobs", "2", trace], work),
    measure("syscage generate", ["generate", "--jobs", "1", "--name", "build", "--out", join(work, "out"), "--image", "build", trace], work),
    measure("syscage generate --jobs 2", ["generate", "--jobs", "2", "--name", "build", "--out", join(work, "out2"), "--image", "build", trace], work),
    // Without --jobs a file this big is split, unless its first parts hold very many processes (as here).
    measure("syscage stats (default)", ["stats", trace], work),
    measure("syscage generate (default)", ["generate", "--name", "build", "--out", join(work, "out3"), "--image", "build", trace], work),
  ];
  if (JSON_OUT) process.stdout.write(`${JSON.stringify({ pids: PIDS, traceMiB: Math.round(mib), targetMiB: TARGET_MIB, results }, null, 2)}\n`);
  else {
    process.stdout.write(`${PIDS} processes, ${Math.round(mib)} MiB trace\n`);
    for (const r of results)
      process.stdout.write(
        `  ${r.label.padEnd(26)} ${String(r.seconds).padStart(7)} s  peak RSS ${String(r.peakMiB).padStart(5)} MiB  ${r.peakMiB < TARGET_MIB ? "(under" : "(OVER"} the ${TARGET_MIB} MiB target)\n`,
      );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
