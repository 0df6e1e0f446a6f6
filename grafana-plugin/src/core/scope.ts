/**
 * What a query is narrowed to: per filter, label values to match exactly and, from a regex-typed
 * value such as a dashboard variable's custom All value, a pattern to match in full.
 */
import type { LabelFilter } from '@presize/definitions';

export interface Selection {
  readonly values: readonly string[];
  /** An RE2 pattern the label value must match in full. */
  readonly pattern?: string;
}

export const ANY: Selection = { values: [] };

export interface Scope {
  services: Selection;
  maps: Selection;
  nodes: Selection;
  gpus: Selection;
}

export const EMPTY_SCOPE: Scope = { services: ANY, maps: ANY, nodes: ANY, gpus: ANY };

export function isAny(selection: Selection): boolean {
  return selection.values.length === 0 && selection.pattern === undefined;
}

export function labelFilter(label: string, selection: Selection): LabelFilter {
  return selection.pattern === undefined
    ? { label, values: selection.values }
    : { label, values: selection.values, pattern: selection.pattern };
}

/** Whether `value` is selected; for filtering in the browser what PromQL cannot narrow (GPU node labels). */
export function selects(selection: Selection, value: string): boolean {
  if (isAny(selection) || selection.values.includes(value)) {
    return true;
  }
  if (selection.pattern === undefined) {
    return false;
  }
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${selection.pattern})$`, 'u');
  } catch (error) {
    throw new Error(
      `"${selection.pattern}" is not a regular expression: ${error instanceof Error ? error.message : String(error)}`
    );
  }
  return pattern.test(value);
}
