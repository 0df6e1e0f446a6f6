import diagnostics_channel from 'node:diagnostics_channel';
import { earlyRead, earlySetRefused, earlySetResult } from './early-status.js';
import { keyIndexOf } from './key-index.js';
import type { LruCacheLike, LruStatus } from './types.js';

/**
 * lru-cache 7.0 to 11.2 publish nothing, so their `LRUCache` prototype methods are wrapped to
 * publish what lru-cache 11.4 publishes itself: the same status messages, on channels of Presize's
 * own (never on lru-cache's, whose other subscribers expect lru-cache's messages only). The
 * instrumentation subscribes the handlers it has for lru-cache's channels, so both paths produce
 * the same metrics from the same code. 7.18 is the first release that fills a `status` option,
 * which gives the results without reading lru-cache's internals; for 7.0 to 7.17 the patch fills
 * it itself from their internals (early-status.ts).
 */
export const LEGACY_METRICS_CHANNEL = 'presize:lru-cache-legacy:metrics';
/** `start` when a `fetch()` returned its promise, `asyncEnd` when the promise settled. */
export const LEGACY_TRACING_CHANNEL = 'presize:lru-cache-legacy';

const metrics = diagnostics_channel.channel(LEGACY_METRICS_CHANNEL);
const tracing = diagnostics_channel.tracingChannel<string, LruStatus>(LEGACY_TRACING_CHANNEL);

type Method = (this: LegacyCache, a?: unknown, b?: unknown, c?: unknown) => unknown;
type Options = { status?: LegacyStatus } & Record<string, unknown>;

/** The fields of lru-cache's `status` option (7.18 to 11.2) read here. */
interface LegacyStatus {
  get?: string;
  set?: string;
  has?: string;
  fetch?: string;
  maxEntrySizeExceeded?: true;
  fetchResolved?: true;
  fetchRejected?: true;
  fetchAborted?: true;
}

/** An `LRUCache` class: what is patched is its prototype. */
export interface LruCacheClass {
  readonly prototype: object;
}

interface LegacyCache extends LruCacheLike {
  delete(key: unknown): boolean;
}

/** The operation running on a cache, so that what lru-cache calls from inside it is not counted. */
interface Running {
  cache: object | undefined;
  key: unknown;
  op: string | undefined;
  /** Whether a `set` ran inside the running operation (a `memo` that called its method). */
  wrote: boolean;
}

/** How a removal from a patched cache's key index that no published delete announced counts. */
export type LegacyRemoval = 'own' | 'eviction' | 'expire' | 'fetch';

interface SharedState {
  readonly running: Running;
  /** Fetches in flight per cache, by key, with their lru-cache status. */
  readonly fetches: WeakMap<object, Map<unknown, LegacyStatus>>;
  /** Patched classes: how many instrumentations hold the patch, and the methods it replaced. */
  readonly patched: WeakMap<object, { holders: number; originals: Map<string, PropertyDescriptor> }>;
}

// Shared by every copy of this package (ESM and CommonJS builds): one patch per class.
const STATE = Symbol.for('@presize/instrumentation/lru-cache-legacy');
const state: SharedState = ((globalThis as { [STATE]?: SharedState })[STATE] ??= {
  running: { cache: undefined, key: undefined, op: undefined, wrote: false },
  fetches: new WeakMap(),
  patched: new WeakMap(),
});
const running = state.running;
/** Whether a `set` ran inside the operation `runAs` last ran (for `memo`). */
let lastRunWrote = false;

/** A key no cache holds: the running operation concerns every key (`purgeStale`, `pop`). */
const EVERY_KEY = Symbol('every key');

/** Runs `original` as operation `op` on `key` of `cache`; restores the outer operation after. */
function runAs(
  cache: LegacyCache,
  key: unknown,
  op: string,
  original: Method,
  a: unknown,
  b?: unknown,
  c?: unknown,
): unknown {
  const outerCache = running.cache;
  const outerKey = running.key;
  const outerOp = running.op;
  const outerWrote = running.wrote;
  running.cache = cache;
  running.key = key;
  running.op = op;
  running.wrote = false;
  try {
    return original.call(cache, a, b, c);
  } finally {
    lastRunWrote = running.wrote;
    running.cache = outerCache;
    running.key = outerKey;
    running.op = outerOp;
    running.wrote = outerWrote;
  }
}

