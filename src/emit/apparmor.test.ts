// AppArmor emitter: every generated profile must pass `apparmor_parser --warn=all --Werror`, and a
// path from a trace must compile to a rule that matches exactly that path. The second claim is
// checked on the parser's own DFA (`-D dfa-states`): a literal path compiles to a chain of states,
// one byte per step, accepting only at the end; any glob, alternation, class or variable would add
// a class edge, a branch or a loop. The oracles are in src/test/support/apparmor-oracle.ts.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ContainerResources, FileAccess, FileUse } from "../model/resources.js";
import { assertMatchesOnly, assertParserAccepts, assertParserRejects, dfaAccepts, fileDfa, runParser } from "../test/support/apparmor-oracle.js";
import { assertGolden } from "../test/support/golden.js";
import { FIXTURES } from "../test/support/paths.js";
import { skipUnless } from "../test/support/skip.js";
import { APPARMOR_MAX_PATH_BYTES, AppArmorEmitError, displayValue, emitAppArmor, findAppArmorProblems, quotePath } from "./apparmor.js";

const FIXTURE_DIR = join(FIXTURES, "apparmor");
/** Skips only when the parser is missing outside CI; in CI (CI=true) skipUnless throws instead. */
const NO_PARSER = skipUnless("apparmor_parser");

// ---------------------------------------------------------------------------------------------

function resources(partial: Partial<ContainerResources>): ContainerResources {
  return { files: [], execs: [], sockets: [], listens: [], connects: [], capabilities: [], ...partial };
}

function file(path: string, access: FileAccess[] = ["read"], extra: Partial<FileUse> & { runs?: number } = {}): ContainerResources["files"][number] {
  return { path, access, dir: false, runs: 1, ...extra };
}

/** The one path rule a profile of a single file holds. */
function onlyPathRule(profile: string): string {
  const rules = profile.split("\n").filter((l) => l.startsWith('  "'));
  assert.equal(rules.length, 1, `expected one path rule, got:\n${rules.join("\n")}`);
  return (rules[0] as string).trim();
}

function emitOne(path: string, access: FileAccess[] = ["read"]): string {
  return emitAppArmor("t", resources({ files: [file(path, access)] }), { runs: 1 });
}

function loadFixture(name: string): { name: string; runs: number; resources: ContainerResources } {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name, "resources.json"), "utf8")) as { name: string; runs: number; resources: ContainerResources };
}

function reversed<T>(xs: readonly T[]): T[] {
  return [...xs].reverse();
}

