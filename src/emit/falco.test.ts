// Falco rules emitter, checked against real tools where there are some (the oracles are in
// src/test/support/falco-oracle.ts):
// - Falco's own rules schema (draft-06, validated with ajv);
// - Debian's sysdig 0.29.3 filter compiler, on each rule's condition expanded the way Falco expands
//   it (lists pasted as text by a transcription of rule_loader_compiler.cpp `resolve_list`, macros
//   substituted whole) and on each output format;
// - the same compiler as a literal oracle: `evt.type in (LITERAL)` reads a quoted value back;
// - libc fnmatch(3) (through python3 ctypes), which Falco's `glob` operator calls with flags 0;
// - a transcription of the libs 0.25 lexer (lex_quoted_str + unescape_str) Falco >= 0.32 uses.
// Tools missing outside CI skip their tests; in CI (CI=true) a missing tool fails.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FALCO_SYSCALL_EVENTS } from "../model/falco-events.generated.js";
import type { ContainerResources } from "../model/resources.js";
import {
  FIELDS_NEWER_THAN_SYSDIG,
  assertNoUnused,
  assertSchemaValid,
  assertSysdigCompiles,
  expand,
  falcoRulesetUsesField,
  fnmatch,
  lex,
  parseRules,
  resolveList,
  shape,
  sysdigFilterError,
  sysdigReadsLiteral,
} from "../test/support/falco-oracle.js";
import { assertGolden } from "../test/support/golden.js";
import { DATA, FIXTURES } from "../test/support/paths.js";
import { skipUnless } from "../test/support/skip.js";
import { FalcoEmitError, type FalcoContainer, emitFalcoRules, falcoStringProblem, findFalcoProblems, imageRepositoryForms, quoteFalcoString } from "./falco.js";
import { fnmatch as replayFnmatch, readFalcoRules } from "../parse/falco-condition.js";

const NO_SYSDIG = skipUnless("sysdig");
const NO_PYTHON = skipUnless("python3");
const GOLDEN = join(FIXTURES, "falco");

// ---------------------------------------------------------------------------------------------
// Inputs

function resources(partial: Partial<ContainerResources>): ContainerResources {
  return { files: [], execs: [], sockets: [], listens: [], connects: [], capabilities: [], ...partial };
}

