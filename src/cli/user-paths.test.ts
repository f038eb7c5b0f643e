// The commands a new user types, as they type them: `-` for standard input, --version from any
// directory, the documented `record --strace-args '-tt -T'`, colour switches, unknown commands and
// flags, terminal-safe error text, and one table of every code the CLI can print.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fg from "fast-glob";
import { DIAGNOSTIC_CODES, ERROR_CODES, escapeControl, isSyscageCode } from "../model/diagnostics.js";
import { REPO, SAMPLES } from "../test/support/paths.js";
import { runCli } from "../test/support/run-cli.js";
import { skipUnless } from "../test/support/skip.js";
import { useColor } from "./options.js";

const tmp = mkdtempSync(join(tmpdir(), "syscage-user-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const WEB_TRACE = join(SAMPLES, "web", "run1.f-o.trace");
/** Control characters a terminal acts on (everything below space but \n, DEL, C1). */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("`-` reads a trace from standard input", () => {
  const trace = readFileSync(WEB_TRACE, "utf8");

  it("stats -", () => {
    const fromFile = runCli(["stats", "--json", WEB_TRACE]);
    const fromStdin = runCli(["stats", "--json", "-"], { input: trace });
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.deepEqual(JSON.parse(fromStdin.stdout).syscalls, JSON.parse(fromFile.stdout).syscalls);
  });

  it("generate --name N - (as generate --help says)", () => {
    const out = join(tmp, "gen-stdin");
    const r = runCli(["generate", "--name", "web", "--out", out, "-"], { input: trace });
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /stdin|no such file/);
    assert.ok(readdirSync(out).includes("seccomp.json"));
    assert.match(readFileSync(join(out, "allowlist.yaml"), "utf8"), /accept4:/);
  });
});

describe("error text never carries control bytes", () => {
  it("an input name with NUL-free control characters and an escape sequence is printed escaped", () => {
    const r = runCli(["stats", "a\u0001b\u001b[31mred\u0007"]);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, CONTROL, JSON.stringify(r.stderr));
    assert.match(r.stderr, /a\\u\{1\}b\\u\{1b\}\[31mred\\u\{7\}: no such file or directory \(SC_INPUT_NOT_FOUND\)/);
  });

  it("a trace whose file name holds an escape sequence: stats and generate print it escaped", () => {
    const dir = join(tmp, "odd-names");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "a\u001b[31mb\u0001.trace"), readFileSync(WEB_TRACE));
    const stats = runCli(["stats", dir]);
    assert.equal(stats.status, 0, stats.stderr);
    assert.doesNotMatch(stats.stdout + stats.stderr, CONTROL);
    assert.match(stats.stdout, /a\\u\{1b\}\[31mb\\u\{1\}\.trace/);
    const gen = runCli(["generate", "--name", "odd", "--out", join(tmp, "odd-out"), dir]);
    assert.equal(gen.status, 0, gen.stderr);
    assert.doesNotMatch(gen.stdout + gen.stderr, CONTROL);
  });

  it("escapeControl leaves text and tabs alone, escapes C0, DEL, C1 and lone surrogates", () => {
    assert.equal(escapeControl("plain\ttext é ✓ 𝄞"), "plain\ttext é ✓ 𝄞");
    assert.equal(escapeControl("\u0000\n\u001b\u007f\u0085\ud800x"), "\\u{0}\\u{a}\\u{1b}\\u{7f}\\u{85}\\u{d800}x");
  });
});

