// The Talon rules file, validated by a transcription of Talon's own checks (falco-talon 4c5f505,
// src/test/support/talon-oracle.ts), and matched against the tags of the Falco rules syscage writes.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as yaml from "js-yaml";
import { talonRulesErrors, talonTagsMatch } from "../test/support/talon-oracle.js";
import { runCli } from "../test/support/run-cli.js";
import { emitFalcoRules, type FalcoContainer } from "./falco.js";
import { emitTalonRules } from "./falco-talon.js";

function container(name: string): FalcoContainer {
  return { name, images: ["python"], runs: 1, syscalls: [], resources: { files: [], execs: [], sockets: [], listens: [], connects: [], capabilities: [] } };
}

describe("falco talon rules", () => {
  it("pass Talon's rule checks, for both responses", () => {
    for (const response of ["label", "terminate"] as const) {
      const text = emitTalonRules(["web", "db"], { response });
      assert.deepEqual(talonRulesErrors(text), [], text);
      assert.match(text, response === "label" ? /actionner: kubernetes:label/ : /actionner: kubernetes:terminate/);
    }
  });

  it("the oracle rejects what Talon rejects", () => {
    const bad = `- action: a\n  actionner: Kubernetes\n- rule: r\n  match:\n    tags: ["syscage, bad tag!"]\n    priority: Loud\n  actions:\n    - action: a\n- rule: s\n  actions: []\n`;
    const errors = talonRulesErrors(bad);
    for (const m of [/incorrect actionner/, /incorrect tag 'badtag!'/, /incorrect priority 'Loud'/, /s: no action specified/])
      assert.ok(
        errors.some((e) => m.test(e)),
        `${m}: ${errors.join("; ")}`,
      );
    assert.ok(
      talonRulesErrors(`- action: l\n  actionner: kubernetes:label\n- rule: r\n  match: {tags: [x]}\n  actions: [{action: l}]\n`).some((e) =>
        /labels is required/.test(e),
      ),
    );
  });

  it("each container's Talon rule fires on every drift rule of that container, and on no other container's", () => {
    const talon = yaml.load(emitTalonRules(["web", "db"])) as { rule?: string; match?: { tags: string[] } }[];
    const falco = yaml.load(emitFalcoRules([container("web"), container("db")], { syscallRule: true })) as { rule?: string; tags?: string[] }[];
    const falcoRules = falco.filter((r) => typeof r.rule === "string");
    assert.ok(falcoRules.length >= 10);
    for (const t of talon.filter((x) => typeof x.rule === "string")) {
      const id = /^syscage (\w+) drift$/.exec(t.rule as string)?.[1];
      for (const f of falcoRules)
        assert.equal(talonTagsMatch(t.match?.tags ?? [], f.tags ?? []), (f.rule as string).startsWith(`syscage ${id}:`), `${t.rule} vs ${f.rule}`);
    }
  });

  it("syscage falco --talon writes it for the config's containers", () => {
    const r = runCli(["falco", "--talon", "--talon-response", "terminate", "profiles/web", "profiles/db"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(talonRulesErrors(r.stdout), []);
    assert.match(r.stdout, /rule: syscage db drift[\s\S]*rule: syscage web drift/);
    assert.match(r.stdout, /kubernetes:terminate/);
  });
});

describe("falco rules for talon", () => {
  it("print k8s.ns.name and k8s.pod.name, which Talon's kubernetes actionners require in the output fields", () => {
    const falco = yaml.load(emitFalcoRules([container("web")], { syscallRule: true })) as { rule?: string; output?: string }[];
    for (const r of falco.filter((x) => typeof x.rule === "string")) {
      // falco-talon 4c5f505 actionners/kubernetes/{label,terminate}: RequiredOutputFields.
      for (const f of ["k8s.ns.name", "k8s.pod.name"]) assert.ok(r.output?.includes(`%${f}`), `${r.rule}: ${f}`);
    }
  });
});
