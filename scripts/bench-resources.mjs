// Times resource tracking alone: parses a trace once with TraceParser (the events and bare pids
// src/io/parse-run.ts would feed), then runs ResourceCollector + ArgValueCollector over them
// several rounds and prints ms per million events. `--dump FILE` writes what the collectors learnt
// (RunResources, problems, decoration style, argument values) as JSON, to compare two builds:
//
//   node scripts/bench-resources.mjs [--rounds N] [--dist DIR] [--dump FILE] TRACE
//
// `--inline` times it as generate runs it, on events fresh from the parser (their text still in
// the cache): each round parses the trace twice, with and without the collectors, and prints the
// difference (CPU time). Slower and noisier, but closer to the real cost than the replay.
// `--profile FILE` writes a .cpuprofile of the timed rounds only (not the parse).
// `--dist` picks the build to time (default: this repository's dist/), e.g. a copy of an older one.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: "string", default: "5" },
    dist: { type: "string", default: new URL("../dist", import.meta.url).pathname },
    dump: { type: "string" },
    profile: { type: "string" },
    inline: { type: "boolean", default: false },
  },
});
if (positionals.length !== 1) {
  console.error("usage: node scripts/bench-resources.mjs [--rounds N] [--dist DIR] [--dump FILE] TRACE");
  process.exit(2);
}
const dist = resolve(values.dist);
const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);
const { TraceParser } = await load("parse/trace-parser.js");
const { ResourceCollector } = await load("parse/resources.js");
const { ArgValueCollector } = await load("parse/arg-values.js");
// Which calls become events, as src/io/parse-run.ts decides for generate.
const { bareCalls } = await load("io/parse-part.js");
const { openInput, readLines } = await load("io/read-lines.js");

const trace = positionals[0];

/** Streams the trace through `parser`, as src/io/parse-run.ts does, and ends it. */
async function readTrace(parser) {
  parser.beginFile(trace);
  await readLines(openInput(trace), {
    line: (text, lineNo, complete) => parser.line(text, lineNo, complete),
    bytes: (n) => parser.addBytes(n),
    problem: (code, message, lineNo) => parser.fileDiagnostic(code, message, lineNo),
  });
  parser.finish();
}

/** Parses the trace, feeding the collectors (or nothing); CPU ms. */
async function parseOnce(collect) {
  const values = collect ? new ArgValueCollector() : undefined;
  const resources = collect ? new ResourceCollector({ file: trace }) : undefined;
  const c0 = process.cpuUsage();
  const parser = new TraceParser(
    { id: trace, files: [trace] },
    {
      arch: "x86_64",
      onSyscall: collect
        ? (e) => {
            values.observe(e);
            resources.observe(e);
          }
        : () => {},
      ...bareCalls(collect ? (pid) => resources.observeBare(pid) : () => {}),
    },
  );
  await readTrace(parser);
  if (resources) {
    resources.result();
    resources.problems();
    values.result();
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3;
}

if (values.inline) {
  const bare = [];
  const full = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    bare.push(await parseOnce(false));
    full.push(await parseOnce(true));
  }
  const b = Math.min(...bare);
  const f = Math.min(...full);
  console.log(`parse only (cpu ms): ${bare.map((t) => t.toFixed(0)).join(" ")}`);
  console.log(`with collectors:     ${full.map((t) => t.toFixed(0)).join(" ")}`);
  console.log(`best: collectors cost ${(f - b).toFixed(0)} ms (${b.toFixed(0)} -> ${f.toFixed(0)})`);
  process.exit(0);
}

// Events as objects, bare calls as their pid (a number), in trace order.
const feed = [];
let events = 0;
const parser = new TraceParser(
  { id: trace, files: [trace] },
  {
    arch: "x86_64",
    onSyscall: (e) => {
      feed.push(e);
      events++;
    },
    ...bareCalls((pid) => feed.push(pid)),
  },
);
await readTrace(parser);
console.log(`${trace}: ${feed.length} calls, ${events} events, ${feed.length - events} bare`);
if (feed.length === 0) {
  console.error("bench-resources: the parse fed nothing: not a trace, or this script no longer matches the parser");
  process.exit(1);
}

function run() {
  const values = new ArgValueCollector();
  const resources = new ResourceCollector({ file: trace });
  for (let i = 0; i < feed.length; i++) {
    const e = feed[i];
    if (typeof e === "number") resources.observeBare(e);
    else {
      values.observe(e);
      resources.observe(e);
    }
  }
  return { resources: resources.result(), problems: resources.problems(), decorations: resources.decorations, argValues: values.result() };
}

const session = values.profile ? new Session() : undefined;
const post = (method, params) => new Promise((ok, fail) => session.post(method, params, (err, res) => (err ? fail(err) : ok(res))));
if (session) {
  session.connect();
  await post("Profiler.enable");
  await post("Profiler.start");
}
const rounds = Number(values.rounds);
const times = [];
const cpus = [];
let out;
for (let r = 0; r < rounds; r++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  out = run();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const c = process.cpuUsage(c0);
  cpus.push((c.user + c.system) / 1e3);
}
// CPU time too: on a busy machine it varies less than wall time (GC threads count in both).
const best = Math.min(...times);
const bestCpu = Math.min(...cpus);
console.log(`rounds (ms): ${times.map((t) => t.toFixed(1)).join(" ")}`);
console.log(`cpu (ms):    ${cpus.map((t) => t.toFixed(1)).join(" ")}`);
console.log(
  `best ${best.toFixed(1)} ms (cpu ${bestCpu.toFixed(1)} ms) = ${((best / feed.length) * 1e6).toFixed(0)} ms per million calls, ${((best / events) * 1e6).toFixed(0)} ms per million events`,
);
if (session) writeFileSync(values.profile, JSON.stringify((await post("Profiler.stop")).profile));
if (values.dump) writeFileSync(values.dump, `${JSON.stringify(out, null, 1)}\n`);
