import { terminalSafe } from "./untrusted-text.js";

/** Every diagnostic syscage can report, with what it means. Tests check codes and locations, not wording. */
export const DIAGNOSTIC_CODES = {
  SC_INPUT_NOT_FOUND: { severity: "error", meaning: "an input path or glob matched nothing" },
  SC_INPUT_UNREADABLE: { severity: "error", meaning: "an input could not be read (permissions, I/O error, bad gzip)" },
  SC_EMPTY_INPUT: { severity: "warning", meaning: "an input holds no strace output at all" },
  SC_BINARY_INPUT: { severity: "error", meaning: "an input is binary data, not strace text" },
  SC_LINE_TOO_LONG: { severity: "warning", meaning: "a line exceeds the maximum line length and was skipped" },
  SC_NOT_STRACE: { severity: "warning", meaning: "a line is not strace output (tracee output, a shell prompt, debug text)" },
  SC_MALFORMED_CALL: { severity: "warning", meaning: "a syscall line whose result could not be read" },
  SC_UNKNOWN_SYSCALL: { severity: "warning", meaning: "a syscall name or number that does not exist on the process's architecture" },
  SC_ARCH_INFERRED: { severity: "warning", meaning: "a process used names of another architecture without a personality line; syscage switched it" },
  SC_RESUMED_WITHOUT_CALL: { severity: "warning", meaning: "a `<... NAME resumed>` line with no earlier `<unfinished ...>` call on that pid" },
  SC_RESUMED_MISMATCH: { severity: "warning", meaning: "a `<... NAME resumed>` line whose name differs from the pid's unfinished call" },
  SC_UNFINISHED_LOST: { severity: "warning", meaning: "a pid started a new call while its previous call was still unfinished" },
  SC_TRUNCATED_TRACE: { severity: "warning", meaning: "the trace ends inside a call (strace was killed or the file was cut)" },
  SC_TABLE_ROW: { severity: "warning", meaning: "a row of a -c summary table could not be read" },
  SC_TABLE_TOTAL: { severity: "warning", meaning: "a -c summary table's rows do not add up to its total row" },
  SC_TABLE_MISMATCH: { severity: "warning", meaning: "the counts from the trace lines differ from strace's own -C table in the same file" },
  SC_UNSAFE_VALUE: {
    severity: "warning",
    meaning:
      "a path or value from the trace that a profile cannot hold safely (control, C1 or bidirectional characters, invalid UTF-8, cut by -s, an ambiguous -y decoration, a port or address strace could not print; for Falco also a quote, a trailing backslash, over 255 bytes): left out",
  },
  SC_TABLE_DUPLICATE: { severity: "warning", meaning: "a second summary table for the same architecture in one file" },
  SC_FALCO_RULES: {
    severity: "error",
    meaning: "a Falco rules file given to `falco --replay` holds a condition the replay cannot read (it reads only the shapes syscage writes)",
  },
  SC_OUTPUT: {
    severity: "error",
    meaning:
      "an output directory or file cannot be written (a file in the way, a dangling symlink, a directory named like a profile, a full disk): nothing was changed",
  },
  SC_LOCKED: { severity: "error", meaning: "another syscage kept writing the same output directory for longer than --wait" },
} as const satisfies Record<string, { severity: Severity; meaning: string }>;

export type Severity = "error" | "warning" | "info";
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/**
 * Every code of an error that stops a command (exit 2, one line `syscage: ... (CODE)`), with what it
 * means. A diagnostic code can also stop a command (SC_INPUT_NOT_FOUND...), so UserError takes both.
 */
export const ERROR_CODES = {
  SC_USAGE: "a command line the CLI cannot act on: unknown command or option, missing argument, bad value",
  SC_CONFIG: "the config file (syscage.yaml) is missing, unreadable or invalid, or names no such container",
  SC_ALLOWLIST: "an allowlist.yaml that does not match its schema",
  SC_NO_INPUTS: "a command was given no traces and no config file naming them",
  SC_NO_RUNS: "the inputs hold no strace output (or only -c tables where resources are needed)",
  SC_STRICT: "--strict and the traces raised diagnostics: nothing written",
  SC_DIFF_INPUT: "a diff operand that cannot be read or holds no profile",
  SC_GIT: "git is missing or failed to read a REF:PATH operand",
  SC_NO_STRACE: "record: strace is not installed",
  SC_PTRACE_DENIED: "record: strace may not trace here (ptrace is not permitted)",
  SC_NO_TRACE: "record: strace wrote no trace",
  SC_NO_RUNTIME: "record/verify/baseline --runtime: the OCI runtime (runc, crun) is not installed or cannot run here (root is needed)",
  SC_NO_BUNDLE: "record --bundle: the directory is not an OCI bundle (no config.json, or one that cannot be read)",
  SC_NO_ENTRYPOINT: "record --runtime: the trace never reached the container's entrypoint (the runtime failed before its execve)",
  SC_PROFILE: "verify --profile: the seccomp profile cannot be read or is not a Docker/OCI seccomp profile",
  SC_BASELINE: "a measured baseline file (syscage baseline) that cannot be read or does not match its schema",
  SC_FALCO_NAME: "Falco rules: a container name that cannot name rules, or two that name them alike",
  SC_FALCO_IMAGE: "Falco rules: no image, or an image reference Falco cannot match",
  SC_FALCO_VALUE: "Falco rules: a value Falco cannot hold (left out, with a diagnostic, unless it is fatal)",
  SC_APPARMOR_PROFILE_NAME: "AppArmor: a container name that is not a valid profile name",
  SC_APPARMOR_PATH: "AppArmor: a path the profile cannot hold",
  SC_APPARMOR_NETWORK: "AppArmor: a socket family or type apparmor_parser does not know",
  SC_APPARMOR_CAPABILITY: "AppArmor: a capability apparmor_parser does not know",
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** Every code syscage can print: the one union the CLI's output draws from (README "Codes"). */
export type SyscageCode = DiagnosticCode | ErrorCode;

export function isSyscageCode(code: string): code is SyscageCode {
  return code in DIAGNOSTIC_CODES || code in ERROR_CODES;
}

/** A problem found in an input, located for a user to act on. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** The input as the user named it (relative path, or `-` for standard input). */
  file: string;
  /** 1-based line number; 0 when the diagnostic concerns the whole file. */
  line: number;
  /** 1-based column; 0 when not meaningful. */
  col: number;
  message: string;
}

export function diagnostic(code: DiagnosticCode, file: string, line: number, col: number, message: string): Diagnostic {
  return { code, severity: DIAGNOSTIC_CODES[code].severity, file, line, col, message };
}

/** One line, safe for a terminal: file names and messages hold trace content (see untrusted-text.ts). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}${d.col > 0 ? `:${d.col}` : ""}` : d.file;
  return terminalSafe(`${where}: ${d.severity}: ${d.message} (${d.code})`);
}

/**
 * Text for a terminal: every control character (C0, DEL, C1), lone surrogate, bidirectional and
 * line-separator character written as `\u{NN}` (model/untrusted-text.ts `terminalSafe`, the one
 * place that decides), so a file name or trace line can never move the cursor, recolour or hide output.
 */
export const escapeControl = terminalSafe;

/** escapeControl for a multi-line report: newlines stay. */
export function escapeControlLines(text: string): string {
  return text.split("\n").map(terminalSafe).join("\n");
}

/** Thrown for a user error (bad input, bad option): the CLI prints it on one line and exits 2. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: SyscageCode = "SC_USAGE",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "UserError";
  }
}
