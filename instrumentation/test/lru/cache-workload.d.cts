export function exercise(cache: {
  set(key: string, value: number): unknown;
  get(key: string): unknown;
  has(key: string): boolean;
  peek(key: string): unknown;
  delete(key: string): boolean;
}): void;
export const EXPECTED_OPERATIONS: Readonly<Record<string, number>>;
export const EXPECTED_EVICTIONS: number;
export const EXPECTED_ENTRIES: number;
