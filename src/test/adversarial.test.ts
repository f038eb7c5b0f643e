// Hostile file names, end to end: a real program, recorded by real strace (syscage's own record
// flags), creates and runs files whose names are built to break a profile that pastes them: quotes,
// spaces, globs, alternations, AppArmor variables, commas, a fake rule, Falco filter syntax, a
// newline, bytes that are not UTF-8, very long names. The whole pipeline then runs on that trace
// (parse, resources, allowlist, generalization, AppArmor and Falco emitters), and the real tools
// judge the output:
// - apparmor_parser compiles the profile (--warn=all --Werror), and the parser's own DFA shows each
//   hostile path matches exactly itself, and no rule admits paths the workload never touched;
// - Falco's schema accepts the rules file, sysdig compiles every expanded condition, sysdig reads
//   each hostile list item back as the exact name, and every condition has the same token shape as
//   the one emitted from the same model with harmless names (nothing escaped a string literal);
// - what neither format can hold is left out with a diagnostic naming the trace line (newline,
//   invalid UTF-8) or the value (`'` and a trailing `\`, which Falco's lexer cannot represent).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { GeneralizeOptions } from "../aggregate/generalize.js";
import { type FalcoContainer, emitFalcoRules } from "../emit/falco.js";
import { quotePath } from "../emit/apparmor.js";
import type { Diagnostic } from "../model/diagnostics.js";
import type { ContainerResources } from "../model/resources.js";
import { type ContainerResult, generateContainer, jobFor } from "../io/profile-set.js";
import { recordCommand } from "../io/record.js";
import { assertMatchesOnly, assertParserAccepts, dfaAccepts, fileDfa } from "./support/apparmor-oracle.js";
import { assertNoUnused, assertSchemaValid, assertSysdigCompiles, expand, lex, parseRules, shape, sysdigReadsLiteral } from "./support/falco-oracle.js";
import { skipUnless } from "./support/skip.js";

const MISSING = skipUnless("strace", "python3", "apparmor_parser", "sysdig");
const IMAGES = ["docker.io/library/python", "python"];

/** Names (relative to the work directory) that both formats can hold: each must come out literal. */
const ACCEPTED = [
  'a"b',
  "with space",
  "*",
  "{a,b}",
  "@{HOME}",
  "^x",
  "a,b",
  "x[1]",
  "back\\slash",
  "q?",
  "#hash",
  "x)and(proc.name!=bash",
  'a" or "1"="1',
  'x", /** rwx, "y', // a directory `x", ` holding `** rwx, "y`
  "données-文件",
];
/** Programs run under hostile names (copies of /bin/true). */
const EXECUTED = ["run me {now}", "x)and(proc.name!=bash-exe", 'exe" or "1"="1'];
/**
 * Names AppArmor holds but Falco cannot: `'` and a trailing `\` (its lexers), one of the rules file's
 * own list names as a word (Falco's textual list expansion would paste the list into the quotes),
 * and paths over 255 bytes (the longest value Falco's filter compiler stores). Literal in the
 * AppArmor profile; left out of the Falco rules, with a diagnostic naming the value.
 */
const FALCO_REJECTS = [
  "it's",
  "ends-in\\",
  "a (syscage_hostile_write_paths) b",
  "n".repeat(255), // NAME_MAX
  Array.from({ length: 14 }, (_, i) => `${String(i).padStart(2, "0")}${"d".repeat(198)}`).join("/"), // ~2800 bytes deep
];
/** Names rejected while parsing: the diagnostic names the trace line. */
const PARSE_REJECTS: { name: string; bytes: number[]; traceText: string }[] = [
  { name: "new\nline", bytes: [...Buffer.from("new\nline")], traceText: "new\\nline" },
  { name: "bad-utf8-\ufffd", bytes: [...Buffer.from("bad-utf8-"), 0xff, 0xfe], traceText: "bad-utf8-\\377\\376" },
];
/** A directory with a hostile name holding more written files than the many-files threshold. */
const GLOB_DIR = "g{a,b} @{HOME}*[1]?";
const GLOB_FILES = ["f1", "f2", "f3", "f4", "f5", "f6"];

