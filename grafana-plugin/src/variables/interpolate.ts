/**
 * Filter text with template variables becomes label values the way Grafana 12 hands variables
 * over. Grafana calls a format function with the value (one string) or the values (a list, for a
 * multi-value variable and for `All` without a custom all value, which lists every option). An
 * `All` with a custom all value (`.*` in the generated dashboards) bypasses the format function
 * and arrives as that raw regular expression. Older dashboards may still hand over `$__all`.
 */
import { escapeRegex } from '@presize/definitions';
import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import { ANY, isAny, type Selection } from '../core/scope';

export type Interpolator = Pick<TemplateSrv, 'replace'>;

/** Grafana's value for `All` when a variable has no custom all value; it means no filter. */
export const ALL_VALUE = '$__all';
/** A filter written `=~pattern` matches a regular expression instead of one value. */
export const PATTERN_PREFIX = '=~';
/** A text whose variables expand to more combinations than this is refused rather than sent. */
export const MAX_EXPANDED_VALUES = 1000;

// Marks the values Grafana passed through the format function. JSON escapes U+001F, so no
// value can contain it once encoded.
const MARK = '\u001f';
const marked = (value: unknown) =>
  `${MARK}${JSON.stringify(Array.isArray(value) ? value.map(String) : [String(value)])}${MARK}`;
const MARKED_PART = new RegExp(`${MARK}(.*?)${MARK}`, 'gs');

const SINGLE_VARIABLE = /^\s*(?:\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\])\s*$/;

/** The variable's name when `text` is one reference and nothing else: `$x`, `${x}`, `${x:fmt}` or `[[x]]`. */
export function singleVariable(text: string): string | undefined {
  const match = SINGLE_VARIABLE.exec(text);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

function fromValues(values: readonly string[]): Selection {
  if (values.includes(ALL_VALUE)) {
    return ANY;
  }
  const patterns = values.filter((v) => v.startsWith(PATTERN_PREFIX)).map((v) => v.slice(PATTERN_PREFIX.length));
  const exact = [...new Set(values.filter((v) => !v.startsWith(PATTERN_PREFIX)))];
  return fromPattern(patterns.length ? patterns.join('|') : undefined, exact);
}

function fromPattern(pattern: string | undefined, values: readonly string[] = []): Selection {
  if (pattern === undefined) {
    return { values };
  }
  // `.*` matches every value, as no filter does, and keeps the query short.
  if (pattern === '.*') {
    return ANY;
  }
  return { values, pattern };
}

/** Splits replaced text into literal parts and the value lists Grafana marked. */
function expand(replaced: string): string[] {
  let combinations = [''];
  let last = 0;
  const append = (options: readonly string[]) => {
    const next = combinations.flatMap((prefix) => options.map((o) => prefix + o));
    if (next.length > MAX_EXPANDED_VALUES) {
      throw new Error(`the filter's variables expand to more than ${MAX_EXPANDED_VALUES} values; choose fewer`);
    }
    combinations = next;
  };
  for (const match of replaced.matchAll(MARKED_PART)) {
    append([replaced.slice(last, match.index)]);
    append(JSON.parse(match[1]!) as string[]);
    last = match.index! + match[0].length;
  }
  append([replaced.slice(last)]);
  return combinations;
}

/** What a filter field selects, its variables interpolated with `scopedVars`. */
export function selectionOf(text: string | undefined, scopedVars: ScopedVars, templateSrv: Interpolator): Selection {
  const trimmed = (text ?? '').trim();
  if (!trimmed) {
    return ANY;
  }
  const name = singleVariable(trimmed);
  if (name !== undefined) {
    // An explicit format (`${x:csv}`) would keep Grafana from calling the format function.
    const reference = `\${${name}}`;
    const replaced = templateSrv.replace(reference, scopedVars, marked);
    if (replaced === reference) {
      return fromValues([trimmed]);
    }
    const whole = new RegExp(`^${MARK}(.*)${MARK}$`, 's').exec(replaced);
    if (whole && !whole[1]!.includes(MARK)) {
      return fromValues(JSON.parse(whole[1]!) as string[]);
    }
    // A custom all value: Grafana hands it over raw, and it is a regular expression by definition.
    return replaced === ALL_VALUE ? ANY : fromPattern(replaced);
  }
  // A label value may begin or end with spaces: only a lone reference is trimmed.
  return fromValues(expand(templateSrv.replace(text ?? '', scopedVars, marked)));
}

/** A selection as filter text again, without variables: a value, `=~a|b` for several, empty for any. */
export function selectionText(selection: Selection): string {
  if (isAny(selection)) {
    return '';
  }
  if (
    selection.pattern === undefined &&
    selection.values.length === 1 &&
    !selection.values[0]!.startsWith(PATTERN_PREFIX) &&
    selection.values[0]!.trim() !== ''
  ) {
    return selection.values[0]!;
  }
  const alternatives = [
    ...selection.values.map(escapeRegex),
    ...(selection.pattern === undefined ? [] : [`(?:${selection.pattern})`]),
  ];
  return `${PATTERN_PREFIX}${alternatives.join('|')}`;
}
