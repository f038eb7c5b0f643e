// One file parsed in parts and merged (parse-split.ts) must give exactly what one parse of the
// whole file gives: counts, processes, diagnostics, flags, argument constants and resources (paths
// resolved through cwd and fd tables that cross the cut). Real traces, the samples and programs
// recorded here with strace, cut at every line boundary into two parts and at many pairs of places
// into three, each part parsed knowing nothing of the parts before it; then the worker path end to
// end on a file of many parts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import type { ObservedRun, RunResult } from "../model/trace.js";
import type { InputRun } from "./inputs.js";
import { parsePart } from "./parse-part.js";
import { parseRun } from "./parse-run.js";
import { JOBS_HELP } from "../cli/options.js";
import { PartMerger, PartPool, parseRunSplit, type SplitOptions } from "./parse-split.js";
import { askWorker } from "./parse-runs.js";
import { AUTO_SPLIT_BYTES, MIN_PARTS, PART_BYTES, splitPlan, startParseWorker } from "./workers.js";
import { MAX_LISTED_PROCESSES, TraceParser } from "../parse/trace-parser.js";
import { callsRead, eventMatters, ResourceCollector } from "../parse/resources.js";
import type { SyscallEvent } from "../model/trace.js";
import { haveTool, SAMPLES } from "../test/support/paths.js";
import { DECODE_WINDOW } from "./read-lines.js";

const scratch = mkdtempSync(join(tmpdir(), "syscage-split-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runOf(path: string): InputRun {
  return { id: "t.trace", files: ["t.trace"], runFiles: [{ path, display: "t.trace" }] };
}

/** parseRunSplit on two threads with odd parts left to the worker (a cold one might get none), and which thread merged each part. */
async function splitOnWorker(path: string, observe: boolean, more: Partial<SplitOptions> = {}): Promise<{ split: RunResult | undefined; by: string[] }> {
  const by: string[] = [];
  const split = await parseRunSplit(runOf(path), {
    arch: "x86_64",
    observe,
    jobs: 2,
    partBytes: 4096,
    leave: (index) => index % 2 === 1,
    onPart: (_, who) => by.push(who),
    ...more,
  });
  return { split, by };
}

function bytesOf(path: string): Buffer {
  const b = readFileSync(path);
  return b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b;
}

/** Byte offsets where lines start (after every newline but the last). */
function lineStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = b.indexOf(10); i >= 0 && i + 1 < b.length; i = b.indexOf(10, i + 1)) out.push(i + 1);
  return out;
}

/**
 * The file cut at `cuts` (sorted byte offsets) and merged; undefined if the merge refuses. Part k is
 * parsed on its own in this thread and merged (`A`, as a worker's part), or, where `how[k]` is `D`,
 * parsed by the merge as the continuation of what it merged (as the main thread's own parts).
 */
function inParts(b: Buffer, cuts: number[], observe: boolean, sha256: string | undefined, how = ""): RunResult | ObservedRun | undefined {
  const source = { id: "t.trace", files: ["t.trace"] };
  const merger = new PartMerger(source, "t.trace", { arch: "x86_64", observe });
  const bounds = [0, ...cuts, b.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const bytes = new Uint8Array(b.subarray(bounds[k], bounds[k + 1]));
    if (how[k] === "D") {
      merger.direct(bytes);
      continue;
    }
    // Through structured clone, as the reply crosses from the worker.
    const reply = structuredClone(parsePart({ source, display: "t.trace", arch: "x86_64", observe, bytes }));
    if (!merger.add(reply)) return undefined;
  }
  return merger.finish(sha256);
}

/** Which parts the merge parses itself, as the main thread does: every pattern of two parts, and of three but all and none, by turns. */
const MIXED_2 = ["DA", "AD"];
const MIXED_3 = ["DAD", "ADA", "DDA", "ADD", "DAA", "AAD"];

/**
 * Cuts `path` at every line boundary (two parts) when `every`, else at a stride plus every boundary
 * next to a line that carries state over (unfinished/resumed calls, clone, exec, chdir, exits), and
 * at pairs of places (three parts); each merge must equal the whole parse, byte for byte.
 */