/** A gunicorn/Flask app in the python image, recorded three times. */
function pythonWeb(): FalcoContainer {
  return {
    name: "web",
    images: ["docker.io/library/python", "python"],
    runs: 3,
    resources: resources({
      files: [
        { path: "/app/__pycache__", access: ["create"], dir: true, runs: 1 },
        { path: "/app/__pycache__/app.cpython-312.pyc", access: ["write", "create"], dir: false, runs: 1 },
        { path: "/app/app.py", access: ["read"], dir: false, runs: 3 },
        { path: "/app/logs/access.log", access: ["append", "create"], dir: false, runs: 3 },
        { path: "/app/logs/error.log", access: ["append", "create"], dir: false, runs: 3 },
        { path: "/dev/null", access: ["read", "write"], dir: false, runs: 3 },
        { path: "/etc/hosts", access: ["read"], dir: false, runs: 3 },
        { path: "/proc/*/status", access: ["read"], dir: false, generalizedBy: "pid", glob: true, runs: 3 },
        { path: "/tmp/wgunicorn-*", access: ["read", "write", "create", "delete"], dir: false, generalizedBy: "hash", glob: true, runs: 3 },
        { path: "/usr/local/bin/gunicorn", access: ["read", "exec"], dir: false, runs: 3 },
        { path: "/usr/local/lib/python3.12/site-packages/flask/app.py", access: ["read"], dir: false, runs: 3 },
      ],
      execs: [
        { path: "/bin/sh", parent: "/usr/local/bin/python3.12", runs: 1 },
        { path: "/usr/bin/uname", parent: "/bin/sh", runs: 1 },
        { path: "/usr/local/bin/gunicorn", runs: 3 },
        { path: "/usr/local/bin/python3.12", parent: "/usr/local/bin/gunicorn", runs: 3 },
      ],
      sockets: [
        { family: "inet", type: "stream", protocol: "tcp", runs: 3 },
        { family: "inet", type: "dgram", protocol: "udp", runs: 3 },
        { family: "unix", type: "stream", runs: 1 },
      ],
      listens: [
        { family: "inet", proto: "tcp", address: "0.0.0.0", port: 8000, runs: 3 },
        { family: "inet", proto: "tcp", address: "127.0.0.1", port: 9191, runs: 2 },
      ],
      connects: [
        { family: "inet", proto: "tcp", address: "10.0.0.5", port: 5432, runs: 3 },
        { family: "inet", proto: "udp", address: "127.0.0.11", port: 53, runs: 3 },
        { family: "inet6", proto: "tcp", address: "::ffff:10.0.0.6", port: 6379, runs: 2 },
        { family: "unix", address: "/var/run/nscd/socket", runs: 1 },
      ],
      capabilities: [{ name: "setuid", evidence: "setuid(1000) at run1:412", runs: 3 }],
    }),
    syscalls: [
      "accept4",
      "bind",
      "brk",
      "clone3",
      "close",
      "connect",
      "epoll_wait",
      "execve",
      "exit_group",
      "fstat",
      "futex",
      "getrandom",
      "listen",
      "mmap",
      "openat",
      "pread64",
      "prlimit64",
      "read",
      "rseq",
      "rt_sigaction",
      "rt_sigreturn",
      "socket",
      "write",
    ],
  };
}

/** The same web container with what each executable did, as `generate` records it: rules scoped by process. */
function pythonWebByProcess(): FalcoContainer {
  const c = pythonWeb();
  const gunicorn = "/usr/local/bin/gunicorn";
  const python = "/usr/local/bin/python3.12";
  c.resources.processes = [
    { exe: "", spawns: [gunicorn], writes: [], connects: [], accepts: [], listens: [] },
    {
      exe: gunicorn,
      spawns: [python],
      writes: [{ path: "/app/logs/access.log" }, { path: "/app/logs/error.log" }, { path: "/tmp/wgunicorn-*", glob: true }],
      connects: [],
      accepts: [],
      listens: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8000 }],
    },
    {
      exe: python,
      spawns: ["/bin/sh"],
      writes: [{ path: "/app/__pycache__/app.cpython-312.pyc" }, { path: "/dev/null" }],
      connects: [
        { family: "inet", proto: "tcp", address: "10.0.0.5", port: 5432 },
        { family: "inet", proto: "udp", address: "127.0.0.11", port: 53 },
        { family: "inet6", proto: "tcp", address: "::ffff:10.0.0.6", port: 6379 },
        { family: "unix", address: "/var/run/nscd/socket" },
      ],
      accepts: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8000 }],
      listens: [{ family: "inet", proto: "tcp", address: "127.0.0.1", port: 9191 }],
    },
    { exe: "/bin/sh", spawns: ["/usr/bin/uname"], writes: [], connects: [], accepts: [], listens: [] },
  ];
  return c;
}

/** Values chosen to break a condition that pastes them unquoted, or quotes them naively. */
const HOSTILE_ACCEPTED = [
  "/x)and(proc.name!=bash",
  '/a" or "1"="1',
  "/srv/my files/report 2024.txt",
  "/tmp/back\\slash",
  '/tmp/quote\\"mix',
  "/tmp/semi;colon,comma=equals",
  "/données/文件",
  "/tmp/syscage_inj_exec_paths",
] as const;

function hostileContainer(values: readonly string[] = HOSTILE_ACCEPTED): FalcoContainer {
  return {
    name: "inj",
    images: ["python"],
    runs: 1,
    resources: resources({
      files: values.map((path) => ({ path, access: ["write"], dir: false, runs: 1 })),
      execs: values.map((path) => ({ path, runs: 1 })),
    }),
    syscalls: ["read"],
  };
}

