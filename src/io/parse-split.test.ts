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
import { gunzipSync } from "node:zlib";
import type { ObservedRun, RunResult } from "../model/trace.js";
import type { InputRun } from "./inputs.js";
import { parsePart } from "./parse-part.js";
import { parseRun } from "./parse-run.js";
import { PartMerger, parseRunSplit } from "./parse-split.js";
import { haveTool, SAMPLES } from "../test/support/paths.js";

const scratch = mkdtempSync(join(tmpdir(), "syscage-split-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function runOf(path: string): InputRun {
  return { id: "t.trace", files: ["t.trace"], runFiles: [{ path, display: "t.trace" }] };
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

/** The file cut at `cuts` (sorted byte offsets), each part parsed on its own in this thread, merged; undefined if the merge refuses. */
function inParts(b: Buffer, cuts: number[], observe: boolean, sha256: string | undefined): RunResult | ObservedRun | undefined {
  const source = { id: "t.trace", files: ["t.trace"] };
  const merger = new PartMerger(source, "t.trace", { arch: "x86_64", observe });
  const bounds = [0, ...cuts, b.length];
  for (let k = 0; k + 1 < bounds.length; k++) {
    const bytes = new Uint8Array(b.subarray(bounds[k], bounds[k + 1]));
    // Through structured clone, as the reply crosses from the worker.
    const reply = structuredClone(parsePart({ source, display: "t.trace", arch: "x86_64", observe, bytes }));
    if (!merger.add(reply)) return undefined;
  }
  return merger.finish(sha256);
}

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
  for (const c of cuts) {
    const got = inParts(b, [c], options.observe, sha);
    assert.ok(got, `${path}: the merge refused a cut at byte ${c}`);
    assert.equal(JSON.stringify(got), expected, `${path} cut at byte ${c} (line ${starts.indexOf(c) + 2})`);
    checked++;
  }
  // Three parts: a cut and one a few lines further (a call and its resumed half in different parts, a part of one line).
  for (let j = 0; j < cuts.length; j += options.every ? 7 : 3) {
    const i = starts.indexOf(cuts[j]!);
    for (const d of [1, 2, 5]) {
      const second = starts[i + d];
      if (second === undefined) continue;
      const got = inParts(b, [cuts[j]!, second], options.observe, sha);
      assert.ok(got, `${path}: the merge refused cuts at ${cuts[j]} and ${second}`);
      assert.equal(JSON.stringify(got), expected, `${path} cut at bytes ${cuts[j]} and ${second}`);
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
});

describe("parse in parts: on worker threads", () => {
  it("a file of many parts gives what one parse gives, hash included", async () => {
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
    for (const observe of [false, true]) {
      const whole = await parseRun(runOf(path), { arch: "x86_64", observe });
      const split = await parseRunSplit(runOf(path), { arch: "x86_64", observe, jobs: 2, partBytes: 48 * 1024 });
      assert.ok(split, "the split parse refused the file");
      assert.equal(JSON.stringify(split), JSON.stringify(whole));
    }
  });

  it("refuses what it cannot stitch (stderr mode, -C tables, small files) so that the file is parsed whole", async () => {
    for (const s of ["web/run2.f-stderr.trace", "web/run4.f-C.trace"]) {
      assert.equal(await parseRunSplit(runOf(join(SAMPLES, s)), { arch: "x86_64", observe: true, jobs: 2, partBytes: 4096 }), undefined, s);
    }
    assert.equal(await parseRunSplit(runOf(join(SAMPLES, "shell/run1.f-o.trace")), { arch: "x86_64", observe: false, jobs: 2 }), undefined);
  });
});