const PROGRAM = String.raw`
import json, os, sys
work = sys.argv[1]
spec = json.loads(sys.argv[2])
os.chdir(work)
def create(rel):
    d = os.path.dirname(rel)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(rel, "w") as f:
        f.write("x")
for rel in spec["files"]:
    create(rel)
for raw in spec["raw"]:
    fd = os.open(bytes(raw), os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
with open("/bin/true", "rb") as f:
    true = f.read()
for rel in spec["exes"]:
    with open(rel, "wb") as f:
        f.write(true)
    os.chmod(rel, 0o755)
    path = os.path.join(work, rel)
    assert os.spawnv(os.P_WAIT, path, [path]) == 0
`;

let dir = "";
let work = "";
let trace = "";

// Falco rules scoped by image: the checks below read the hostile values from lists (scoped by
// process they sit in macros: see the last test).
async function generate(generalize: GeneralizeOptions | undefined, falcoScope: "image" | "process" = "image"): Promise<ContainerResult> {
  const job = jobFor("hostile", { inputs: [trace], images: IMAGES, falcoScope, ...(generalize ? { generalize } : {}) }, undefined, dir, join(dir, "profiles"));
  return generateContainer(job, { fresh: true });
}

function fileContent(result: ContainerResult, name: string): string {
  const f = result.files.find((x) => x.path.endsWith(`/${name}`) || x.path === name);
  assert.ok(f, `no ${name} among ${result.files.map((x) => x.path).join(", ")}`);
  return f.content;
}

function resourcesOf(result: ContainerResult): ContainerResources {
  const r = result.allowlist.resources;
  assert.ok(r, "the allowlist has no resources");
  return r as ContainerResources;
}

/** The profile's path rules (allow rules: a quoted path first), without their comments. */
function pathRules(profile: string): string[] {
  return profile
    .split("\n")
    .filter((l) => l.startsWith('  "'))
    .map((l) => l.trim());
}

function unsafe(diags: Diagnostic[]): Diagnostic[] {
  return diags.filter((d) => d.code === "SC_UNSAFE_VALUE");
}

