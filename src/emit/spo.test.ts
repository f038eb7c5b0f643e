// The Security Profiles Operator's SeccompProfile as the operator's API server would take it: the
// emitted YAML validates against SPO's own CRD schema (vendored from SPO v1.0.0 with provenance,
// data/spo-seccompprofile-crd.yaml), in the version SPO stores by default and in v1beta1 on request;
// no field the API server would silently prune; a valid object name (DNS-1123), distinct for each
// architecture file of a container, since SeccompProfile is cluster-scoped.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Ajv, type ValidateFunction } from "ajv";
import * as yaml from "js-yaml";
import { generateContainer, jobFor } from "../io/profile-set.js";
import { DEFAULT_SPO_API_VERSION, SPO_API_VERSIONS, type SpoApiVersion } from "../model/seccomp.js";
import { DATA, FIXTURES, REPO } from "../test/support/paths.js";
import { spoProfileName } from "./seccomp.js";

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: Record<string, unknown> };
}
const CRD = yaml.load(readFileSync(join(DATA, "spo-seccompprofile-crd.yaml"), "utf8")) as {
  spec: { group: string; scope: string; names: { kind: string }; versions: CrdVersion[] };
};
const GROUP = CRD.spec.group;

/** Kubernetes prunes fields a structural schema does not name: make that an error, as a reviewer would want. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (out.type === "object" && out.properties && !out["x-kubernetes-preserve-unknown-fields"]) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
const validators = new Map<string, ValidateFunction>(CRD.spec.versions.map((v) => [v.name, ajv.compile(closed(v.schema.openAPIV3Schema) as object)]));

/** DNS-1123 label: what SPO's names must be (object name and the profile file on the node). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function assertValid(text: string, version: SpoApiVersion, where: string): { metadata: { name: string } } {
  const doc = yaml.load(text) as { apiVersion: string; kind: string; metadata: { name: string } };
  assert.equal(doc.apiVersion, `${GROUP}/${version}`, where);
  assert.equal(doc.kind, CRD.spec.names.kind, where);
  const validate = validators.get(version);
  assert.ok(validate, `the CRD has no version ${version}`);
  assert.ok(validate(doc), `${where}: ${ajv.errorsText(validate.errors)}`);
  assert.match(doc.metadata.name, DNS1123_LABEL, `${where}: metadata.name`);
  assert.ok(doc.metadata.name.length <= 63, `${where}: metadata.name longer than 63`);
  return doc;
}

function basicJob(spoApiVersion?: SpoApiVersion) {
  const base = join(FIXTURES, "generate", "basic");
  return jobFor(
    "basic",
    {
      inputs: ["traces/run1.trace", "traces/run2.trace"],
      formats: ["spo"],
      arches: ["x86_64", "aarch64"],
      recordedArch: "x86_64",
      out: "expected",
      ...(spoApiVersion ? { spoApiVersion } : {}),
    },
    undefined,
    base,
  );
}

describe("SPO SeccompProfile against SPO's CRD", () => {
  it("the default apiVersion is the one SPO stores; the CRD is cluster-scoped", () => {
    const storage = CRD.spec.versions.filter((v) => v.storage).map((v) => v.name);
    assert.deepEqual(storage, [DEFAULT_SPO_API_VERSION]);
    assert.equal(CRD.spec.scope, "Cluster");
    for (const v of SPO_API_VERSIONS)
      assert.ok(
        CRD.spec.versions.some((c) => c.name === v && c.served),
        `${v} is not served`,
      );
  });

  for (const version of SPO_API_VERSIONS) {
    it(`a multi-architecture container validates as ${version}, one distinct name per architecture`, async () => {
      const r = await generateContainer(basicJob(version === DEFAULT_SPO_API_VERSION ? undefined : version), { fresh: true });
      const spo = r.files.filter((f) => f.path.endsWith(".yaml") && f.path.includes("seccomp-profile"));
      assert.equal(spo.length, 2);
      const names = spo.map((f) => assertValid(f.content, version, f.path).metadata.name).sort();
      assert.deepEqual(names, ["basic-aarch64", "basic-x86-64"]);
    });
  }

  it("one architecture keeps the container's name", async () => {
    const job = { ...basicJob(), arches: ["x86_64" as const] };
    const r = await generateContainer(job, { fresh: true });
    const [spo] = r.files.filter((f) => f.path.endsWith("seccomp-profile.yaml"));
    assert.ok(spo);
    assert.equal(assertValid(spo.content, DEFAULT_SPO_API_VERSION, spo.path).metadata.name, "basic");
  });

  it("the validator really rejects: a wrong action, an unknown field, a missing defaultAction", () => {
    const validate = validators.get(DEFAULT_SPO_API_VERSION) as ValidateFunction;
    const good = {
      apiVersion: `${GROUP}/v1`,
      kind: "SeccompProfile",
      metadata: { name: "x" },
      spec: { defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ action: "SCMP_ACT_ALLOW", names: ["read"] }] },
    };
    assert.ok(validate(good));
    assert.ok(!validate({ ...good, spec: { ...good.spec, syscalls: [{ action: "SCMP_ACT_MAYBE", names: ["read"] }] } }));
    assert.ok(!validate({ ...good, spec: { ...good.spec, defaultErrnoRet: 1 } }), "defaultErrnoRet is not in SPO's spec: the API server would prune it");
    assert.ok(!validate({ ...good, spec: { syscalls: good.spec.syscalls } }));
  });

  it("committed profiles: every SeccompProfile validates and no two share a name", () => {
    const files = readdirSync(join(REPO, "profiles"), { recursive: true, encoding: "utf8" }).filter((f) => /seccomp-profile.*\.yaml$/.test(f));
    assert.ok(files.length >= 4, `only ${files.length} SPO files`);
    const seen = new Map<string, string>();
    for (const f of files) {
      const name = assertValid(readFileSync(join(REPO, "profiles", f), "utf8"), DEFAULT_SPO_API_VERSION, f).metadata.name;
      assert.equal(seen.get(name), undefined, `${f} and ${seen.get(name)} are both ${name}: kubectl apply would overwrite one with the other`);
      seen.set(name, f);
    }
  });
});

describe("spoProfileName", () => {
  it("gives DNS-1123 labels, distinct for distinct inputs", () => {
    const cases: [string, string | undefined][] = [
      ["web", undefined],
      ["web", "x86_64"],
      ["Web_API", "aarch64"],
      ["web_api", "aarch64"],
      ["web.api", undefined],
      ["-x-", undefined],
      ["___", "x32"],
      ["a".repeat(80), "x86_64"],
      [`${"a".repeat(80)}b`, "x86_64"],
    ];
    const names = cases.map(([c, t]) => spoProfileName(c, t));
    for (const n of names) {
      assert.match(n, DNS1123_LABEL, n);
      assert.ok(n.length <= 63, n);
    }
    assert.equal(new Set(names).size, names.length, names.join(" "));
    assert.equal(spoProfileName("web", "x86_64"), "web-x86-64");
  });
});
