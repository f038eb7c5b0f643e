#!/usr/bin/env node
// Throughput benchmark for `syscage stats`: builds one big `strace -f -o` trace (>= 500 MiB) from the
// sample traces and measures, on that same file and in the same run,
//   - syscage stats --jobs 1 (throughput and peak RSS),
//   - syscage stats on the file split into one part per core, --jobs 1 and one worker per core,
//   - a minimal Node line scanner (the practical floor for any Node parser),
//   - the pipeline users write by hand: grep -oE '[a-z0-9_]+\(' | sort -u.
// The targets live here (never in unit tests): parse >= 40% of the floor, >= 10x grep, peak RSS < 200 MiB.
// The figures are the output: missed targets print `bench: FAIL (...)` but still exit 0; only a crash
// (or a wrong result) exits non-zero.
//
// Usage: node scripts/bench.mjs [--size MiB] [--runs N] [--parts N] [--seed FILE...] [--same-pids] [--keep] [--json] [--profile] [--build]
// Units: MiB (2^20 bytes) everywhere, throughput in MiB/s. Run `npx tsc -p tsconfig.json` first (or pass --build).
// Never touches the network. Files go under .bench/ (git-ignored): the big trace is cached there, keyed
// on the seed's content hash and the size; everything else is deleted at the end unless --keep.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  statfsSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";

const MiB = 1 << 20;
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH = join(ROOT, ".bench");
const CLI = join(ROOT, "dist", "cli.js");
const TIME = "/usr/bin/time";
/** Bump when the way the big file is made changes, so an old cached file is not reused. */
const GEN_VERSION = 3;
const TARGETS = { parseToFloor: 0.4, parseToGrep: 10, peakRssMiB: 200 };

// ---- temp files: everything not cached is removed on exit, even after Ctrl-C ----------------------

const temps = new Set();
function temp(name) {
  const p = join(BENCH, name);
  temps.add(p);
  return p;
}
function cleanup() {
  for (const p of temps) rmSync(p, { force: true, recursive: true });
  temps.clear();
}
/** The measured command now running, in a process group of its own (see runChild). */
let current = null;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    // GNU time ignores SIGINT, so Ctrl-C would leave the measured command running: end its group.
    if (current?.pid) {
      try {
        process.kill(-current.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    cleanup();
    process.exit(130);
  });
}

// ---- options ----------------------------------------------------------------------------------

const { values: opt } = parseArgsOrExit({
  options: {
    size: { type: "string", default: "512" },
    runs: { type: "string", default: "3" },
    parts: { type: "string" },
    seed: { type: "string", multiple: true },
    "same-pids": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    build: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
  strict: true,
});
function parseArgsOrExit(config) {
  try {
    return parseArgs(config);
  } catch (e) {
    process.stderr.write(`bench: ${e.message} (see --help)\n`);
    process.exit(2);
  }
}
if (opt.help) {
  process.stdout.write(`Usage: node scripts/bench.mjs [options]   (npm run bench -- [options])

  --size MiB     size of the big trace to build (default 512; at least whole copies of the seed)
  --runs N       time every measurement N times and keep the fastest (default 3: shared
                 machines are noisy, one run can be 15% slow)
  --parts N      files for the multi-file measurement (default: one per core, at least 2)
  --seed FILE    use these -f -o traces (.gz too) as the seed instead of the ones under samples/
  --same-pids    repeat the seed as it is; by default every copy gets its own pids, so the big
                 trace has as many processes as copies x seed processes, like a long build
  --keep         keep the split parts and the profile under .bench/ (the big trace is always cached)
  --json         print the figures as one JSON object (progress goes to stderr)
  --profile      also run syscage under --cpu-prof and print the functions with the most self time
  --build        run tsc before measuring
`);
  process.exit(0);
}
const sizeMiB = positiveNumber("--size", opt.size);
const runs = Math.floor(positiveNumber("--runs", opt.runs));
const cores = availableParallelism();
const nParts = opt.parts === undefined ? Math.max(2, cores) : Math.max(2, Math.floor(positiveNumber("--parts", opt.parts)));

function positiveNumber(name, s) {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) fail(`${name} wants a positive number, got "${s}"`);
  return n;
}

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  cleanup();
  process.exit(2);
}

