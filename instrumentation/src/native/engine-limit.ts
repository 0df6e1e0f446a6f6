import { V8_MIN_CAPACITY } from './v8-table-model.js';

/**
 * Replaces the limit found from the engine: a whole number of entries >= 4. Meant for engines
 * Presize does not know, and for tests that drive a map past the alert thresholds without
 * filling 16 million entries.
 */
export const ENGINE_LIMIT_ENV = 'PRESIZE_NATIVE_MAPS_ENGINE_LIMIT';

/**
 * Entries one native `Map` or `Set` can hold in V8. Its ordered hash table has a power-of-two
 * capacity with a maximum; inserting the first entry past it throws
 * `RangeError: Map maximum size exceeded` (`Set maximum size exceeded`). The maximum is 2^24 for
 * both collections in every V8 from 7.0 (Node 12) on; measured by filling a Map and a Set with
 * integer keys until the insert throws, on Node 20.20.2 (V8 11.3) and 24.21.0 (V8 13.6). It is
 * not V8's FixedArray length bound divided by the entry size: that bound grew in V8 13 (Node 24)
 * and the limit stayed 2^24.
 */
const V8_ORDERED_HASH_TABLE_LIMIT = 2 ** 24;
const FIRST_V8_MAJOR_WITH_LIMIT = 7;

export interface EngineLimit {
  /** Entries one native Map or Set can hold; undefined on an engine Presize does not know. */
  readonly entries: number | undefined;
  /** `engine`: found from the running engine; `env`: set by PRESIZE_NATIVE_MAPS_ENGINE_LIMIT. */
  readonly source: 'engine' | 'env' | 'unknown';
  /** What was wrong with PRESIZE_NATIVE_MAPS_ENGINE_LIMIT, naming it and what was used instead. */
  readonly problem: string | undefined;
}

/**
 * The limit of the engine described by `versions` (`process.versions`): read from the V8 version
 * rather than probed, because a probe has to fill a table to the limit (16,777,216 inserts:
 * seconds of CPU and about 800 MB of heap for a Map), which no service should pay at start-up.
 */
export function engineLimitOfVersions(versions: Partial<Record<string, string>>): number | undefined {
  const major = Number(/^(\d+)\./.exec(versions.v8 ?? '')?.[1]);
  return Number.isInteger(major) && major >= FIRST_V8_MAJOR_WITH_LIMIT ? V8_ORDERED_HASH_TABLE_LIMIT : undefined;
}

/** The limit for this process: PRESIZE_NATIVE_MAPS_ENGINE_LIMIT when set and valid, else the engine's. */
export function resolveEngineLimit(
  env: NodeJS.ProcessEnv = process.env,
  versions: Partial<Record<string, string>> = process.versions,
): EngineLimit {
  const fromEngine = engineLimitOfVersions(versions);
  const engine: EngineLimit = {
    entries: fromEngine,
    source: fromEngine === undefined ? 'unknown' : 'engine',
    problem: undefined,
  };
  const raw = env[ENGINE_LIMIT_ENV];
  const text = raw?.trim().replace(/_/g, '');
  if (text === undefined || text === '') return engine;
  const parsed = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isSafeInteger(parsed) && parsed >= V8_MIN_CAPACITY)
    return { entries: parsed, source: 'env', problem: undefined };
  const used = fromEngine === undefined ? 'no limit is reported' : `using the engine's ${fromEngine}`;
  return {
    ...engine,
    problem: `${ENGINE_LIMIT_ENV}=${JSON.stringify(raw)}: expected a whole number of entries >= ${V8_MIN_CAPACITY}; ${used}`,
  };
}

let processLimit: EngineLimit | undefined;

/** This process's limit, resolved once, at the first call (the observer's installation or the first observed map). */
export function engineLimit(): EngineLimit {
  processLimit ??= resolveEngineLimit();
  return processLimit;
}

/**
 * Table doublings a collection whose table has `capacity` slots can still make before its
 * capacity would pass `limit`: 0 when the next full table throws instead of growing.
 */
export function doublingsLeft(capacity: number, limit: number): number {
  return Math.max(0, Math.floor(Math.log2(limit / capacity)));
}
