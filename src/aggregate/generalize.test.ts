import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FileAccess, FileUse } from "../model/resources.js";
import {
  escapePatternText,
  generalizeBetweenRuns,
  generatedPattern,
  generalizePaths,
  isHashLike,
  mayGlob,
  pathPieces,
  type GeneralizeOptions,
} from "./generalize.js";
import { aggregateResources } from "./resources.js";
import type { RunRecord } from "../model/allowlist.js";

function file(path: string, access: FileAccess[] = ["read"], dir = false): FileUse {
  return { path, access, dir };
}

/** Output as `path [rule] access` lines, for compact expectations. */
function show(files: FileUse[]): string[] {
  return files.map((f) => `${f.path}${f.dir ? "/" : ""}${f.glob ? " glob" : ""}${f.generalizedBy ? ` [${f.generalizedBy}]` : ""} ${f.access.join(",")}`);
}

const UUID_A = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
const UUID_B = "F47AC10B-58CC-4372-A567-0E02B2C3D479";
const SHA = "320648bd07f0b71dceb2e45ac71919fa5555131f54b7d94685d7367c2304624a";

describe("generalizePaths", () => {
  const cases: { name: string; input: FileUse[]; options?: GeneralizeOptions; expected: string[] }[] = [
    {
      name: "pid: /proc/<pid> and task/<tid> become *, merging their access",
      input: [
        file("/proc/1234/status"),
        file("/proc/5678/status", ["read", "stat"]),
        file("/proc/1234/task/1240/stat"),
        file("/proc/self/task/77/comm", ["write"]),
        file("/proc/self/status"),
        file("/proc/sys/kernel/pid_max"),
        file("/proc/1234", ["stat"], true),
      ],
      expected: [
        "/proc/*/ glob [pid] stat",
        "/proc/*/status glob [pid] read,stat",
        "/proc/*/task/*/stat glob [pid] read",
        "/proc/self/status read",
        "/proc/self/task/*/comm glob [pid] write",
        "/proc/sys/kernel/pid_max read",
      ],
    },
    {
      name: "uuid: a whole segment only, any case",
      input: [file(`/run/containerd/${UUID_A}/log`), file(`/var/lib/${UUID_B}`), file(`/var/log/app-${UUID_A}.log`)],
      expected: ["/run/containerd/*/log glob [uuid] read", `/var/lib/* glob [uuid] read`, `/var/log/app-${UUID_A}.log read`],
    },
    {
      name: "hash: 16+ hex digits, or a long mixed token without a dot",
      input: [
        file(`/var/lib/docker/overlay2/${SHA}/merged/etc/hosts`),
        // From the runtime sample: node reads its cgroup's limits under a hashed name.
        file("/sys/fs/cgroup/memory/process_api/e9ba5c0723f8b15e4177cb6bedcfedac/memory.limit_in_bytes"),
        file("/nix/store/6al5bwrg5163jj6vbag5p7g2wq2mv8ad-gcc-multi-sysroot/lib/libc.so.6", ["read", "map"]),
        file("/tmp/cache/0123456789abcde"),
        file("/usr/lib/x86_64-linux-gnu/libc.so.6"),
        file("/usr/lib/gcc/x86_64-linux-gnu-gcc-12"),
        file("/opt/GoogleChromeUpdate2024Helper"),
      ],
      expected: [
        "/nix/store/*/lib/libc.so.6 glob [hash] read,map",
        "/opt/GoogleChromeUpdate2024Helper read",
        "/sys/fs/cgroup/memory/process_api/*/memory.limit_in_bytes glob [hash] read",
        "/tmp/cache/0123456789abcde read",
        "/usr/lib/gcc/x86_64-linux-gnu-gcc-12 read",
        "/usr/lib/x86_64-linux-gnu/libc.so.6 read",
        "/var/lib/docker/overlay2/*/merged/etc/hosts glob [hash] read",
      ],
    },
    {
      name: "many-files: 5 written files in one directory become dir/* with the union of their access; read-only neighbours stay",
      input: [
        file("/var/cache/app/a.tmp", ["write", "create"]),
        file("/var/cache/app/b.tmp", ["read", "write"]),
        file("/var/cache/app/c.tmp", ["append"]),
        file("/var/cache/app/d.tmp", ["create", "delete"]),
        file("/var/cache/app/e.tmp", ["write"]),
        file("/var/cache/app/index", ["read"]),
        file("/var/cache/app/sub", ["create"], true),
        file("/var/cache/other/a", ["write"]),
        file("/var/cache/other/b", ["write"]),
      ],
      expected: [
        "/var/cache/app/* glob [many-files] read,write,append,create,delete",
        "/var/cache/app/index read",
        "/var/cache/app/sub/ create",
        "/var/cache/other/a write",
        "/var/cache/other/b write",
      ],
    },
    {
      name: "many-files: the threshold is an option",
      input: [file("/var/cache/other/a", ["write"]), file("/var/cache/other/b", ["write"])],
      options: { manyFilesThreshold: 2 },
      expected: ["/var/cache/other/* glob [many-files] write"],
    },
    {
      name: "many-files: never widens /dev, /proc or /sys",
      input: ["null", "tty", "zero", "full", "random"]
        .map((n) => file(`/dev/${n}`, ["write"]))
        .concat(["a", "b", "c", "d", "e"].map((n) => file(`/proc/self/${n}`, ["write"]))),
      expected: [
        "/dev/full write",
        "/dev/null write",
        "/dev/random write",
        "/dev/tty write",
        "/dev/zero write",
        "/proc/self/a write",
        "/proc/self/b write",
        "/proc/self/c write",
        "/proc/self/d write",
        "/proc/self/e write",
      ],
    },
    {
      name: "many-files: /dev/shm is scratch space, not /dev (but no bare /dev/shm/*)",
      input: ["a", "b", "c", "d", "e"].map((n) => file(`/dev/shm/app/sem.${n}`, ["write", "create"])),
      expected: ["/dev/shm/app/* glob [many-files] write,create"],
    },
    {
      name: "many-files: skipped when listed",
      input: ["a", "b", "c", "d", "e"].map((n) => file(`/dev/shm/sem.${n}`, ["write", "create"])),
      options: { manyFilesSkip: ["/dev/**"] },
      expected: [
        "/dev/shm/sem.a write,create",
        "/dev/shm/sem.b write,create",
        "/dev/shm/sem.c write,create",
        "/dev/shm/sem.d write,create",
        "/dev/shm/sem.e write,create",
      ],
    },
    {
      name: "rules combine and their names are listed in rule order",
      input: [
        file(`/srv/app/${UUID_A}`, ["write", "create"]),
        file(`/srv/app/${SHA}`, ["write"]),
        file("/srv/app/x1", ["write"]),
        file("/srv/app/x2", ["write"]),
        file("/srv/app/x3", ["write"]),
        file("/proc/42/fd", ["read"], true),
        file("/proc/43/fd", ["stat"], false),
      ],
      expected: ["/proc/*/fd/ glob [pid] read,stat", "/srv/app/* glob [uuid,hash,many-files] write,create"],
    },
    {
      name: "each rule can be turned off",
      input: [file("/proc/1234/status"), file(`/run/${UUID_A}`), file(`/var/${SHA}`), ...["a", "b", "c", "d", "e"].map((n) => file(`/tmp/${n}`, ["write"]))],
      options: { pid: false, uuid: false, hash: false, manyFiles: false },
      expected: [
        "/proc/1234/status read",
        `/run/${UUID_A} read`,
        "/tmp/a write",
        "/tmp/b write",
        "/tmp/c write",
        "/tmp/d write",
        "/tmp/e write",
        `/var/${SHA} read`,
      ],
    },
    {
      name: "a literal * stays literal: escaped inside a pattern, untouched in a plain path",
      input: [file("/proc/1234/we*rd\\name"), file("/tmp/*", ["write"]), file("/tmp/a", ["write"])],
      expected: ["/proc/*/we\\*rd\\\\name glob [pid] read", "/tmp/* write", "/tmp/a write"],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(show(generalizePaths(c.input, c.options)), c.expected);
    });
  }

  it("keeps a real file named * apart from the glob that many-files makes in the same directory", () => {
    const input = [file("/srv/tmp/*", ["read"]), ...["a", "b", "c", "d", "e"].map((n) => file(`/srv/tmp/${n}`, ["write"]))];
    const out = generalizePaths(input);
    assert.deepEqual(show(out), ["/srv/tmp/* read", "/srv/tmp/* glob [many-files] write"]);
    // The emitter sees the difference through pathPieces.
    assert.deepEqual(pathPieces(out[0]!), [{ kind: "text", text: "/srv/tmp/*" }]);
    assert.deepEqual(pathPieces(out[1]!), [{ kind: "text", text: "/srv/tmp/" }, { kind: "glob" }]);
  });

  it("pathPieces reads escapes back", () => {
    const [g] = generalizePaths([file("/proc/1234/we*rd\\name")]);
    assert.deepEqual(pathPieces(g!), [{ kind: "text", text: "/proc/" }, { kind: "glob" }, { kind: "text", text: "/we*rd\\name" }]);
    assert.equal(escapePatternText("a*b\\c"), "a\\*b\\\\c");
  });

  it("is deterministic and idempotent", () => {
    const input = [
      file("/proc/1234/status"),
      file("/proc/99/status", ["stat"]),
      file(`/run/${UUID_A}/x`),
      file("/tmp/st*r", ["write"]),
      ...["a", "b", "c", "d", "e"].map((n) => file(`/var/spool/${n}`, ["create"])),
      file("/etc/passwd"),
    ];
    const once = generalizePaths(input);
    assert.deepEqual(generalizePaths([...input].reverse()), once);
    assert.deepEqual(generalizePaths(once), once);
    assert.deepEqual(
      once.map((f) => f.path),
      [...once.map((f) => f.path)].sort(),
    );
  });

  it("isHashLike", () => {
    for (const yes of ["0123456789abcdef", SHA, "k8s4Zq0vX2mP7rT9wY1b", "_git2_608e92e9307d078c"]) assert.ok(isHashLike(yes), yes);
    for (const no of [
      "0123456789abcde",
      "x86_64-linux-gnu",
      "cpython-311-x86_64-linux-gnu",
      "GoogleChromeUpdate2024Helper",
      "libc.so.6",
      "e9ba5c07.23f8b15e4177cb6bedcfedac",
      "__pycache__",
    ]) {
      assert.ok(!isHashLike(no), no);
    }
  });

  it("isHashLike and every rule survive a 20 MB segment (no regular expression over it)", () => {
    for (const big of ["a".repeat(20 * 1024 * 1024), "0".repeat(20 * 1024 * 1024), "aZ9".repeat(7 * 1024 * 1024)]) {
      assert.equal(isHashLike(big), false);
      assert.equal(generatedPattern(big), undefined);
      const files = [file(`/srv/${big}`, ["write", "create"]), file(`/proc/${big}/status`), file(`/srv/app/${big}/x`, ["write"])];
      const out = generalizePaths(files);
      assert.deepEqual(
        out.map((f) => f.glob ?? false),
        [false, false, false],
      );
      const run = (id: string, fs: FileUse[]): RunRecord => ({
        id,
        files: [id],
        sha256: id.repeat(64).slice(0, 64),
        kind: "trace",
        flags: [],
        arches: ["x86_64"],
        syscalls: {},
        resources: { files: fs, execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [] },
      });
      const agg = aggregateResources([
        run("a", [...files, file("/proc/12/status")]),
        run("b", [file(`/srv/app/${big.slice(0, 10)}1/x`, ["write"]), file("/proc/13/status")]),
      ]);
      assert.equal(agg.files.find((f) => f.path === "/proc/*/status")?.runs, 2);
    }
  });
});

