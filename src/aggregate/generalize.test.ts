import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FileAccess, FileUse } from "../model/resources.js";
import { escapePatternText, generalizePaths, isHashLike, pathPieces, type GeneralizeOptions } from "./generalize.js";

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
      input: ["null", "tty", "zero", "full", "random"].map((n) => file(`/dev/${n}`, ["write"])).concat(["a", "b", "c", "d", "e"].map((n) => file(`/proc/self/${n}`, ["write"]))),
      expected: ["/dev/full write", "/dev/null write", "/dev/random write", "/dev/tty write", "/dev/zero write", "/proc/self/a write", "/proc/self/b write", "/proc/self/c write", "/proc/self/d write", "/proc/self/e write"],
    },
    {
      name: "many-files: /dev/shm is not /dev (exact skip), and a skip list can be given",
      input: ["a", "b", "c", "d", "e"].map((n) => file(`/dev/shm/sem.${n}`, ["write", "create"])),
      expected: ["/dev/shm/* glob [many-files] write,create"],
    },
    {
      name: "many-files: skipped when listed",
      input: ["a", "b", "c", "d", "e"].map((n) => file(`/dev/shm/sem.${n}`, ["write", "create"])),
      options: { manyFilesSkip: ["/dev/**"] },
      expected: ["/dev/shm/sem.a write,create", "/dev/shm/sem.b write,create", "/dev/shm/sem.c write,create", "/dev/shm/sem.d write,create", "/dev/shm/sem.e write,create"],
    },
    {
      name: "rules combine and their names are listed in rule order",
      input: [
        file(`/tmp/${UUID_A}`, ["write", "create"]),
        file(`/tmp/${SHA}`, ["write"]),
        file("/tmp/x1", ["write"]),
        file("/tmp/x2", ["write"]),
        file("/tmp/x3", ["write"]),
        file("/proc/42/fd", ["read"], true),
        file("/proc/43/fd", ["stat"], false),
      ],
      expected: ["/proc/*/fd/ glob [pid] read,stat", "/tmp/* glob [uuid,hash,many-files] write,create"],
    },
    {
      name: "each rule can be turned off",
      input: [file("/proc/1234/status"), file(`/run/${UUID_A}`), file(`/var/${SHA}`), ...["a", "b", "c", "d", "e"].map((n) => file(`/tmp/${n}`, ["write"]))],
      options: { pid: false, uuid: false, hash: false, manyFiles: false },
      expected: ["/proc/1234/status read", `/run/${UUID_A} read`, "/tmp/a write", "/tmp/b write", "/tmp/c write", "/tmp/d write", "/tmp/e write", `/var/${SHA} read`],
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
    const input = [file("/tmp/*", ["read"]), ...["a", "b", "c", "d", "e"].map((n) => file(`/tmp/${n}`, ["write"]))];
    const out = generalizePaths(input);
    assert.deepEqual(show(out), ["/tmp/* read", "/tmp/* glob [many-files] write"]);
    // The emitter sees the difference through pathPieces.
    assert.deepEqual(pathPieces(out[0]!), [{ kind: "text", text: "/tmp/*" }]);
    assert.deepEqual(pathPieces(out[1]!), [{ kind: "text", text: "/tmp/" }, { kind: "glob" }]);
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
    for (const no of ["0123456789abcde", "x86_64-linux-gnu", "cpython-311-x86_64-linux-gnu", "GoogleChromeUpdate2024Helper", "libc.so.6", "e9ba5c07.23f8b15e4177cb6bedcfedac", "__pycache__"]) {
      assert.ok(!isHashLike(no), no);
    }
  });
});
