import diagnostics_channel from 'node:diagnostics_channel';
import {
  ValueType,
  type Attributes,
  type BatchObservableResult,
  type ObservableCounter,
  type Histogram,
  type ObservableGauge,
} from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { ChannelInstrumentation } from '../channel-instrumentation.js';
import { CardinalityCap, overflowAttributes } from '../cardinality-cap.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../instrumentation/version.js';
import { observeMap } from '../native/observe-map.js';
import * as semconv from '../semconv.js';
import { LRU_FETCH_DURATION_BUCKETS } from './buckets.js';
import { cacheName, namedCaches, UNNAMED_CACHE } from './cache-names.js';
import { keyIndexOf, watchEvictions, type EvictionWatch } from './key-index.js';
import {
  LEGACY_METRICS_CHANNEL,
  LEGACY_TRACING_CHANNEL,
  legacyRemoval,
  lruCacheClasses,
  patchClass,
  type LruCacheClass,
  unpatchClass,
} from './legacy-patch.js';
import type { LruCacheInstrumentationConfig, LruCacheLike, LruStatus } from './types.js';
import { fillsStatus, lruCacheSupport, PATCHED_VERSIONS } from './versions.js';

export const LRU_METRICS_CHANNEL = 'lru-cache:metrics';
export const LRU_TRACING_CHANNEL = 'lru-cache';
/** Operations of lru-cache 11.3, which does not say which cache published them. */
export const UNATTRIBUTED_CACHE = 'unattributed';

/** Version label of a named cache found unobservable by probing it, its module not seen (or loaded before the instrumentation). */
export const UNOBSERVABLE_INSTANCE_VERSION = 'before 11.3';

/** A key no application uses: `peek(PROBE)` tells whether a named cache publishes anything. */
const DEFAULT_MAX_CACHE_SERIES = 100;
const PROBE = Symbol('presize lru-cache probe');

interface Instruments {
  fetchDuration: Histogram;
}

/**
 * The instruments read at collection. The counters are too: an operation adds one to a tally,
 * where an SDK `add()` would hash its attributes on every cache operation (most of what observing
 * a cache cost).
 */
interface Gauges {
  operations: ObservableCounter;
  evictions: ObservableCounter;
  entries: ObservableGauge;
  max: ObservableGauge;
  calculatedSize: ObservableGauge;
  maxSize: ObservableGauge;
  unobservable: ObservableGauge;
}

/** A cumulative count of one series, since the instrumentation started. */
interface Tally {
  readonly attributes: Attributes;
  value: number;
}

/** What the instrumentation keeps per cache; the cache itself only weakly. */
interface CacheRecord {
  readonly ref: WeakRef<LruCacheLike> | undefined;
  readonly attributes: Attributes;
  /** The tallies of its name by operation and result, looked up once. */
  readonly byResult: Map<string, Map<string | undefined, Tally>>;
  /** The eviction tally of its name. */
  readonly evicted: Tally;
  evictions: EvictionWatch | undefined;
  /** The cache's key index, found once; weakly, as the cache itself. */
  keyIndex: WeakRef<Map<unknown, unknown>> | undefined;
}

/** Gauge values of the live caches sharing one name, summed. */
interface CacheTotals {
  readonly attributes: Attributes;
  entries: number;
  max: number;
  calculatedSize: number;
  maxSize: number;
  /** Whether any of them has maxSize or sizes, so that the size gauges apply. */
  sized: boolean;
}

/**
 * OpenTelemetry metrics for lru-cache instances, from the diagnostics channels lru-cache itself
 * publishes on from 11.3 (`lru-cache:metrics` for synchronous operations, the `lru-cache` tracing
 * channel for `fetch`). lru-cache 7.0 to 11.2 publish nothing: the module hook patches their
 * `LRUCache` class (on `require` and on `import`) to publish the same messages on Presize's own
 * channels, which the same handlers read. Each cache's key index, a native `Map`, is observed so
 * that its table rebuilds reach the map instrumentation as `v8_rehash` growths. Versions that
 * cannot be observed are reported once.
 */