/**
 * Whether the call is lru-cache's own (from inside an operation on the same cache) or unobserved:
 * then it goes straight to lru-cache's method (arguments not given arrive as undefined, which its
 * parameter defaults treat alike).
 */
function passThrough(cache: object): boolean {
  return running.cache === cache || !(metrics.hasSubscribers || tracing.hasSubscribers);
}

function publish(cache: LegacyCache, op: NonNullable<LruStatus['op']>, key: unknown, result: string | undefined): void {
  const message: LruStatus = { op, key, cache, legacy: true };
  message[op] = result;
  metrics.publish(message);
}

function statusOf(options: unknown): LegacyStatus | undefined {
  return (options as Options | null | undefined)?.status ?? undefined;
}

/**
 * Publishes the result of `op` from its status: the status object itself when it is the patch's
 * own, as lru-cache 11.4 does (one object per operation); a message of its own when the caller
 * gave the status, which stays as lru-cache left it.
 */
function publishStatus(
  cache: LegacyCache,
  op: 'get' | 'has' | 'set',
  key: unknown,
  status: LegacyStatus,
  own: boolean,
): void {
  if (!own) return publish(cache, op, key, status[op]);
  const message = status as LruStatus;
  message.op = op;
  message.key = key;
  message.cache = cache;
  message.legacy = true;
  metrics.publish(message);
}

/** The options lru-cache is given: the caller's when they carry a status, else with one of ours. */
function withStatus(options: unknown, status: LegacyStatus): Options {
  return options === undefined || options === null ? { status } : { ...(options as Options), status };
}

/** The status lru-cache (7.18 on) fills for an operation: the caller's, else one of the patch's own. */
function statusFor(options: unknown): { status: LegacyStatus; given: boolean; options: unknown } {
  const given = statusOf(options);
  if (given !== undefined) return { status: given, given: true, options };
  const status: LegacyStatus = {};
  return { status, given: false, options: withStatus(options, status) };
}

/** Runs a `get` or `has`; gives what it returned and its status (filled here before 7.18). */
function runRead(
  cache: LegacyCache,
  op: 'get' | 'has',
  k: unknown,
  original: Method,
  options: unknown,
  fillsStatus: boolean,
): { value: unknown; status: LegacyStatus; given: boolean } {
  if (!fillsStatus) {
    const read = earlyRead(cache, () => runAs(cache, k, op, original, k, options));
    // Literal keys, not a computed one: measured faster (bench/lru-patch-overhead.bench.mjs).
    const status = op === 'get' ? { get: read.result } : { has: read.result };
    return { value: read.value, status, given: false };
  }
  const { status, given, options: passed } = statusFor(options);
  return { value: runAs(cache, k, op, original, k, passed), status, given };
}

