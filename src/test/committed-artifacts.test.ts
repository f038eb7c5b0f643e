// The AppArmor profiles and Falco rules committed under profiles/ (generated from the real samples,
// reviewed by reading them, kept current by the "committed profiles" test) are accepted by the real
// tools: apparmor_parser compiles each profile, and each rules file validates against Falco's schema,
// has no unused list or macro, and every expanded condition and output compiles with sysdig. Also
// the export of all containers into one file (`syscage falco`), which checks literals across them.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertParserAccepts } from "./support/apparmor-oracle.js";
import { assertNoUnused, assertSchemaValid, assertSysdigCompiles, parseRules } from "./support/falco-oracle.js";
import { REPO, exists } from "./support/paths.js";
import { skipUnless } from "./support/skip.js";
import { runCli } from "./support/run-cli.js";

const PROFILES = join(REPO, "profiles");
const containers = readdirSync(PROFILES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("committed AppArmor profiles", { skip: skipUnless("apparmor_parser") }, () => {
  it("covers every sample container", () => {
    assert.deepEqual(containers, ["db", "runtime", "shell", "web"]);
  });
  for (const name of containers) {
    it(`profiles/${name}/apparmor.profile compiles with --warn=all --Werror`, () => {
      const text = readFileSync(join(PROFILES, name, "apparmor.profile"), "utf8");
      assert.match(text, new RegExp(`^profile ${name} flags=\\(attach_disconnected,mediate_deleted\\) \\{$`, "m"));
      assertParserAccepts(text);
    });
  }
});

describe("committed Falco rules", { skip: skipUnless("sysdig") }, () => {
  for (const name of containers) {
    it(`profiles/${name}/falco-rules.yaml: schema, no unused items, sysdig compiles every rule`, async () => {
      const file = join(PROFILES, name, "falco-rules.yaml");
      assert.ok(exists(file), `${file} is missing (images: in profiles/syscage.yaml?)`);
      const text = readFileSync(file, "utf8");
      assertSchemaValid(text);
      const rules = parseRules(text);
      assertNoUnused(rules);
      assert.ok(rules.rules.length >= 4, "spawn, write, connect and listen rules");
      await assertSysdigCompiles(rules);
    });
  }

  it("syscage falco exports all of them into one file the same tools accept", async () => {
    const r = runCli(["falco", "--syscall-rule"], { cwd: REPO });
    assert.equal(r.status, 0, r.stderr);
    assertSchemaValid(r.stdout);
    const rules = parseRules(r.stdout);
    assertNoUnused(rules);
    for (const name of containers)
      assert.ok(
        rules.rules.some((x) => x.rule.startsWith(`syscage ${name}:`)),
        `no rules for ${name}`,
      );
    assert.ok(
      rules.rules.some((x) => !x.enabled),
      "the syscall rule is there, disabled",
    );
    await assertSysdigCompiles(rules);
  });
});
