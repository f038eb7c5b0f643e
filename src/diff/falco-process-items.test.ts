import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emitFalcoRules, type FalcoContainer } from "../emit/falco.js";
import type { ContainerProcessUse } from "../model/resources.js";
import { ARTIFACT_READERS } from "../pipeline/artifacts.js";
import { diffArtifacts, loadReaderSchemas } from "./diff-artifacts.js";

// The readers check allowlists and seccomp profiles with zod schemas, loaded on demand.
await loadReaderSchemas();

function container(processes: ContainerProcessUse[]): FalcoContainer {
  return {
    name: "web",
    images: ["python"],
    runs: 1,
    syscalls: [],
    resources: {
      files: [
        { path: "/srv/log/a.log", access: ["write"], dir: false, runs: 1 },
        { path: "/srv/log/b.log", access: ["write"], dir: false, runs: 1 },
      ],
      execs: [],
      sockets: [],
      listens: [],
      connects: [],
      capabilities: [],
      processes,
    },
  };
}

const python: ContainerProcessUse = {
  exe: "/usr/bin/python3",
  spawns: ["/usr/bin/sh"],
  writes: [{ path: "/srv/log/a.log" }],
  connects: [{ family: "inet", proto: "tcp", address: "127.0.0.1", port: 5432 }],
  accepts: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8080 }],
  listens: [{ family: "inet", proto: "tcp", address: "0.0.0.0", port: 8080 }],
};

function diff(before: ContainerProcessUse[], after: ContainerProcessUse[]) {
  const r = diffArtifacts(
    "old",
    new Map([["falco-rules.yaml", emitFalcoRules([container(before)])]]),
    "new",
    new Map([["falco-rules.yaml", emitFalcoRules([container(after)])]]),
    ARTIFACT_READERS,
  );
  return r.artifacts.flatMap((a) => a.changes.map((c) => `${c.type} ${c.id}`));
}

describe("semantic diff of Falco rules scoped by process", () => {
  it("shows a new (executable, path) pair as one added item", () => {
    const changes = diff([python], [{ ...python, writes: [...python.writes, { path: "/srv/log/b.log" }] }]);
    assert.ok(
      changes.some((c) => c === 'added macro syscage_web_process_writes: proc.exepath = "/usr/bin/python3" and fd.name = "/srv/log/b.log"'),
      changes.join("\n"),
    );
    assert.equal(changes.filter((c) => c.startsWith("added macro") || c.startsWith("removed macro")).length, 1, changes.join("\n"));
  });

  it("shows a new (parent, program) pair and a new destination as one added item each", () => {
    const changes = diff(
      [python],
      [
        {
          ...python,
          spawns: ["/usr/bin/sh", "/usr/bin/git"],
          connects: [...python.connects, { family: "inet", proto: "tcp", address: "127.0.0.2", port: 5432 }],
        },
      ],
    );
    const macros = changes.filter((c) => / macro /.test(c));
    assert.deepEqual(macros.sort(), [
      'added macro syscage_web_process_connections: proc.exepath = "/usr/bin/python3" and fd.sport = 5432 and fd.sip = "127.0.0.2"',
      'added macro syscage_web_process_spawns: proc.pexepath = "/usr/bin/python3" and proc.exepath = "/usr/bin/git"',
    ]);
  });

  it("shows nothing when only the order of terms changes", () => {
    const other: ContainerProcessUse = { ...python, exe: "/usr/bin/sh", spawns: [], connects: [], accepts: [], listens: [] };
    assert.deepEqual(diff([python, other], [other, python]), []);
  });
});