const wrappers: Record<string, (original: Method, fillsStatus: boolean) => Method> = {
  get: (original, fillsStatus) =>
    function get(this: LegacyCache, k: unknown, options?: unknown): unknown {
      if (passThrough(this)) return original.call(this, k, options);
      const { value, status, given } = runRead(this, 'get', k, original, options, fillsStatus);
      // lru-cache 11.4 publishes the removal of the stale entry as a delete of reason expire.
      if (status.get === 'stale' && keyIndexOfCache(this)?.has(k) === false) publish(this, 'delete', k, 'expire');
      publishStatus(this, 'get', k, status, !given);
      return value;
    },
  has: (original, fillsStatus) =>
    function has(this: LegacyCache, k: unknown, options?: unknown): unknown {
      if (passThrough(this)) return original.call(this, k, options);
      const { value, status, given } = runRead(this, 'has', k, original, options, fillsStatus);
      publishStatus(this, 'has', k, status, !given);
      return value;
    },
  peek: (original) =>
    function peek(this: LegacyCache, k: unknown, options?: unknown): unknown {
      if (passThrough(this)) return original.call(this, k, options);
      const value = runAs(this, k, 'peek', original, k, options);
      // peek has no status before 11.3: an entry that is there and gives nothing is stale.
      const result = value !== undefined ? 'hit' : keyIndexOfCache(this)?.has(k) ? 'stale' : 'miss';
      publish(this, 'peek', k, result);
      return value;
    },
  set: (original, fillsStatus) =>
    function set(this: LegacyCache, k: unknown, v: unknown, options?: unknown): unknown {
      if (running.cache === this) running.wrote = true;
      if (passThrough(this)) return original.call(this, k, v, options);
      const caller = statusOf(options);
      if (caller !== undefined && state.fetches.get(this)?.get(k) === caller) {
        // A fetch storing what its method resolved: part of the fetch, as in lru-cache 11.4.
        return runAs(this, k, 'fetch', original, k, v, options);
      }
      let status: LegacyStatus;
      let given = false;
      let result: unknown;
      if (fillsStatus) {
        let passed: unknown;
        ({ status, given, options: passed } = statusFor(options));
        result = runAs(this, k, 'set', original, k, v, passed);
      } else {
        status = { set: earlySetResult(this, k, v) };
        result = runAs(this, k, 'set', original, k, v, options);
        if (earlySetRefused(this, k)) {
          status.set = 'miss';
          status.maxEntrySizeExceeded = true;
        }
      }
      if (status.set === undefined && v === undefined) {
        // set(k, undefined) is delete(k) from 9.1 on, with no set status until 11.4's `deleted`.
        publish(this, 'delete', k, 'delete');
        publish(this, 'set', k, 'deleted');
      } else {
        if (status.maxEntrySizeExceeded) publish(this, 'delete', k, 'set');
        publishStatus(this, 'set', k, status, !given);
      }
      return result;
    },
  delete: (original) =>
    function delete_(this: LegacyCache, k: unknown): unknown {
      if (passThrough(this)) return original.call(this, k);
      // Published before the removal, as lru-cache 11.4 does: the removal is then no eviction.
      publish(this, 'delete', k, settledFetch(this, k) ? 'fetch' : 'delete');
      return runAs(this, k, 'delete', original, k);
    },
  fetch: (original, fillsStatus) =>
    function fetch(this: LegacyCache, k: unknown, options?: unknown): unknown {
      if (passThrough(this)) return original.call(this, k, options);
      // 7.10 to 7.17 fill no fetch status: the fetch is not published, only kept from counting the
      // set that stores its promise (what it later stores or removes counts as a set or delete).
      if (!fillsStatus) return runAs(this, k, 'fetch', original, k, options);
      const given = statusOf(options);
      const status = given ?? {};
      let inFlight = state.fetches.get(this);
      if (inFlight === undefined) state.fetches.set(this, (inFlight = new Map()));
      const outer = inFlight.get(k);
      inFlight.set(k, status);
      const promise = runAs(this, k, 'fetch', original, k, given ? options : withStatus(options, status));
      const message: LruStatus = { op: 'fetch', fetch: status.fetch, key: k, cache: this, legacy: true };
      tracing.start.publish(message);
      const settled = () => {
        if (inFlight.get(k) === status) {
          if (outer === undefined) inFlight.delete(k);
          else inFlight.set(k, outer);
        }
        if (status.fetchAborted) message.fetchAborted = true;
        else if (status.fetchRejected) message.fetchRejected = true;
        tracing.asyncEnd.publish(message);
      };
      // Observing the settlement marks the promise handled, as lru-cache 11.4's tracePromise does.
      (promise as Promise<unknown>).then(settled, settled);
      return promise;
    },
  memo: (original) =>
    function memo(this: LegacyCache, k: unknown, options?: unknown): unknown {
      if (passThrough(this)) return original.call(this, k, options);
      const value = runAs(this, k, 'memo', original, k, options);
      // memo stores what its method computed exactly when it was a miss (or a forced refresh).
      publish(this, 'memo', k, lastRunWrote ? 'miss' : 'hit');
      return value;
    },
  pop: (original) =>
    function pop(this: LegacyCache): unknown {
      if (passThrough(this)) return original.call(this);
      return runAs(this, EVERY_KEY, 'pop', original, undefined);
    },
  purgeStale: (original) =>
    function purgeStale(this: LegacyCache): unknown {
      if (passThrough(this)) return original.call(this);
      const before = this.size;
      const purged = runAs(this, EVERY_KEY, 'purgeStale', original, undefined);
      // Counted from the size: the last entry leaves by clearing the key index, not deleting from it.
      for (let i = this.size; i < before; i++) publish(this, 'delete', EVERY_KEY, 'expire');
      return purged;
    },
  load: (original) =>
    function load(this: LegacyCache, entries: unknown): unknown {
      if (passThrough(this)) return original.call(this, entries);
      return runAs(this, EVERY_KEY, 'load', original, entries);
    },
};

