/**
 * A short description of a value for error messages: numbers and strings as written, other
 * values by their type (and their value when it is short), never a whole object, which may be
 * large or hold secrets.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string')
    return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (string)`;
  if (typeof value === 'bigint') return `${String(value)}n (bigint)`;
  if (typeof value === 'boolean') return `${String(value)} (boolean)`;
  if (typeof value === 'symbol') return `${value.toString()} (symbol)`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Checks that `options` is an object (or undefined) naming only `known` options: a misspelt
 * option would otherwise be ignored without a word.
 */
export function checkOptions(owner: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(`${owner}: unknown option ${JSON.stringify(name)} (options: ${known.join(', ')})`);
    }
  }
}