describe("--version", () => {
  const own = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

  it("prints syscage's version even inside a project with another package.json", () => {
    const dir = mkdtempSync(join(tmp, "project-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "someone-else", version: "9.9.9" }));
    const r = runCli(["--version"], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), own);
    assert.notEqual(own, "9.9.9");
  });

  it("alone, prints the bytes yargs prints for it elsewhere on the line", () => {
    const alone = runCli(["--version"]);
    const withCommand = runCli(["stats", "--version"]);
    assert.equal(alone.status, 0, alone.stderr);
    assert.equal(withCommand.status, 0, withCommand.stderr);
    assert.equal(alone.stdout, `${own}\n`);
    assert.equal(alone.stdout, withCommand.stdout);
    assert.equal(alone.stderr, "");
  });
});

describe("unknown commands and options", () => {
  it("an unknown command says so and names the commands", () => {
    const r = runCli(["generat", "samples/web"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "generat", expected one of record, generate, falco, diff, check, stats, verify, baseline \(SC_USAGE\)/);
  });

  it("an unknown flag is named, even when it would swallow the next word", () => {
    const r = runCli(["stats", "--bogus", WEB_TRACE]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown option --bogus for "stats"/);
    const short = runCli(["generate", "-z", "--name", "x", WEB_TRACE]);
    assert.equal(short.status, 2);
    assert.match(short.stderr, /unknown option -z for "generate"/);
  });

  it("known flags in every spelling still work (--no-x, --x=v, camelCase, after positionals)", () => {
    const out = join(tmp, "gen-flags");
    const r = runCli(["generate", WEB_TRACE, "--name=web", "--no-arg-filters", "--out", out, "--recordedArch", "x86_64", "--fresh"]);
    assert.equal(r.status, 0, r.stderr);
  });
});

describe("record --strace-args as documented", { skip: skipUnless("strace") }, () => {
  it("'-tt -T' reaches strace: every line has a time of day and a duration", () => {
    const out = join(tmp, "rec");
    const r = runCli(["record", "--name", "t", "--out", out, "--strace-args", "-tt -T", "--", "true"]);
    assert.equal(r.status, 0, r.stderr);
    const [file] = readdirSync(out);
    assert.ok(file);
    const calls = readFileSync(join(out, file), "utf8")
      .split("\n")
      .filter((l) => /^\d+ +\d\d:\d\d:\d\d\.\d{6} [a-z_0-9]+\(/.test(l));
    assert.ok(calls.length > 5, "no line with -tt timestamps");
    assert.ok(calls.filter((l) => / = [^<]*<\d+\.\d{6}>$/.test(l)).length > 5, "no line with a -T duration");
  });

  it("the form with = works too", () => {
    const out = join(tmp, "rec-eq");
    const r = runCli(["record", "--name", "t", "--out", out, "--strace-args=-T", "--", "true"]);
    assert.equal(r.status, 0, r.stderr);
  });
});

describe("colour: --color, NO_COLOR, FORCE_COLOR, terminal", () => {
  it("decides in that order", () => {
    assert.equal(useColor(undefined, {}, true), true);
    assert.equal(useColor(undefined, {}, false), false);
    assert.equal(useColor(undefined, { NO_COLOR: "1" }, true), false);
    assert.equal(useColor(undefined, { NO_COLOR: "" }, true), true, "an empty NO_COLOR is unset (no-color.org)");
    assert.equal(useColor(undefined, { FORCE_COLOR: "1" }, false), true);
    assert.equal(useColor(undefined, { FORCE_COLOR: "0" }, true), false);
    assert.equal(useColor(undefined, { NO_COLOR: "1", FORCE_COLOR: "1" }, true), false);
    assert.equal(useColor(true, { NO_COLOR: "1" }, false), true);
    assert.equal(useColor(false, { FORCE_COLOR: "1" }, true), false);
  });

  it("the CLI honours them (stdout is a pipe here)", () => {
    const args = ["diff", "profiles/web/seccomp.x86_64.json", "profiles/web/seccomp.aarch64.json"];
    const env = (extra: NodeJS.ProcessEnv) => {
      const { NO_COLOR: _n, FORCE_COLOR: _f, ...rest } = process.env;
      return { ...rest, ...extra };
    };
    const plain = runCli(args, { env: env({}) });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /\x1b\[/);
    assert.match(runCli(args, { env: env({ FORCE_COLOR: "1" }) }).stdout, /\x1b\[3\dm/);
    assert.doesNotMatch(runCli(args, { env: env({ FORCE_COLOR: "1", NO_COLOR: "1" }) }).stdout, /\x1b\[/);
    assert.match(runCli([...args, "--color"], { env: env({ NO_COLOR: "1" }) }).stdout, /\x1b\[3\dm/);
  });
});

describe("every code the CLI can print", () => {
  it("is in the one union (src/model/diagnostics.ts) and in the README's tables", async () => {
    const files = await fg("src/**/*.ts", { cwd: REPO, ignore: ["**/*.test.ts", "src/test/**"] });
    const found = new Set<string>();
    for (const f of files) for (const m of readFileSync(join(REPO, f), "utf8").matchAll(/SC_[A-Z_]+/g)) found.add(m[0]);
    assert.ok(found.size >= 30, `only ${found.size} codes found`);
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const tableRows = readme.split("\n").filter((l) => l.startsWith("| `SC_"));
    const inTables = new Set(tableRows.flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(/`(SC_[A-Z_]+)`/g)].map((m) => m[1])));
    const notInUnion = [...found].filter((c) => !isSyscageCode(c));
    const notInReadme = [...found].filter((c) => !inTables.has(c));
    assert.deepEqual(notInUnion, [], "codes missing from DIAGNOSTIC_CODES / ERROR_CODES");
    assert.deepEqual(notInReadme, [], "codes missing from the README's code tables");
    const table = new Set([...Object.keys(DIAGNOSTIC_CODES), ...Object.keys(ERROR_CODES)]);
    assert.deepEqual(
      [...table].filter((c) => !found.has(c) || !inTables.has(c)),
      [],
      "codes in the union that nothing prints or the README lacks",
    );
  });
});
