// Falco rules as Falco 0.44.1's loader takes them: a rule over more than 100 event types carries
// `warn_evttypes: false` (Falco compiles disabled rules too, and warns "Rule matches too many
// evt.type values" unless told: rule_loader_compiler.cpp), the schema accepts the key, and the
// header names the Falco release whose engine the file requires.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertSchemaValid, expand, lex, parseRules } from "../test/support/falco-oracle.js";
import { runCli } from "../test/support/run-cli.js";
import { FALCO_REQUIRED_ENGINE_VERSION } from "./falco.js";

/** Engine version -> Falco release, from falco's userspace/engine/falco_engine_version.h at each tag. */
const ENGINE_OF_RELEASE: Record<string, string> = { "0.50.0": "0.41", "0.57.0": "0.42", "0.58.0": "0.43", "0.62.0": "0.44" };

/** How many event types a condition names (after lists and macros are pasted in as Falco does). */
function eventTypeCount(expanded: string): number {
  const tokens = lex(expanded);
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]?.raw !== "evt.type" || tokens[i + 1]?.raw !== "in" || tokens[i + 2]?.raw !== "(") continue;
    for (let j = i + 3; j < tokens.length && tokens[j]?.raw !== ")"; j++) if (tokens[j]?.kind !== "punct") n++;
  }
  return n;
}

describe("Falco: rules Falco would warn about, and the engine version", () => {
  const r = runCli(["falco", "--syscall-rule", "profiles/web", "profiles/db"]);

  it("syscage falco --syscall-rule writes the rules (the option belongs to `falco`)", () => {
    assert.equal(r.status, 0, r.stderr);
    assertSchemaValid(r.stdout);
    const gen = runCli(["generate", "--syscall-rule", "--name", "x", "samples/web"]);
    assert.equal(gen.status, 2, "generate has no --syscall-rule; the README must not say it does");
  });

  it("every rule over more than 100 event types says warn_evttypes: false", () => {
    const f = parseRules(r.stdout);
    let wide = 0;
    for (const item of f.items) {
      if (typeof item.rule !== "string") continue;
      const count = eventTypeCount(expand(f, String(item.condition)));
      if (count > 100) {
        wide++;
        assert.equal(item.warn_evttypes, false, `${item.rule}: ${count} event types without warn_evttypes: false`);
        assert.equal(item.enabled, false, `${item.rule} must stay disabled`);
      } else assert.equal(item.warn_evttypes, undefined, `${item.rule}: only ${count} event types; keep Falco's warning`);
    }
    assert.ok(wide >= 2, `expected the syscall rule of each container, found ${wide}`);
  });

  it("the schema would refuse a misspelt or mistyped warn_evttypes (it is checked, not ignored)", () => {
    const base = "- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: NOTICE\n";
    assertSchemaValid(`${base}  warn_evttypes: false\n`);
    assert.throws(() => assertSchemaValid(`${base}  warn_evttypes: "no"\n`));
    assert.throws(() => assertSchemaValid(`${base}  warn_evttype: false\n`));
  });

  it(`the header names Falco ${ENGINE_OF_RELEASE[FALCO_REQUIRED_ENGINE_VERSION] ?? "?"} for engine ${FALCO_REQUIRED_ENGINE_VERSION}`, () => {
    const release = ENGINE_OF_RELEASE[FALCO_REQUIRED_ENGINE_VERSION];
    assert.ok(release, `engine ${FALCO_REQUIRED_ENGINE_VERSION} is not in the table`);
    const header = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("#"))
      .join("\n");
    assert.match(
      header,
      new RegExp(`required_engine_version ${FALCO_REQUIRED_ENGINE_VERSION.replaceAll(".", "\\.")} is the engine of Falco ${release.replace(".", "\\.")}\\b`),
    );
    for (const [engine, other] of Object.entries(ENGINE_OF_RELEASE)) {
      if (engine === FALCO_REQUIRED_ENGINE_VERSION) continue;
      assert.doesNotMatch(
        header,
        new RegExp(`${FALCO_REQUIRED_ENGINE_VERSION.replaceAll(".", "\\.")} is [^.]*Falco ${other.replace(".", "\\.")}'s`),
        "names another release's engine",
      );
    }
  });
});
