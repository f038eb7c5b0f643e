import type { Item } from "../model/diff.js";

/**
 * The rules of an AppArmor profile as items: file rules keyed by path (value: the permissions),
 * network, capability, signal, ptrace, mount rules and deny rules keyed by their text. Comments,
 * blank lines, order and spacing do not matter. Handles the profile syntax syscage writes and the
 * common hand-written forms (quoted or bare paths, `owner`, `audit`, `deny`, trailing `,`).
 */
export function apparmorItems(text: string): Item[] {
  const items = new Map<string, Item>();
  let profile = "";
  for (const raw of text.split("\n")) {
    const line = stripComment(raw).trim();
    if (!line) continue;
    const p = /^profile\s+(\S+)/.exec(line);
    if (p) {
      profile = p[1]!;
      items.set("profile", {
        id: "profile",
        value: `${profile} ${line.includes("flags=") ? line.slice(line.indexOf("flags=")).replace(/\s*\{\s*$/, "") : ""}`.trim(),
        kind: "fact",
        group: "header",
      });
      continue;
    }
    if (line === "{" || line === "}" || line.startsWith("#include") || line.startsWith("include ") || line.startsWith("abi ")) {
      if (line.startsWith("abi ") || line.includes("include")) items.set(line, { id: line.replace(/,$/, ""), value: "", kind: "fact", group: "header" });
      continue;
    }
    const body = line.replace(/,\s*$/, "");
    let m = /^((?:audit\s+)?(?:deny\s+)?(?:owner\s+)?)("(?:[^"\\]|\\.)*"|\/\S*|@\{[^}]+\}\S*)\s+([a-zA-Z]+)(\s+->\s+\S+)?$/.exec(body);
    if (m) {
      const qual = m[1]!.trim();
      const deny = qual.includes("deny");
      const id = `${qual ? `${qual} ` : ""}file ${m[2]}`;
      items.set(id, { id, value: sortPerms(m[3]!) + (m[4] ?? ""), kind: deny ? "restriction" : "permission", group: "files" });
      continue;
    }
    m = /^((?:audit\s+)?(?:deny\s+)?)([a-z_]+)\b(.*)$/.exec(body);
    if (m) {
      const deny = m[1]!.includes("deny");
      const word = m[2]!;
      const rest = m[3]!.trim().replace(/\s+/g, " ");
      const group = ["network", "capability", "signal", "ptrace", "mount", "umount", "remount", "pivot_root", "unix", "dbus", "file"].includes(word)
        ? word
        : "other";
      const id = `${m[1]!.trim() ? `${m[1]!.trim()} ` : ""}${word}${rest ? ` ${rest}` : ""}`;
      items.set(id, { id, value: "", kind: deny ? "restriction" : "permission", group });
    }
  }
  return [...items.values()];
}

function stripComment(line: string): string {
  // `#` starts a comment outside quotes, except `#include`.
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === '"') q = !q;
    else if (c === "#" && !q && !line.startsWith("#include", i)) return line.slice(0, i);
  }
  return line;
}

function sortPerms(p: string): string {
  const order = "mrwalkix";
  return [...p].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join("");
}
