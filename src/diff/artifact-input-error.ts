import * as yaml from "js-yaml";

/**
 * What a reader throws for a file it cannot read as the artifact it was taken for: the user's
 * input, reported as such (SC_DIFF_INPUT). Anything else a reader throws is a bug.
 */
export class ArtifactInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArtifactInputError";
  }
}

/**
 * Whether `e`, thrown while reading or comparing artifacts, says what is wrong with a file: ours,
 * or what JSON.parse and js-yaml throw for text that is not JSON or YAML. Else it is a bug, which
 * must reach the user as one (with its stack), not pass for a bad file.
 */
export function isArtifactInputError(e: unknown): boolean {
  return e instanceof ArtifactInputError || e instanceof SyntaxError || e instanceof yaml.YAMLException;
}
