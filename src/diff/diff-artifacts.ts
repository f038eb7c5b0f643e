import * as yaml from "js-yaml";
import type { Allowlist, allowlistSchema } from "../model/allowlist.js";
import type { AnnotateContext, ArtifactKind, ArtifactReader } from "../model/artifacts.js";
import type { ArtifactDiff, Change, DiffReport, Item } from "../model/diff.js";
import type { seccompFileSchema } from "../model/seccomp-file-schema.js";
import { HIGH_RISK } from "../model/high-risk-syscalls.js";
import { allowlistItems, syscallReason } from "./allowlist-items.js";
import { compareItems, summarize } from "./compare.js";
import { seccompItems } from "./seccomp-items.js";
import { ArtifactInputError } from "./artifact-input-error.js";

/**
 * The schemas the readers check a file against, loaded by loadReaderSchemas: zod takes some 40 ms to
 * load, and `generate` diffs (so needs it) only when a file on disk differs from the new one.
 */
let schemas: { allowlist: typeof allowlistSchema; seccompFile: typeof seccompFileSchema } | undefined;

/** Loads what the readers of allowlists and seccomp profiles need: call it before reading or diffing artifacts. */
export async function loadReaderSchemas(): Promise<void> {
  if (schemas) return;
  const [a, s] = await Promise.all([import("../model/allowlist.js"), import("../model/seccomp-file-schema.js")]);
  schemas = { allowlist: a.allowlistSchema, seccompFile: s.seccompFileSchema };
}

function readerSchemas(): NonNullable<typeof schemas> {
  if (!schemas) throw new Error("the artifact readers' schemas are not loaded: await loadReaderSchemas() first");
  return schemas;
}

/** A version of a set of artifacts: relative path -> text. */
export type ArtifactSet = Map<string, string>;

const YAML_NAME = /\.ya?ml$/;
/** Names no profile has: a file so named is never read as one, whatever it holds (`notes.md` quoting a profile). */
const NOT_A_PROFILE_NAME = /\.(md|markdown|txt|rst|html|conf|service|ya?ml|json)$/i;

function yamlDoc(path: string, text: string): unknown {
  if (!YAML_NAME.test(path)) return undefined;
  try {
    return loadYaml(text, path);
  } catch {
    return undefined;
  }
}

/** A seccomp profile: JSON with a `defaultAction` (Docker, OCI, hand-written), or an SPO SeccompProfile in YAML. */
export function isSeccompFile(path: string, text: string): boolean {
  if (text.trimStart().startsWith("{")) {
    try {
      return typeof (JSON.parse(text) as Record<string, unknown>).defaultAction === "string";
    } catch {
      return false;
    }
  }
  const d = yamlDoc(path, text) as Record<string, unknown> | undefined;
  return Boolean(d && typeof d === "object" && d.kind === "SeccompProfile");
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

/** An allowlist.yaml syscage wrote. */
export function isAllowlistFile(path: string, text: string): boolean {
  const d = yamlDoc(path, text) as Record<string, unknown> | undefined;
  return Boolean(d && typeof d === "object" && !Array.isArray(d) && d.schemaVersion !== undefined && "syscalls" in d && "runs" in d);
}

/** A Falco rules file: a YAML list with `rule`, `macro` or `list` items. */
export function isFalcoFile(path: string, text: string): boolean {
  const d = yamlDoc(path, text);
  return Array.isArray(d) && d.some((e) => e && typeof e === "object" && ("rule" in e || "macro" in e || "list" in e));
}

/** An AppArmor profile: a `profile NAME ... {` line, in a file whose name is not another format's. */
export function isAppArmorFile(path: string, text: string): boolean {
  return !NOT_A_PROFILE_NAME.test(path) && !text.trimStart().startsWith("{") && /^\s*profile\s+\S+/m.test(text) && text.includes("{");
}

export function seccompFileItems(path: string, text: string): Item[] {
  const raw = text.trimStart().startsWith("{") ? JSON.parse(text) : (yaml.load(text) as { spec?: unknown }).spec;
  const parsed = readerSchemas().seccompFile.safeParse(raw);
  if (!parsed.success)
    throw new ArtifactInputError(`${path}: not a seccomp profile: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return seccompItems(parsed.data);
}

export function allowlistFileItems(path: string, text: string): Item[] {
  return allowlistItems(readAllowlist(path, text));
}

export function readAllowlist(path: string, text: string): Allowlist {
  if (lastAllowlist?.path === path && lastAllowlist.text === text) return lastAllowlist.allowlist;
  const parsed = readerSchemas().allowlist.safeParse(loadYaml(text, path));
  if (!parsed.success)
    throw new ArtifactInputError(`${path}: not a syscage allowlist: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  lastAllowlist = { path, text, allowlist: parsed.data };
  return parsed.data;
}

function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i + 1);
}

const WRITABLE_RISK = /^"?\/(etc|usr|bin|sbin|lib|lib64|boot|root|proc|sys|dev|var\/run\/docker\.sock|run\/containerd)(\/|"|$)/;

const allows = (v: string) => v === "SCMP_ACT_ALLOW" || v === "SCMP_ACT_LOG";

/** Why a granted syscall is there (from the allowlist beside the artifact) and its risk note. */
export function withSyscallNote(c: Change, name: string, allowlist: Allowlist | undefined): Change {
  const reason = allowlist ? syscallReason(allowlist, name) : undefined;
  const risk = HIGH_RISK[name];
  return { ...c, ...(reason ? { reason } : {}), ...(risk ? { risk } : {}) };
}