/** Progress goes to stderr so that `--json` keeps stdout to the one object. */
function progress(msg) {
  process.stderr.write(`bench: ${msg}\n`);
}

// ---- the seed ----------------------------------------------------------------------------------

/** Every line starts with a PID column (`strace -f -o FILE`): `1234  openat(...)`. */
const PID_LINE = /^(\d+) +(\S.*)$/;

/** A seed file's text (latin1, one char per byte), gunzipped when it is gzip. */
function readTrace(file) {
  const buf = readFileSync(file);
  return (buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf) : buf).toString("latin1");
}

/** True when `text` is a `strace -f -o` trace: every non-empty line has a PID column. */
function isPidColumnTrace(text) {
  let calls = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (!PID_LINE.test(line)) return false;
    calls++;
  }
  return calls >= 10;
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * The seed: the `-f -o` style sample traces (all of them, in path order, so the mix covers every
 * recorded workload), or a trace recorded here when samples/ has none yet.
 */
function findSeed() {
  if (opt.seed) {
    const files = opt.seed.map((f) => resolve(f));
    for (const f of files) {
      if (!existsSync(f)) fail(`--seed ${f}: no such file`);
      if (!isPidColumnTrace(readTrace(f))) fail(`--seed ${f}: not a strace -f -o trace (every line must start with a PID column)`);
    }
    return files;
  }
  const samples = join(ROOT, "samples");
  const found = [];
  if (existsSync(samples)) {
    for (const f of walk(samples).sort()) {
      const st = statSync(f);
      if (st.size === 0 || st.size > 16 * MiB) continue;
      const text = readTrace(f);
      if (text.length > 64 * MiB || text.slice(0, 8192).includes("\0")) continue; // binary
      // -C traces (a summary table at the end), -k stacks, stderr-mode traces and -ff files fail this.
      if (isPidColumnTrace(text)) found.push(f);
    }
  }
  if (found.length > 0) return found;
  const seed = join(BENCH, "seed.trace");
  if (!existsSync(seed)) {
    progress("samples/ holds no strace -f -o trace yet: recording one into .bench/seed.trace");
    const script = "for i in 1 2 3; do ls -la /usr/lib > /dev/null; cat /etc/passwd | sort | uniq > /dev/null; done";
    const tmp = temp("seed.trace.tmp");
    const r = spawnSync("strace", ["-f", "-tt", "-T", "-y", "-s", "256", "-o", tmp, "sh", "-c", script], { stdio: ["ignore", "ignore", "pipe"] });
    if (r.error || r.status !== 0) fail(`cannot record a seed with strace (${r.error?.message ?? r.stderr?.toString().trim()}); install strace or pass --seed`);
    renameSync(tmp, seed);
    temps.delete(tmp);
  }
  return [seed];
}

// ---- the big trace -----------------------------------------------------------------------------

/** Return values that are pids (clone and friends), and the pid strace names when an exec'ing thread takes over. */
const PID_RESULT_CALL = /(?:^|[ >])(?:clone3?|v?fork)(?:\(| resumed>)/;
const PID_RESULT = /^(.*\) += )(\d+)(\D.*)?$/;
const SUPERSEDED = /^(.*superseded by execve in pid )(\d+)(.*)$/;

/**
 * One seed file as a template: per line its pid and text, with any pid inside the text split out,
 * so each copy can shift every pid by the same offset and its processes stay distinct from other
 * copies' (a real half-gigabyte trace has thousands of processes, not the same few over and over).
 */
function template(file) {
  const lines = readTrace(file).split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let min = Infinity;
  let max = -Infinity;
  const out = [];
  for (const line of lines) {
    const m = PID_LINE.exec(line);
    const pid = Number(m[1]);
    if (pid < min) min = pid;
    if (pid > max) max = pid;
    const rest = m[2];
    let inner = null;
    if (PID_RESULT_CALL.test(rest)) inner = PID_RESULT.exec(rest);
    else if (rest.includes("+++ superseded by execve in pid ")) inner = SUPERSEDED.exec(rest);
    out.push(inner ? { pid, before: inner[1], inner: Number(inner[2]), after: inner[3] ?? "" } : { pid, before: rest, inner: -1, after: "" });
  }
  return { file, lines: out, min, max };
}

