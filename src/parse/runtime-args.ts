// The command line an engine (Docker, Podman's conmon, containerd's runc shim) gives an OCI runtime,
// read the way runc reads it, so the recording shim can pass it through untouched.

/** runc's global flags that take a value (`--root DIR` or `--root=DIR`). */
const GLOBAL_WITH_VALUE = new Set(["--root", "--log", "--log-format", "--criu", "--rootless"]);
/** Subcommand flags that take a value, for create and run (runc 1.1 `create --help`, `run --help`). */
const SUB_WITH_VALUE = new Set(["--bundle", "-b", "--console-socket", "--pid-file", "--preserve-fds", "--pidfd-socket"]);

/** The shim's own flags, which engines pass through their runtime arguments (Docker `runtimeArgs`): removed before the real runtime sees them. */
export const SHIM_FLAGS = ["--syscage-out", "--syscage-runtime"] as const;

export interface RuntimeInvocation {
  /** Global flags, in order, for the real runtime. */
  globals: string[];
  /** The subcommand (`create`, `start`, `run`, `state`...), or undefined (`--version`, `--help`). */
  command: string | undefined;
  /** Everything after the subcommand, untouched. */
  rest: string[];
  /** The shim's own settings found among the globals. */
  shim: { out?: string; runtime?: string };
}

/** Splits a runtime command line into global flags, subcommand and its arguments (the shim's flags taken out). */
export function parseRuntimeArgs(argv: readonly string[]): RuntimeInvocation {
  const globals: string[] = [];
  const shim: RuntimeInvocation["shim"] = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if ((SHIM_FLAGS as readonly string[]).includes(flag)) {
      const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (value !== undefined) {
        if (flag === "--syscage-out") shim.out = value;
        else shim.runtime = value;
      }
      continue;
    }
    if (!a.startsWith("-")) break;
    globals.push(a);
    if (eq < 0 && GLOBAL_WITH_VALUE.has(a) && i + 1 < argv.length) globals.push(argv[++i]!);
  }
  return { globals, command: argv[i], rest: argv.slice(i + 1), shim };
}

export interface CreateArgs {
  bundle: string | undefined;
  id: string | undefined;
  detach: boolean;
  preserveFds: number;
}

/** The bundle, container id, `--detach` and `--preserve-fds` of a `create` or `run`. */
export function parseCreateArgs(rest: readonly string[]): CreateArgs {
  let bundle: string | undefined;
  let id: string | undefined;
  let detach = false;
  let preserveFds = 0;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const eq = a.indexOf("=");
    const flag = a.startsWith("-") && eq > 0 ? a.slice(0, eq) : a;
    const value = () => (eq > 0 && a.startsWith("-") ? a.slice(eq + 1) : rest[++i]);
    if (flag === "--bundle" || flag === "-b") bundle = value();
    else if (flag === "--preserve-fds") preserveFds = Number(value()) || 0;
    else if (flag === "--detach" || flag === "-d") detach = true;
    else if (SUB_WITH_VALUE.has(flag)) value();
    else if (!a.startsWith("-")) id = a;
  }
  return { bundle, id, detach, preserveFds };
}

/**
 * Annotations that carry the container's name: syscage's own (`--annotation org.syscage.name=web`
 * with Podman or Docker, which set no name annotation themselves), containerd's CRI plugin, and
 * CRI-O / dockershim.
 */
export const NAME_ANNOTATIONS = ["org.syscage.name", "io.kubernetes.cri.container-name", "io.kubernetes.container.name"];

/**
 * The name a recorded run is filed under: the container's name from the engine's annotations
 * (Kubernetes: the container name, prefixed by its pod's namespace when known), else the id.
 * Only `[A-Za-z0-9_.-]` survive, so an annotation cannot point the run outside the output directory.
 */
export function runName(annotations: Readonly<Record<string, unknown>>, id: string): string {
  const text = (k: string) => (typeof annotations[k] === "string" ? (annotations[k] as string) : undefined);
  const name = NAME_ANNOTATIONS.map(text).find((v) => v !== undefined && v !== "");
  const ns = text("io.kubernetes.cri.sandbox-namespace") ?? text("io.kubernetes.pod.namespace");
  const raw = name ? (ns ? `${ns}_${name}` : name) : id;
  const safe = raw
    .replace(/[^A-Za-z0-9_.-]/g, "_")
    .replace(/^\.+/, "_")
    .slice(0, 128);
  return safe === "" ? "container" : safe;
}

/** Whether the container is a Kubernetes sandbox (the pause container), which the shim does not record. */
export function isSandbox(annotations: Readonly<Record<string, unknown>>): boolean {
  return annotations["io.kubernetes.cri.container-type"] === "sandbox" || annotations["io.kubernetes.docker.type"] === "podsandbox";
}
