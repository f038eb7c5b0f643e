/**
 * A table keyed by the characters of a name inside a longer string (a syscall name in a trace
 * line), so a lookup cuts no string out of the line and hashes no string twice: the caller hashes
 * the name with nameHashStep while it scans it, and find() compares in place. Open addressing with
 * linear probing; it doubles at half full.
 */
export class NameTable<T> {
  private keys: string[] = new Array<string>(512).fill("");
  private values: (T | undefined)[] = new Array<T | undefined>(512).fill(undefined);
  private size = 0;

  /** The value for the name `s.slice(from, to)`, whose hash (nameHashStep over its characters) is `h`. */
  find(s: string, from: number, to: number, h: number): T | undefined {
    const keys = this.keys;
    const mask = keys.length - 1;
    const len = to - from;
    for (let k = h & mask; ; k = (k + 1) & mask) {
      const key = keys[k]!;
      if (key === "") return undefined;
      if (key.length === len && s.startsWith(key, from)) return this.values[k];
    }
  }

  get(name: string): T | undefined {
    return this.find(name, 0, name.length, nameHash(name));
  }

  /** Sets `name` (not empty: "" marks a free slot) to `value`. */
  set(name: string, value: T): void {
    if (name === "") throw new Error("NameTable: a name cannot be empty");
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    const mask = keys.length - 1;
    let k = nameHash(name) & mask;
    while (keys[k] !== "" && keys[k] !== name) k = (k + 1) & mask;
    if (keys[k] === "") this.size++;
    keys[k] = name;
    this.values[k] = value;
  }

  get count(): number {
    return this.size;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Array<string>(keys.length * 2).fill("");
    this.values = new Array<T | undefined>(keys.length * 2).fill(undefined);
    this.size = 0;
    for (let k = 0; k < keys.length; k++) if (keys[k] !== "") this.set(keys[k]!, values[k] as T);
  }
}

/** One step of a name's hash: `h` so far, then the next character code. */
export function nameHashStep(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/** The hash of a whole name, as a scan with nameHashStep gives it. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = nameHashStep(h, name.charCodeAt(i));
  return h;
}