const keyIndexes = new WeakMap<object, Map<unknown, unknown> | undefined>();

/** The cache's key index, looked up once (lru-cache keeps the same `Map` for its lifetime). */
function keyIndexOfCache(cache: object): Map<unknown, unknown> | undefined {
  if (!keyIndexes.has(cache)) keyIndexes.set(cache, keyIndexOf(cache));
  return keyIndexes.get(cache);
}

/** Whether a fetch of `key` on `cache` has settled and now removes its entry. */
function settledFetch(cache: object, key: unknown): boolean {
  const status = state.fetches.get(cache)?.get(key);
  return status !== undefined && (status.fetchResolved || status.fetchRejected || status.fetchAborted) === true;
}

/**
 * What a removal from a patched cache's key index that no published delete announced is, as
 * lru-cache 11.4 would have published it: one the running operation accounts for itself (its own
 * key, whose status says what happened; every key for `purgeStale` and `load`), an eviction
 * (another key, while storing; or `pop`), or a removal lru-cache makes on its own between
 * operations: a settled fetch dropping its entry, else an expiry (TTL autopurge).
 */
export function legacyRemoval(cache: object, key: unknown): LegacyRemoval {
  if (running.cache === cache) {
    if (running.op === 'pop') return 'eviction';
    return running.key === EVERY_KEY || sameValueZero(running.key, key) ? 'own' : 'eviction';
  }
  return settledFetch(cache, key) ? 'fetch' : 'expire';
}

/** The `LRUCache` classes of an lru-cache module: v7 exports the class, v8 both, v9 on `{ LRUCache }`. */
export function lruCacheClasses(exports: unknown): LruCacheClass[] {
  const found = new Set<LruCacheClass>();
  const consider = (candidate: unknown) => {
    if (typeof candidate !== 'function') return;
    const proto = (candidate as { prototype?: { get?: unknown; set?: unknown } }).prototype;
    if (typeof proto?.get === 'function' && typeof proto.set === 'function') found.add(candidate as LruCacheClass);
  };
  const module = exports as { LRUCache?: unknown; default?: { LRUCache?: unknown } } | undefined;
  consider(module);
  consider(module?.LRUCache);
  consider(module?.default);
  consider(module?.default?.LRUCache);
  return [...found];
}

/**
 * Wraps the class's methods, unless another holder already has; counts the holders. `fillsStatus`:
 * whether the release fills a `status` option (7.18 and later, see versions.ts).
 */
export function patchClass(ctor: LruCacheClass, fillsStatus: boolean): void {
  const proto = ctor.prototype;
  const known = state.patched.get(proto);
  if (known !== undefined) {
    known.holders++;
    return;
  }
  const originals = new Map<string, PropertyDescriptor>();
  for (const [name, wrap] of Object.entries(wrappers)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (typeof descriptor?.value !== 'function') continue;
    originals.set(name, descriptor);
    Object.defineProperty(proto, name, { ...descriptor, value: wrap(descriptor.value as Method, fillsStatus) });
  }
  state.patched.set(proto, { holders: 1, originals });
}

/** Gives up one hold on the class's patch; the last puts lru-cache's own methods back. */
export function unpatchClass(ctor: LruCacheClass): void {
  const proto = ctor.prototype;
  const known = state.patched.get(proto);
  if (known === undefined || --known.holders > 0) return;
  for (const [name, descriptor] of known.originals) Object.defineProperty(proto, name, descriptor);
  state.patched.delete(proto);
}

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}