/** strace -f -o writes the pid left-aligned in 5 columns, then a space. */
function renderCopy(t, offset) {
  const parts = new Array(t.lines.length + 1);
  for (let i = 0; i < t.lines.length; i++) {
    const l = t.lines[i];
    const head = String(l.pid + offset).padEnd(5) + " ";
    parts[i] = l.inner < 0 ? head + l.before : head + l.before + String(l.inner + offset) + l.after;
  }
  parts[t.lines.length] = "";
  return parts.join("\n");
}

/**
 * Builds (or reuses) .bench/big.trace: whole copies of the seed until it reaches the size. The
 * manifest next to it records the key (seed hash, size, generator version), the line count and
 * where each copy starts, so parts can be cut between copies.
 */
function bigTrace(seedFiles) {
  const hash = createHash("sha256");
  for (const f of seedFiles) hash.update(show(f)).update("\0").update(readTrace(f), "latin1").update("\0");
  const samePids = opt["same-pids"];
  const key = `v${GEN_VERSION}-${sizeMiB}MiB-${samePids ? "same-pids" : "own-pids"}-${hash.digest("hex")}`;
  const big = join(BENCH, "big.trace");
  const manifestPath = join(BENCH, "big.json");
  if (existsSync(big) && existsSync(manifestPath)) {
    const m = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (m.key === key && statSync(big).size === m.bytes) {
      progress(`reusing ${relative(ROOT, big)} (${(m.bytes / MiB).toFixed(1)} MiB, same seed and size)`);
      return { path: big, ...m };
    }
  }
  const target = sizeMiB * MiB;
  needDisk(target * 2.2); // the big file, the parts, headroom
  const templates = seedFiles.map(template);
  // Every seed file in every copy gets its own pid range.
  const span = samePids ? 0 : Math.max(...templates.map((t) => t.max)) - Math.min(...templates.map((t) => t.min)) + 1;
  progress(`building ${relative(ROOT, big)} (${sizeMiB} MiB) from ${seedFiles.length} seed file(s)`);
  const tmp = temp("big.trace.tmp");
  rmSync(manifestPath, { force: true });
  const fd = openSync(tmp, "w");
  let bytes = 0;
  let lines = 0;
  let copies = 0;
  let segment = 0;
  const copyStarts = [];
  try {
    while (bytes < target) {
      copyStarts.push(bytes);
      for (const t of templates) {
        const text = renderCopy(t, segment * span);
        segment++;
        const buf = Buffer.from(text, "latin1");
        writeSync(fd, buf);
        bytes += buf.length;
        lines += t.lines.length;
      }
      copies++;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, big);
  temps.delete(tmp);
  const manifest = { key, bytes, lines, copies, samePids, seed: seedFiles.map(show), copyStarts };
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { path: big, ...manifest };
}

/** A path as the report shows it: relative to the repo when inside it. */
function show(p) {
  const r = relative(ROOT, p);
  return r.startsWith("..") ? p : r;
}

function needDisk(bytes) {
  const s = statfsSync(BENCH);
  const free = s.bavail * s.bsize;
  if (free < bytes) fail(`needs ${(bytes / MiB).toFixed(0)} MiB free under .bench/, only ${(free / MiB).toFixed(0)} MiB are`);
}

/**
 * Splits the big trace into `n` files of about equal size, cut between copies of the seed so that
 * no call is split from its `<... resumed>` half: syscage must then count the parts exactly as the
 * whole. Names have no numeric suffix (`part-a.trace`), so each part is a run of its own.
 */
function splitParts(big, n) {
  const bounds = [0];
  for (let k = 1; k < n; k++) {
    const want = (big.bytes * k) / n;
    let best = big.copyStarts[0];
    for (const s of big.copyStarts) if (Math.abs(s - want) < Math.abs(best - want)) best = s;
    if (best <= bounds[bounds.length - 1]) fail(`cannot split ${big.copies} copies into ${n} parts; lower --parts or raise --size`);
    bounds.push(best);
  }
  bounds.push(big.bytes);
  const partDir = temp("parts");
  rmSync(partDir, { recursive: true, force: true });
  mkdirSync(partDir);
  const files = [];
  const inFd = openSync(big.path, "r");
  const buf = Buffer.allocUnsafe(MiB);
  try {
    for (let k = 0; k < n; k++) {
      const file = join(partDir, `part-${String.fromCharCode(97 + (k % 26)).repeat(1 + Math.floor(k / 26))}.trace`);
      const outFd = openSync(file, "w");
      let pos = bounds[k];
      while (pos < bounds[k + 1]) {
        const got = readSync(inFd, buf, 0, Math.min(MiB, bounds[k + 1] - pos), pos);
        if (got === 0) break;
        writeSync(outFd, buf, 0, got);
        pos += got;
      }
      closeSync(outFd);
      files.push(file);
    }
  } finally {
    closeSync(inFd);
  }
  return files;
}

/** Reads the file once so that every measurement reads from the page cache, none from the disk. */
function warm(path) {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(4 * MiB);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

// ---- measuring ---------------------------------------------------------------------------------

const haveTime = (() => {
  if (!existsSync(TIME)) return false;
  const r = spawnSync(TIME, ["-f", "%M", "true"], { encoding: "utf8" });
  return r.status === 0 && /^\d+\s*$/.test(r.stderr.trim().split("\n").pop() ?? "");
})();

/**
 * Runs `cmd args` `runs` times; returns the fastest wall-clock time, the highest peak RSS (MiB, via
 * GNU time when installed) and the fastest run's stdout.
 */
async function measure(label, cmd, args, { env, rss = true } = {}) {
  let best = null;
  for (let i = 0; i < runs; i++) {
    progress(`${label}${runs > 1 ? ` (run ${i + 1}/${runs})` : ""}`);
    const rssFile = temp(`rss-${process.pid}.txt`);
    const useTime = haveTime && rss;
    const [c, a] = useTime ? [TIME, ["-f", "%M", "-o", rssFile, cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const r = await runChild(c, a, { ...process.env, ...env });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error) fail(`${label}: ${r.error.message}`);
    const peak = useTime ? Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 : null;
    rmSync(rssFile, { force: true });
    temps.delete(rssFile);
    const run = { seconds, peakRssMiB: peak, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
    if (!best || seconds < best.seconds) best = { ...run, peakRssMiB: best ? maxOrNull(best.peakRssMiB, peak) : peak };
    else best.peakRssMiB = maxOrNull(best.peakRssMiB, peak);
  }
  return best;
}

/**
 * Runs one command to its end. Asynchronous (not spawnSync) so that Ctrl-C reaches the handler
 * above while it runs; detached so that the handler can end the whole group (time, sh, grep, sort).
 */
function runChild(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    current = child;
    const out = [];
    const err = [];
    child.stdout.on("data", (b) => out.push(b));
    child.stderr.on("data", (b) => err.push(b));
    child.on("error", (error) => {
      current = null;
      resolve({ error });
    });
    child.on("close", (status, signal) => {
      current = null;
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString("utf8") });
    });
  });
}