export class LruCacheInstrumentation extends ChannelInstrumentation<LruCacheInstrumentationConfig> {
  // The base constructor calls enable() before subclass field initialisers would run.
  declare private instruments: Instruments;
  declare private records: WeakMap<object, CacheRecord>;
  declare private live: Set<CacheRecord>;
  declare private collected: FinalizationRegistry<CacheRecord>;
  /** Names whose gauges were reported, with their last totals: they report empty once gone. */
  declare private reported: Map<string, CacheTotals>;
  declare private unattributed: CacheRecord | undefined;
  declare private unobservableVersions: Map<string, number>;
  declare private unattributedVersions: Set<string>;
  declare private fetchStarts: WeakMap<object, number>;
  declare private probed: WeakSet<object>;
  declare private probeAnswer: LruStatus | undefined;
  /** Cache names given series of their own, for the process's lifetime (the SDK keeps them). */
  declare private names: Set<string>;
  declare private cap: CardinalityCap;
  /** Operation tallies by name, operation and result; eviction tallies by name. Bounded by the cap. */
  declare private operationTallies: Map<string, Tally>;
  declare private evictionTallies: Map<string, Tally>;
  /**
   * lru-cache classes of the patched releases seen loaded (with whether their release fills a
   * `status` option), and those this instance patched.
   */
  declare private legacyClasses: Map<LruCacheClass, boolean>;
  declare private patchedClasses: Set<LruCacheClass>;