describe("emitAppArmor: layout", () => {
  it("renders the reviewed golden profile of a realistic workload", () => {
    const f = loadFixture("realistic");
    assertGolden(join(FIXTURE_DIR, "realistic", "expected.apparmor"), emitAppArmor(f.name, f.resources, { runs: f.runs }));
  });

  it("gives the same bytes whatever the order of the model's lists", () => {
    const f = loadFixture("realistic");
    const r = f.resources;
    const reordered: ContainerResources = {
      files: reversed(r.files),
      execs: reversed(r.execs),
      sockets: reversed(r.sockets),
      listens: reversed(r.listens),
      connects: reversed(r.connects),
      capabilities: reversed(r.capabilities),
    };
    assert.equal(emitAppArmor(f.name, reordered, { runs: f.runs }), emitAppArmor(f.name, r, { runs: f.runs }));
  });

  it("maps accesses to permission letters (w wins over a, stat needs no rule, directories end in /)", () => {
    const p = emitAppArmor(
      "t",
      resources({
        files: [
          file("/a/append", ["append"]),
          file("/a/both", ["write", "append"]),
          file("/a/create-delete", ["create", "delete"]),
          file("/a/lib.so", ["read", "map"]),
          file("/a/link", ["link"]),
          file("/a/lock", ["read", "lock"]),
          file("/a/prog", ["exec"]),
          file("/a/stat", ["stat"]),
          file("/a/dir", ["read"], { dir: true }),
          file("/", ["read"], { dir: true }),
        ],
      }),
      { runs: 1 },
    );
    const rules = p
      .split("\n")
      .filter((l) => l.startsWith('  "'))
      .map((l) => l.trim())
      .sort();
    assert.deepEqual(rules, [
      '"/" r,',
      '"/a/append" a,',
      '"/a/both" w,',
      '"/a/create-delete" w,',
      '"/a/dir/" r,',
      '"/a/lib.so" mr,',
      '"/a/link" l,',
      '"/a/lock" rk,',
      '"/a/prog" ix,',
    ]);
    assert.match(p, /# 1 path\(s\) only stat'ed/);
  });

  it("merges a program seen as a file and as an exec into one rule, and unix socket paths into rw rules", () => {
    const p = emitAppArmor(
      "t",
      resources({
        files: [file("/usr/bin/env", ["read", "exec"], { runs: 2 })],
        execs: [{ path: "/usr/bin/env", runs: 3 }],
        connects: [
          { family: "unix", address: "/run/a.sock", runs: 3 },
          { family: "unix", address: "@abstract", runs: 3 },
        ],
      }),
      { runs: 3 },
    );
    assert.deepEqual(
      p
        .split("\n")
        .filter((l) => l.startsWith('  "'))
        .map((l) => l.trim()),
      ['"/usr/bin/env" rix,', '"/run/a.sock" rw,'],
    );
  });

  it("adds net_raw for raw IP and packet sockets once, not for netlink's SOCK_RAW", () => {
    const caps = (r: ContainerResources) =>
      emitAppArmor("t", r, { runs: 1 })
        .split("\n")
        .filter((l) => l.trim().startsWith("capability"));
    assert.equal(caps(resources({ sockets: [{ family: "netlink", type: "raw", runs: 1 }] })).length, 0);
    assert.deepEqual(caps(resources({ sockets: [{ family: "inet", type: "raw", runs: 1 }] })), [
      "  capability net_raw,  # inferred: network inet raw needs CAP_NET_RAW",
    ]);
    assert.equal(
      caps(
        resources({
          sockets: [{ family: "packet", type: "dgram", runs: 1 }],
          capabilities: [{ name: "net_raw", evidence: "socket(AF_PACKET, ...)", runs: 1 }],
        }),
      ).length,
      1,
    );
  });

  it("rewrites /proc/self and /proc/thread-self to the pid the kernel resolves them to", () => {
    const p = emitAppArmor("t", resources({ files: [file("/proc/self/status"), file("/proc/thread-self/comm", ["write"]), file("/proc/selfish")] }), {
      runs: 1,
    });
    const rules = p
      .split("\n")
      .filter((l) => l.startsWith('  "'))
      .map((l) => l.trim());
    assert.deepEqual(rules, [
      '"/proc/selfish" r,',
      '"@{PROC}/@{pid}/status" r,  # recorded as /proc/self/...',
      '"@{PROC}/@{pid}/task/@{tid}/comm" w,  # recorded as /proc/thread-self/...',
    ]);
  });

  it("annotates rules seen in fewer runs than recorded", () => {
    const p = emitAppArmor("t", resources({ files: [file("/x", ["read"], { runs: 1 }), file("/y", ["read"], { runs: 2 })] }), { runs: 2 });
    assert.match(p, /^ {2}"\/x" r, {2}# seen in 1 of 2 runs$/m);
    assert.match(p, /^ {2}"\/y" r,$/m);
    assert.match(p, /^# Generated by syscage from 2 recorded run\(s\)/);
  });
});

describe("emitAppArmor: apparmor_parser accepts every profile", { skip: NO_PARSER }, () => {
  it("the realistic profile", () => {
    const f = loadFixture("realistic");
    assertParserAccepts(emitAppArmor(f.name, f.resources, { runs: f.runs }));
  });

  it("an empty model", () => {
    assertParserAccepts(emitAppArmor("empty", resources({}), { runs: 1 }));
  });

  it("every socket family and type the emitter allows, and every capability", () => {
    const families = ["unix", "inet", "inet6", "netlink", "packet", "alg", "vsock", "xdp", "bluetooth", "can"];
    const types = ["stream", "dgram", "seqpacket", "rdm", "raw", "packet"];
    const sockets = families.flatMap((family) => types.map((type) => ({ family, type, runs: 1 })));
    const names = [
      "chown",
      "dac_override",
      "dac_read_search",
      "fowner",
      "fsetid",
      "kill",
      "setgid",
      "setuid",
      "setpcap",
      "net_bind_service",
      "net_broadcast",
      "net_admin",
      "net_raw",
      "ipc_lock",
      "sys_chroot",
      "sys_ptrace",
      "sys_admin",
      "sys_nice",
      "sys_resource",
      "sys_time",
      "mknod",
      "audit_write",
      "setfcap",
    ] as const;
    const capabilities = names.map((name) => ({ name, evidence: "x", runs: 1 }));
    assertParserAccepts(emitAppArmor("t", resources({ sockets, capabilities }), { runs: 1 }));
  });

  it("untrusted text in comments stays inside the comment", () => {
    const p = emitAppArmor(
      "t",
      resources({
        capabilities: [{ name: "chown", evidence: 'chown("/x\n  /** rwx,\n#include <abstractions/evil>") at a.trace:1', runs: 1 }],
        listens: [{ family: "inet", proto: "tcp", address: "1.2.3.4\n  /** rwx,", port: 80, runs: 1 }],
      }),
      { runs: 1 },
    );
    assert.ok(!p.split("\n").some((l) => l.trim().startsWith("/**") || l.startsWith("#include <abstractions/evil>")), p);
    assertParserAccepts(p);
  });
});

/** Printable ASCII, as `/tmp/a<c>b`. */
const PRINTABLE = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));

/** The adversarial paths of the brief, and what each must be written as. */
const ADVERSARIAL: readonly [string, string][] = [
  ['/tmp/a"b', '"/tmp/a\\"b"'],
  ["/tmp/with space", '"/tmp/with space"'],
  ["/tmp/*", '"/tmp/\\*"'],
  ["/tmp/**", '"/tmp/\\*\\*"'],
  ["/tmp/{a,b}", '"/tmp/\\{a,b\\}"'],
  ["/tmp/@{HOME}", '"/tmp/@\\{HOME\\}"'],
  ["/tmp/^x", '"/tmp/\\^x"'],
  ["/tmp/a,b", '"/tmp/a,b"'],
  ["/tmp/x[1]", '"/tmp/x\\[1\\]"'],
  ["/tmp/[^a]", '"/tmp/\\[\\^a\\]"'],
  ["/tmp/back\\slash", '"/tmp/back\\\\slash"'],
  ["/tmp/back\\nslash", '"/tmp/back\\\\nslash"'],
  ["/tmp/trailing\\", '"/tmp/trailing\\134"'],
  ["/tmp/q?", '"/tmp/q\\?"'],
  ["/tmp/#hash", '"/tmp/#hash"'],
  ["/tmp/#include <abstractions/base>", '"/tmp/#include <abstractions/base>"'],
  ["/tmp/$HOME@x", '"/tmp/$HOME@x"'],
  ["/tmp/a(b)c|d+e.f", '"/tmp/a(b)c|d+e.f"'],
  ["/tmp/é日本🙂", '"/tmp/é日本🙂"'],
  ['/tmp/x", /** rwx, "/y', '"/tmp/x\\", /\\*\\* rwx, \\"/y"'],
];

describe("emitAppArmor: untrusted paths are literal", () => {
  for (const [path, quoted] of ADVERSARIAL) {
    it(`writes ${JSON.stringify(path)} as ${quoted}`, () => {
      assert.equal(onlyPathRule(emitOne(path)), `${quoted} r,`);
    });
  }

  it('escapes exactly \\ " * ? [ ] { } ^ and nothing else', () => {
    for (const c of PRINTABLE) {
      const escaped = `\\"*?[]{}^`.includes(c);
      assert.equal(quotePath(`/a${c}b`), `"/a${escaped ? "\\" : ""}${c}b"`, `character ${JSON.stringify(c)}`);
    }
  });

  describe("as apparmor_parser compiles them", { skip: NO_PARSER }, () => {
    for (const [path] of ADVERSARIAL) {
      it(`${JSON.stringify(path)} matches that path and nothing else`, () => {
        const p = emitOne(path);
        assertParserAccepts(p);
        assertMatchesOnly(fileDfa([onlyPathRule(p)]), path);
      });
    }

    it("a backslash that ends a path closes its string even when more quoted paths follow", () => {
      // `"…\\"` compiles alone (the lexer falls back to the short match) but swallows the next rule otherwise.
      const paths = ["/tmp/a\\", "/tmp/b\\\\", "/tmp/c"];
      const p = emitAppArmor("t", resources({ files: paths.map((x) => file(x)) }), { runs: 1 });
      assertParserAccepts(p);
      const rules = p
        .split("\n")
        .filter((l) => l.startsWith('  "'))
        .map((l) => l.trim());
      assert.equal(rules.length, paths.length);
      paths.forEach((path, i) => {
        assertMatchesOnly(fileDfa([rules[i] as string]), path);
      });
    });

    it("every printable ASCII character inside a name is matched literally", () => {
      const paths = PRINTABLE.map((c) => `/tmp/a${c}b`);
      const p = emitAppArmor("t", resources({ files: paths.map((x) => file(x)) }), { runs: 1 });
      assertParserAccepts(p);
      const rules = p
        .split("\n")
        .filter((l) => l.startsWith('  "'))
        .map((l) => l.trim());
      assert.equal(rules.length, paths.length);
      for (const path of paths) assertMatchesOnly(fileDfa([onlyPathRule(emitOne(path))]), path);
    });

    it("a quote and a comma in a path do not end the rule: /** is not granted", () => {
      const path = '/tmp/x", /** rwx, "/y';
      const dfa = fileDfa([onlyPathRule(emitOne(path))]);
      assertMatchesOnly(dfa, path);
      for (const other of ["/etc/shadow", "/tmp/x", "/y", '/tmp/x", /etc/shadow']) assert.ok(!dfaAccepts(dfa, other), other);
    });

    it("a 3000-character name, and a PATH_MAX path made only of characters that need escaping", () => {
      const long = `/tmp/${"n".repeat(3000)}`;
      assertParserAccepts(emitOne(long));
      assertMatchesOnly(fileDfa([onlyPathRule(emitOne(long))]), long);
      const stars = `/${"*".repeat(APPARMOR_MAX_PATH_BYTES - 1)}`;
      const p = emitOne(stars);
      assert.equal(onlyPathRule(p).length, 2 + 1 + 2 * (APPARMOR_MAX_PATH_BYTES - 1) + " r,".length);
      assertParserAccepts(p);
      assertMatchesOnly(fileDfa([onlyPathRule(p)]), stars);
    });

    it("measured: escaping @ # space and other plain characters is an error under --Werror", () => {
      // Why the escape set is minimal: apparmor_parser 3.0.8 warns "Character X was quoted unnecessarily".
      for (const c of ["@", "#", " ", "!", "%", "&", "'", "(", ")", "+", "-", ".", "/", ":", ";", "<", "=", ">", "_", "~", "|", "`", "b", "z"]) {
        const stderr = assertParserRejects(`abi <abi/3.0>,\nprofile t {\n  "/a\\${c}b" r,\n}\n`);
        assert.match(stderr, /quoted\s*unnecessarily/, `\\${c}`);
      }
    });

    it("measured: unescaped, each character of the escape set changes the rule or breaks it", () => {
      const glob = fileDfa(['"/tmp/a*b" r,', '"/tmp/c?d" r,']);
      assert.ok(dfaAccepts(glob, "/tmp/aXYZb") && dfaAccepts(glob, "/tmp/cXd"), "* and ? are globs");
      for (const c of ["[", "]", "{", "}", '"']) assertParserRejects(`abi <abi/3.0>,\nprofile t {\n  "/tmp/a${c}b" r,\n}\n`);
      const vars = runParser(`abi <abi/3.0>,\n#include <tunables/global>\nprofile t {\n  "/tmp/@{HOME}" r,\n}\n`, ["-Q", "-D", "rule-exprs"]);
      assert.match(vars.stderr, /aare: \/tmp\/\S*home/, "@{HOME} is expanded inside quotes");
    });
  });
});

describe("emitAppArmor: generalized paths keep their globs", () => {
  /** A pattern as aggregate/generalize.ts makes it: bare `*` globs, a real name's `*` and `\` escaped. */
  function pattern(path: string, generalizedBy: string, access: FileAccess[] = ["read"]): ContainerResources["files"][number] {
    return { path, access, dir: false, runs: 1, generalizedBy, glob: true };
  }
  const rulesOf = (p: string) =>
    p
      .split("\n")
      .filter((l) => l.startsWith('  "'))
      .map((l) => l.trim());

  it("writes a pattern's bare * as a glob, its \\* and \\\\ as a literal * and \\, and a literal path's * as a literal", () => {
    const p = emitAppArmor("t", resources({ files: [pattern("/proc/*/status", "pid"), pattern("/proc/*/we\\*rd\\\\x", "pid"), file("/tmp/*")] }), { runs: 1 });
    assert.deepEqual(rulesOf(p), ['"/proc/*/status" r,  # generalized (pid)', '"/proc/*/we\\*rd\\\\x" r,  # generalized (pid)', '"/tmp/\\*" r,']);
  });

  it("a path with generalizedBy but without glob: true is literal", () => {
    const p = emitAppArmor("t", resources({ files: [file("/proc/*/status", ["read"], { generalizedBy: "pid" })] }), { runs: 1 });
    assert.equal(onlyPathRule(p), '"/proc/\\*/status" r,  # generalized (pid)');
  });

  it("lists every rule of a comma-separated generalizedBy, and keeps /proc/self/task/* after the pid rewrite", () => {
    const p = emitAppArmor("t", resources({ files: [pattern("/var/lib/*/x/*", "hash,many-files", ["write"]), pattern("/proc/self/task/*/comm", "pid")] }), {
      runs: 1,
    });
    assert.deepEqual(rulesOf(p), [
      '"/var/lib/*/x/*" w,  # generalized (hash, many-files)',
      '"@{PROC}/@{pid}/task/*/comm" r,  # recorded as /proc/self/...; generalized (pid)',
    ]);
  });

  it("checks a pattern's real characters: a control character inside it is still rejected", () => {
    assert.throws(() => emitAppArmor("t", resources({ files: [pattern("/proc/*/a\nb", "pid")] }), { runs: 1 }), AppArmorEmitError);
  });

  describe("as apparmor_parser compiles them", { skip: NO_PARSER }, () => {
    it("the glob matches any one segment", () => {
      const p = emitAppArmor("t", resources({ files: [pattern("/proc/*/status", "pid")] }), { runs: 1 });
      assertParserAccepts(p);
      const dfa = fileDfa([onlyPathRule(p).replace(/ {2}#.*$/, "")]);
      for (const ok of ["/proc/1/status", "/proc/4194304/status", "/proc/self/status"]) assert.ok(dfaAccepts(dfa, ok), ok);
      for (const no of ["/proc/1/2/status", "/proc//status", "/proc/1/statusx", "/proc/*/statu"]) assert.ok(!dfaAccepts(dfa, no), no);
    });

    it("a real * next to a glob stays literal", () => {
      const p = emitAppArmor("t", resources({ files: [pattern("/proc/*/we\\*rd", "pid")] }), { runs: 1 });
      assertParserAccepts(p);
      const dfa = fileDfa([onlyPathRule(p).replace(/ {2}#.*$/, "")]);
      assert.ok(dfaAccepts(dfa, "/proc/12/we*rd"));
      assert.ok(!dfaAccepts(dfa, "/proc/12/weXrd"), "the escaped * must not be a glob");
    });
  });
});

describe("emitAppArmor: Docker's deny rules never contradict what the workload did", () => {
  const DENY_SYS_K = "deny @{PROC}/sys/[^k]** w,";
  const DENY_PROC_NONNUMERIC = "deny @{PROC}/{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}/** w,";
  const DENY_PROC_TOP = "deny @{PROC}/* w,";
  const DENY_SYSRQ = "deny @{PROC}/sysrq-trigger rwklx,";
  const DENY_SYS_NOT_F = "deny /sys/[^f]*/** wklx,";
  const DENY_FIRMWARE = "deny /sys/firmware/** rwklx,";
  const ALL = [DENY_PROC_TOP, DENY_PROC_NONNUMERIC, DENY_SYS_K, DENY_SYSRQ, DENY_SYS_NOT_F, DENY_FIRMWARE, "deny mount,", "deny network alg,"];

  function glob(path: string, generalizedBy: string): ContainerResources["files"][number] {
    return { path, access: ["write"], dir: false, runs: 1, generalizedBy, glob: true };
  }

  function denies(r: ContainerResources): { active: string[]; leftOut: string[]; trims: string[]; profile: string } {
    const profile = emitAppArmor("t", r, { runs: 1 });
    const lines = profile.split("\n").map((l) => l.trim());
    return {
      profile,
      active: ALL.filter((d) => lines.some((l) => l === d || l.startsWith(`${d}  # also trims the generalized `))),
      leftOut: ALL.filter((d) => lines.some((l) => l.startsWith(`# ${d}  (left out:`))),
      trims: ALL.filter((d) => lines.some((l) => l.startsWith(`${d}  # also trims the generalized `))),
    };
  }

  const cases: readonly { name: string; r: ContainerResources; leftOut: string[]; trims?: string[] }[] = [
    { name: "nothing in /proc or /sys: all kept", r: resources({ files: [file("/etc/passwd")] }), leftOut: [] },
    { name: "writes a sysctl outside kernel.*", r: resources({ files: [file("/proc/sys/net/core/somaxconn", ["read", "write"])] }), leftOut: [DENY_SYS_K] },
    { name: "only reads a sysctl", r: resources({ files: [file("/proc/sys/net/core/somaxconn", ["read"])] }), leftOut: [] },
    { name: "writes /proc/sysrq-trigger", r: resources({ files: [file("/proc/sysrq-trigger", ["write"])] }), leftOut: [DENY_PROC_TOP, DENY_SYSRQ] },
    { name: "writes /proc/self/oom_score_adj (resolved to a pid)", r: resources({ files: [file("/proc/self/oom_score_adj", ["write"])] }), leftOut: [] },
    // The pid rule only ever replaced numbers: Docker's deny of non-numeric /proc entries cannot hurt.
    { name: "writes /proc/<pid>/… generalized by pid", r: resources({ files: [glob("/proc/*/oom_score_adj", "pid")] }), leftOut: [] },
    { name: "writes /proc/<pid>/task/<tid>/… generalized by pid", r: resources({ files: [glob("/proc/*/task/*/comm", "pid")] }), leftOut: [] },
    // Any other glob can also be `sys` or `self`: the denies stay and trim it back to what no deny covers.
    {
      name: "writes /proc/<anything>/… generalized by hash",
      r: resources({ files: [glob("/proc/*/x", "hash")] }),
      leftOut: [],
      trims: [DENY_PROC_NONNUMERIC, DENY_SYS_K],
    },
    {
      name: "writes /proc/<anything>/… generalized by pid and hash",
      r: resources({ files: [glob("/proc/*/x", "pid,hash")] }),
      leftOut: [],
      trims: [DENY_PROC_NONNUMERIC, DENY_SYS_K],
    },
    // Every path /proc/* matches is denied by `@{PROC}/* w`: the workload certainly wrote one of them.
    {
      name: "writes /proc/* generalized by pid and many-files",
      r: resources({ files: [glob("/proc/*", "pid,many-files")] }),
      leftOut: [DENY_PROC_TOP],
      trims: [DENY_SYSRQ],
    },
    { name: "writes /sys/kernel/mm/* generalized by many-files", r: resources({ files: [glob("/sys/kernel/mm/*", "many-files")] }), leftOut: [DENY_SYS_NOT_F] },
    { name: "writes /sys/*/x generalized by hash", r: resources({ files: [glob("/sys/*/x", "hash")] }), leftOut: [], trims: [DENY_SYS_NOT_F, DENY_FIRMWARE] },
    { name: "writes /proc/irq/…", r: resources({ files: [file("/proc/irq/0/smp_affinity", ["append"])] }), leftOut: [DENY_PROC_NONNUMERIC] },
    { name: "writes cgroup files (Docker allows them)", r: resources({ files: [file("/sys/fs/cgroup/memory.max", ["write"])] }), leftOut: [] },
    { name: "writes /sys/kernel/mm/…", r: resources({ files: [file("/sys/kernel/mm/transparent_hugepage/enabled", ["write"])] }), leftOut: [DENY_SYS_NOT_F] },
    { name: "reads firmware tables", r: resources({ files: [file("/sys/firmware/dmi/tables/DMI", ["read"])] }), leftOut: [DENY_FIRMWARE] },
    { name: "creates AF_ALG sockets", r: resources({ sockets: [{ family: "alg", type: "seqpacket", runs: 1 }] }), leftOut: ["deny network alg,"] },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const d = denies(c.r);
      assert.deepEqual(d.leftOut, c.leftOut);
      assert.deepEqual(d.trims, c.trims ?? []);
      assert.deepEqual(
        d.active,
        ALL.filter((x) => !c.leftOut.includes(x)),
      );
    });
  }

  it("every one of these profiles passes apparmor_parser", { skip: NO_PARSER }, () => {
    for (const c of cases) assertParserAccepts(denies(c.r).profile);
  });
});

describe("emitAppArmor: what it rejects", () => {
  const bad: readonly [string, string][] = [
    ["newline", "/tmp/a\nb"],
    ["rule injection across lines", '/tmp/x" rw,\n  /** rwx,\n  "/y'],
    ["tab", "/tmp/a\tb"],
    ["NUL", "/tmp/a\0b"],
    ["DEL", "/tmp/a\x7fb"],
    ["C1 control", "/tmp/a\u009bb"],
    ["carriage return", "/tmp/a\rb"],
    ["right-to-left override", "/tmp/\u202etxt.exe"],
    ["line separator", "/tmp/a\u2028b"],
    ["lone surrogate", "/tmp/a\ud800b"],
    ["relative path", "tmp/x"],
    ["empty path", ""],
    ["PATH_MAX", `/${"a".repeat(APPARMOR_MAX_PATH_BYTES)}`],
  ];
  for (const [why, path] of bad) {
    it(`a path with a ${why}`, () => {
      assert.throws(
        () => emitOne(path),
        (e: unknown) => {
          assert.ok(e instanceof AppArmorEmitError);
          assert.equal(e.code, "SC_APPARMOR_PATH");
          assert.deepEqual(
            e.problems.map((p) => [p.code, p.what, p.value]),
            [["SC_APPARMOR_PATH", "file", path]],
          );
          assert.ok(e.message.startsWith(`cannot emit AppArmor profile: file ${displayValue(path)}: `), e.message);
          assert.doesNotMatch(e.message, /[\p{Cc}\u202a-\u202e\u2028\u2029]/u, "the message is one plain line");
          return true;
        },
      );
    });
  }

  it("names the path in the message, escaped", () => {
    assert.throws(() => emitOne("/tmp/a\nb"), {
      message:
        'cannot emit AppArmor profile: file "/tmp/a\\nb": contains control character U+000A; AppArmor rules are kept free of them so a rule cannot span lines or hide text',
    });
    assert.equal(displayValue("/tmp/\u202etxt"), '"/tmp/\\u202etxt"');
  });

  it("a path of exactly PATH_MAX-1 bytes in UTF-8 is accepted, one more byte is not", () => {
    const ok = `/${"é".repeat((APPARMOR_MAX_PATH_BYTES - 1) / 2)}`;
    assert.equal(Buffer.byteLength(ok), APPARMOR_MAX_PATH_BYTES);
    assert.doesNotThrow(() => emitOne(ok));
    assert.throws(() => emitOne(`${ok}a`), AppArmorEmitError);
  });

  it("collects every problem, from files, execs, unix sockets, sockets and the name", () => {
    const r = resources({
      files: [file("/ok"), file("/a\nb")],
      execs: [{ path: "bin/sh", runs: 1 }],
      connects: [
        { family: "unix", address: "/run/\u0007", runs: 1 },
        { family: "unix", address: "@abstract\n", runs: 1 },
        { family: "unix", address: "relative.sock", runs: 1 },
      ],
      sockets: [
        { family: "AF_WEIRD", type: "stream", runs: 1 },
        { family: "inet", type: "SOCK_FOO", runs: 1 },
      ],
      capabilities: [{ name: "cap_everything" as "chown", evidence: "", runs: 1 }],
    });
    const problems = findAppArmorProblems("bad name", r);
    assert.deepEqual(
      problems.map((p) => [p.code, p.what, p.value]),
      [
        ["SC_APPARMOR_PROFILE_NAME", "profile name", "bad name"],
        ["SC_APPARMOR_PATH", "file", "/a\nb"],
        ["SC_APPARMOR_PATH", "exec", "bin/sh"],
        ["SC_APPARMOR_PATH", "unix socket", "/run/\u0007"],
        ["SC_APPARMOR_PATH", "unix socket", "relative.sock"],
        ["SC_APPARMOR_NETWORK", "socket", "AF_WEIRD stream"],
        ["SC_APPARMOR_NETWORK", "socket", "inet SOCK_FOO"],
        ["SC_APPARMOR_CAPABILITY", "capability", "cap_everything"],
      ],
    );
    assert.throws(
      () => emitAppArmor("bad name", r, { runs: 1 }),
      (e: unknown) => e instanceof AppArmorEmitError && e.problems.length === problems.length && /and 7 more/.test(e.message),
    );
  });

  for (const name of ["", "-x", ".x", "a b", "a/b", 'a"b', "a,b", "é", "a\n", "web{1}"]) {
    it(`profile name ${JSON.stringify(name)}`, () => {
      assert.throws(
        () => emitAppArmor(name, resources({}), { runs: 1 }),
        (e: unknown) => e instanceof AppArmorEmitError && e.code === "SC_APPARMOR_PROFILE_NAME",
      );
    });
  }

  it("a run count that is not a positive integer is a programming error", () => {
    for (const runs of [0, -1, 1.5, Number.NaN]) assert.throws(() => emitAppArmor("t", resources({}), { runs }), RangeError);
  });

  it("accepts names in [A-Za-z0-9][A-Za-z0-9._-]*, and apparmor_parser does too", { skip: NO_PARSER }, () => {
    for (const name of ["a", "0", "web-1.2_x", "deny", "profile"]) assertParserAccepts(emitAppArmor(name, resources({}), { runs: 1 }));
  });
});