function maxOrNull(a, b) {
  return a === null || b === null ? null : Math.max(a, b);
}

/** Runs syscage stats --json and returns its timing and parsed output; exit 2 (error diagnostics) is not a crash. */
async function syscage(label, files, jobs) {
  const args = [CLI, "stats", "--json", ...(jobs === undefined ? [] : ["--jobs", String(jobs)]), ...files.map((f) => relative(ROOT, f))];
  const r = await measure(label, process.execPath, args);
  let json;
  try {
    json = JSON.parse(r.stdout.toString("utf8"));
  } catch {
    fail(`${label} crashed (exit ${r.status ?? r.signal}):\n${r.stderr.slice(-4000)}`);
  }
  if (r.status !== 0 && r.status !== 2) fail(`${label} exited ${r.status ?? r.signal}:\n${r.stderr.slice(-4000)}`);
  return { ...r, json };
}

// The floor: the least a Node program must do to read the file's lines and name each call. It
// streams 1 MiB latin1 chunks, splits lines with indexOf, skips the PID column and any timestamp
// (digits, spaces, `.`, `:`) and an -i `[address] `, and counts the [a-z0-9_]+ before `(`. Runs in
// a child, like syscage.
const FLOOR = String.raw`
const fs = require("fs");
const names = new Map();
let lines = 0, bytes = 0, carry = "";
function scan(s) {
  let i = 0, c;
  const n = s.length;
  while (i < n && ((c = s.charCodeAt(i)) === 32 || (c >= 48 && c <= 58) || c === 46)) i++;
  if (c === 91) { const j = s.indexOf("] ", i); if (j > 0) i = j + 2; }
  const start = i;
  while (i < n && (((c = s.charCodeAt(i)) >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95)) i++;
  if (i > start && s.charCodeAt(i) === 40) {
    const name = s.slice(start, i);
    names.set(name, (names.get(name) || 0) + 1);
  }
}
fs.createReadStream(process.argv[1], { highWaterMark: 1 << 20 })
  .on("data", (buf) => {
    bytes += buf.length;
    const s = carry + buf.toString("latin1");
    let start = 0;
    for (;;) {
      const nl = s.indexOf("\n", start);
      if (nl < 0) break;
      scan(s.slice(start, nl));
      lines++;
      start = nl + 1;
    }
    carry = s.slice(start);
  })
  .on("end", () => {
    if (carry.length > 0) { scan(carry); lines++; }
    process.stdout.write(JSON.stringify({ lines, bytes, names: Object.fromEntries([...names].sort()) }));
  });
`;