async function checkCuts(path: string, options: { observe: boolean; every: boolean; max?: number }): Promise<number> {
  const whole = await parseRun(runOf(path), { arch: "x86_64", observe: options.observe });
  const expected = JSON.stringify(whole);
  const b = bytesOf(path);
  const starts = lineStarts(b);
  const lines = b.toString("latin1").split("\n");
  const awkward = (i: number) => /unfinished|resumed|clone|fork|execve|chdir|\+\+\+|---|dup|close\(/.test(lines[i] ?? "");
  let cuts = options.every ? starts : starts.filter((_, i) => i % 37 === 0 || awkward(i) || awkward(i + 1));
  const max = options.max ?? Infinity;
  if (cuts.length > max) cuts = cuts.filter((_, j) => j % Math.ceil(cuts.length / max) === 0);
  const sha = "sha256" in whole ? (whole as ObservedRun).sha256 : undefined;
  let checked = 0;
  for (const [n, c] of cuts.entries()) {
    for (const how of ["AA", MIXED_2[n % MIXED_2.length]!]) {
      const got = inParts(b, [c], options.observe, sha, how);
      assert.ok(got, `${path}: the merge refused a cut at byte ${c} (${how})`);
      assert.equal(JSON.stringify(got), expected, `${path} cut at byte ${c} (line ${starts.indexOf(c) + 2}, parts ${how})`);
      checked++;
    }
  }
  // Three parts: a cut and one a few lines further (a call and its resumed half in different parts, a part of one line).
  for (let j = 0; j < cuts.length; j += options.every ? 7 : 3) {
    const i = starts.indexOf(cuts[j]!);
    for (const [k, d] of [1, 2, 5].entries()) {
      const second = starts[i + d];
      if (second === undefined) continue;
      const how = k === 0 ? "AAA" : MIXED_3[(j + k) % MIXED_3.length]!;
      const got = inParts(b, [cuts[j]!, second], options.observe, sha, how);
      assert.ok(got, `${path}: the merge refused cuts at ${cuts[j]} and ${second} (${how})`);
      assert.equal(JSON.stringify(got), expected, `${path} cut at bytes ${cuts[j]} and ${second} (parts ${how})`);
      checked++;
    }
  }
  return checked;
}

let lastStderr = "";

/** Records `sh -c script` under strace with `flags` (-o FILE: every line has a PID column). */
function record(name: string, flags: string[], script: string): string {
  const out = join(scratch, name);
  const r = spawnSync("strace", [...flags, "-s", "256", "-o", out, "sh", "-c", script], {
    cwd: scratch,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  assert.equal(r.status, 0, `strace ${flags.join(" ")}: ${r.stderr}`);
  lastStderr = r.stderr;
  return out;
}

// A program whose state crosses any cut: threads sharing cwd and fds, chdir, relative opens, dup,
// fork and exec, a socket, and calls interrupted by other pids (`<unfinished ...>`).
const PYTHON = `/usr/bin/python3 -c "
import os, threading, subprocess, socket
os.makedirs('d/e', exist_ok=True)
os.chdir('d')
fd = os.open('e', os.O_RDONLY | os.O_DIRECTORY)
def work(i):
    with open(f'e/f{i}', 'w') as f: f.write('x')
    os.stat(f'f{i}', dir_fd=fd)
    os.listdir('e')
t = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[x.start() for x in t]; [x.join() for x in t]
os.dup2(fd, 9)
os.chdir('e')
open('../g', 'w').close()
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
subprocess.run(['ls', '-l', '.'], stdout=subprocess.DEVNULL)
if os.fork() == 0:
    os.chdir('/tmp'); open('f0' if False else os.devnull).close(); os._exit(0)
os.wait()
"`;

describe("parse in parts: the samples cut at many places", () => {
  // Every boundary of the shorter traces; for the longer ones (a cut costs a parse of the whole),
  // the boundaries next to lines that carry state over and a stride.
  const samples: [string, boolean][] = [
    ["shell/run1.f-o.trace", true],
    ["shell/run4.f-i.trace", true],
    ["db/run3.f-x-s128.trace", true],
    ["web/run1.f-o.trace", false],
    ["web/run3.f-tt-T-y.trace.gz", false],
    ["runtime/run1.f-ttt.trace.gz", false],
  ];
  for (const [s, every] of samples) {
    it(`${s}: stats and generate's parse${every ? ", every line boundary" : ""}`, async () => {
      const max = every ? Infinity : 300;
      const n = (await checkCuts(join(SAMPLES, s), { observe: false, every, max })) + (await checkCuts(join(SAMPLES, s), { observe: true, every, max }));
      assert.ok(n > 200, `only ${n} cuts checked`);
    });
  }
});

describe("parse in parts: programs recorded here", { skip: !haveTool("strace", ["-V"]) || !haveTool("/usr/bin/python3", ["--version"]) }, () => {
  for (const flags of [["-f"], ["-f", "-tt", "-T", "-y"], ["-f", "-yy"], ["-f", "-ttt", "-y", "-i"]]) {
    it(`python with threads, chdir, dup, fork, exec (strace ${flags.join(" ")})`, async () => {
      const path = record(`py${flags.join("")}.trace`, flags, `rm -rf d; ${PYTHON}`);
      const text = readFileSync(path, "latin1");
      assert.ok(text.includes("<unfinished ...>"), "the recording has interrupted calls");
      assert.ok(text.includes('chdir("e"'), `the recording changes directory (${text.split("\n").length} lines): ${lastStderr.slice(-600)}`);
      assert.ok((await checkCuts(path, { observe: true, every: false, max: 150 })) > 100);
    });
  }
  // Two recordings one after the other in one file (as `strace -p` of two processes, or the bench's
  // copies): the second's first process is announced by no clone, and starts at once (it waits for
  // no clone that cannot come). Its thread shares its cwd: the thread's open after the main
  // thread's second chdir resolves against that second directory, as the calls ran in this order.
  it("two recordings in one file: the second's threads tracked in trace order, and every cut", async () => {
    const script = `rm -rf a b; mkdir a b; touch b/rel; /usr/bin/python3 -c "
import os, threading
base = os.getcwd()
os.chdir(base + '/a')
go = threading.Event()
def work():
    go.wait()
    open('rel').close()
t = threading.Thread(target=work)
t.start()
os.chdir(base + '/b')
go.set()
t.join()
"`;
    const one = readFileSync(record("order1.trace", ["-f"], script));
    const two = readFileSync(record("order2.trace", ["-f"], script));
    const path = join(scratch, "order.trace");
    writeFileSync(path, Buffer.concat([one, two]));
    const pids = (b: Buffer) =>
      new Set(
        b
          .toString("latin1")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => l.split(" ")[0]),
      );
    assert.equal([...pids(two)].filter((p) => pids(one).has(p)).length, 0, "the recordings share no pid");
    assert.ok(one.toString("latin1").includes("resumed>"), "the first recording shows strace printing calls as they begin");
    const whole = await parseRun(runOf(path), { arch: "x86_64", observe: true });
    const files = whole.resources?.files.map((f) => f.path) ?? [];
    assert.ok(files.includes(join(scratch, "b", "rel")), `b/rel in ${files.filter((f) => f.startsWith(scratch)).join(", ")}`);
    assert.ok(!files.includes(join(scratch, "a", "rel")), "the second recording's thread opened rel after the chdir to b");
    assert.ok((await checkCuts(path, { observe: true, every: false, max: 150 })) > 100);
  });
  // A part is decoded in windows of whole lines (DECODE_WINDOW, 64 KiB): lines longer than a window must stay whole.
  it("lines longer than a decode window (cat of 150 kB under -s 200000)", async () => {
    const path = join(scratch, "long.trace");
    const r = spawnSync("strace", ["-f", "-s", "200000", "-o", path, "sh", "-c", "head -c 150000 /dev/zero | tr '\\0' a > big; cat big > /dev/null; rm big"], {
      cwd: scratch,
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const longest = Math.max(
      ...readFileSync(path, "latin1")
        .split("\n")
        .map((l) => l.length),
    );
    assert.ok(longest > 2 * DECODE_WINDOW, `longest line ${longest} bytes`);
    assert.ok((await checkCuts(path, { observe: true, every: false, max: 60 })) > 40);
    assert.ok((await checkCuts(path, { observe: false, every: false, max: 60 })) > 40);
  });
});

// The parser forgets a process when it exits and lists only the first MAX_LISTED_PROCESSES (issue 10):
// the merge must forget the same processes at the same lines, so that a pid reused later is a new
// process and a clone result printed after its child's exit still gives the child its parent.
describe("parse in parts: processes forgotten at exit", () => {
  it("a child that exits before its vfork result, then a pid reused: every cut", async () => {
    const path = join(scratch, "reuse.trace");
    writeFileSync(
      path,
      [
        `100  execve("/bin/sh", ["sh"], 0x1 /* 1 vars */) = 0`,
        `100  vfork( <unfinished ...>`,
        `200  execve("/bin/true", ["true"], 0x1 /* 1 vars */) = 0`,
        `200  exit_group(0)                     = ?`,
        `200  +++ exited with 0 +++`,
        `100  <... vfork resumed>)              = 200`,
        `100  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=200, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---`,
        `100  clone(child_stack=NULL, flags=SIGCHLD) = 200`,
        `200  execve("/bin/false", ["false"], 0x1 /* 1 vars */) = 0`,
        `200  exit_group(3)                     = ?`,
        `200  +++ exited with 3 +++`,
        `100  exit_group(0)                     = ?`,
        `100  +++ exited with 0 +++`,
        "",
      ].join("\n"),
    );
    const whole = await parseRun(runOf(path), { arch: "x86_64", observe: false });
    assert.deepEqual(
      whole.processes.filter((p) => p.pid === 200).map((p) => [p.parent, p.execs, p.exit?.kind === "exited" ? p.exit.code : undefined]),
      [
        [100, ["/bin/true"], 0],
        [100, ["/bin/false"], 3],
      ],
    );
    assert.ok((await checkCuts(path, { observe: false, every: true })) + (await checkCuts(path, { observe: true, every: true })) > 20);
  });

  it("a real recording twice under the same pids (every pid reused after its exit)", async () => {
    const seed = bytesOf(join(SAMPLES, "shell/run1.f-o.trace")).toString("latin1");
    const path = join(scratch, "twice.trace");
    writeFileSync(path, seed + seed, "latin1");
    const whole = await parseRun(runOf(path), { arch: "x86_64", observe: false });
    assert.equal(whole.processCount, 2 * (await parseRun(runOf(join(SAMPLES, "shell/run1.f-o.trace")), { arch: "x86_64", observe: false })).processCount);
    const n = (await checkCuts(path, { observe: false, every: false, max: 120 })) + (await checkCuts(path, { observe: true, every: false, max: 120 }));
    assert.ok(n > 200, `only ${n} cuts checked`);
  });

  it("more processes than a run lists: the same first ones listed and all counted, in parts and on workers", async () => {
    // A shell starting short processes one after another, as strace -f -o prints it.
    const n = MAX_LISTED_PROCESSES + 300;
    const lines = [`100  execve("/bin/sh", ["sh", "build.sh"], 0x7ffc0 /* 20 vars */) = 0`];
    for (let i = 0; i < n; i++) {
      const pid = 1000 + i;
      lines.push(
        `100  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a) = ${pid}`,
        `${pid}  execve("/usr/bin/cc", ["cc", "-c", "f${i}.c"], 0x55d0 /* 20 vars */) = 0`,
        `${pid}  exit_group(0)                     = ?`,
        `${pid}  +++ exited with ${i % 7} +++`,
      );
    }
    lines.push(`100  exit_group(0)                     = ?`, `100  +++ exited with 0 +++`, "");
    const path = join(scratch, "build.trace");
    writeFileSync(path, lines.join("\n"));
    const b = bytesOf(path);
    const starts = lineStarts(b);
    for (const observe of [false, true]) {
      const whole = await parseRun(runOf(path), { arch: "x86_64", observe });
      assert.equal(whole.processCount, n + 1);
      assert.equal(whole.processes.length, MAX_LISTED_PROCESSES);
      const expected = JSON.stringify(whole);
      const sha = observe ? (whole as ObservedRun).sha256 : undefined;
      // Cuts before, at and after the line where the list fills up, and a stride.
      const full = 1 + 4 * (MAX_LISTED_PROCESSES - 1) + 3;
      const cuts = [full - 5, full - 1, full, full + 1, full + 6, ...starts.map((_, i) => i).filter((i) => i % 9001 === 5)];
      for (const c of cuts)
        for (const how of ["AA", ...MIXED_2])
          assert.equal(JSON.stringify(inParts(b, [starts[c]!], observe, sha, how)), expected, `cut at line ${c + 2} (${how})`);
      for (const how of ["AAAA", "DADA", "ADAD"])
        assert.equal(JSON.stringify(inParts(b, [starts[3000]!, starts[full]!, starts[40000]!], observe, sha, how)), expected, how);
      const split = await parseRunSplit(runOf(path), { arch: "x86_64", observe, jobs: 2, partBytes: 64 * 1024, leave: (index) => index % 2 === 1 });
      assert.ok(split, "the split parse refused the file");
      assert.equal(JSON.stringify(split), expected);
    }
  });
});

// The workers send the resource tracker only the events eventMatters() keeps, the others as a bare
// pid: a collector fed that way must learn exactly what one fed every event learns (resources,
// problems with untrusted paths, how strace wrote -y decorations), on every sample and on hostile text.
describe("parse in parts: eventMatters keeps every event the resource tracker acts on", () => {
  const HOSTILE = [
    `100 execve("/bin/sh", ["sh"], 0x1 /* 1 vars */) = 0`,
    `100 openat(AT_FDCWD, "/tmp/rlo\\342\\200\\256txt.exe", O_WRONLY|O_CREAT, 0666) = 3</tmp/rlo\\342\\200\\256txt.exe>`,
    `100 read(3</tmp/rlo\\342\\200\\256txt.exe>, "", 1) = 0`,
    `100 unlink("/tmp/y") = 0`,
    `100 fstat(4</tmp/y>(deleted), {st_mode=S_IFREG|0644, st_size=0, ...}) = 0`,
    `100 fchdir(4</tmp/y>(deleted)) = 0`,
    `100 memfd_create("csi\\302\\23331m", MFD_CLOEXEC) = 5</memfd:csi\\302\\23331m (deleted)>`,
    `100 openat(6</srv/d (deleted)>, "f", O_RDONLY) = 7</srv/d (deleted)/f>`,
    `100 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 8<TCP:[1]>`,
    `100 connect(8<TCP:[1]>, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("10.0.0.1")}, 16) = 0`,
    `100 accept4(8<TCP:[1]>, NULL, NULL, SOCK_CLOEXEC) = 9<TCP:[10.0.0.2:80->10.0.0.1:5]>`,
    // A call no handler reads whose -y result replaces what fd 12 meant: a later undecorated use must not see /srv.
    `100 openat(AT_FDCWD, "/srv", O_RDONLY|O_DIRECTORY) = 12</srv>`,
    `100 bpf(BPF_MAP_CREATE, {map_type=BPF_MAP_TYPE_HASH}, 72) = 12<anon_inode:bpf-map>`,
    `100 openat(12, "x", O_RDONLY) = 13`,
    `100 clone(child_stack=NULL, flags=SIGCHLD) = 101`,
    `101 execve("/usr/bin/nel\\302\\205x", ["x"], 0x1 /* 1 vars */) = 0`,
    `101 chdir("/tmp\\342\\200\\216") = 0`,
    `101 openat(AT_FDCWD, "a", O_WRONLY|O_CREAT, 0666) = 3`,
    `101 exit_group(0) = ?`,
    `101 +++ exited with 0 +++`,
    `100 exit_group(0) = ?`,
    `100 +++ exited with 0 +++`,
    "",
  ].join("\n");

  it("on the samples and on hostile paths and decorations", async () => {
    const hostile = join(scratch, "hostile.trace");
    writeFileSync(hostile, HOSTILE);
    const paths = [
      hostile,
      ...[
        "shell/run1.f-o.trace",
        "shell/run4.f-i.trace",
        "db/run2.f-k.trace.gz",
        "db/run3.f-x-s128.trace",
        "web/run1.f-o.trace",
        "web/run3.f-tt-T-y.trace.gz",
        "runtime/run1.f-ttt.trace.gz",
      ].map((s) => join(SAMPLES, s)),
    ];
    for (const path of paths) {
      const all = new ResourceCollector({ file: "t" });
      const some = new ResourceCollector({ file: "t" });
      let bare = 0;
      const mattered: number[] = [];
      await parseRun(runOf(path), {
        arch: "x86_64",
        onSyscall: (e: SyscallEvent) => {
          all.observe(e);
          if (eventMatters(e)) mattered.push(e.line);
          if (eventMatters(e)) some.observe(e);
          else {
            bare++;
            some.observe({ pid: e.pid, line: 0, arch: e.arch, name: "", known: true, args: "", outcome: "error", retval: "", errno: "", retDecor: "" });
          }
        },
      });
      assert.ok(bare > 0, `${path}: every event mattered`);
      assert.deepEqual(some.result(), all.result(), path);
      assert.deepEqual(some.problems(), all.problems(), path);
      assert.deepEqual(some.decorations, all.decorations, path);
      // The parser's own shortcut (eventNeeded/onBare, what generate uses): no event is made for a
      // call eventNeeded rules out unless its result has a -y decoration; the collector learns the same.
      const viaParser = new ResourceCollector({ file: "t" });
      let parserBare = 0;
      let parserEvents = 0;
      const delivered = new Set<number>();
      const parser = new TraceParser(
        { id: "t", files: [path] },
        {
          arch: "x86_64",
          onSyscall: (e) => {
            parserEvents++;
            delivered.add(e.line);
            viaParser.observe(e);
          },
          eventNeeded: callsRead,
          onBare: (pid) => {
            parserBare++;
            viaParser.observeBare(pid);
          },
        },
      );
      parser.beginFile(path);
      const lines = bytesOf(path).toString("latin1").split("\n");
      lines.forEach((line, i) => {
        if (i < lines.length - 1 || line !== "") parser.line(line, i + 1, i < lines.length - 1);
      });
      parser.finish();
      assert.ok(parserBare > 0 && parserEvents > 0, `${path}: ${parserBare} bare, ${parserEvents} events`);
      assert.deepEqual(
        mattered.filter((l) => !delivered.has(l)),
        [],
        `${path}: lines of events eventMatters() keeps that the parser sent bare`,
      );
      assert.ok(parserBare <= bare, `${path}: ${parserBare} bare calls, but eventMatters() ruled out only ${bare}`);
      assert.deepEqual(viaParser.result(), all.result(), `${path} via the parser's bare calls`);
      assert.deepEqual(viaParser.problems(), all.problems(), `${path} via the parser's bare calls`);
      assert.deepEqual(viaParser.decorations, all.decorations, `${path} via the parser's bare calls`);
      if (path === hostile) {
        assert.ok(all.problems().length >= 3, `the hostile paths gave problems: ${JSON.stringify(all.problems())}`);
        assert.equal(all.decorations.deletedOutside, true);
      }
    }
    // And the hostile text cut at every line gives what one parse gives (SC_UNSAFE_VALUE lines included).
    assert.ok((await checkCuts(hostile, { observe: true, every: true })) > 20);
  });
});

describe("parse in parts: on worker threads", () => {
  it("a file of many parts gives what one parse gives, hash included (one worker, and two)", async () => {
    // The samples' -f -o traces one after the other, each under pids of its own, many times.
    const seeds = ["shell/run1.f-o.trace", "web/run1.f-o.trace", "db/run3.f-x-s128.trace"].map((s) => bytesOf(join(SAMPLES, s)).toString("latin1"));
    let text = "";
    for (let copy = 0; copy < 6; copy++) {
      for (const [k, seed] of seeds.entries()) {
        const shift = (copy * 3 + k + 1) * 100000;
        text += seed
          .replace(/^(\d+)/gm, (p) => String(Number(p) + shift))
          .replace(/(clone3?\(.*\) += )(\d+)/g, (_, a: string, p: string) => a + String(Number(p) + shift));
      }
    }
    const path = join(scratch, "many.trace");
    writeFileSync(path, text, "latin1");
    for (const [observe, jobs] of [
      [false, 2],
      [true, 2],
      [true, 3],
    ] as const) {
      const whole = await parseRun(runOf(path), { arch: "x86_64", observe });
      const by: string[] = [];
      const split = await parseRunSplit(runOf(path), {
        arch: "x86_64",
        observe,
        jobs,
        partBytes: 48 * 1024,
        // Every third part waits for a worker (warming up, it might otherwise get none of so few).
        leave: (index) => index % 3 === 2,
        onPart: (index, who) => {
          assert.equal(index, by.length, "parts are merged in file order");
          by.push(who);
        },
      });
      assert.ok(split, "the split parse refused the file");
      assert.equal(JSON.stringify(split), JSON.stringify(whole));
      // The main thread parsed parts of its own and merged a worker's.
      assert.ok(by.includes("merge") && by.includes("worker"), `parts by ${by.join(" ")}`);
    }
  });

  it("a gzip file: its decompressed parts split, what one parse gives, hash included", async () => {
    const text = bytesOf(join(SAMPLES, "web/run1.f-o.trace")).toString("latin1").repeat(6);
    const path = join(scratch, "many.trace.gz");
    writeFileSync(path, gzipSync(Buffer.from(text, "latin1")));
    for (const observe of [false, true]) {
      const { split, by } = await splitOnWorker(path, observe);
      assert.ok(split, "the split parse refused the file");
      assert.equal(JSON.stringify(split), JSON.stringify(await parseRun(runOf(path), { arch: "x86_64", observe })));
      assert.ok(by.includes("merge") && by.includes("worker"), `parts by ${by.join(" ")}`);
    }
    // Not by default: its decompression leaves two threads little to gain.
    assert.equal(await parseRunSplit(runOf(path), { arch: "x86_64", observe: false, jobs: 2, partBytes: 4096, skipGzip: true }), undefined);
  });

  it("a worker that dies in a split leaves the file to the whole parse, never hangs", { timeout: 60_000 }, async () => {
    const text = bytesOf(join(SAMPLES, "web/run1.f-o.trace")).toString("latin1").repeat(8);
    const path = join(scratch, "dies.trace");
    writeFileSync(path, text, "latin1");
    let killed: Promise<number> | undefined;
    const by: string[] = [];
    const split = await parseRunSplit(runOf(path), {
      arch: "x86_64",
      observe: true,
      jobs: 2,
      partBytes: 4096,
      onWorkers: (workers) => {
        killed = workers[0]!.terminate();
      },
      // From the fourth part on, this thread waits for the worker: it must see that the worker is gone.
      leave: (index) => index >= 3,
      onPart: (_, who) => by.push(who),
    });
    assert.ok(killed, "the test saw no worker");
    await killed;
    assert.equal(split, undefined);
    assert.ok(by.length <= 3, `parts by ${by.join(" ")}`);
  });

  it("a worker that ends without answering fails the part (the file is then parsed whole), never hangs", async () => {
    const w = startParseWorker();
    const answer = askWorker(w, { run: runOf(join(SAMPLES, "shell/run1.f-o.trace")), arch: "x86_64", observe: true });
    void w.terminate();
    await assert.rejects(answer, /exited|terminated/);
  });

  it("parses in this thread what it cannot stitch (stderr mode, a -C table): what one parse gives; small files whole", async () => {
    for (const s of ["web/run2.f-stderr.trace", "web/run4.f-C.trace"]) {
      for (const observe of [false, true]) {
        const whole = await parseRun(runOf(join(SAMPLES, s)), { arch: "x86_64", observe });
        const { split, by } = await splitOnWorker(join(SAMPLES, s), observe, { partBytes: 2048 });
        assert.equal(JSON.stringify(split), JSON.stringify(whole), s);
        // From the part that shows the shape on, every part is parsed here.
        const lastWorker = by.lastIndexOf("worker");
        assert.ok(by.length > 30 && lastWorker < by.length - 1, `${s}: parts by ${by.join(" ")}`);
      }
    }
    // A long -f -o recording that ends with strace's -C table: the parts before it are split, the
    // table's part is parsed here, wherever the worker's parse of it was refused.
    const body = bytesOf(join(SAMPLES, "web/run1.f-o.trace")).toString("latin1");
    const table = bytesOf(join(SAMPLES, "web/run4.f-C.trace")).toString("latin1");
    const path = join(scratch, "with-table.trace");
    writeFileSync(path, body.repeat(4) + table.slice(table.indexOf("% time")), "latin1");
    for (const observe of [false, true]) {
      const whole = await parseRun(runOf(path), { arch: "x86_64", observe });
      assert.ok(whole.tables && whole.tables.length > 0, "the whole parse read the table");
      const { split, by } = await splitOnWorker(path, observe, { partBytes: 16 * 1024 });
      assert.equal(JSON.stringify(split), JSON.stringify(whole));
      assert.ok(by.includes("worker"), `parts by ${by.join(" ")}`);
    }
    assert.equal(await parseRunSplit(runOf(join(SAMPLES, "shell/run1.f-o.trace")), { arch: "x86_64", observe: false, jobs: 2 }), undefined);
  });
});

// generate's one-thread parse sends the calls no collector reads as bare pids (ParseOptions.eventNeeded):
// the argument constants must still see every socket, personality and clone call, as with every event.
describe("when one file is split", () => {
  it("--jobs N splits on N threads, --jobs 1 never; by default a big file on two threads when there are two cores", () => {
    const asked = { minBytes: 0, stopWhenDense: true, skipGzip: false };
    const auto = { jobs: 2, minBytes: AUTO_SPLIT_BYTES, stopWhenDense: true, skipGzip: true };
    assert.deepEqual(splitPlan(3, 8), { jobs: 3, ...asked });
    assert.deepEqual(splitPlan(2, 1), { jobs: 2, ...asked }, "asked for: even on one core");
    assert.equal(splitPlan(1, 8), undefined);
    assert.deepEqual(splitPlan(undefined, 2), auto);
    assert.deepEqual(splitPlan(undefined, 16), auto);
    assert.equal(splitPlan(undefined, 1), undefined);
    assert.ok(AUTO_SPLIT_BYTES >= 128 << 20, "the bench's 128 MiB gain nothing from a split");
    assert.ok(JOBS_HELP.includes(`${AUTO_SPLIT_BYTES / (1 << 20)} MiB`), "--help gives the size");
    assert.ok(JOBS_HELP.includes(`${(MIN_PARTS * PART_BYTES) / (1 << 20)} MiB`), "--help gives the split's own minimum");
  });

  it("part buffers: those the pool made are read into again, no other joins it", () => {
    const pool = new PartPool(4096);
    const a = pool.take();
    assert.equal(a.byteLength, 4096);
    pool.free(a);
    assert.equal(pool.take(), a, "a freed buffer is taken again");
    // A gzip file's part, or one grown for a long line, of exactly the part size: not the pool's.
    const foreign = new SharedArrayBuffer(4096);
    pool.free(foreign);
    assert.notEqual(pool.take(), foreign);
  });

  it("a file under minBytes is parsed whole; at it, split", async () => {
    const text = bytesOf(join(SAMPLES, "web/run1.f-o.trace")).toString("latin1").repeat(3);
    const path = join(scratch, "min-bytes.trace");
    writeFileSync(path, text, "latin1");
    const size = Buffer.byteLength(text, "latin1");
    const options = { arch: "x86_64" as const, observe: false, jobs: 2, partBytes: 4096 };
    assert.equal(await parseRunSplit(runOf(path), { ...options, minBytes: size + 1 }), undefined);
    const split = await parseRunSplit(runOf(path), { ...options, minBytes: size });
    assert.equal(JSON.stringify(split), JSON.stringify(await parseRun(runOf(path), { arch: "x86_64", observe: false })));
  });
});

describe("a split that may give up: very many processes per part", () => {
  /** A shell starting `n` short processes one after another, as strace -f -o prints it (some 4,000 per MiB). */
  function build(n: number, base: number): string {
    const lines = [`${base}  execve("/bin/sh", ["sh", "build.sh"], 0x7ffc0 /* 20 vars */) = 0`];
    for (let i = 0; i < n; i++) {
      const pid = base + 1 + i;
      lines.push(
        `${base}  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0a) = ${pid}`,
        `${pid}  execve("/usr/bin/cc", ["cc", "-c", "f${i}.c"], 0x55d0 /* 20 vars */) = 0`,
        `${pid}  exit_group(0)                     = ?`,
        `${pid}  +++ exited with 0 +++`,
      );
    }
    lines.push(`${base}  exit_group(0)                     = ?`, `${base}  +++ exited with 0 +++`, "");
    return lines.join("\n");
  }
  const sparse = bytesOf(join(SAMPLES, "web/run1.f-o.trace")).toString("latin1");

  for (const [label, text, dense] of [
    ["dense: the workers stop after the probe", build(3000, 100), true],
    ["sparse (a real recording, 38 processes per MiB): the workers go on", sparse.repeat(6), false],
  ] as const) {
    it(label, async () => {
      const path = join(scratch, `density-${dense}.trace`);
      writeFileSync(path, text, "latin1");
      for (const observe of [false, true]) {
        const { split, by } = await splitOnWorker(path, observe, { stopWhenDense: true });
        assert.equal(JSON.stringify(split), JSON.stringify(await parseRun(runOf(path), { arch: "x86_64", observe })));
        // 16 parts probed, then at most the 8 read ahead that a worker may have taken.
        const late = by.slice(16 + 8);
        assert.ok(late.length > 20, `only ${by.length} parts`);
        if (dense) assert.ok(!late.includes("worker"), `parts by ${by.join(" ")}`);
        else assert.ok(late.includes("worker"), `parts by ${by.join(" ")}`);
      }
    });
  }
});

describe("bare calls: the argument constants still see every call they read", () => {
  it("socket, personality and clone values, with a personality call no resource handler reads", async () => {
    const path = join(scratch, "argvalues.trace");
    writeFileSync(
      path,
      [
        `100 personality(PER_LINUX32) = 0 (PER_LINUX)`,
        `100 personality(0xffffffff) = 8 (PER_LINUX32)`,
        `100 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3`,
        // A failed call: the filter must still allow it (its values), though no resource is made.
        `100 socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) = -1 EPERM (Operation not permitted)`,
        `100 read(3, "", 1) = 0`,
        `100 clone(child_stack=NULL, flags=CLONE_NEWNS|CLONE_NEWPID|SIGCHLD) = 101`,
        `101 exit_group(0) = ?`,
        `101 +++ exited with 0 +++`,
        `100 exit_group(0) = ?`,
        `100 +++ exited with 0 +++`,
        "",
      ].join("\n"),
    );
    const observed = (await parseRun(runOf(path), { arch: "x86_64", observe: true })) as ObservedRun;
    // An outer onSyscall turns the bare calls off: every event reaches the collectors.
    const everyEvent = (await parseRun(runOf(path), { arch: "x86_64", observe: true, onSyscall: () => undefined })) as ObservedRun;
    assert.deepEqual(observed.argValues, everyEvent.argValues);
    assert.deepEqual(observed.resources, everyEvent.resources);
    const x = observed.argValues.x86_64 as Record<string, unknown>;
    assert.ok(Array.isArray(x.personality) && (x.personality as unknown[]).length === 2, JSON.stringify(observed.argValues));
    assert.ok(Array.isArray(x.socket) && (x.socket as unknown[]).length === 2, JSON.stringify(observed.argValues));
    assert.ok(Array.isArray(x.clone) && (x.clone as unknown[]).length === 1, JSON.stringify(observed.argValues));
  });
});
