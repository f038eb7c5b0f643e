import * as yaml from "js-yaml";
import { allowlistSchema, type Allowlist } from "../model/allowlist.js";
import type { ArtifactDiff, ArtifactKind, Change, DiffReport, Item } from "../model/diff.js";
import { seccompFileSchema } from "../model/seccomp-file.js";
import { HIGH_RISK } from "../model/seccomp-knowledge.js";
import { allowlistItems, syscallReason } from "./allowlist-items.js";
import { apparmorItems } from "./apparmor-items.js";
import { compareItems, summarize } from "./compare.js";
import { falcoItems } from "./falco-items.js";
import { seccompItems } from "./seccomp-items.js";

/** A version of a set of artifacts: relative path -> text. */
export type ArtifactSet = Map<string, string>;

/** What a file is, from its content (names vary: seccomp.json, seccomp.aarch64.oci.json, default.json...). */
export function classify(path: string, text: string): ArtifactKind | undefined {
  const t = text.trimStart();
  if (t.startsWith("{")) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      if (typeof j.defaultAction === "string") return "seccomp";
    } catch {
      return undefined;
    }
    return undefined;
  }
  if (/^\s*profile\s+\S+/m.test(text) && text.includes("{")) return "apparmor";
  if (!/\.ya?ml$/.test(path)) return undefined;
  let doc: unknown;
  try {
    doc = loadYaml(text, path);
  } catch {
    return undefined;
  }
  if (Array.isArray(doc) && doc.some((e) => e && typeof e === "object" && ("rule" in e || "macro" in e || "list" in e))) return "falco";
  if (doc && typeof doc === "object") {
    const d = doc as Record<string, unknown>;
    if (d.kind === "SeccompProfile") return "seccomp";
    if (d.schemaVersion !== undefined && "syscalls" in d && "runs" in d) return "allowlist";
  }
  return undefined;
}

/** Reads an artifact into items; a file that does not parse is an error naming it. */
export function itemsOf(kind: ArtifactKind, path: string, text: string): Item[] {
  switch (kind) {
    case "seccomp": {
      const raw = text.trimStart().startsWith("{") ? JSON.parse(text) : (yaml.load(text) as { spec?: unknown }).spec;
      const parsed = seccompFileSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`${path}: not a seccomp profile: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return seccompItems(parsed.data);
    }
    case "allowlist":
      return allowlistItems(readAllowlist(path, text));
    case "apparmor":
      return apparmorItems(text);
    case "falco":
      return falcoItems(text, path);
  }
}

// generate's diff reads the new allowlist.yaml three times (to classify it, for its items, for the
// reasons of the other artifacts' changes); a big one takes 0.1 s to load and as much to validate.
// The last document loaded and the last allowlist read are kept (read-only for every caller).
let lastYaml: { text: string; doc: unknown } | undefined;
let lastAllowlist: { path: string; text: string; allowlist: Allowlist } | undefined;

function loadYaml(text: string, path: string): unknown {
  if (lastYaml?.text === text) return lastYaml.doc;
  const doc = yaml.load(text, { filename: path });
  lastYaml = { text, doc };
  return doc;
}

function readAllowlist(path: string, text: string): Allowlist {
  if (lastAllowlist?.path === path && lastAllowlist.text === text) return lastAllowlist.allowlist;
  const parsed = allowlistSchema.safeParse(loadYaml(text, path));
  if (!parsed.success) throw new Error(`${path}: not a syscage allowlist: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  lastAllowlist = { path, text, allowlist: parsed.data };
  return parsed.data;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i + 1);
}

const WRITABLE_RISK = /^"?\/(etc|usr|bin|sbin|lib|lib64|boot|root|proc|sys|dev|var\/run\/docker\.sock|run\/containerd)(\/|"|$)/;