// ---- profile -----------------------------------------------------------------------------------

/** Self time per function (name, file:line) over a .cpuprofile, highest first. */
function topSelfTime(profilePath, limit = 15) {
  const prof = JSON.parse(readFileSync(profilePath, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    const f = byId.get(prof.samples[i]).callFrame;
    const url = f.url.startsWith("file:") ? relative(ROOT, fileURLToPath(f.url)) : f.url;
    const key = `${f.functionName || "(anonymous)"}${url ? `  ${url}:${f.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ function: fn, selfMs: Math.round(us / 1000), percent: Math.round((1000 * us) / total) / 10 }));
}

// ---- main --------------------------------------------------------------------------------------

mkdirSync(BENCH, { recursive: true });
if (opt.build) {
  progress("building dist/ with tsc");
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) fail("tsc failed");
}
if (!existsSync(CLI)) fail("dist/cli.js is missing: run `npx tsc -p tsconfig.json` (or pass --build)");
const newestSrc = Math.max(...walk(join(ROOT, "src")).filter((f) => f.endsWith(".ts")).map((f) => statSync(f).mtimeMs));
const staleBuild = newestSrc > statSync(CLI).mtimeMs;
if (staleBuild) progress("warning: src/ is newer than dist/cli.js; the figures are for the old build (pass --build)");

