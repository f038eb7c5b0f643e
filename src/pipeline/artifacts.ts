// The table of artifacts: every kind of file syscage writes and reads back, one row each. A row
// holds the kind's outputs (file name, emitter), how `diff` recognizes a file of that kind, reads it
// into items and annotates its changes. `generate`, `check`, `diff`, the config's `formats:` and
// the CLI's `--format` all come from here; adding a kind to `ArtifactKind` does not compile until
// it has its row, and `artifacts.test.ts` checks every output is recognized as its own kind only.

import {
  allowlistFileItems,
  annotateAllowlist,
  annotateAppArmor,
  annotateFalco,
  annotateSeccomp,
  isAllowlistFile,
  isAppArmorFile,
  isFalcoFile,
  isSeccompFile,
  seccompFileItems,
  withSyscallNote,
} from "../diff/diff-artifacts.js";
import { apparmorItems } from "../diff/apparmor-items.js";
import { falcoItems } from "../diff/falco-items.js";
import { isSystemdUnit, systemdItems } from "../diff/systemd-items.js";
import { emitAllowlist } from "../emit/allowlist.js";
import { emitAppArmor } from "../emit/apparmor.js";
import { emitFalcoRules } from "../emit/falco.js";
import { emitSeccompDocker, emitSeccompOci, emitSeccompSpo } from "../emit/seccomp.js";
import { emitSystemdDropIn } from "../emit/systemd.js";
import {
  OUTPUT_FORMATS,
  type ArtifactInput,
  type ArtifactKind,
  type ArtifactOutput,
  type ArtifactReader,
  type ArtifactSpec,
  type OutputFormat,
} from "../model/artifacts.js";
import type { Change } from "../model/diff.js";

const NO_RESOURCES = "no AppArmor profile or Falco rules: the runs hold no trace lines (summary tables only)";

/** systemd: the filter's default decides what a removed or added line means; capabilities carry a risk note. */
function annotateSystemd(c: Change, ctx: { allowlist: ArtifactInput["allowlist"] | undefined; defaults: { before: string; after: string } }): Change {
  let out = c;
  if (c.group === "SystemCallFilter" && c.id !== "default action") {
    const b = c.before ?? ctx.defaults.before;
    const a = c.after ?? ctx.defaults.after;
    out = { ...c, effect: a === "allow" && b !== "allow" ? "grant" : b === "allow" && a !== "allow" ? "revoke" : "info" };
    if (out.effect === "grant" && !c.id.endsWith(" *")) out = withSyscallNote(out, c.id.slice("SystemCallFilter ".length), ctx.allowlist);
  }
  if (out.effect === "grant" && c.group === "CapabilityBoundingSet")
    out = { ...out, risk: `capability: ${c.id.slice("CapabilityBoundingSet ".length)} extends what the service can do as root` };
  return out;
}