/** Adds the reason (from the allowlist next to the artifact) and a risk note to a change. */
function annotator(kind: ArtifactKind, allowlist: Allowlist | undefined, defaults: { before: string; after: string }): (c: Change) => Change {
  const allows = (v: string) => v === "SCMP_ACT_ALLOW" || v === "SCMP_ACT_LOG";
  return (c) => {
    let out = c;
    if (kind === "seccomp" && c.group !== "default" && c.group !== "architectures") {
      // A rule that disappears leaves the call to the default action, and vice versa.
      const b = c.before ?? defaults.before;
      const a = c.after ?? defaults.after;
      out = { ...c, effect: allows(a) && !allows(b) ? "grant" : allows(b) && !allows(a) ? "revoke" : "info" };
    }
    if (kind === "falco" && c.id.endsWith(" enabled") && c.type === "changed") out = { ...c, effect: c.after === "false" ? "grant" : "revoke" };
    if (kind === "allowlist" && c.group === "syscalls") {
      if (c.type === "changed") out = { ...out, effect: "info" };
      // Coverage worth a reviewer's eye: a syscall only a few of many runs made.
      const m = /^seen in (\d+) of (\d+) runs/.exec(c.after ?? "");
      if (m && Number(m[1]) > 0 && Number(m[2]) >= 3 && Number(m[1]) / Number(m[2]) <= 0.34) out = { ...out, reason: `low coverage: seen in only ${m[1]} of ${m[2]} runs` };
    }
    if (out.effect !== "grant") return out;
    const name = kind === "seccomp" ? c.id.split(" ")[1] : kind === "allowlist" && c.group === "syscalls" ? c.id : undefined;
    if (name !== undefined) {
      const reason = allowlist ? syscallReason(allowlist, name) : undefined;
      const risk = HIGH_RISK[name];
      out = { ...out, ...(reason ? { reason } : {}), ...(risk ? { risk } : {}) };
    }
    if (kind === "apparmor") {
      if (c.group === "capability") out = { ...out, risk: `capability: ${c.id.replace(/^capability /, "")} extends what root in the container can do` };
      else if (c.group === "files" && /[wa]/.test(c.after ?? "") && WRITABLE_RISK.test(c.id.replace(/^file /, ""))) out = { ...out, risk: "writable system path" };
    }
    return out;
  };
}

/**
 * The semantic diff of two versions of a set of artifacts, matched by relative path. Files syscage
 * cannot classify are ignored; the reason for an added permission comes from NEW's allowlist.yaml
 * in the same directory.
 */
export function diffArtifacts(oldLabel: string, before: ArtifactSet, newLabel: string, after: ArtifactSet): DiffReport {
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((p) => !p.startsWith("\0")).sort();
  const artifacts: ArtifactDiff[] = [];
  // Every artifact of a directory reads the same allowlist: parse it once (a big one takes 100 ms).
  const allowlists = new Map<string, Allowlist | undefined>();
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    const kind = (a !== undefined ? classify(path, a) : undefined) ?? (b !== undefined ? classify(path, b) : undefined);
    if (!kind) continue;
    const allowText = after.get(`${dirOf(path)}allowlist.yaml`) ?? after.get("\0context/allowlist.yaml");
    let allowlist: Allowlist | undefined;
    if (allowText !== undefined) {
      const key = dirOf(path);
      if (allowlists.has(key)) allowlist = allowlists.get(key);
      else {
        try {
          allowlist = readAllowlist(`${dirOf(path)}allowlist.yaml`, allowText);
        } catch {
          allowlist = undefined;
        }
        allowlists.set(key, allowlist);
      }
    }
    const itemsBefore = b === undefined ? undefined : itemsOf(kind, path, b);
    const itemsAfter = a === undefined ? undefined : itemsOf(kind, path, a);
    const defaultOf = (items: Item[] | undefined) => items?.find((i) => i.id === "default action")?.value ?? "SCMP_ACT_ERRNO(1)";
    artifacts.push(compareItems(path, kind, itemsBefore, itemsAfter, annotator(kind, allowlist, { before: defaultOf(itemsBefore ?? itemsAfter), after: defaultOf(itemsAfter ?? itemsBefore) })));
  }
  return summarize(oldLabel, newLabel, artifacts);
}