try {
  const seed = findSeed();
  const big = bigTrace(seed);
  const mib = big.bytes / MiB;
  const parts = splitParts(big, nParts);
  warm(big.path);

  const one = await syscage("syscage stats --jobs 1 (one file)", [big.path], 1);
  const partsOne = await syscage(`syscage stats --jobs 1 (${nParts} files)`, parts, 1);
  const partsN = await syscage(`syscage stats (${nParts} files, default jobs)`, parts, undefined);
  const floorRun = await measure("floor scanner", process.execPath, ["-e", FLOOR, relative(ROOT, big.path)]);
  if (floorRun.status !== 0) fail(`floor scanner exited ${floorRun.status ?? floorRun.signal}:\n${floorRun.stderr}`);
  const floor = JSON.parse(floorRun.stdout.toString("utf8"));
  // Users' pipeline as typed, in the UTF-8 locale a current distribution sets by default (the
  // target's reference), and byte-wise with LC_ALL=C (the trick few know; reported, not the target).
  const grepCmd = ["-c", `grep -oE '[a-z0-9_]+\\(' "$1" | sort -u`, "sh", relative(ROOT, big.path)];
  const grepRun = await measure("grep -oE | sort -u (C.UTF-8)", "sh", grepCmd, { env: { LC_ALL: "C.UTF-8" }, rss: false });
  if (grepRun.status !== 0) fail(`grep pipeline exited ${grepRun.status ?? grepRun.signal}:\n${grepRun.stderr}`);
  const grepCRun = await measure("grep -oE | sort -u (LC_ALL=C)", "sh", grepCmd, { env: { LC_ALL: "C" }, rss: false });
  if (grepCRun.status !== 0) fail(`grep pipeline exited ${grepCRun.status ?? grepCRun.signal}:\n${grepCRun.stderr}`);

  let profile = null;
  if (opt.profile) {
    const dir = temp("prof");
    rmSync(dir, { recursive: true, force: true });
    progress("syscage stats --jobs 1 under --cpu-prof");
    const r = await runChild(process.execPath, ["--cpu-prof", "--cpu-prof-dir", dir, CLI, "stats", "--json", "--jobs", "1", relative(ROOT, big.path)], process.env);
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".cpuprofile")) : undefined;
    if (!file) fail(`no .cpuprofile written (exit ${r.status}): ${r.stderr}`);
    profile = { file: relative(ROOT, join(dir, file)), kept: opt.keep, top: topSelfTime(join(dir, file)) };
  }

  // ---- checks: the figures only mean something if everyone counted the same thing ----
  const problems = [];
  const warnings = [];
  const scNames = Object.keys(one.json.syscalls);
  const flNames = Object.keys(floor.names);
  const onlySc = scNames.filter((n) => !(n in floor.names));
  const onlyFl = flNames.filter((n) => !(n in one.json.syscalls));
  if (onlySc.length || onlyFl.length) {
    problems.push(`syscall names differ: only syscage has [${onlySc.join(", ")}], only the floor scanner has [${onlyFl.join(", ")}]`);
  }
  // A call line is one event for both (its `<... resumed>` half is not counted by the floor).
  const countDiffs = scNames
    .filter((n) => n in floor.names && one.json.syscalls[n].calls + one.json.syscalls[n].unfinished !== floor.names[n])
    .map((n) => `${n} ${one.json.syscalls[n].calls}+${one.json.syscalls[n].unfinished} vs ${floor.names[n]}`);
  if (countDiffs.length) warnings.push(`call counts differ (syscage calls+unfinished vs floor): ${countDiffs.slice(0, 8).join("; ")}${countDiffs.length > 8 ? "; ..." : ""}`);
  if (floor.lines !== big.lines) problems.push(`the floor scanner read ${floor.lines} lines, the file has ${big.lines}`);
  const oneLines = one.json.runs.reduce((a, r) => a + r.lines, 0);
  if (oneLines !== big.lines) problems.push(`syscage read ${oneLines} lines, the file has ${big.lines}`);
  if (!isDeepStrictEqual(partsOne.json.syscalls, one.json.syscalls)) problems.push(`syscage counts the ${nParts} parts (--jobs 1) differently from the whole file`);
  if (!isDeepStrictEqual(partsN.json.syscalls, one.json.syscalls)) problems.push(`syscage counts the ${nParts} parts (worker threads) differently from the whole file`);
  const diagCodes = [...new Set(one.json.diagnostics.map((d) => d.code))].sort();
  if (diagCodes.length) warnings.push(`syscage reported diagnostics on the big trace: ${diagCodes.join(", ")} (exit ${one.status})`);

  // ---- figures ----
  const fig = (r, bytes = big.bytes) => ({ seconds: round(r.seconds, 3), mibPerS: round(bytes / MiB / r.seconds, 1), peakRssMiB: r.peakRssMiB === null ? null : round(r.peakRssMiB, 1) });
  const result = {
    node: process.version,
    cores,
    runs,
    staleBuild,
    input: { path: relative(ROOT, big.path), bytes: big.bytes, mib: round(mib, 1), lines: big.lines, copies: big.copies, seed: big.seed },
    syscage: {
      oneFile: fig(one),
      partsJobs1: { files: nParts, ...fig(partsOne) },
      partsWorkers: { files: nParts, workers: Math.min(cores, nParts), ...fig(partsN), speedup: round(partsOne.seconds / partsN.seconds, 2) },
    },
    floor: { ...fig(floorRun), names: flNames.length },
    grep: { locale: "C.UTF-8", ...fig(grepRun) },
    grepBytewise: { locale: "C", ...fig(grepCRun) },
    ratios: {
      parseToFloor: round(floorRun.seconds / one.seconds, 3),
      parseToGrep: round(grepRun.seconds / one.seconds, 2),
      parseToGrepBytewise: round(grepCRun.seconds / one.seconds, 2),
      workersToGrep: round(grepRun.seconds / partsN.seconds, 2),
    },
    checks: { namesAgree: onlySc.length === 0 && onlyFl.length === 0, syscalls: scNames.length, problems, warnings },
    profile,
  };
  const missed = [];
  if (result.ratios.parseToFloor < TARGETS.parseToFloor) missed.push(`parse/floor ${pct(result.ratios.parseToFloor)} < ${pct(TARGETS.parseToFloor)}`);
  if (result.ratios.parseToGrep < TARGETS.parseToGrep) missed.push(`parse/grep ${result.ratios.parseToGrep}x < ${TARGETS.parseToGrep}x`);
  if (one.peakRssMiB === null) missed.push("peak RSS not measured (install the Debian package time)");
  else if (one.peakRssMiB >= TARGETS.peakRssMiB) missed.push(`peak RSS ${one.peakRssMiB.toFixed(0)} MiB >= ${TARGETS.peakRssMiB} MiB`);
  if (problems.length) missed.push("results disagree");
  result.targets = TARGETS;
  result.missed = missed;
  result.pass = missed.length === 0;

  if (opt.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else report(result, one, partsN);
  if (!opt.keep) cleanup();
  else progress(`kept ${[...temps].map((p) => relative(ROOT, p)).join(" ")}`);
  // A wrong result is a bug, not a figure: exit non-zero so it cannot go unnoticed.
  process.exitCode = problems.length ? 1 : 0;
} catch (e) {
  cleanup();
  throw e;
}