export const ARTIFACTS = {
  allowlist: {
    outputs: {
      allowlist: {
        file: "allowlist.yaml",
        describe: "what the runs did, merged (read back by the next generate)",
        perTarget: false,
        emit: (i) => emitAllowlist(i.allowlist),
      },
    },
    recognize: isAllowlistFile,
    items: allowlistFileItems,
    annotate: annotateAllowlist,
  },
  seccomp: {
    outputs: {
      docker: {
        file: "seccomp.json",
        describe: "Docker / moby JSON (docker run --security-opt seccomp=FILE)",
        perTarget: true,
        emit: (i) => emitSeccompDocker(i.policy),
      },
      oci: {
        file: "seccomp.oci.json",
        describe: "OCI runtime-spec linux.seccomp JSON (containerd, Kubernetes Localhost profiles)",
        perTarget: true,
        emit: (i) => emitSeccompOci(i.policy),
      },
      spo: {
        file: "seccomp-profile.yaml",
        describe: "Security Profiles Operator SeccompProfile resource",
        perTarget: true,
        emit: (i) => emitSeccompSpo(i.policy, { multiArch: i.multiArch, ...(i.spoApiVersion ? { spoApiVersion: i.spoApiVersion } : {}) }),
      },
    },
    recognize: isSeccompFile,
    items: seccompFileItems,
    annotate: annotateSeccomp,
  },
  apparmor: {
    outputs: {
      apparmor: {
        file: "apparmor.profile",
        describe: "AppArmor profile from the files, programs, sockets and capabilities the runs used",
        perTarget: false,
        unavailable: (i) => (i.resources ? undefined : NO_RESOURCES),
        emit: (i) => emitAppArmor(i.name, i.resources!.apparmor, { runs: i.tracedRuns }),
      },
    },
    recognize: isAppArmorFile,
    items: (_path, text) => apparmorItems(text),
    annotate: annotateAppArmor,
  },
  falco: {
    outputs: {
      falco: {
        file: "falco-rules.yaml",
        describe: "Falco rules that alert when the container drifts from the recordings (needs its images)",
        perTarget: false,
        unavailable: (i) =>
          !i.resources
            ? NO_RESOURCES
            : i.images.length === 0
              ? "no falco-rules.yaml: Falco rules are scoped by image; name the container's images (images: in the config, or --image)"
              : undefined,
        emit: (i) =>
          emitFalcoRules([
            {
              name: i.name,
              images: i.images,
              resources: i.resources!.falco,
              syscalls: i.allowedNames,
              runs: i.tracedRuns,
              ...(i.falcoScope ? { scope: i.falcoScope } : {}),
            },
          ]),
      },
    },
    recognize: isFalcoFile,
    items: (path, text) => falcoItems(text, path),
    annotate: annotateFalco,
  },
  systemd: {
    outputs: {
      systemd: {
        file: "syscage.conf",
        describe: "systemd drop-in for a service (/etc/systemd/system/UNIT.service.d/syscage.conf)",
        perTarget: true,
        emit: (i) => emitSystemdDropIn(i),
      },
    },
    recognize: isSystemdUnit,
    items: (path, text) => systemdItems(text, path),
    annotate: annotateSystemd,
  },
} as const satisfies Record<ArtifactKind, ArtifactSpec>;

type OutputName = { [K in ArtifactKind]: keyof (typeof ARTIFACTS)[K]["outputs"] }[ArtifactKind];

/** One output of the table, with its kind. */
export interface OutputRow extends ArtifactOutput {
  name: OutputName;
  kind: ArtifactKind;
  /** Chosen with `--format` / `formats:`; the others are written whenever `unavailable` allows. */
  selectable: boolean;
}

/** Every output, in table order. */
export const OUTPUTS: readonly OutputRow[] = (Object.keys(ARTIFACTS) as ArtifactKind[]).flatMap((kind) =>
  Object.entries(ARTIFACTS[kind].outputs as Record<string, ArtifactOutput>).map(([name, o]) => ({
    ...o,
    name: name as OutputName,
    kind,
    selectable: (OUTPUT_FORMATS as readonly string[]).includes(name),
  })),
);

// Every format `--format` offers is an output of the table (compile-time check).
const _formatsAreOutputs: readonly OutputName[] = OUTPUT_FORMATS satisfies readonly OutputName[];
void _formatsAreOutputs;

export function outputRow(name: OutputName | OutputFormat): OutputRow {
  return OUTPUTS.find((o) => o.name === name)!;
}

/** The formats `--format` and `formats:` accept, with what each writes. */
export const SELECTABLE_FORMATS: readonly { name: OutputFormat; file: string; describe: string }[] = OUTPUTS.filter((o) => o.selectable).map((o) => ({
  name: o.name as OutputFormat,
  file: o.file,
  describe: o.describe,
}));

/** The diff readers of every kind (the table seen by `diff`). */
export const ARTIFACT_READERS: Readonly<Record<ArtifactKind, ArtifactReader>> = ARTIFACTS;

/** File name of an output for a target, with the arch before the first dot when there are several targets. */
export function outputFileName(row: Pick<ArtifactOutput, "file" | "perTarget">, arch: string, several: boolean): string {
  if (!row.perTarget || !several) return row.file;
  const dot = row.file.indexOf(".");
  return `${row.file.slice(0, dot)}.${arch}${row.file.slice(dot)}`;
}