  constructor(config: LruCacheInstrumentationConfig = {}) {
    super(`${PACKAGE_NAME}/lru-cache`, PACKAGE_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'lru-cache',
        [PATCHED_VERSIONS],
        (exports: unknown, version?: string) => {
          this.legacyClasses ??= new Map();
          const fills = version === undefined || fillsStatus(version);
          for (const ctor of lruCacheClasses(exports)) this.legacyClasses.set(ctor, fills);
          this.patchLegacyClasses();
          return exports;
        },
        // Called with the last module loaded only: every class this instance patched is restored.
        (exports: unknown) => {
          this.unpatchLegacyClasses();
          return exports;
        },
      ),
      new InstrumentationNodeModuleDefinition('lru-cache', ['*'], (exports: unknown, version?: string) => {
        if (version !== undefined) this.noteVersion(version);
        return exports;
      }),
    ];
  }

  private patchLegacyClasses(): void {
    this.patchedClasses ??= new Set();
    for (const [ctor, fills] of this.legacyClasses ?? []) {
      if (this.patchedClasses.has(ctor)) continue;
      patchClass(ctor, fills);
      this.patchedClasses.add(ctor);
    }
  }

  private unpatchLegacyClasses(): void {
    for (const ctor of this.patchedClasses ?? []) unpatchClass(ctor);
    this.patchedClasses?.clear();
  }

  protected listen(): () => void {
    // Caches already seen keep their records (and names) across disable and enable.
    this.unobservableVersions ??= new Map();
    this.records ??= new WeakMap();
    this.live ??= new Set();
    this.collected ??= new FinalizationRegistry((record) => this.live.delete(record));
    this.fetchStarts ??= new WeakMap();
    this.probed ??= new WeakSet();
    this.reported ??= new Map();
    this.names ??= new Set();
    this.operationTallies ??= new Map();
    this.evictionTallies ??= new Map();
    this.cap ??= new CardinalityCap(
      this._config.maxCacheSeries ?? DEFAULT_MAX_CACHE_SERIES,
      (message) => this._diag.warn(message),
      'cache names (presize.lru.name)',
      'maxCacheSeries',
    );
    const metricsHandler = (message: unknown) => this.onOperation(message as LruStatus);
    const tracingHandlers: diagnostics_channel.TracingChannelSubscribers<object> = {
      start: (message) => this.onFetchStart(message as LruStatus),
      asyncEnd: (message) => this.onFetchEnd(message as LruStatus),
      // A fetch's duration runs from start to asyncEnd, which follows a rejection as well.
      end: ignore,
      asyncStart: ignore,
      error: ignore,
    };
    // lru-cache's own channels (11.3+), and those its patched classes publish on (7.0 to 11.2).
    for (const channel of [LRU_METRICS_CHANNEL, LEGACY_METRICS_CHANNEL])
      diagnostics_channel.subscribe(channel, metricsHandler);
    for (const channel of [LRU_TRACING_CHANNEL, LEGACY_TRACING_CHANNEL])
      diagnostics_channel.tracingChannel(channel).subscribe(tracingHandlers);
    // Classes restored by disable() are patched again.
    this.patchLegacyClasses();
    return () => {
      this.unpatchLegacyClasses();
      for (const channel of [LRU_METRICS_CHANNEL, LEGACY_METRICS_CHANNEL])
        diagnostics_channel.unsubscribe(channel, metricsHandler);
      for (const channel of [LRU_TRACING_CHANNEL, LEGACY_TRACING_CHANNEL])
        diagnostics_channel.tracingChannel(channel).unsubscribe(tracingHandlers);
    };
  }

  protected override _updateMetricInstruments(): void {
    const meter = this.meter;
    this.instruments = {
      fetchDuration: meter.createHistogram(semconv.METRIC_LRU_FETCH_DURATION, {
        description: 'Time from fetch() to its promise settling, by result and outcome.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...LRU_FETCH_DURATION_BUCKETS] },
      }),
    };
    const gauge = (name: string, description: string, unit: string) =>
      meter.createObservableGauge(name, { description, unit, valueType: ValueType.INT });
    const gauges: Gauges = {
      operations: meter.createObservableCounter(semconv.METRIC_LRU_OPERATIONS, {
        description: 'lru-cache operations, by operation and the result lru-cache reported.',
        unit: '{operation}',
        valueType: ValueType.INT,
      }),
      evictions: meter.createObservableCounter(semconv.METRIC_LRU_EVICTIONS, {
        description: 'Least recently used entries evicted to make room (max or maxSize reached).',
        unit: '{entry}',
        valueType: ValueType.INT,
      }),
      entries: gauge(semconv.METRIC_LRU_ENTRIES, 'Entries in the cache.', '{entry}'),
      max: gauge(semconv.METRIC_LRU_MAX, "The cache's max option (0: unbounded by count).", '{entry}'),
      calculatedSize: gauge(
        semconv.METRIC_LRU_CALCULATED_SIZE,
        'Sum of the entry sizes, on caches with maxSize or maxEntrySize.',
        '{size}',
      ),
      maxSize: gauge(semconv.METRIC_LRU_MAX_SIZE, "The cache's maxSize option, when set.", '{size}'),
      unobservable: gauge(
        semconv.METRIC_LRU_UNOBSERVABLE,
        'lru-cache modules loaded that cannot be observed (before 7.0), by version; named caches found publishing nothing by probing count under version "before 11.3".',
        '{module}',
      ),
    };
    meter.addBatchObservableCallback((result) => this.observeCaches(result, gauges), Object.values(gauges));
  }

  /** Versions of lru-cache seen loaded that cannot be observed, with how many copies. */
  unobservable(): ReadonlyMap<string, number> {
    return this.unobservableVersions ?? new Map();
  }

  /** A `require`d lru-cache module: versions that cannot be fully observed are reported once. */
  private noteVersion(version: string): void {
    const support = lruCacheSupport(version);
    if (support === 'unobservable') {
      this.noteUnobservable(
        version,
        `lru-cache ${version} publishes no diagnostics and predates the internals the instrumentation reads (7.0): its caches are not observed; upgrade to lru-cache 7.0 or later (11.4 or later publishes on its own channels)`,
      );
    } else if (support === 'unattributed') {
      this.noteUnattributed(version);
    }
  }

  private noteUnobservable(version: string, message: string): void {
    this.unobservableVersions ??= new Map();
    const copies = this.unobservableVersions.get(version) ?? 0;
    this.unobservableVersions.set(version, copies + 1);
    if (copies === 0) this._diag.warn(message);
  }

  private noteUnattributed(version: string): void {
    this.unattributedVersions ??= new Set();
    if (this.unattributedVersions.has(version)) return;
    this.unattributedVersions.add(version);
    this._diag.warn(
      `lru-cache ${version} publishes operations without the cache instance (added in 11.4): they are counted under ${semconv.ATTR_LRU_NAME}="${UNATTRIBUTED_CACHE}", with no gauges, evictions or key-index stalls`,
    );
  }

  private onOperation(status: LruStatus): void {
    if (status.key === PROBE) {
      this.probeAnswer = status;
      return;
    }
    const op = status.op;
    if (op === undefined) return;
    const record = this.recordOf(status);
    if (record === undefined) return;
    if (op === 'delete' && record.evictions !== undefined) this.announceDelete(record, status);
    this.count(record, op, status[op]);
  }

  private count(record: CacheRecord, op: NonNullable<LruStatus['op']>, result: string | undefined): void {
    this.tallyOf(record, op, result).value++;
  }

  private tallyOf(record: CacheRecord, op: string, result: string | undefined): Tally {
    let byOperation = record.byResult.get(op);
    if (byOperation === undefined) record.byResult.set(op, (byOperation = new Map()));
    let tally = byOperation.get(result);
    if (tally === undefined) {
      // Caches of one name share its tallies, which outlive them: the counters are cumulative.
      const name = record.attributes[semconv.ATTR_LRU_NAME] as string;
      const resultValue = result ?? 'unknown';
      tally = sharedTally(this.operationTallies, `${name}\u0000${op}\u0000${resultValue}`, () => ({
        ...record.attributes,
        [semconv.ATTR_LRU_OPERATION]: op,
        [semconv.ATTR_LRU_RESULT]: resultValue,
      }));
      byOperation.set(result, tally);
    }
    return tally;
  }

  private onFetchStart(status: LruStatus): void {
    const record = this.recordOf(status);
    if (record === undefined) return;
    this.fetchStarts.set(status, performance.now());
    this.count(record, 'fetch', status.fetch);
  }

  private onFetchEnd(status: LruStatus): void {
    const started = this.fetchStarts.get(status);
    const record = this.recordOf(status);
    if (started === undefined || record === undefined) return;
    this.fetchStarts.delete(status);
    const outcome = status.fetchAborted ? 'aborted' : status.fetchRejected ? 'rejected' : 'resolved';
    this.instruments.fetchDuration.record((performance.now() - started) / 1000, {
      ...record.attributes,
      [semconv.ATTR_LRU_RESULT]: status.fetch ?? 'unknown',
      [semconv.ATTR_LRU_FETCH_OUTCOME]: outcome,
    });
  }

  /** A delete that will remove a key from the index: that removal is not an eviction. */
  private announceDelete(record: CacheRecord, status: LruStatus): void {
    const cache = status.cache;
    // With one entry left lru-cache clears the whole index instead of deleting from it.
    if (cache === undefined || cache.size <= 1) return;
    if (record.keyIndex?.deref()?.has(status.key)) record.evictions?.announced.push(status.key);
  }

  private recordOf(status: LruStatus): CacheRecord | undefined {
    if (!this.listening) return undefined;
    const cache = status.cache;
    if (cache === undefined || typeof cache !== 'object') return this.unattributedRecord();
    const known = this.records.get(cache);
    if (known !== undefined) return known;
    const record = this.learn(cache, status.legacy === true);
    this.records.set(cache, record);
    this.live.add(record);
    this.collected.register(cache, record);
    return record;
  }

  /** The name attribute of a cache: its own name while the cap allows, else the overflow series. */
  private nameAttributes(name: string): Attributes {
    if (name === UNNAMED_CACHE || this.names.has(name)) return { [semconv.ATTR_LRU_NAME]: name };
    if (!this.cap.admit()) return overflowAttributes(semconv.ATTR_LRU_NAME);
    this.names.add(name);
    return { [semconv.ATTR_LRU_NAME]: name };
  }

  private learn(cache: LruCacheLike, patched: boolean): CacheRecord {
    const attributes = this.nameAttributes(cacheName(cache));
    const name = attributes[semconv.ATTR_LRU_NAME] as string;
    const record: CacheRecord = {
      ref: new WeakRef(cache),
      attributes,
      byResult: new Map(),
      evicted: sharedTally(this.evictionTallies, name, () => attributes),
      evictions: undefined,
      keyIndex: undefined,
    };
    const keyIndex = keyIndexOf(cache);
    if (keyIndex !== undefined) {
      record.keyIndex = new WeakRef(keyIndex);
      const evictions = watchEvictions(keyIndex);
      evictions.announced.length = 0;
      evictions.onEviction = (key) => {
        if (!this.listening) return;
        // A patched class publishes no delete of its own: the patch tells what the removal was.
        // The cache through its weak reference: the record must not keep it alive.
        const live = patched ? record.ref?.deref() : undefined;
        const removal = live === undefined ? 'eviction' : legacyRemoval(live, key);
        if (removal === 'eviction') record.evicted.value++;
        else if (removal !== 'own') this.count(record, 'delete', removal);
      };
      record.evictions = evictions;
      if (this._config.observeKeyIndex !== false) observeMap(keyIndex, { name: `${name}.key_index` });
    }
    return record;
  }

  private unattributedRecord(): CacheRecord {
    if (this.unattributed === undefined) {
      const attributes = { [semconv.ATTR_LRU_NAME]: UNATTRIBUTED_CACHE };
      this.unattributed = {
        ref: undefined,
        attributes,
        byResult: new Map(),
        evicted: sharedTally(this.evictionTallies, UNATTRIBUTED_CACHE, () => attributes),
        evictions: undefined,
        keyIndex: undefined,
      };
      // The module hook has usually named the exact 11.3 release already: one report is enough.
      if (this.unattributedVersions === undefined || this.unattributedVersions.size === 0)
        this.noteUnattributed('11.3');
    }
    return this.unattributed;
  }

  private observeCaches(result: BatchObservableResult, gauges: Gauges): void {
    if (!this.listening) return;
    for (const cache of namedCaches()) {
      if (!this.records.has(cache) && !this.probed.has(cache)) this.probe(cache);
    }
    const byName = new Map<string, CacheTotals>();
    for (const record of this.live) {
      const cache = record.ref?.deref();
      if (cache === undefined) {
        this.live.delete(record);
        continue;
      }
      const name = record.attributes[semconv.ATTR_LRU_NAME] as string;
      let totals = byName.get(name);
      if (totals === undefined) {
        totals = { attributes: record.attributes, entries: 0, max: 0, calculatedSize: 0, maxSize: 0, sized: false };
        byName.set(name, totals);
      }
      totals.entries += cache.size;
      totals.max += cache.max;
      totals.calculatedSize += cache.calculatedSize;
      totals.maxSize += cache.maxSize;
      totals.sized ||= cache.maxSize > 0 || cache.calculatedSize > 0;
    }
    // The SDK (2.x) goes on exporting the last value of a series nobody observes any more, under
    // cumulative temporality; a name whose caches have all been collected reports an empty cache.
    for (const [name, totals] of this.reported) {
      if (!byName.has(name)) byName.set(name, { ...totals, entries: 0, max: 0, calculatedSize: 0, maxSize: 0 });
    }
    for (const [name, t] of byName) {
      this.reported.set(name, t);
      result.observe(gauges.entries, t.entries, t.attributes);
      result.observe(gauges.max, t.max, t.attributes);
      if (t.sized) {
        result.observe(gauges.calculatedSize, t.calculatedSize, t.attributes);
        result.observe(gauges.maxSize, t.maxSize, t.attributes);
      }
    }
    for (const [version, copies] of this.unobservableVersions) {
      result.observe(gauges.unobservable, copies, { [semconv.ATTR_LRU_VERSION]: version });
    }
    for (const tally of this.operationTallies.values())
      result.observe(gauges.operations, tally.value, tally.attributes);
    for (const tally of this.evictionTallies.values()) {
      if (tally.value > 0) result.observe(gauges.evictions, tally.value, tally.attributes);
    }
  }

  /**
   * A named cache that has published nothing yet: one `peek` of a key nobody uses (no side
   * effect on any lru-cache version) shows whether its version publishes at all.
   */
  private probe(cache: LruCacheLike): void {
    this.probed.add(cache);
    const peek = (cache as { peek?: unknown }).peek;
    if (typeof peek !== 'function') return;
    this.probeAnswer = undefined;
    try {
      peek.call(cache, PROBE);
    } catch {
      return;
    }
    const answer = this.probeAnswer as LruStatus | undefined;
    if (answer === undefined) {
      this.noteUnobservable(
        UNOBSERVABLE_INSTANCE_VERSION,
        `lru-cache instance "${cacheName(cache)}" publishes no diagnostics: its lru-cache predates 7.0, or was loaded before the instrumentation was enabled; its operations are not observed`,
      );
    } else if (answer.cache === cache) {
      this.recordOf(answer);
    }
  }
}

function ignore(): void {}

function sharedTally(tallies: Map<string, Tally>, key: string, attributes: () => Attributes): Tally {
  let tally = tallies.get(key);
  if (tally === undefined) {
    tally = { attributes: attributes(), value: 0 };
    tallies.set(key, tally);
  }
  return tally;
}