describe("generalization safety: no pattern at the root, in a system directory or over a whole top-level directory", () => {
  const S = (p: string) => p.split("/");
  it("mayGlob, rule by rule", () => {
    // The root and top-level directories.
    for (const rule of ["uuid", "hash", "generated", "between-runs", "many-files"] as const) {
      assert.equal(mayGlob(S("/x"), 1, false, rule, false), false, `${rule} /*`);
      assert.equal(mayGlob(S("/x"), 1, true, rule, false), false, `${rule} /x*`);
      assert.equal(mayGlob(S("/tmp/x"), 2, false, rule, true), false, `${rule} /tmp/*`);
      assert.equal(mayGlob(S("/tmp/x"), 2, true, rule, true), true, `${rule} /tmp/tmp.*`);
      assert.equal(mayGlob(S("/var/x"), 2, true, rule, false), false, `${rule} /var/x*`);
      assert.equal(mayGlob(S("/var/cache/x"), 3, false, rule, true), true, `${rule} /var/cache/*`);
      assert.equal(mayGlob(S("/dev/shm/x"), 3, false, rule, true), false, `${rule} /dev/shm/*`);
      assert.equal(mayGlob(S("/dev/shm/x"), 3, true, rule, true), true, `${rule} /dev/shm/sem.*`);
      for (const sys of ["etc", "usr", "bin", "sbin", "lib", "lib64", "libx32", "boot", "root", "proc", "sys", "dev"]) {
        assert.equal(mayGlob(S(`/${sys}/x`), 2, true, rule, false), false, `${rule} /${sys}/x*`);
        assert.equal(mayGlob(S(`/${sys}/a/b/x`), 4, false, rule, true), false, `${rule} writing below /${sys}`);
      }
      assert.equal(mayGlob(S("/proc/sys/x"), 3, false, rule, false), false, `${rule} /proc/sys/*`);
    }
    // Reading deeper in a system directory stays allowed (a container's cgroup id), and the pid rule.
    assert.equal(mayGlob(S("/sys/fs/cgroup/abc/memory.max"), 4, false, "hash", false), true);
    assert.equal(mayGlob(S("/proc/12/status"), 2, false, "pid", false), true);
  });

  const hostile: { name: string; input: FileUse[] }[] = [
    { name: "a hash-named file written in /etc", input: [file(`/etc/${SHA}`, ["write", "create"])] },
    { name: "a uuid-named file written at the root", input: [file(`/${UUID_A}`, ["write", "create"])] },
    { name: "a hash-named file written directly in /tmp", input: [file(`/tmp/${SHA}`, ["write"])] },
    { name: "a hash-named file in /var itself", input: [file(`/var/${SHA}`, ["write"])] },
    { name: "a mktemp-shaped file created in /etc", input: [file("/etc/passwd.Xq3kLm9PzA", ["write", "create"])] },
    { name: "a pid-shaped file created in /usr/bin", input: [file("/usr/bin/tool-123456", ["write", "create"])] },
    { name: "a timestamp at the root", input: [file("/20261127T125101", ["create"], true)] },
    { name: "five files written at the root", input: ["a", "b", "c", "d", "e"].map((n) => file(`/${n}`, ["write"])) },
    { name: "five files written in /etc", input: ["a", "b", "c", "d", "e"].map((n) => file(`/etc/${n}`, ["write"])) },
    { name: "five files written in /lib64", input: ["a", "b", "c", "d", "e"].map((n) => file(`/lib64/${n}`, ["write"])) },
    { name: "five files written directly in /home", input: ["a", "b", "c", "d", "e"].map((n) => file(`/home/${n}`, ["write"])) },
    { name: "a hash written below /root", input: [file(`/root/.ssh/${SHA}`, ["write"])] },
    { name: "a hash written below /proc/sys", input: [file(`/proc/sys/kernel/${SHA}`, ["write"])] },
    { name: "a hash read in /proc (not a pid)", input: [file(`/proc/${SHA}`, ["read"])] },
  ];
  for (const h of hostile) {
    it(`keeps literal: ${h.name}`, () => {
      const out = generalizePaths(h.input, { manyFilesThreshold: 1 });
      assert.deepEqual(show(out), show(h.input).sort(), "nothing generalized");
    });
  }

  it("between runs: no pattern in /etc, at the root or over /tmp, even when every run differs there", () => {
    const runs = [
      [file("/etc/app-1234.conf", ["write"]), file("/x9Yq3k", ["write"], true), file("/tmp/Ab12Cd", ["write"])],
      [file("/etc/app-5678.conf", ["write"]), file("/p2Lm7Z", ["write"], true), file("/tmp/Ef34Gh", ["write"])],
    ];
    assert.deepEqual([...generalizeBetweenRuns(runs)], []);
  });
});

