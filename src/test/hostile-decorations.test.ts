// `-y` decorations are trace content too: a decoration is read by the rules of the strace that
// wrote it, and one that cannot be read unambiguously never grants a prefix of itself.
// - strace 5.19 and later print a deleted file as `3</tmp/x>(deleted)`: a ` (deleted)` inside the
//   brackets is part of the name. Before, `3</tmp/x (deleted)>` meant the deleted `/tmp/x`, so an
//   inside ` (deleted)` is only trusted once the run has shown the new form, or when the path
//   argument (or the fd table built from it) says which name it is; else SC_UNSAFE_VALUE.
// - strace before 4.22 did not escape `<` and `>` in names (`3</tmp/a>b>`): such a decoration is
//   left out with SC_UNSAFE_VALUE and the path argument is used.
// The first block records a real program under real strace (syscage's record flags, -y) and checks
// the profiles with apparmor_parser's compiled DFA; the second feeds the old forms, which this
// machine's strace no longer writes, as the text strace 4.x printed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type ContainerResult, generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import type { RunResources } from "../model/resources.js";
import { ResourceCollector } from "../parse/resources.js";
import { assertParserAccepts, dfaAccepts, fileDfa } from "./support/apparmor-oracle.js";
import { parseText } from "./support/parse-text.js";
import { skipUnless } from "./support/skip.js";

// Creates files whose names end in " (deleted)" or hold `<`/`>`, writes through a file after deleting
// it (strace then prints `>(deleted)`), and works relative to a directory fd named "... (deleted)".
const PROGRAM = String.raw`
import os, sys
work = sys.argv[1]
os.chdir(work)
for name in ["data (deleted)", "passwd (deleted)", "a>b", "c<d", "x<char 1:3>", "e>(deleted)", "f> <0.1>"]:
    with open(os.path.join(work, name), "w") as f:
        f.write("x")
fd = os.open(os.path.join(work, "gone"), os.O_WRONLY | os.O_CREAT, 0o644)
os.unlink(os.path.join(work, "gone"))
os.write(fd, b"q")
os.fchmod(fd, 0o600)
os.close(fd)
os.mkdir("dir (deleted)")
d = os.open("dir (deleted)", os.O_RDONLY | os.O_DIRECTORY)
fd = os.open("inner", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d)
os.close(fd)
os.fchdir(d)
with open("rel", "w") as f:
    f.write("x")
`;

function files(r: RunResources | ContainerResult): Map<string, string[]> {
  const list: { path: string; access: readonly string[] }[] = "job" in r ? (r.allowlist.resources?.files ?? []) : r.files;
  return new Map(list.map((f) => [f.path, [...f.access]]));
}