/** seccomp: a rule that disappears leaves the call to the default action, and vice versa. */
export function annotateSeccomp(c: Change, ctx: AnnotateContext): Change {
  let out = c;
  if (c.group !== "default" && c.group !== "architectures") {
    const b = c.before ?? ctx.defaults.before;
    const a = c.after ?? ctx.defaults.after;
    out = { ...c, effect: allows(a) && !allows(b) ? "grant" : allows(b) && !allows(a) ? "revoke" : "info" };
  }
  return out.effect === "grant" ? withSyscallNote(out, c.id.split(" ")[1]!, ctx.allowlist) : out;
}

export function annotateFalco(c: Change): Change {
  return c.id.endsWith(" enabled") && c.type === "changed" ? { ...c, effect: c.after === "false" ? "grant" : "revoke" } : c;
}

/** allowlist: coverage worth a reviewer's eye, a syscall only a few of many runs made. */
export function annotateAllowlist(c: Change, ctx: AnnotateContext): Change {
  if (c.group !== "syscalls") return c;
  let out = c;
  if (c.type === "changed") out = { ...out, effect: "info" };
  const m = /^seen in (\d+) of (\d+) runs/.exec(c.after ?? "");
  if (m && Number(m[1]) > 0 && Number(m[2]) >= 3 && Number(m[1]) / Number(m[2]) <= 0.34)
    out = { ...out, reason: `low coverage: seen in only ${m[1]} of ${m[2]} runs` };
  return out.effect === "grant" ? withSyscallNote(out, c.id, ctx.allowlist) : out;
}

export function annotateAppArmor(c: Change): Change {
  if (c.effect !== "grant") return c;
  if (c.group === "capability") return { ...c, risk: `capability: ${c.id.replace(/^capability /, "")} extends what root in the container can do` };
  if (c.group === "files" && /[wa]/.test(c.after ?? "") && WRITABLE_RISK.test(c.id.replace(/^file /, ""))) return { ...c, risk: "writable system path" };
  return c;
}

/** Thrown for a file `diff` was asked to compare that is no artifact it knows. */
export class NotAnArtifactError extends ArtifactInputError {
  constructor(
    readonly path: string,
    known: readonly string[],
  ) {
    super(`${path}: not a syscage artifact, expected one of ${known.join(", ")}`);
    this.name = "NotAnArtifactError";
  }
}

/** The kinds a file is recognized as (one, if the readers are sound). */
export function recognize<K extends string>(readers: Readonly<Record<K, ArtifactReader>>, path: string, text: string): K | undefined {
  return (Object.keys(readers) as K[]).find((k) => readers[k].recognize(path, text));
}

/**
 * The semantic diff of two versions of a set of artifacts, matched by relative path, each file read
 * by the reader of its kind. With `strict`, a file no reader recognizes is an error
 * (NotAnArtifactError); otherwise it is not compared and named in the report's `ignored`. The
 * reason for an added permission comes from NEW's allowlist.yaml in the same directory.
 * `newKinds` gives the kind of files of NEW that syscage itself just rendered from the artifact
 * table: they are not recognized again (that would load a big allowlist.yaml once more).
 */
export function diffArtifacts<K extends ArtifactKind>(
  oldLabel: string,
  before: ArtifactSet,
  newLabel: string,
  after: ArtifactSet,
  readers: Readonly<Record<K, ArtifactReader>>,
  options: { strict?: boolean; newKinds?: ReadonlyMap<string, K> } = {},
): DiffReport {
  const paths = [...new Set([...before.keys(), ...after.keys()])].filter((p) => !p.startsWith("\0")).sort();
  const artifacts: ArtifactDiff[] = [];
  const ignored: string[] = [];
  const known = Object.keys(readers);
  // Every artifact of a directory reads the same allowlist: parse it once (a big one takes 100 ms).
  const allowlists = new Map<string, Allowlist | undefined>();
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    const kindA = a !== undefined ? (options.newKinds?.get(path) ?? recognize(readers, path, a)) : undefined;
    const kindB = b !== undefined ? recognize(readers, path, b) : undefined;
    if ((a !== undefined && kindA === undefined) || (b !== undefined && kindB === undefined)) {
      if (options.strict) throw new NotAnArtifactError(path, known);
      if (kindA === undefined && kindB === undefined) {
        ignored.push(path);
        continue;
      }
    }
    if (kindA !== undefined && kindB !== undefined && kindA !== kindB)
      throw new ArtifactInputError(`${path}: was ${kindB}, is now ${kindA}: only two versions of one kind can be compared`);
    const kind = (kindA ?? kindB)!;
    const reader = readers[kind];
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
    const itemsBefore = b === undefined ? undefined : reader.items(path, b);
    const itemsAfter = a === undefined ? undefined : reader.items(path, a);
    const defaultOf = (items: Item[] | undefined) => items?.find((i) => i.id === "default action")?.value ?? "SCMP_ACT_ERRNO(1)";
    const context: AnnotateContext = { allowlist, defaults: { before: defaultOf(itemsBefore ?? itemsAfter), after: defaultOf(itemsAfter ?? itemsBefore) } };
    artifacts.push(compareItems(path, kind, itemsBefore, itemsAfter, (c) => reader.annotate(c, context)));
  }
  return summarize(oldLabel, newLabel, artifacts, ignored);
}
