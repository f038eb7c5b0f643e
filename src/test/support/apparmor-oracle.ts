// Oracles for AppArmor profiles, shared by the emitter's tests and the end-to-end tests:
// - `apparmor_parser --warn=all --Werror` (compiled, never loaded, against ABI 3.0 features);
// - the parser's own file DFA (`-D dfa-states`): a literal path compiles to a chain of states,
//   one byte per step, accepting only at the end; any glob, alternation, class or variable would
//   add a class edge, a branch or a loop.
// Callers decide whether the parser is there (skipUnless in ./skip.ts) and skip accordingly.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { onPath } from "./skip.js";

/** On PATH only (./skip.ts), so hiding it from PATH hides it from every test. */
export const PARSER = onPath("apparmor_parser")[0] ?? "apparmor_parser";
/** The feature set CI compiles against (ABI 3.0), so results do not depend on the host kernel. */
export const FEATURES = "/etc/apparmor.d/abi/3.0";

const work = mkdtempSync(join(tmpdir(), "syscage-apparmor-"));
after(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

/** Runs apparmor_parser on `profile` (written to a temporary file, never loaded); the file reads PROFILE in stderr. */
export function runParser(profile: string, flags: string[]): { status: number; stdout: string; stderr: string } {
  const file = join(work, `profile-${counter++}`);
  writeFileSync(file, profile);
  const r = spawnSync(PARSER, ["--skip-kernel-load", "--skip-cache", "--features-file", FEATURES, ...flags, file], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.replaceAll(file, "PROFILE") };
}

/** The check CI runs on every generated profile: silent, exit 0. */
export function assertParserAccepts(profile: string): void {
  const r = runParser(profile, ["--warn=all", "--Werror"]);
  assert.equal(`${r.stdout}${r.stderr}`, "", "apparmor_parser printed something");
  assert.equal(r.status, 0);
}

export function assertParserRejects(profile: string): string {
  const r = runParser(profile, ["--warn=all", "--Werror"]);
  assert.notEqual(r.status, 0, `apparmor_parser accepted:\n${profile}`);
  return r.stderr;
}

// ---------------------------------------------------------------------------------------------
// The file DFA as apparmor_parser compiles it

export interface Edge {
  byte?: number;
  /** A class edge such as `[^\x0/]`, kept as printed. */
  cls?: string;
  to: number;
}
export interface Dfa {
  accepting: Set<number>;
  edges: Map<number, Edge[]>;
}

export function parseDfas(dump: string): Dfa[] {
  const dfas: Dfa[] = [];
  let cur: Dfa | undefined;
  let state = 0;
  let inStates = false;
  for (const line of dump.split("\n")) {
    if (line.startsWith("{1} <== ")) {
      cur = { accepting: new Set(), edges: new Map() };
      dfas.push(cur);
      inStates = false;
      continue;
    }
    if (!cur) continue;
    const head = /^\{(\d+)\} perms:/.exec(line);
    if (head) {
      state = Number(head[1]);
      cur.edges.set(state, []);
      inStates = true;
      continue;
    }
    if (!inStates) {
      const acc = /^\{(\d+)\} \(/.exec(line);
      if (acc) cur.accepting.add(Number(acc[1]));
      continue;
    }
    if (!line.startsWith("    ")) continue;
    const byteEdge = /\s0x([0-9a-f]+) -> \{(\d+)\}/.exec(line);
    const clsEdge = /^ {4}(.*?) -> \{(\d+)\}/.exec(line);
    if (byteEdge) cur.edges.get(state)?.push({ byte: parseInt(byteEdge[1] as string, 16), to: Number(byteEdge[2]) });
    else if (clsEdge) cur.edges.get(state)?.push({ cls: clsEdge[1] as string, to: Number(clsEdge[2]) });
  }
  return dfas;
}

/** Compiles `rules` alone (no includes) and returns the file DFA: the one whose start reads `/`. */
export function fileDfa(rules: string[]): Dfa {
  const profile = `abi <abi/3.0>,\n#include <tunables/global>\nprofile t {\n${rules.map((r) => `  ${r}\n`).join("")}}\n`;
  const r = runParser(profile, ["-Q", "-D", "dfa-states"]);
  assert.equal(r.status, 0, r.stderr);
  const dfa = parseDfas(r.stderr).find((d) => d.edges.get(1)?.some((e) => e.byte === 0x2f));
  assert.ok(dfa, `no file DFA in the dfa-states dump:\n${r.stderr.slice(0, 2000)}`);
  return dfa;
}

/** Asserts the DFA accepts exactly one string, the UTF-8 bytes of `path`. */
export function assertMatchesOnly(dfa: Dfa, path: string): void {
  const bytes = Buffer.from(path, "utf8");
  let state = 1;
  for (let i = 0; i < bytes.length; i++) {
    const edges = dfa.edges.get(state) ?? [];
    assert.ok(!dfa.accepting.has(state), `the rule also matches the prefix ${JSON.stringify(bytes.subarray(0, i).toString("utf8"))}`);
    assert.equal(
      edges.length,
      1,
      `state ${state} after ${JSON.stringify(bytes.subarray(0, i).toString("utf8"))} has ${edges.length} edges: ${JSON.stringify(edges)}`,
    );
    const edge = edges[0] as Edge;
    assert.equal(edge.byte, bytes[i], `byte ${i}: expected 0x${bytes[i]?.toString(16)}, the rule has ${edge.cls ?? `0x${edge.byte?.toString(16)}`}`);
    state = edge.to;
  }
  assert.ok(dfa.accepting.has(state), "the rule does not match the path itself");
  assert.deepEqual(dfa.edges.get(state) ?? [], [], "the rule also matches longer paths");
}

export function classMatches(cls: string, byte: number): boolean {
  const m = /^\[(\^?)(.*)\]$/.exec(cls);
  assert.ok(m, `unexpected edge ${cls}`);
  const items: number[] = [];
  const body = m[2] as string;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && body[i + 1] === "x") {
      const hex = /^[0-9a-f]{1,2}/.exec(body.slice(i + 2))?.[0] ?? "0";
      items.push(parseInt(hex, 16));
      i += 1 + hex.length;
    } else if (body[i] === "\\") {
      items.push(body.charCodeAt(++i));
    } else items.push(body.charCodeAt(i));
  }
  return items.includes(byte) !== (m[1] === "^");
}

export function dfaAccepts(dfa: Dfa, path: string): boolean {
  let state = 1;
  for (const byte of Buffer.from(path, "utf8")) {
    const edges = dfa.edges.get(state) ?? [];
    const next = edges.find((e) => e.byte === byte) ?? edges.find((e) => e.cls !== undefined && classMatches(e.cls, byte));
    if (!next) return false;
    state = next.to;
  }
  return dfa.accepting.has(state);
}