function report(r, one, partsN) {
  const rss = (m) => (m === null ? "peak RSS n/a" : `peak RSS ${m.toFixed(0)} MiB`);
  const line = (label, f, extra = "") => `${label.padEnd(40)}${f.mibPerS.toFixed(1).padStart(7)} MiB/s  (${f.seconds.toFixed(2)} s)${extra}`;
  const s = r.syscage;
  const out = [
    `input: ${r.input.path} ${r.input.mib.toFixed(1)} MiB, ${(r.input.lines / 1e6).toFixed(1)}M lines, ${r.input.copies} copies of the seed (${r.input.seed.join(", ")})`,
    `node ${r.node}, ${r.cores} core(s)${r.runs > 1 ? `, fastest of ${r.runs} runs` : ""}${r.staleBuild ? ", WARNING: dist/ is older than src/" : ""}`,
    line("syscage stats (1 file, --jobs 1):", s.oneFile, `  ${rss(one.peakRssMiB)}`),
    line(`syscage stats (${s.partsJobs1.files} files, --jobs 1):`, s.partsJobs1, `  ${rss(s.partsJobs1.peakRssMiB)}`),
    line(`syscage stats (${s.partsWorkers.files} files, ${s.partsWorkers.workers} workers):`, s.partsWorkers, `  ${rss(partsN.peakRssMiB)}  speedup ${s.partsWorkers.speedup}x vs --jobs 1`),
    line("floor scanner (names only):", r.floor, `  ${rss(r.floor.peakRssMiB)}`),
    line("grep -oE | sort -u (C.UTF-8):", r.grep),
    line("grep -oE | sort -u (LC_ALL=C):", r.grepBytewise, `  (syscage is ${r.ratios.parseToGrepBytewise}x this one)`),
    r.checks.namesAgree
      ? `check: syscage and the floor scanner found the same ${r.checks.syscalls} syscall names`
      : "check: MISMATCH between syscage and the floor scanner (see below)",
    ...r.checks.problems.map((p) => `ERROR: ${p}`),
    ...r.checks.warnings.map((w) => `warning: ${w}`),
    `ratios: parse/floor ${pct(r.ratios.parseToFloor)} (target >= ${pct(TARGETS.parseToFloor)}), parse/grep ${r.ratios.parseToGrep}x (target >= ${TARGETS.parseToGrep}x), ${one.peakRssMiB === null ? "peak RSS: unavailable (install the Debian package time)" : `peak RSS ${one.peakRssMiB.toFixed(0)} MiB`} (target < ${TARGETS.peakRssMiB} MiB)`,
  ];
  if (r.profile) {
    out.push(`profile (${r.profile.file}${opt.keep ? "" : ", deleted"}), self time:`);
    for (const t of r.profile.top) out.push(`  ${String(t.percent).padStart(5)}%  ${String(t.selfMs).padStart(6)} ms  ${t.function}`);
  }
  out.push(r.pass ? "bench: PASS" : `bench: FAIL (${r.missed.join("; ")})`);
  process.stdout.write(`${out.join("\n")}\n`);
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function pct(x) {
  return `${Math.round(x * 100)}%`;
}
