// Falco Talon's rules-file checks, transcribed from its source so the tests can validate the file
// syscage writes without a Talon binary:
// - falcosecurity/falco-talon @ 4c5f505a62b321fb7d6297ff58a07edaca4360d3 (2024-10-18),
//   internal/rules/rules.go: the Rule/Action/Match YAML fields (`rule`, `description`, `continue`,
//   `dry_run`, `actions`, `notifiers`, `match.{rules,tags,priority,source,output_fields}`,
//   `action`, `actionner`, `parameters`, `continue`, `ignore_errors`, `additional_contexts`,
//   `output`), extractActionsRules (the file is unmarshalled both as a list of actions and as a
//   list of rules), the merging of a rule's action with the top-level action of the same name
//   (ParseRules), and Rule.isValid with its regular expressions (init()).
// - actionners/kubernetes/label/label.go `Parameters` (labels map[string]string required, level)
//   and actionners/kubernetes/terminate/terminate.go `Parameters` (min_healthy_replicas string,
//   ignore_daemonsets bool, ignore_statefulsets bool, grace_period_seconds int), decoded with
//   mapstructure and checked with go-playground/validator.
// Apache-2.0, as falco-talon. Returns every error message, as Talon logs them; empty means valid.

import * as yaml from "js-yaml";

const PRIORITY = /^(<|>)?(=)?(Debug|Informational|Notice|Warning|Error|Critical|Alert|Emergency|)$/i;
const ACTIONNER = /[a-z]+:[a-z]+/;
const TAG = /^[a-z_0-9.]*[a-z0-9]$/i;
const OUTPUT_FIELD_KEY = /^[a-z0-9.[\]]*(!)?(=)/i;
const BOOL_STRING = (v: unknown) => v === undefined || v === "true" || v === "false" || v === true || v === false;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Known parameters of the actionners syscage uses: name -> check of the value. */
const ACTIONNER_PARAMETERS: Record<string, { required: string[]; params: Record<string, (v: unknown) => boolean> }> = {
  "kubernetes:label": {
    required: ["labels"],
    params: {
      labels: (v) => isObj(v) && Object.keys(v).length > 0 && Object.values(v).every((x) => typeof x === "string"),
      level: (v) => typeof v === "string",
    },
  },
  "kubernetes:terminate": {
    required: [],
    params: {
      min_healthy_replicas: (v) => typeof v === "string" && /^\d+%?$/.test(v),
      ignore_daemonsets: (v) => typeof v === "boolean",
      ignore_statefulsets: (v) => typeof v === "boolean",
      grace_period_seconds: (v) => Number.isInteger(v),
    },
  },
};

export function talonRulesErrors(text: string): string[] {
  const doc = yaml.load(text);
  if (!Array.isArray(doc)) return ["wrong syntax for the rule file: not a list"];
  const errors: string[] = [];
  const entries = doc.filter(isObj);
  const actions = entries.filter((e) => typeof e.action === "string" && e.rule === undefined);
  const rules = entries.filter((e) => typeof e.rule === "string");
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  for (const rule of rules) {
    const name = str(rule.rule);
    if (name === "") errors.push("all rules must have a name");
    if (!BOOL_STRING(rule.continue)) errors.push(`${name}: 'continue' setting can be 'true' or 'false' only`);
    if (!BOOL_STRING(rule.dry_run)) errors.push(`${name}: 'dry_run' setting can be 'true' or 'false' only`);
    const ruleActions = Array.isArray(rule.actions) ? rule.actions.filter(isObj) : [];
    if (ruleActions.length === 0) errors.push(`${name}: no action specified`);
    for (const ra of ruleActions) {
      // ParseRules: the rule's action takes what it lacks from the top-level action of the same name.
      const top = actions.find((a) => a.action === ra.action) ?? {};
      const merged: Obj = { ...top, ...ra, parameters: { ...(isObj(top.parameters) ? top.parameters : {}), ...(isObj(ra.parameters) ? ra.parameters : {}) } };
      const an = str(merged.action);
      if (an === "") errors.push(`${name}: action without a name`);
      const actionner = str(merged.actionner);
      if (actionner === "") errors.push(`${name}/${an}: missing actionner`);
      if (!ACTIONNER.test(actionner)) errors.push(`${name}/${an}: incorrect actionner`);
      if (!BOOL_STRING(merged.continue)) errors.push(`${name}/${an}: 'continue' setting can be 'true' or 'false' only`);
      if (!BOOL_STRING(merged.ignore_errors)) errors.push(`${name}/${an}: 'ignore_errors' setting can be 'true' or 'false' only`);
      const known = ACTIONNER_PARAMETERS[actionner];
      if (known === undefined) errors.push(`${name}/${an}: actionner ${actionner} is not one this oracle knows`);
      else {
        const params = merged.parameters as Obj;
        for (const r of known.required) if (params[r] === undefined) errors.push(`${name}/${an}: parameter ${r} is required`);
        for (const [k, v] of Object.entries(params)) {
          const check = known.params[k];
          if (check === undefined) errors.push(`${name}/${an}: unknown parameter ${k}`);
          else if (!check(v)) errors.push(`${name}/${an}: parameter ${k} has a wrong type or value`);
        }
      }
    }
    const match = isObj(rule.match) ? rule.match : {};
    if (!PRIORITY.test(str(match.priority))) errors.push(`${name}: incorrect priority '${str(match.priority)}'`);
    for (const entry of Array.isArray(match.tags) ? match.tags : []) {
      for (const tag of String(entry).replaceAll(" ", "").split(",")) if (!TAG.test(tag)) errors.push(`${name}: incorrect tag '${tag}'`);
    }
    for (const entry of Array.isArray(match.output_fields) ? match.output_fields : []) {
      for (const f of String(entry).replaceAll(", ", ",").split(",")) if (!OUTPUT_FIELD_KEY.test(f)) errors.push(`${name}: incorrect output field key '${f}'`);
    }
    // Not Talon's check but syscage's: a match with neither rules nor tags fits every event (compareRules/compareTags).
    if (!Array.isArray(match.rules) && !Array.isArray(match.tags)) errors.push(`${name}: matches every event (no rules, no tags)`);
  }
  return errors;
}

/** Talon's match on tags (rules.go compareTags over TagsC): an entry matches when the event has all its comma-separated tags. */
export function talonTagsMatch(matchTags: readonly string[], eventTags: readonly string[]): boolean {
  return matchTags.some((entry) =>
    entry
      .replaceAll(" ", "")
      .split(",")
      .every((t) => eventTags.includes(t)),
  );
}