/** The hostile values as executables, parents and written paths of processes (rules scoped by process). */
function hostileProcesses(values: readonly string[] = HOSTILE_ACCEPTED): FalcoContainer {
  const c = hostileContainer(values);
  c.resources.processes = values.map((exe, i) => ({
    exe,
    spawns: [values[(i + 1) % values.length] as string],
    writes: [{ path: exe }],
    connects: [{ family: "inet", proto: "tcp", address: "127.0.0.1", port: 1000 }],
    accepts: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 2000 }],
    listens: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 2000 }],
  }));
  return c;
}

/** Same shape as hostileContainer, with harmless values. */
function benignContainer(count: number): FalcoContainer {
  const values = Array.from({ length: count }, (_, i) => `/benign/${String(i).padStart(2, "0")}`);
  return { ...hostileContainer(values) };
}

// ---------------------------------------------------------------------------------------------

describe("falco quoting", () => {
  it('quotes with \\ and " escaped, and nothing else', () => {
    assert.equal(quoteFalcoString("/usr/bin/python3"), '"/usr/bin/python3"');
    assert.equal(quoteFalcoString('/a" or "1"="1'), '"/a\\" or \\"1\\"=\\"1"');
    assert.equal(quoteFalcoString("/tmp/back\\slash"), '"/tmp/back\\\\slash"');
  });

  it("reads back every accepted value as one literal in the libs 0.25 lexer", () => {
    for (const v of HOSTILE_ACCEPTED) {
      const tokens = lex(quoteFalcoString(v));
      assert.deepEqual(
        tokens.map((t) => t.kind),
        ["str"],
        v,
      );
      assert.equal((tokens[0] as { value: string }).value, v);
    }
  });

  it("reads back every accepted value as one literal in sysdig's compiler", { skip: NO_SYSDIG }, () => {
    for (const v of HOSTILE_ACCEPTED) assert.equal(sysdigReadsLiteral(quoteFalcoString(v)), v, v);
    // ...which pastes the naive unquoted form as filter syntax:
    assert.notEqual(sysdigReadsLiteral("/x)and(proc.name!=bash"), "/x)and(proc.name!=bash");
  });

  it("accepts values up to 255 bytes, the longest Falco's filter compiler stores, and refuses longer ones", () => {
    const at = `/${"é".repeat(127)}`; // 1 + 254 bytes
    assert.equal(falcoStringProblem(at), undefined);
    assert.match(falcoStringProblem(`${at}x`) ?? "", /256 bytes long/);
  });

  it("sysdig's compiler has the same 255-byte limit", { skip: NO_SYSDIG }, () => {
    const at = `/${"a".repeat(254)}`;
    assert.equal(sysdigFilterError(`fd.name in (${quoteFalcoString(at)})`), undefined);
    assert.match(sysdigFilterError(`fd.name in ("${at}a")`) ?? "", /filter parameter too long/);
  });

  it("rejects what cannot be one literal in both grammars", () => {
    const rejected = [
      "",
      "/tmp/ends-in\\",
      "/tmp/new\nline",
      "/tmp/tab\there",
      "/tmp/cr\r",
      "/tmp/nul\u0000",
      "/tmp/del\u007f",
      "/tmp/c1\u0085",
      "/tmp/it's",
      "/tmp/\ud800",
      "/tmp/\u202eexe.txt",
    ];
    for (const v of rejected) {
      assert.notEqual(falcoStringProblem(v), undefined, JSON.stringify(v));
      assert.throws(() => quoteFalcoString(v));
    }
    for (const v of HOSTILE_ACCEPTED) assert.equal(falcoStringProblem(v), undefined, v);
  });

  it("a trailing backslash would hide the closing quote from Falco's lexer", () => {
    // Escaped naively, `\` + closing quote reads as an escaped quote: the string never ends.
    assert.throws(() => lex('"/tmp/ends-in\\\\"'), /unclosed string/);
  });

  it("a ' ends a double-quoted string in sysdig's compiler", { skip: NO_SYSDIG }, () => {
    assert.match(sysdigFilterError(`evt.type in ("/tmp/it's")`) ?? "", /filter error/);
    // and is an injection there: this "one literal" compiles as two comparisons.
    assert.equal(sysdigFilterError(`fd.name in ("x') or proc.name=bash or fd.name in ('y")`), undefined);
  });
});

