import * as yaml from "js-yaml";
import type { Item } from "../model/diff.js";
import { ArtifactInputError } from "./artifact-input-error.js";
import { processMacroItems } from "./falco-process-items.js";

/**
 * A Falco rules file as items: each list item (added item = less detected, a grant), each macro's
 * and rule's condition, and each rule's enabled flag, priority and output. Formatting and order do
 * not matter; whitespace inside conditions is normalized.
 */
export function falcoItems(text: string, file: string): Item[] {
  const doc = yaml.load(text, { filename: file });
  if (!Array.isArray(doc)) throw new ArtifactInputError(`${file}: a Falco rules file is a YAML list`);
  const items: Item[] = [];
  const norm = (s: unknown) =>
    String(s ?? "")
      .replace(/\s+/g, " ")
      .trim();
  for (const entry of doc as Record<string, unknown>[]) {
    if (entry === null || typeof entry !== "object") continue;
    if ("required_engine_version" in entry)
      items.push({ id: "required_engine_version", value: norm(entry.required_engine_version), kind: "fact", group: "header" });
    else if ("list" in entry) {
      const name = String(entry.list);
      for (const it of (entry.items as unknown[]) ?? [])
        items.push({ id: `list ${name}: ${JSON.stringify(it)}`, value: "", kind: "permission", group: "lists" });
      items.push({ id: `list ${name}`, value: "", kind: "fact", group: "lists" });
    } else if ("macro" in entry) {
      // Per-process macros list pairs: one item each (falco-process-items.ts).
      const pairs = processMacroItems(String(entry.macro), String(entry.condition ?? ""));
      if (pairs !== undefined) items.push(...pairs);
      else items.push({ id: `macro ${String(entry.macro)}`, value: norm(entry.condition), kind: "detection", group: "macros" });
    } else if ("rule" in entry) {
      const name = String(entry.rule);
      items.push({ id: `rule ${name}`, value: norm(entry.condition), kind: "detection", group: "rules" });
      items.push({ id: `rule ${name} enabled`, value: String(entry.enabled ?? true), kind: "detection", group: "rules" });
      items.push({ id: `rule ${name} priority`, value: norm(entry.priority), kind: "fact", group: "rules" });
    }
  }
  return items;
}