describe("-y decorations from a real strace recording", { skip: skipUnless("strace", "python3", "apparmor_parser") }, () => {
  let dir = "";
  let work = "";
  let trace = "";
  let result: ContainerResult;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "syscage-deco-"));
    work = join(realpathSync(dir), "w");
    mkdirSync(work);
    writeFileSync(join(dir, "p.py"), PROGRAM);
    const rec = await recordCommand(join(dir, "runs"), ["python3", "-S", join(dir, "p.py"), work], [], { stdout: "ignore" });
    assert.equal(rec.status, 0);
    trace = rec.file;
    // Generalization is not what this test looks at (the work directory holds many written files).
    const job = jobFor(
      "deco",
      { inputs: [trace], generalize: { pid: false, uuid: false, hash: false, manyFiles: false } },
      undefined,
      dir,
      join(dir, "profiles"),
    );
    result = await generateContainer(job, { fresh: true, jobs: 1 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("the recording shows the forms this test is about", () => {
    const text = readFileSync(trace, "utf8");
    assert.ok(text.includes(`</${work.slice(1)}/data (deleted)>`), "no decoration with ' (deleted)' inside");
    assert.ok(/<[^<>]*\/gone>\(deleted\)/.test(text), "no decoration with (deleted) outside");
    assert.ok(text.includes("a\\76b>"), "strace did not escape '>' in the decoration");
  });

  it("grants each real name, never the name without ' (deleted)' or a prefix", () => {
    const f = files(result);
    for (const name of [
      "data (deleted)",
      "passwd (deleted)",
      "a>b",
      "c<d",
      "x<char 1:3>",
      "e>(deleted)",
      "f> <0.1>",
      "gone",
      "dir (deleted)/inner",
      "dir (deleted)/rel",
    ]) {
      assert.ok(f.get(join(work, name))?.includes("write"), `${name} not granted write: ${[...f.keys()].join(" | ")}`);
    }
    for (const wrong of ["data", "passwd", "a", "c", "x", "e", "f", "dir/inner", "dir/rel", "dir"]) {
      assert.equal(f.get(join(work, wrong)), undefined, `${wrong} granted`);
    }
    assert.deepEqual(
      result.diagnostics.filter((d) => d.code === "SC_UNSAFE_VALUE"),
      [],
    );
  });

  it("the AppArmor profile compiles and admits none of the prefixes", () => {
    const profile = result.files.find((x) => x.path.endsWith("apparmor.profile"))!.content;
    assertParserAccepts(profile);
    const rules = profile
      .split("\n")
      .filter((l) => l.startsWith('  "'))
      .map((l) => l.trim().replace(/,\s+#.*$/, ","));
    const dfa = fileDfa(rules);
    assert.ok(dfaAccepts(dfa, join(work, "data (deleted)")));
    assert.ok(dfaAccepts(dfa, join(work, "a>b")));
    for (const probe of ["data", "passwd", "a", "c", "x", "e", "f", "dir/rel"]) assert.equal(dfaAccepts(dfa, join(work, probe)), false, `admits ${probe}`);
  });
});

// -yy prints a unix socket's path quoted inside the decoration, with `<` and `>` raw and `"` escaped.
const SOCKETS = String.raw`
import os, socket, sys
work = sys.argv[1]
for name in ['s>o<ck', 'q"u>o']:
    p = os.path.join(work, name)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(p); s.listen(1)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(p)
    a, _ = s.accept(); a.send(b"x"); c.recv(1)
    for x in (a, c, s): os.fchmod(x.fileno(), 0o600)
    for x in (a, c, s): x.close()
`;

describe("-yy socket decorations holding < > and quotes, from a real recording", { skip: skipUnless("strace", "python3", "apparmor_parser") }, () => {
  let dir = "";
  after(() => rmSync(dir, { recursive: true, force: true }));
  it("are read whole: no unsafe value, the socket kind and the socket files, no prefix", async () => {
    dir = mkdtempSync(join(tmpdir(), "syscage-deco-yy-"));
    const work = join(realpathSync(dir), "w");
    mkdirSync(work);
    writeFileSync(join(dir, "s.py"), SOCKETS);
    const rec = await recordCommand(join(dir, "runs"), ["python3", "-S", join(dir, "s.py"), work], ["-yy"], { stdout: "ignore" });
    assert.equal(rec.status, 0);
    assert.ok(readFileSync(rec.file, "utf8").includes(`UNIX-STREAM:[`), "no -yy socket decoration in the trace");
    const job = jobFor(
      "yy",
      { inputs: [rec.file], generalize: { pid: false, uuid: false, hash: false, manyFiles: false } },
      undefined,
      dir,
      join(dir, "profiles"),
    );
    const result = await generateContainer(job, { fresh: true, jobs: 1 });
    assert.deepEqual(
      result.diagnostics.filter((d) => d.code === "SC_UNSAFE_VALUE"),
      [],
    );
    const f = files(result);
    for (const name of ["s>o<ck", 'q"u>o']) assert.ok(f.has(join(work, name)), `${name}: ${[...f.keys()].filter((k) => k.startsWith(work)).join(" | ")}`);
    for (const wrong of ["s", "q", 'q"u']) assert.equal(f.get(join(work, wrong)), undefined, `${wrong} granted`);
    assert.ok(result.allowlist.resources?.sockets.some((s) => s.family === "unix" && s.type === "stream"));
  });
});

function collect(text: string): { r: RunResources; problems: { line: number; message: string }[] } {
  const { events } = parseText(text.endsWith("\n") ? text : `${text}\n`, { file: "old.trace" });
  const c = new ResourceCollector({ file: "old.trace" });
  for (const e of events) c.observe(e);
  return { r: c.result(), problems: c.problems() };
}

/**
 * Old-strace and ambiguous forms: each trace, the paths that must be granted, the paths that must not,
 * and the lines that must carry an unsafe-value problem. The lines are what strace 4.x printed with -y.
 */
const CASES: { name: string; trace: string; granted: string[]; refused: string[]; problemLines: number[] }[] = [
  {
    name: "raw > in a result decoration (strace < 4.22): the path argument, never the prefix",
    trace: `100 openat(AT_FDCWD, "/tmp/a>b", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</tmp/a>b>\n100 fchmod(3</tmp/a>b>, 0600) = 0\n`,
    granted: ["/tmp/a>b"],
    refused: ["/tmp/a"],
    problemLines: [1, 2],
  },
  {
    name: "raw > followed by a space and text that looks like -T",
    trace: `100 openat(AT_FDCWD, "/tmp/a> <0.1>x", O_WRONLY|O_CREAT, 0666) = 3</tmp/a> <0.1>x>\n`,
    granted: ["/tmp/a> <0.1>x"],
    refused: ["/tmp/a"],
    problemLines: [1],
  },
  {
    name: "raw < in a decoration that is not a -yy device",
    trace: `100 openat(AT_FDCWD, "/tmp/c<d>", O_WRONLY|O_CREAT, 0666) = 3</tmp/c<d>>\n100 ftruncate(3</tmp/c<d>>, 0) = 0\n`,
    granted: ["/tmp/c<d>"],
    refused: ["/tmp/c"],
    problemLines: [1, 2],
  },
  {
    name: "a -yy device decoration is still read",
    trace: `100 openat(AT_FDCWD, "/dev/null", O_WRONLY) = 3</dev/null<char 1:3>>\n100 ftruncate(3</dev/null<char 1:3>>, 0) = 0\n`,
    granted: ["/dev/null"],
    refused: ["/dev/null<char 1:3>"],
    problemLines: [],
  },
  {
    name: "an fd decoration with a raw > on an fd the table does not know: nothing granted",
    trace: `100 fchmod(5</etc/shadow>x>, 0600) = 0\n100 mkdirat(6</etc>/tmp>, "sub", 0755) = 0\n`,
    granted: [],
    refused: ["/etc/shadow", "/etc/shadow>x", "/etc/sub", "/etc>/tmp/sub", "/etc"],
    problemLines: [1, 2],
  },
  {
    name: "an AT_FDCWD decoration with a raw > does not set the cwd",
    trace: `100 openat(AT_FDCWD</etc>x>, "passwd", O_WRONLY) = 3\n`,
    granted: [],
    refused: ["/etc/passwd", "/etc>x/passwd"],
    problemLines: [1],
  },
  {
    name: "' (deleted)' inside, version unknown, the path argument says it is the name",
    trace: `100 openat(AT_FDCWD, "/etc/passwd (deleted)", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</etc/passwd (deleted)>\n100 fchmod(3</etc/passwd (deleted)>, 0600) = 0\n`,
    granted: ["/etc/passwd (deleted)"],
    refused: ["/etc/passwd"],
    problemLines: [],
  },
  {
    name: "' (deleted)' inside, version unknown, the fd table says it is a deleted file (strace < 5.19)",
    trace: `100 openat(AT_FDCWD, "/srv/x", O_WRONLY|O_CREAT, 0666) = 3</srv/x>\n100 unlink("/srv/x") = 0\n100 fchmod(3</srv/x (deleted)>, 0600) = 0\n`,
    granted: ["/srv/x"],
    refused: ["/srv/x (deleted)"],
    problemLines: [],
  },
  {
    name: "' (deleted)' inside on an fd nobody opened, version unknown: left out",
    trace: `100 fchmod(5</etc/shadow (deleted)>, 0600) = 0\n100 mkdirat(6</etc (deleted)>, "cron.d", 0755) = 0\n100 open_by_handle_at(7, {handle_bytes=8, handle_type=1}, O_WRONLY) = 8</etc/sudoers (deleted)>\n100 ftruncate(8, 0) = 0\n`,
    granted: [],
    refused: ["/etc/shadow", "/etc/shadow (deleted)", "/etc/cron.d", "/etc (deleted)/cron.d", "/etc/sudoers", "/etc/sudoers (deleted)"],
    problemLines: [1, 2, 3],
  },
  {
    name: "' (deleted)' inside a relative open whose cwd is unknown: left out",
    trace: `100 openat(AT_FDCWD, "passwd (deleted)", O_WRONLY|O_CREAT, 0666) = 3</etc/passwd (deleted)>\n`,
    granted: [],
    refused: ["/etc/passwd"],
    problemLines: [1],
  },
  {
    name: "after strace 5.19's '>(deleted)' was seen, ' (deleted)' inside is part of the name",
    trace: `100 openat(AT_FDCWD, "/srv/y", O_WRONLY|O_CREAT, 0666) = 3</srv/y>\n100 unlink("/srv/y") = 0\n100 fchmod(3</srv/y>(deleted), 0600) = 0\n100 fchmod(5</srv/z (deleted)>, 0600) = 0\n`,
    granted: ["/srv/y", "/srv/z (deleted)"],
    refused: ["/srv/z"],
    problemLines: [],
  },
  {
    name: "AT_FDCWD decoration ending in ' (deleted)' with no cwd known: not learnt",
    trace: `100 openat(AT_FDCWD</etc (deleted)>, "shadow", O_WRONLY) = 3\n`,
    granted: [],
    refused: ["/etc/shadow", "/etc (deleted)/shadow"],
    problemLines: [1],
  },
  {
    name: "a raw > followed by what looks like strace 5.19's (deleted) and -T on a result, no -T in the trace",
    trace: `100 openat(AT_FDCWD, "/tmp/x>(deleted) <0.1", O_WRONLY|O_CREAT, 0666) = 3</tmp/x>(deleted) <0.1>\n`,
    granted: ["/tmp/x>(deleted) <0.1"],
    refused: ["/tmp/x"],
    problemLines: [1],
  },
  {
    name: "the same tail on an fd argument (no -T or injection note is printed inside arguments)",
    trace: `100 fchmod(3</tmp/y>(deleted) <0.1>, 0600) = 0\n100 ftruncate(4</etc/shadow> (INJECTED)>, 0) = 0\n`,
    granted: [],
    refused: ["/tmp/y", "/etc/shadow"],
    problemLines: [1, 2],
  },
  {
    name: "-X verbose AT_FDCWD with a raw > in the cwd",
    trace: `100 openat(-100 /* AT_FDCWD */</srv>x>, "a", O_WRONLY|O_CREAT, 0666) = 3\n`,
    granted: [],
    refused: ["/srv/a", "/srv>x/a"],
    problemLines: [1],
  },
  {
    name: "strace >= 4.22 escapes < and > (\\74, \\76): read exactly, no problem",
    trace: `100 openat(AT_FDCWD, "/tmp/a>b", O_WRONLY|O_CREAT, 0666) = 3</tmp/a\\76b>\n100 fchmod(3</tmp/a\\76b>, 0600) = 0\n100 openat(AT_FDCWD</tmp/c\\74d>, "e", O_WRONLY|O_CREAT, 0666) = 4</tmp/c\\74d/e>\n`,
    granted: ["/tmp/a>b", "/tmp/c<d/e"],
    refused: ["/tmp/a", "/tmp/c"],
    problemLines: [],
  },
  {
    name: "a name holding -> (old strace): the -yy arrow rule does not cut it",
    trace: `100 openat(AT_FDCWD, "/tmp/a->b", O_WRONLY|O_CREAT, 0666) = 3</tmp/a->b>\n100 fchmod(3</tmp/a->b>, 0600) = 0\n`,
    granted: ["/tmp/a->b"],
    refused: ["/tmp/a-", "/tmp/a"],
    problemLines: [],
  },
  {
    name: "strace 5.19's (deleted) outside, with -T on the line",
    trace: `100 openat(AT_FDCWD, "/srv/w", O_WRONLY|O_CREAT, 0666) = 3</srv/w> <0.000020>\n100 fchmod(3</srv/w>(deleted), 0600) = 0 <0.000012>\n100 fchmod(5</srv/v (deleted)>, 0600) = 0 <0.000011>\n`,
    granted: ["/srv/w", "/srv/v (deleted)"],
    refused: ["/srv/v"],
    problemLines: [],
  },
];

describe("-y decorations in the forms older strace wrote", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { r, problems } = collect(c.trace);
      const f = files(r);
      for (const g of c.granted) assert.ok(f.has(g), `${g} not granted: ${[...f.keys()].join(" | ")}`);
      for (const x of c.refused) assert.equal(f.get(x), undefined, `${x} granted`);
      assert.deepEqual([...new Set(problems.map((p) => p.line))].sort(), c.problemLines, JSON.stringify(problems));
    });
  }
});