describe("falco list expansion", () => {
  it("transcribes resolve_list: quoted items stay whole, bare ones with a space get quoted", () => {
    assert.equal(resolveList("fd.name in (l)", "l", ['"/a b"', "/c d", "e"]), 'fd.name in ( "/a b", "/c d", e )');
    assert.equal(resolveList("x in (ll, l)", "l", ["1"]), "x in (ll, 1 )");
  });

  it("a list name inside another list's item would break it open, so such values are refused", { skip: NO_SYSDIG }, () => {
    // What Falco would do with it: the exec list's attacker-chosen item lands outside any quotes.
    const payload = quoteFalcoString(") or proc.name=bash or fd.name in (");
    const broken = resolveList(`fd.name in (${quoteFalcoString("/a (L) b")})`, "L", [payload]);
    assert.equal(sysdigFilterError(broken), undefined, broken);
    assert.ok(shape(broken).includes("proc.name=bash"), shape(broken));

    const c = hostileContainer(["/a (syscage_inj_exec_paths) b"]);
    assert.throws(
      () => emitFalcoRules([c]),
      (e: unknown) =>
        e instanceof FalcoEmitError &&
        e.problems.length > 0 &&
        e.problems.every((p) => p.code === "SC_FALCO_VALUE" && p.value.includes("syscage_inj_exec_paths")),
    );
    // findFalcoProblems names the same values, by their unquoted form, so a caller can leave them out;
    // another container's list names count too.
    const values = [...new Set(findFalcoProblems([c]).map((p) => p.value))];
    assert.deepEqual(values, ["/a (syscage_inj_exec_paths) b"]);
    assert.doesNotThrow(() => emitFalcoRules([{ ...c, resources: resources({}) }]));
    const other = { ...hostileContainer(["/b (syscage_inj2_write_paths) c"]), name: "inj" };
    const second = { ...hostileContainer(["/plain"]), name: "inj2" };
    assert.deepEqual([...new Set(findFalcoProblems([other, second]).map((p) => `${p.container} ${p.value}`))], ["inj /b (syscage_inj2_write_paths) c"]);
    assert.deepEqual(findFalcoProblems([other]), []);
    // A glob pattern is reported by the file's path.
    const glob = hostileContainer([]);
    glob.resources.files.push({ path: "/g (syscage_inj_exec_paths) /*", access: ["write"], dir: false, glob: true, generalizedBy: "many-files", runs: 1 });
    glob.resources.execs.push({ path: "/bin/x", runs: 1 });
    assert.deepEqual(
      findFalcoProblems([glob]).map((p) => `${p.what} ${p.value}`),
      ["file /g (syscage_inj_exec_paths) /*"],
    );
    // The name is harmless when a delimiter does not stand on both sides.
    assert.doesNotThrow(() => emitFalcoRules([hostileContainer(["/tmp/syscage_inj_exec_paths", "/x syscage_inj_exec_pathsy"])]));
  });
});

