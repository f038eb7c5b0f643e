// Whether an AppArmor path rule meets one of Docker's file deny rules: both are turned into token
// patterns (a small subset of AppArmor's glob syntax), each deny is compiled once into a DFA over
// character classes, and a rule is run through it. The profile (apparmor.ts) uses the answer to drop
// or annotate rules the default Docker profile's denies would contradict.

/** AppArmor file permission letters (`ix`: inherit-execute). */
export type Letter = "m" | "r" | "w" | "a" | "l" | "k" | "ix";

export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface DockerDeny {
  rule: string;
  /** Letters the rule denies; `w` also covers append. */
  denies: readonly Letter[];
  /** The rule's path pattern with `@{PROC}` expanded and `{,}` alternatives split. */
  covers: readonly string[];
}

/** From moby/profiles apparmor/template.go (see data/docker-default.apparmor), file rules only. */
const DOCKER_FILE_DENIES: readonly DockerDeny[] = [
  { rule: "deny @{PROC}/* w,", denies: ["w"], covers: ["/proc/*"] },
  {
    rule: "deny @{PROC}/{[^1-9/],[^1-9/][^0-9/],[^1-9s/][^0-9y/][^0-9s/],[^1-9/][^0-9/][^0-9/][^0-9/]*}/** w,",
    denies: ["w"],
    covers: ["/proc/[^1-9/]/**", "/proc/[^1-9/][^0-9/]/**", "/proc/[^1-9s/][^0-9y/][^0-9s/]/**", "/proc/[^1-9/][^0-9/][^0-9/][^0-9/]*/**"],
  },
  { rule: "deny @{PROC}/sys/[^k]** w,", denies: ["w"], covers: ["/proc/sys/[^k]**"] },
  {
    rule: "deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,",
    denies: ["w"],
    covers: ["/proc/sys/kernel/?", "/proc/sys/kernel/??", "/proc/sys/kernel/[^s][^h][^m]**"],
  },
  { rule: "deny @{PROC}/sysrq-trigger rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/proc/sysrq-trigger"] },
  { rule: "deny @{PROC}/kcore rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/proc/kcore"] },
  { rule: "deny /sys/[^f]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/[^f]*/**"] },
  { rule: "deny /sys/f[^s]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/f[^s]*/**"] },
  { rule: "deny /sys/fs/[^c]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/[^c]*/**"] },
  { rule: "deny /sys/fs/c[^g]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/c[^g]*/**"] },
  { rule: "deny /sys/fs/cg[^r]*/** wklx,", denies: ["w", "k", "l", "ix"], covers: ["/sys/fs/cg[^r]*/**"] },
  { rule: "deny /sys/firmware/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/firmware/**"] },
  { rule: "deny /sys/devices/virtual/powercap/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/devices/virtual/powercap/**"] },
  { rule: "deny /sys/kernel/security/** rwklx,", denies: ["r", "w", "k", "l", "ix"], covers: ["/sys/kernel/security/**"] },
];

/** A set of characters: `neg` false means exactly `chars`, true means every character but `chars`. */
export interface CharSet {
  neg: boolean;
  chars: ReadonlySet<string>;
}
/** One character from `set`, or (star) any number of them. */
export interface Token {
  star: boolean;
  set: CharSet;
}

const NOT_SLASH: CharSet = { neg: true, chars: new Set(["/"]) };
const ANY: CharSet = { neg: true, chars: new Set() };
const DIGITS: CharSet = { neg: false, chars: new Set("0123456789") };
export const PID_FIRST: CharSet = { neg: false, chars: new Set("123456789") };

export function digitsStar(): Token[] {
  return [{ star: true, set: DIGITS }];
}

const LITERALS = new Map<string, Token>();
function literal(c: string): Token {
  let t = LITERALS.get(c);
  if (!t) {
    t = { star: false, set: { neg: false, chars: new Set([c]) } };
    LITERALS.set(c, t);
  }
  return t;
}

/**
 * The paths a rule matches, as tokens. A glob made by the `pid` rule stood for numbers in every run,
 * so it is taken as a pid (`[1-9][0-9]*`): a deny for non-numeric /proc entries cannot have blocked
 * what the workload did there. Other globs stand for one or more characters but `/` (a generalized
 * segment is never empty).
 */
export function tokensOfPath(path: string, globs: ReadonlySet<number>, pids: ReadonlySet<number> = new Set()): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < path.length; i++) {
    const c = path[i] as string;
    if (c === "*" && globs.has(i)) {
      if (pids.has(i)) out.push({ star: false, set: PID_FIRST }, ...digitsStar());
      else out.push({ star: false, set: NOT_SLASH }, { star: true, set: NOT_SLASH });
    } else out.push(literal(c));
  }
  return out;
}

