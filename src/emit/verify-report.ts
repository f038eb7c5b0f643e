import type { Denial } from "../aggregate/denials.js";
import { denialsFail } from "../aggregate/denials.js";

/** What `syscage verify` found: the command's run under a profile and every call the profile denied. */
export interface VerifyReport {
  schemaVersion: 1;
  profile: string;
  /** `emulate` (strace injects the profile's errors) or the OCI runtime that enforced it. */
  runtime: "emulate" | "runc" | "crun";
  command: string[];
  /** The command's exit status (128 + signal number when killed). */
  exitStatus: number;
  denials: (Denial & { firstTrace: string; stack: string[] })[];
  /** Whether the run failed the profile (exit 1). */
  failed: boolean;
  notes: string[];
}

export function verdictOf(denials: readonly Denial[]): boolean {
  return denialsFail(denials);
}

const LABEL: Record<Denial["kind"], string> = { denied: "DENIED", "would-be-denied": "WOULD BE DENIED", killed: "KILLED" };

/** An argument as a shell would need it typed. */
function shellWord(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

/** The report as text for a terminal: one block per denied syscall, then the verdict. */
export function emitVerifyText(r: VerifyReport): string {
  const out: string[] = [];
  const how = r.runtime === "emulate" ? "emulated with strace error injection" : `enforced by ${r.runtime}`;
  out.push(`syscage verify: ${r.command.map(shellWord).join(" ")} under ${r.profile} (${how}): the command exited with ${r.exitStatus}`);
  for (const d of r.denials) {
    const label = d.explicit && d.kind === "denied" ? "RETURNED BY RULE" : LABEL[d.kind];
    const what = d.kind === "killed" ? d.action : `${d.errno} (${d.action})`;
    out.push(`${label} ${d.syscall} ${what}: ${d.count} call(s), by ${d.programs.join(", ")}`);
    out.push(`  first: ${d.firstTrace}`);
    for (const s of d.stack) out.push(`  ${s.trim()}`);
    if (d.fallback) out.push(`  fallback: ${d.fallback.syscall} succeeded ${d.fallback.calls} time(s) after it`);
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  const failing = r.denials.filter((d) => !d.explicit || d.kind !== "denied").length;
  if (r.failed && failing === 0) out.push("FAIL: the command did not run under this profile");
  else
    out.push(
      r.failed
        ? `FAIL: ${r.denials.filter((d) => !d.explicit || d.kind !== "denied").length} syscall(s) denied that the command made`
        : "OK: nothing the command made was denied",
    );
  return `${out.join("\n")}\n`;
}

export function emitVerifyJson(r: VerifyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
