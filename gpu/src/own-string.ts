/**
 * A copy of `text` that keeps nothing else alive. V8 makes a slice of 13 characters or more a
 * view into the string it was cut from, so a label value cut from a 16 KiB piece of a capture
 * would keep that whole piece in memory for as long as the series it labels is exported, and a
 * 15 MiB capture's pieces with it. Concatenation then slicing makes V8 copy the characters once.
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/**
 * Strings of one read, each distinct text copied once (see ownString) and shared: a model name,
 * a host name or a namespace repeats on every GPU's label set.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

  own(text: string): string {
    let owned = this.strings.get(text);
    if (owned === undefined) {
      owned = ownString(text);
      this.strings.set(owned, owned);
    }
    return owned;
  }

  /**
   * `labels` as a frozen plain object of pooled strings. Plain, not prototype-less: V8 keeps an
   * object made without a prototype as a hash table, several times the size, and a large capture
   * has tens of thousands of label sets. A `__proto__` label is defined as an own property.
   */
  labels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const owned: Record<string, string> = {};
    for (const name of Object.keys(labels)) {
      const value = this.own(labels[name] as string);
      if (name === '__proto__') Object.defineProperty(owned, name, { value, enumerable: true });
      else owned[this.own(name)] = value;
    }
    return Object.freeze(owned);
  }
}