describe("hostile file names, recorded by strace, through the whole pipeline", { skip: MISSING }, () => {
  let literal: ContainerResult;
  let generalized: ContainerResult;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "syscage-hostile-"));
    work = join(realpathSync(dir), "w");
    mkdirSync(work);
    const program = join(dir, "hostile.py");
    writeFileSync(program, PROGRAM);
    const spec = {
      files: [...ACCEPTED, ...FALCO_REJECTS, ...GLOB_FILES.map((f) => `${GLOB_DIR}/${f}`)],
      raw: PARSE_REJECTS.map((p) => p.bytes),
      exes: EXECUTED,
    };
    const rec = await recordCommand(join(dir, "runs"), ["python3", "-S", program, work, JSON.stringify(spec)], [], { stdout: "ignore" });
    assert.equal(rec.status, 0, "the recorded program failed");
    trace = rec.file;
    literal = await generate({ pid: false, uuid: false, hash: false, manyFiles: false });
    // Only many-files: the work directory's random mkdtemp name can look hash-like (`a1B2c3`), and
    // the hash rule would then turn it into `*` too, which this test does not look at.
    generalized = await generate({ pid: false, uuid: false, hash: false });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps every hostile name exactly, as an absolute path resolved from the cwd", () => {
    const files = new Map(resourcesOf(literal).files.map((f) => [f.path, f]));
    for (const rel of [...ACCEPTED, ...FALCO_REJECTS]) {
      const f = files.get(join(work, rel));
      assert.ok(f, `missing ${JSON.stringify(rel)}`);
      assert.ok(f.access.includes("write") && f.access.includes("create"), `${rel}: ${f.access.join(",")}`);
      assert.equal(f.glob, undefined);
    }
    const execs = new Set(resourcesOf(literal).execs.map((e) => e.path));
    for (const rel of EXECUTED) assert.ok(execs.has(join(work, rel)), `exec ${rel} missing`);
  });

  it("rejects a newline and invalid UTF-8 with a diagnostic at the trace line that holds them", () => {
    const lines = readFileSync(trace, "latin1").split("\n");
    for (const p of PARSE_REJECTS) {
      const lineNo = lines.findIndex((l) => l.includes("openat(") && l.includes(p.traceText)) + 1;
      assert.ok(lineNo > 0, `the trace has no openat of ${p.traceText}`);
      const d = unsafe(literal.diagnostics).find((x) => x.line === lineNo);
      assert.ok(d, `no SC_UNSAFE_VALUE at line ${lineNo}: ${JSON.stringify(unsafe(literal.diagnostics))}`);
      assert.ok(trace.endsWith(d.file), `${d.file} is not the trace`);
      assert.match(d.message, /control characters|not valid UTF-8/);
    }
    const paths = resourcesOf(literal).files.map((f) => f.path);
    assert.ok(!paths.some((p) => p.includes("\n")), "the newline name reached the model");
    assert.ok(!paths.some((p) => p.includes("bad-utf8")), "the non-UTF-8 name reached the model");
  });

  it("leaves what Falco cannot hold out of the Falco rules only, saying which value", () => {
    const profile = fileContent(literal, "apparmor.profile");
    const falco = fileContent(literal, "falco-rules.yaml");
    const rules = pathRules(profile);
    for (const rel of FALCO_REJECTS) {
      const value = join(work, rel);
      const d = unsafe(literal.diagnostics).find((x) => x.message.includes(JSON.stringify(value)));
      assert.ok(d, `no diagnostic for ${JSON.stringify(value)}: ${JSON.stringify(unsafe(literal.diagnostics))}`);
      assert.match(d.message, /left out of the Falco rules:/);
      const rule = rules.find((r) => r.startsWith(`${quotePath(value)} `));
      assert.ok(rule, `${rel} is missing from the AppArmor profile`);
      assertMatchesOnly(fileDfa([rule]), value);
      const tail = rel.slice(-12);
      assert.ok(!falco.includes(tail.replaceAll("\\", "\\\\")), `${rel} reached the Falco rules`);
    }
    const expected = PARSE_REJECTS.length + FALCO_REJECTS.length;
    assert.equal(unsafe(literal.diagnostics).length, expected, JSON.stringify(unsafe(literal.diagnostics), null, 1));
  });

  it("writes an AppArmor profile apparmor_parser compiles, each hostile path a rule matching exactly itself", () => {
    const profile = fileContent(literal, "apparmor.profile");
    assertParserAccepts(profile);
    const rules = pathRules(profile);
    for (const rel of [...ACCEPTED, ...EXECUTED]) {
      const path = join(work, rel);
      const rule = rules.find((r) => r.startsWith(`${quotePath(path)} `));
      assert.ok(rule, `no rule for ${JSON.stringify(rel)}`);
      assertMatchesOnly(fileDfa([rule]), path);
    }
    // All the allow rules together admit nothing the fake rule or a glob would have opened up.
    const all = fileDfa(rules.map((r) => r.replace(/,\s+#.*$/, ",")));
    for (const probe of [
      "/etc/shadow",
      "/root/.ssh/id_rsa",
      join(work, "y"),
      join(work, "x"),
      join(work, "a"),
      join(work, "b"),
      join(work, "x1"),
      join(work, "qq"),
      `${work}/zzz`,
    ]) {
      assert.equal(dfaAccepts(all, probe), false, `the profile admits ${probe}`);
    }
  });

  it("generalizes the hostile directory into a glob over its own files only", () => {
    const glob = resourcesOf(generalized).files.find((f) => f.generalizedBy === "many-files" && f.path.startsWith(work));
    assert.ok(glob, "the directory with 6 written files was not generalized");
    const profile = fileContent(generalized, "apparmor.profile");
    assertParserAccepts(profile);
    const rule = pathRules(profile).find((r) => r.includes("g{a,b}") || r.includes("g\\{a,b\\}") || r.includes("g\\{a\\,b\\}"));
    assert.ok(rule, `no rule for the glob directory in:\n${profile}`);
    const dfa = fileDfa([rule.replace(/,\s+#.*$/, ",")]);
    const d = join(work, GLOB_DIR);
    assert.ok(dfaAccepts(dfa, `${d}/f1`));
    assert.ok(dfaAccepts(dfa, `${d}/new-file`));
    for (const probe of [
      `${d}/sub/f1`,
      join(work, "ga @{HOME}*[1]?/f1"),
      join(work, "g{a,b} /root*[1]?/f1"),
      join(work, "g{a,b} @{HOME}zz1q/f1"),
      join(work, "g{a,b} @{HOME}*1?/f1"),
      `${d}`,
    ]) {
      assert.equal(dfaAccepts(dfa, probe), false, `the glob rule admits ${probe}`);
    }
  });

  for (const [label, pick] of [
    ["literal names", () => literal],
    ["generalized names", () => generalized],
  ] as const) {
    it(`writes Falco rules (${label}) that the schema and sysdig accept, with every hostile value one literal`, async () => {
      const result = pick();
      const text = fileContent(result, "falco-rules.yaml");
      assertSchemaValid(text);
      const rules = parseRules(text);
      assertNoUnused(rules);
      await assertSysdigCompiles(rules);

      // Each list item is one string literal; the hostile ones read back exactly, in both lexers.
      const expectedValues = new Set([...ACCEPTED, ...EXECUTED].map((rel) => join(work, rel)));
      const seen = new Set<string>();
      for (const l of rules.lists) {
        for (const item of l.items) {
          const tokens = lex(item);
          assert.deepEqual(
            tokens.map((t) => t.kind),
            ["str"],
            `${l.name}: ${item}`,
          );
          const value = (tokens[0] as { value: string }).value;
          if (expectedValues.has(value)) {
            seen.add(value);
            assert.equal(sysdigReadsLiteral(item), value, `sysdig reads ${item}`);
          }
        }
      }
      const required = label === "literal names" ? expectedValues : new Set(EXECUTED.map((rel) => join(work, rel)));
      for (const v of required) assert.ok(seen.has(v), `${JSON.stringify(v)} is in no list`);

      // The same rules from the same model with harmless names have the same token shape.
      const r = resourcesOf(result);
      const rejected = new Set(FALCO_REJECTS.map((rel) => join(work, rel)));
      const names = new Map<string, string>();
      const benign = (s: string): string => {
        if (!names.has(s)) names.set(s, `/benign/${String(names.size).padStart(4, "0")}`);
        return names.get(s) as string;
      };
      const benignPath = (p: string, glob: boolean | undefined): string =>
        glob
          ? p
              .split("/")
              .map((seg) => (seg.includes("*") ? "*" : seg.replace(/[^A-Za-z0-9]/g, "_") || seg))
              .join("/")
          : benign(p);
      const twin: ContainerResources = {
        ...r,
        files: r.files.filter((f) => !rejected.has(f.path)).map((f) => ({ ...f, path: benignPath(f.path, f.glob) })),
        execs: r.execs.filter((e) => !rejected.has(e.path)).map((e) => ({ ...e, path: benign(e.path), ...(e.parent ? { parent: benign(e.parent) } : {}) })),
        listens: r.listens.map((e) => ({ ...e, address: e.family === "unix" ? benign(e.address) : e.address })),
        connects: r.connects.map((e) => ({ ...e, address: e.family === "unix" ? benign(e.address) : e.address })),
      };
      const syscalls = [...new Set(result.policies.flatMap((p) => p.rules.filter((x) => x.action === "SCMP_ACT_ALLOW").flatMap((x) => x.names)))].sort();
      const container: FalcoContainer = { name: "hostile", images: IMAGES, resources: twin, syscalls, runs: result.allowlist.runs.length, scope: "image" };
      const harmless = parseRules(emitFalcoRules([container]));
      assert.deepEqual(
        rules.rules.map((x) => x.rule),
        harmless.rules.map((x) => x.rule),
      );
      rules.rules.forEach((x, i) => {
        const y = harmless.rules[i] as (typeof harmless.rules)[number];
        assert.equal(shape(expand(rules, x.condition)), shape(expand(harmless, y.condition)), `${x.rule}: a value changed the condition's shape`);
      });
    });
  }

  it("writes Falco rules scoped by process that the schema and sysdig accept, with every hostile value one literal", async () => {
    const result = await generate({ manyFiles: false }, "process");
    const text = fileContent(result, "falco-rules.yaml");
    assertSchemaValid(text);
    const rules = parseRules(text);
    assert.ok(rules.macros.has("syscage_hostile_process_writes"));
    assertNoUnused(rules);
    await assertSysdigCompiles(rules);
    const strings = new Set<string>();
    for (const r of rules.rules) for (const t of lex(expand(rules, r.condition))) if (t.kind === "str") strings.add(t.value);
    for (const rel of EXECUTED) assert.ok(strings.has(join(work, rel)), `${rel} is in no condition`);
    for (const v of [...ACCEPTED, ...EXECUTED].map((rel) => join(work, rel))) {
      if (strings.has(v)) assert.equal(sysdigReadsLiteral(`"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`), v, v);
    }
  });
});