describe("generated names and what differs between runs", () => {
  it("generatedPattern: mktemp, Python tempfile, pids and timestamps; not words, not extensions", () => {
    const yes: [string, string][] = [
      ["tmp.Xq3kLm9PzA", "tmp.*"],
      ["build.k3Jx9Q", "build.*"],
      ["tmpk2x_9qzd", "tmp*"],
      ["app.12345.pid", "app.*.pid"],
      ["log-20261127T125101.txt", "log-*.txt"],
      ["2026-11-27_12:51:01.json", "*.json"],
      ["we*rd.k3Jx9Q", "we\\*rd.*"],
    ];
    for (const [name, pattern] of yes) assert.equal(generatedPattern(name), pattern, name);
    for (const no of ["config.backup", "index.html", "README.Debian", "libc.so.6", "python3.11", "tmpfiles", UUID_A, SHA, "abc"])
      assert.equal(generatedPattern(no), undefined, no);
  });

  it("a created mktemp directory becomes tmp.* for itself and everything below it, inside its directory only", () => {
    const out = generalizePaths([
      file("/tmp/tmp.Xq3kLm9PzA", ["create"], true),
      file("/tmp/tmp.Xq3kLm9PzA/out.json", ["write", "create"]),
      file("/tmp/tmp.Xq3kLm9PzA/sub", ["create"], true),
      file("/tmp/tmp.Xq3kLm9PzA/sub/a.txt", ["read"]),
      file("/tmp/tmp.read.Only9X"),
      file("/srv/run/app.4242.pid", ["write", "create"]),
    ]);
    assert.deepEqual(show(out), [
      "/srv/run/app.*.pid glob [generated] write,create",
      "/tmp/tmp.*/ glob [generated] create",
      "/tmp/tmp.*/out.json glob [generated] write,create",
      "/tmp/tmp.*/sub/ glob [generated] create",
      "/tmp/tmp.*/sub/a.txt glob [generated] read",
      "/tmp/tmp.read.Only9X read",
    ]);
    assert.deepEqual(show(generalizePaths([file("/tmp/tmp.Xq3kLm9PzA", ["create"], true)], { generated: false })), ["/tmp/tmp.Xq3kLm9PzA/ create"]);
  });

  it("between runs: one generated-looking name per run at the same place becomes prefix*suffix", () => {
    const runs = [
      [
        file("/srv/job/Ab3kLm9PzQ/out.json", ["write"]),
        file("/run/app/worker-4242.sock", ["write"]),
        file("/srv/cfg/alpha.conf"),
        file("/srv/two/x-123/a"),
        file("/srv/two/x-456/a"),
      ],
      [file("/srv/job/Zz8pQ2xRt0/out.json", ["write"]), file("/run/app/worker-977.sock", ["write"]), file("/srv/cfg/bravo.conf"), file("/srv/two/x-789/a")],
    ];
    const m = generalizeBetweenRuns(runs);
    assert.deepEqual([...m].sort(), [
      ["/run/app/worker-4242.sock", "/run/app/worker-*.sock"],
      ["/run/app/worker-977.sock", "/run/app/worker-*.sock"],
      ["/srv/job/Ab3kLm9PzQ/out.json", "/srv/job/*/out.json"],
      ["/srv/job/Zz8pQ2xRt0/out.json", "/srv/job/*/out.json"],
    ]);
  });

  it("between runs: mktemp names of one template, even when one comes out all capitals; not words", () => {
    // Seen in a real run of the generated-names test: `mktemp job.XXXXXX` gave job.QJGsff and then
    // job.UWMGGK, which neither looks random on its own.
    const runs = [
      [file("/srv/w/job.QJGsff", ["write"]), file("/srv/r/report.Annual", ["write"]), file("/srv/c/cfg.BACKUP", ["write"])],
      [file("/srv/w/job.UWMGGK", ["write"]), file("/srv/r/report.Weekly", ["write"]), file("/srv/c/cfg.SYSTEM", ["write"])],
      [file("/srv/w/job.abcdef", ["write"])],
    ];
    assert.deepEqual([...generalizeBetweenRuns(runs)].sort(), [
      ["/srv/w/job.QJGsff", "/srv/w/job.*"],
      ["/srv/w/job.UWMGGK", "/srv/w/job.*"],
      ["/srv/w/job.abcdef", "/srv/w/job.*"],
    ]);
    // One name of another length: not one template.
    assert.deepEqual([...generalizeBetweenRuns([[file("/srv/w/job.QJGsff", ["write"])], [file("/srv/w/job.UWMGG", ["write"])]])], []);
  });

  it("aggregateResources: between-runs entries are recorded in generalizedBy and count every run", () => {
    const run = (id: string, fs: FileUse[]): RunRecord => ({
      id,
      files: [id],
      sha256: id.repeat(64).slice(0, 64),
      kind: "trace",
      flags: [],
      arches: ["x86_64"],
      syscalls: {},
      resources: { files: fs, execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [] },
    });
    const agg = aggregateResources([run("a", [file("/srv/job/Ab3kLm9PzQ/out.json", ["write"])]), run("b", [file("/srv/job/Zz8pQ2xRt0/out.json", ["write"])])]);
    assert.deepEqual(agg.files, [{ path: "/srv/job/*/out.json", access: ["write"], dir: false, glob: true, generalizedBy: "between-runs", runs: 2 }]);
    const off = aggregateResources([run("a", [file("/srv/job/Ab3kLm9PzQ/out.json", ["write"])]), run("b", [file("/srv/job/Zz8pQ2xRt0/out.json", ["write"])])], {
      betweenRuns: false,
    });
    assert.equal(off.files.length, 2);
  });

  it("aggregateResources: a path covered by two entries counts for both (no 'seen in 0 of N runs')", () => {
    const run = (id: string, fs: FileUse[]): RunRecord => ({
      id,
      files: [id],
      sha256: id.repeat(64).slice(0, 64),
      kind: "trace",
      flags: [],
      arches: ["x86_64"],
      syscalls: {},
      resources: { files: fs, execs: [], sockets: [], listens: [], connects: [], capabilities: [], unresolved: [] },
    });
    // Run b only read /srv/d/r, which keeps its own read rule and also falls under /srv/d/*.
    const a = run("a", [...["a", "b", "c", "d", "e"].map((n) => file(`/srv/d/${n}`, ["write"])), file("/srv/d/r")]);
    const b = run("b", [file("/srv/d/r")]);
    const agg = aggregateResources([a, b]);
    for (const f of agg.files) assert.ok(f.runs >= 1, `${f.path} seen in ${f.runs} runs`);
    assert.deepEqual(
      agg.files.map((f) => `${f.path} ${f.runs}`),
      ["/srv/d/* 2", "/srv/d/r 2"],
    );
    // Two patterns over one path: /srv/app/<hash>/x is read-only (hash rule: /srv/app/*/x) beside
    // five written files (/srv/app/*/*). Counting only the first match gave "/srv/app/*/x 0".
    const c = run("c", [...["a", "b", "c", "d", "e"].map((n) => file(`/srv/app/${SHA}/${n}`, ["write"])), file(`/srv/app/${SHA}/x`)]);
    const d = run("d", [file(`/srv/app/${SHA}/x`)]);
    assert.deepEqual(
      aggregateResources([c, d]).files.map((f) => `${f.path} ${f.runs}`),
      ["/srv/app/*/* 2", "/srv/app/*/x 2"],
    );
  });
});
