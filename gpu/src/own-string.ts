/**
 * A copy of `text` that keeps nothing else alive. V8 makes a slice of 13 characters or more a
 * view into the string it was cut from, so a label value cut from a 16 KiB piece of a capture
 * would keep that whole piece in memory for as long as the series it labels is exported, and a
 * 15 MiB capture's pieces with it. Concatenation then slicing makes V8 copy the characters once.
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

/** `labels` with names and values of their own (see ownString), frozen, without a prototype. */
export function ownLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const owned: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(labels)) owned[ownString(name)] = ownString(labels[name] as string);
  return Object.freeze(owned);
}
