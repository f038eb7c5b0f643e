import * as yaml from "js-yaml";
import type { MeasuredBaseline } from "../model/measured-baseline.js";

/** The measured baseline as YAML: sorted keys, one name per line (a review diff shows what the runtime changed). */
export function emitMeasuredBaseline(b: MeasuredBaseline): string {
  const header = [
    `# Runtime baseline measured by \`syscage baseline --runtime ${b.runtime}${b.noNewPrivileges ? " --nnp" : ""}\` with ${b.version}:`,
    "# the calls the runtime made under the seccomp filter before the container's entrypoint ran.",
    `# Use it with: syscage generate --measured-baseline THIS_FILE ... (it replaces the built-in "${b.name}" list).`,
  ];
  const body = yaml.dump(b, { sortKeys: true, lineWidth: -1, noRefs: true });
  return `${header.join("\n")}\n${body}`;
}
