// Names in Falco rules: the identifier each container's lists, macros and rules are named by, and
// the forms an image reference takes in `container.image.repository` under Docker and CRI runtimes.

/** Falco's identifier syntax (RGX_IDENTIFIER); other list and macro names load with a warning. */
export const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

/** `web-api.v2` -> `web_api_v2`: the container name in the identifier charset, lower case. */
export function falcoIdentifier(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** OCI distribution path component, and a registry host (with a dot, a port, or `localhost`). */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPOSITORY = new RegExp(`^(?:(?:[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*)(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

function isRegistryHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/**
 * The image's repository (what `container.image.repository` holds: no tag, no digest) in the forms
 * Docker and CRI runtimes report it. Docker Hub images appear short under Docker (`python`,
 * `org/x`) and in full under containerd/CRI-O (`docker.io/library/python`, `docker.io/org/x`).
 */
export function imageRepositoryForms(image: string): { forms: string[] } | { problem: string } {
  let repo = image;
  const at = repo.indexOf("@");
  if (at >= 0) repo = repo.slice(0, at);
  const lastSlash = repo.lastIndexOf("/");
  const colon = repo.indexOf(":", lastSlash + 1);
  if (colon >= 0) repo = repo.slice(0, colon);
  if (!REPOSITORY.test(repo)) return { problem: "is not an image repository name (expected e.g. python, org/app or registry.example:5000/org/app)" };
  const parts = repo.split("/");
  const first = parts[0] as string;
  const forms = new Set([repo]);
  if (parts.length === 1) forms.add(`docker.io/library/${repo}`);
  else if (!isRegistryHost(first)) forms.add(`docker.io/${repo}`);
  else if (first === "docker.io" || first === "index.docker.io") {
    const rest = parts.slice(1).join("/");
    forms.add(rest.startsWith("library/") && parts.length === 3 ? rest.slice("library/".length) : rest);
    if (first === "index.docker.io") forms.add(`docker.io/${rest}`);
  }
  return { forms: [...forms].sort() };
}