/** The subset of AppArmor glob syntax the Docker denies use: `*`, `**`, `?`, `[...]`, `[^...]` with ranges. */
export function tokensOfGlob(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      const double = glob[i + 1] === "*";
      out.push({ star: true, set: double ? ANY : NOT_SLASH });
      if (double) i++;
    } else if (c === "?") {
      out.push({ star: false, set: NOT_SLASH });
    } else if (c === "[") {
      const end = glob.indexOf("]", i);
      let body = glob.slice(i + 1, end);
      const neg = body.startsWith("^");
      if (neg) body = body.slice(1);
      const chars = new Set<string>();
      for (let j = 0; j < body.length; j++) {
        const from = body[j] as string;
        if (body[j + 1] === "-" && j + 2 < body.length) {
          const to = body[j + 2] as string;
          for (let cp = from.charCodeAt(0); cp <= to.charCodeAt(0); cp++) chars.add(String.fromCharCode(cp));
          j += 2;
        } else chars.add(from);
      }
      out.push({ star: false, set: { neg, chars } });
      i = end;
    } else out.push(literal(c));
  }
  return out;
}

function inSet(set: CharSet, c: string): boolean {
  return set.chars.has(c) !== set.neg;
}

/** Stands for every character a deny does not name: it is in each of its negated sets and no positive one. */
const OTHER_CHAR = "\u{e000}";

/**
 * A deny rule's pattern as a DFA over classes of characters: one class per character the pattern
 * names, and a last class (OTHER_CHAR) for all the rest, which it treats alike. Built once.
 */
interface DenyDfa {
  classOf: ReadonlyMap<string, number>;
  /** One character per class, the last being OTHER_CHAR. */
  reps: readonly string[];
  next: readonly (readonly number[])[];
  accepting: readonly boolean[];
}

function compileDeny(alternatives: readonly (readonly Token[])[]): DenyDfa {
  const named = new Set<string>();
  for (const t of alternatives.flat()) for (const c of t.set.chars) named.add(c);
  const reps = [...named].sort(byCodeUnits);
  const classOf = new Map(reps.map((c, i) => [c, i]));
  reps.push(OTHER_CHAR);
  // NFA states are the positions of every alternative (its tokens, then its end), numbered in one
  // run; `*` tokens may be skipped. (Numbers, not "a:i" strings: the denies are compiled as the
  // module loads, on every generate.)
  const tokenAt: (Token | undefined)[] = [];
  const starts: number[] = [];
  for (const alt of alternatives) {
    starts.push(tokenAt.length);
    tokenAt.push(...alt, undefined);
  }
  const close = (states: Iterable<number>): number[] => {
    const out = new Set<number>();
    const todo = [...states];
    while (todo.length > 0) {
      const st = todo.pop() as number;
      if (out.has(st)) continue;
      out.add(st);
      if (tokenAt[st]?.star) todo.push(st + 1);
    }
    return [...out].sort((x, y) => x - y);
  };
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const intern = (set: number[]): number => {
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
    }
    return id;
  };
  intern(close(starts));
  const next: number[][] = [];
  const accepting: boolean[] = [];
  for (let id = 0; id < sets.length; id++) {
    const set = sets[id] as number[];
    accepting[id] = set.some((st) => tokenAt[st] === undefined);
    next[id] = reps.map((c) => {
      const moved: number[] = [];
      for (const st of set) {
        const t = tokenAt[st];
        if (t && inSet(t.set, c)) moved.push(t.star ? st : st + 1);
      }
      return intern(close(moved));
    });
  }
  return { classOf, reps, next, accepting };
}

/**
 * Which states the deny's DFA can be in after reading some path `rule` matches: a search over
 * (rule position, DFA state). Some accepting: the two overlap; all accepting: every path the rule
 * matches is denied. A deny's `*` is read as "zero or more" where AppArmor needs one character:
 * the answer can only err towards "overlaps".
 */
export function denyStatesAfter(rule: readonly Token[], dfa: DenyDfa): Set<number> {
  const other = dfa.reps.length - 1;
  const classes = (set: CharSet): number[] => {
    if (!set.neg) return [...new Set([...set.chars].map((c) => dfa.classOf.get(c) ?? other))];
    return dfa.reps.map((_, k) => k).filter((k) => k === other || !set.chars.has(dfa.reps[k] as string));
  };
  const width = dfa.next.length;
  const seen = new Set<number>();
  const ends = new Set<number>();
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [j, st] = stack.pop() as [number, number];
    if (seen.has(j * width + st)) continue;
    seen.add(j * width + st);
    const t = rule[j];
    if (!t) {
      ends.add(st);
      continue;
    }
    if (t.star) stack.push([j + 1, st]);
    for (const k of classes(t.set)) stack.push([t.star ? j : j + 1, dfa.next[st]?.[k] as number]);
  }
  return ends;
}

/** The text every match of `tokens` starts with: a cheap test that two patterns cannot meet. */
export function literalPrefix(tokens: readonly Token[]): string {
  let out = "";
  for (const t of tokens) {
    if (t.star || t.set.neg || t.set.chars.size !== 1) break;
    out += [...t.set.chars][0];
  }
  return out;
}

export function prefixesMeet(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export const DOCKER_DENY_PATTERNS = DOCKER_FILE_DENIES.map((d) => {
  const patterns = d.covers.map(tokensOfGlob);
  return { deny: d, dfa: compileDeny(patterns), prefixes: patterns.map(literalPrefix) };
});

export function deniedBy(deny: DockerDeny, letters: ReadonlySet<Letter>): boolean {
  return deny.denies.some((l) => letters.has(l) || (l === "w" && letters.has("a")));
}