describe("falco rules", () => {
  const web = pythonWeb();

  it("matches the reviewed golden file", () => {
    assertGolden(join(GOLDEN, "python-web", "rules.yaml"), emitFalcoRules([web]));
  });

  it("matches the reviewed golden file, scoped by process", () => {
    assertGolden(join(GOLDEN, "python-web-process", "rules.yaml"), emitFalcoRules([pythonWebByProcess()]));
  });

  it("scopes by process where processes were recorded, unless the container or the options say image", () => {
    const names = (c: FalcoContainer, o = {}) => parseRules(emitFalcoRules([c], o)).macros;
    assert.ok(names(pythonWebByProcess()).has("syscage_web_process_spawns"));
    assert.ok(!names(web).has("syscage_web_process_spawns"));
    assert.ok(!names({ ...pythonWebByProcess(), scope: "image" }).has("syscage_web_process_spawns"));
    assert.ok(!names(pythonWebByProcess(), { scope: "image" }).has("syscage_web_process_spawns"));
    // Image scope from per-process resources still knows every accepted port.
    assert.deepEqual(parseRules(emitFalcoRules([pythonWebByProcess()], { scope: "image" })).lists.find((l) => l.name === "syscage_web_accept_ports")?.items, [
      "8000",
      "9191",
    ]);
  });

  it("is read back by the replay's condition reader, every rule and macro", () => {
    for (const c of [web, pythonWebByProcess(), hostileContainer(), hostileProcesses()]) {
      const model = readFalcoRules([{ name: "rules.yaml", text: emitFalcoRules([c], { syscallRule: true }) }]);
      assert.ok(model.rules.length >= 5);
    }
  });

  it("is deterministic and independent of input order", () => {
    const db: FalcoContainer = { ...hostileContainer(["/data/db.sqlite"]), name: "db", images: ["keinos/sqlite3"] };
    assert.equal(emitFalcoRules([web, db]), emitFalcoRules([db, web]));
  });

  for (const [label, containers, options] of [
    ["python web", [pythonWeb()], {}],
    ["python web scoped by process", [pythonWebByProcess()], { syscallRule: true }],
    ["hostile values scoped by process", [hostileProcesses()], {}],
    ["python web with syscall rule", [pythonWeb()], { syscallRule: true }],
    ["hostile values", [hostileContainer()], { syscallRule: true }],
    ["two containers", [pythonWeb(), { ...benignContainer(3), name: "Web-API.v2", images: ["ghcr.io/acme/api:1.4@sha256:abcd"] }], {}],
    ["nothing recorded", [{ name: "idle", images: ["busybox"], runs: 1, resources: resources({}), syscalls: [] }], { syscallRule: true }],
  ] as const) {
    describe(label, () => {
      const text = emitFalcoRules(containers as unknown as FalcoContainer[], options);
      const f = parseRules(text);

      it("validates against Falco's rules schema", () => assertSchemaValid(text));

      it("defines no unused list or macro, and never appends", () => assertNoUnused(f));

      it("names everything with a unique syscage_<container>_ prefix in Falco's identifier syntax", () => {
        const names = [...f.lists.map((l) => l.name), ...f.macros.keys()];
        assert.equal(new Set(names).size, names.length);
        for (const n of names) assert.match(n, /^syscage_[a-z0-9_]+$/);
        assert.equal(new Set(f.rules.map((r) => r.rule)).size, f.rules.length);
        for (const it of f.items) {
          if (typeof it.rule !== "string") continue;
          assert.match(String(it.priority), /^[A-Z]+$/);
          assert.ok((it.tags as string[]).includes("drift") && (it.tags as string[]).includes("syscage"));
          assert.doesNotMatch(String(it.condition), /evt\.dir/);
        }
      });

      it("compiles with sysdig, conditions expanded as Falco does and outputs", { skip: NO_SYSDIG }, () => assertSysdigCompiles(f));
    });
  }

  it("keeps hostile values literal: same shape as harmless ones, each value one string", () => {
    const hostile = parseRules(emitFalcoRules([hostileContainer()]));
    const benign = parseRules(emitFalcoRules([benignContainer(HOSTILE_ACCEPTED.length)]));
    assert.equal(hostile.rules.length, benign.rules.length);
    for (const [i, r] of hostile.rules.entries()) {
      const expanded = expand(hostile, r.condition);
      assert.equal(shape(expanded), shape(expand(benign, (benign.rules[i] as { condition: string }).condition)), r.rule);
      if (/process spawned|writing/.test(r.rule)) {
        const strings = new Set(lex(expanded).flatMap((t) => (t.kind === "str" ? [t.value] : [])));
        for (const v of HOSTILE_ACCEPTED) assert.ok(strings.has(v), `${r.rule}: ${v}`);
      }
    }
  });

  it("keeps hostile executables and parents literal when scoped by process", () => {
    const hostile = parseRules(emitFalcoRules([hostileProcesses()]));
    const benign = parseRules(
      emitFalcoRules([hostileProcesses(Array.from({ length: HOSTILE_ACCEPTED.length }, (_, i) => `/benign/${String(i).padStart(2, "0")}`))]),
    );
    for (const [i, r] of hostile.rules.entries()) {
      const expanded = expand(hostile, r.condition);
      assert.equal(shape(expanded), shape(expand(benign, (benign.rules[i] as { condition: string }).condition)), r.rule);
      const strings = new Set(lex(expanded).flatMap((t) => (t.kind === "str" ? [t.value] : [])));
      for (const v of HOSTILE_ACCEPTED) assert.ok(strings.has(v), `${r.rule}: ${v}`);
    }
    // An executable Falco cannot hold is reported by its value, so the caller can leave it out.
    const bad = hostileProcesses(["/ok", "/tmp/it's"]);
    assert.ok(findFalcoProblems([bad]).some((p) => p.what === "exec" && p.value === "/tmp/it's"));
  });

  it("sysdig 0.29 predates proc.pexepath, which Falco's own ruleset uses; its twin proc.exepath compiles in its place", { skip: NO_SYSDIG }, () => {
    for (const [field, twin] of Object.entries(FIELDS_NEWER_THAN_SYSDIG)) {
      assert.match(sysdigFilterError(`${field} = "/bin/sh"`) ?? "", /unrecognized field/);
      assert.equal(sysdigFilterError(`${twin} = "/bin/sh"`), undefined);
      assert.ok(falcoRulesetUsesField(field), field);
    }
    assert.ok(!falcoRulesetUsesField("proc.nosuchfield"));
  });

  it("the replay's glob matches as libc fnmatch(3) with flags 0 does", { skip: NO_PYTHON }, () => {
    const patterns = ["/tmp/*", "*/*/*", "/w/*/we\\*rd?[x]", "/a/[!b]c", "/a/[^b]c", "/a/[a-c]", "/x\\?", "/[", "/a*b*c"];
    const inputs = ["/tmp/x", "/tmp/x/y", "/w/7/we*rd?x", "/w/7/weXrd?x", "/a/bc", "/a/zc", "/a/b", "/x?", "/xy", "/[", "/aXbYc", "/abc/d"];
    const pairs = patterns.flatMap((p) => inputs.map((i): [string, string] => [p, i]));
    const libc = fnmatch(pairs);
    pairs.forEach(([p, i], k) => {
      assert.equal(replayFnmatch(p, i), libc[k], `${p} ${i}`);
    });
  });

  it("refuses unsafe values with one problem per value, naming it", () => {
    const c = hostileContainer([...HOSTILE_ACCEPTED, "/tmp/ends-in\\", "/tmp/new\nline"]);
    c.resources.connects = [
      { family: "inet", proto: "tcp", address: "10.0.0.1) or (proc.name=bash", port: 80, runs: 1 },
      { family: "inet6", proto: "tcp", address: "fe80::1%eth0", port: 80, runs: 1 },
      { family: "inet", proto: "tcp", address: "10.0.0.2", port: 70000, runs: 1 },
    ];
    c.images = ["python", "Not An Image", 'x"y'];
    assert.throws(
      () => emitFalcoRules([c]),
      (e: unknown) => {
        assert.ok(e instanceof FalcoEmitError);
        assert.equal(e.code, e.problems[0]?.code);
        const got = e.problems.map((p) => `${p.code} ${p.what} ${p.value}`).sort();
        assert.deepEqual(got, [
          "SC_FALCO_IMAGE image Not An Image",
          'SC_FALCO_IMAGE image x"y',
          "SC_FALCO_VALUE connect 10.0.0.1) or (proc.name=bash",
          "SC_FALCO_VALUE connect 10.0.0.2 port 70000",
          "SC_FALCO_VALUE connect fe80::1%eth0",
          "SC_FALCO_VALUE exec /tmp/ends-in\\",
          "SC_FALCO_VALUE exec /tmp/new\nline",
          "SC_FALCO_VALUE file /tmp/ends-in\\",
          "SC_FALCO_VALUE file /tmp/new\nline",
        ]);
        return true;
      },
    );
    assert.equal(findFalcoProblems([c]).length, 9);
    assert.deepEqual(findFalcoProblems([web]), []);
  });

  it("refuses containers whose names collide or name nothing, and containers without images", () => {
    const a = { ...benignContainer(1), name: "web-api" };
    const b = { ...benignContainer(1), name: "Web_API" };
    const c = { ...benignContainer(1), name: "---" };
    const d = { ...benignContainer(1), name: "noimg", images: [] };
    const codes = findFalcoProblems([a, b, c, d]).map((p) => `${p.code} ${p.container}`);
    assert.deepEqual(codes, ["SC_FALCO_NAME Web_API", "SC_FALCO_NAME ---", "SC_FALCO_IMAGE noimg"]);
  });

  it("scopes by both the Docker and the CRI form of each image", () => {
    const cases: [string, string[]][] = [
      ["python", ["docker.io/library/python", "python"]],
      ["python:3.12-slim", ["docker.io/library/python", "python"]],
      ["docker.io/library/python", ["docker.io/library/python", "python"]],
      ["keinos/sqlite3", ["docker.io/keinos/sqlite3", "keinos/sqlite3"]],
      ["docker.io/keinos/sqlite3@sha256:00ff", ["docker.io/keinos/sqlite3", "keinos/sqlite3"]],
      ["index.docker.io/library/node", ["docker.io/library/node", "index.docker.io/library/node", "node"]],
      ["ghcr.io/acme/api:1.4", ["ghcr.io/acme/api"]],
      ["localhost:5000/app:dev", ["localhost:5000/app"]],
    ];
    for (const [image, forms] of cases) assert.deepEqual(imageRepositoryForms(image), { forms }, image);
    for (const bad of ["Python", "a b", "x)or(y", "/abs", "a//b"]) assert.ok("problem" in imageRepositoryForms(bad), bad);
  });

  it("allows recorded connections as (port, address) pairs, v4-mapped addresses as IPv4", () => {
    const f = parseRules(emitFalcoRules([web]));
    assert.equal(
      f.macros.get("syscage_web_recorded_connections"),
      '((fd.sport=53 and fd.sip in ("127.0.0.11"))\nor (fd.sport=5432 and fd.sip in ("10.0.0.5"))\nor (fd.sport=6379 and fd.sip in ("10.0.0.6")))',
    );
    assert.deepEqual(f.lists.find((l) => l.name === "syscage_web_listen_ports")?.items, ["8000", "9191"]);
  });

  it("makes generalized paths globs whose * stays within one path segment, as fnmatch reads them", { skip: NO_PYTHON }, () => {
    const c = hostileContainer([]);
    c.resources.files = [
      { path: "/proc/*/status", access: ["write"], dir: false, generalizedBy: "pid", glob: true, runs: 1 },
      { path: "/tmp/*", access: ["write"], dir: false, generalizedBy: "many-files", glob: true, runs: 1 },
      { path: "/w/*/we\\*rd?[x]", access: ["write"], dir: false, generalizedBy: "pid", glob: true, runs: 1 },
      { path: "/lit/*", access: ["write"], dir: false, runs: 1 },
    ];
    const f = parseRules(emitFalcoRules([c]));
    assert.deepEqual(f.lists.find((l) => l.name === "syscage_inj_write_paths")?.items, ['"/lit/*"']);
    const clauses = lex(f.macros.get("syscage_inj_write_globs") as string).flatMap((t) => (t.kind === "str" ? [t.value] : []));
    const pairs: [string, string][] = [];
    for (let i = 0; i < clauses.length; i += 2) pairs.push([clauses[i] as string, clauses[i + 1] as string]);
    const expect: [string, boolean][] = [
      ["/proc/1/status", true],
      ["/proc/12345/status", true],
      ["/proc/1/task/1/status", false],
      ["/proc/status", false],
      ["/tmp/x", true],
      ["/tmp/x/y", false],
      ["/tmp", false],
      ["/w/7/we*rd?[x]", true],
      ["/w/7/weXrd?[x]", false],
      ["/w/7/we*rdZx", false],
      ["/lit/anything", false],
    ];
    // One fnmatch call for every (pattern or guard, path) pair; a path is allowed by a clause when
    // it matches the pattern and not the guard.
    const results = fnmatch(
      expect.flatMap(([s]) =>
        pairs.flatMap(([pattern, guard]): [string, string][] => [
          [pattern, s],
          [guard, s],
        ]),
      ),
    );
    const allowed = (index: number): boolean =>
      pairs.some((_, j) => results[(index * pairs.length + j) * 2] === true && results[(index * pairs.length + j) * 2 + 1] === false);
    for (const [i, [s, want]] of expect.entries()) assert.equal(allowed(i), want, s);
  });

  it("maps allowed syscalls to Falco event names and leaves the rest to a disabled rule", () => {
    const text = emitFalcoRules([{ ...web, syscalls: [...web.syscalls, "not_a_syscall", "tuxcall"] }], { syscallRule: true });
    const f = parseRules(text);
    const rule = f.rules.find((r) => r.rule.includes("syscall"));
    assert.ok(rule && !rule.enabled);
    const unrecorded = new Set(f.lists.find((l) => l.name === "syscage_web_unrecorded_syscall_events")?.items);
    const all = new Set<string>(Object.values(FALCO_SYSCALL_EVENTS).map((e) => e.event));
    for (const s of ["pread", "prlimit", "read", "openat", "clone3", "rseq"]) assert.ok(!unrecorded.has(s), s);
    for (const s of ["pread64", "prlimit64"]) assert.ok(!unrecorded.has(s) && !all.has(s), `${s} is a kernel name, not an event`);
    for (const s of ["ptrace", "mount", "pwrite", "init_module"]) assert.ok(unrecorded.has(s), s);
    assert.ok(unrecorded.size > 100);
    for (const e of unrecorded) assert.ok(all.has(e), e);
    const desc = String(f.items.find((it) => it.rule === rule.rule)?.desc);
    assert.match(desc, /not_a_syscall, tuxcall/);
    assert.match(desc, /too many evt\.type values/);
    assert.equal(
      parseRules(emitFalcoRules([web])).rules.some((r) => r.rule.includes("syscall")),
      false,
    );
  });

  it("has a generated event table that matches the csv", () => {
    const lines = readFileSync(join(DATA, "falco_syscall_evttype_map.csv"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    const header = (lines[0] as string).split(",");
    const [k, e] = [header.indexOf("kernel_syscall"), header.indexOf("evt_type_in_rules")];
    const table: Record<string, { event: string } | undefined> = FALCO_SYSCALL_EVENTS;
    assert.equal(Object.keys(table).length, lines.length - 1);
    for (const line of lines.slice(1)) {
      const cells = line.split(",");
      assert.equal(table[cells[k] as string]?.event, cells[e], line);
    }
  });
});
