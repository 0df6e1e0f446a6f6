import {
  diag,
  SpanKind,
  trace,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type Link,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';
import {
  subscribeMapEvents,
  type ClearEvent,
  type EvacuateEvent,
  type GrowEndEvent,
  type GrowStartEvent,
  type MapCreateEvent,
  type OverflowEvent,
} from '@presize/map';
import { doublingsLeft, engineLimit } from '../native/engine-limit.js';
import type { NativeMapStats } from '../native/observe-map.js';
import { V8_MIN_CAPACITY } from '../native/v8-table-model.js';
import * as semconv from '../semconv.js';
import { EVACUATION_STALL_BUCKETS, GROWTH_ALLOCATION_BUCKETS, GROWTH_DURATION_BUCKETS } from './buckets.js';
import { checkLimit } from '../cardinality-cap.js';
import { ChannelInstrumentation } from '../channel-instrumentation.js';
import { MAP_GAUGES, MAP_METRICS } from './descriptors.js';
import { LiveMaps, type MapEventIdentity, type MapRecord } from './live-maps.js';
import type { HistogramSnapshot } from './histogram-aggregate.js';
import { growthTally, SeriesTable, type Series } from './series.js';
import type { PresizedMapInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const DEFAULT_STALL_THRESHOLD_MS = 1;
export const DEFAULT_MAX_MAP_SERIES = 200;
export const DEFAULT_MAX_NATIVE_MAP_SERIES = 200;
export const DEFAULT_UNNAMED_MAP_THRESHOLD = 4096;
const NS_PER_S = 1e9;
/** Logs the caps' warnings; its namespace marks them as Presize's own (see the register's logger). */
const capLogger = diag.createComponentLogger({ namespace: `${PACKAGE_NAME}/maps` });

/** The SDK instruments, when the series are not exported by a MetricProducer. */
interface Instruments {
  growths: Counter;
  growthDuration: Histogram;
  evacuationStall: Histogram;
  allocationDuration: Histogram;
}

/** The growths of one kind and trigger in a series, for a MetricProducer to export. */
export interface GrowthPoint {
  readonly attributes: Attributes;
  readonly count: number;
  readonly duration: HistogramSnapshot;
}

/** Everything one series exports, for a MetricProducer; cumulative points start at `since`. */
export interface MapSeriesPoint {
  readonly attributes: Attributes;
  /** Start of the cumulative points, ms since the epoch. */
  readonly since: number;
  readonly gauges: MapGauges;
  readonly evacuatedBuckets: number;
  readonly overflowFromPool: number;
  readonly overflowFresh: number;
  readonly evacuationStall: HistogramSnapshot;
  readonly allocationDuration: HistogramSnapshot;
  readonly growths: readonly GrowthPoint[];
}

/** The gauge values of a series: its live maps summed; an empty map once they are all gone. */
export interface MapGauges {
  readonly entries: number;
  readonly buckets: number;
  readonly overflowBuckets: number;
  readonly loadFactor: number;
  readonly hint: number;
  readonly growing: number;
  readonly evacuationProgress: number;
  readonly nextGrowthAt: number;
  /** Native Maps and Sets only: the engine limit, and the fullest one's usage and doublings left. */
  readonly engineLimit?: number;
  readonly engineLimitUsage?: number;
  readonly engineLimitDoublingsLeft?: number;
}

/**
 * One reader's view of the series (a MetricProducer's): a series without maps is removed once
 * every consumer has collected it since, so that each exports its final values.
 */
export interface MapSeriesConsumer {
  collect(): MapSeriesPoint[];
}

/** Read at collection time: from the series totals and from `stats()` of every live map. */
interface Observables {
  evacuatedBuckets: ObservableCounter;
  overflowAllocations: ObservableCounter;
  gauges: [keyof MapGauges, ObservableGauge][];
}

/** Sums over the live maps of one series. */
interface SeriesTotals {
  size: number;
  buckets: number;
  overflowBuckets: number;
  hint: number;
  nextGrowthAt: number;
  growing: number;
  oldBuckets: number;
  evacuated: number;
  /** Of the native Maps and Sets in the series: the engine limit, and the fullest one's usage and doublings left. */
  engine: { limit: number; usage: number; doublingsLeft: number } | undefined;
}

/**
 * Turns the growth and evacuation events every presized map publishes on `node:diagnostics_channel`
 * into metrics and spans. It patches no module: the channels are process-global, so maps created by
 * any copy of the package (ESM, CommonJS, another installed version) are observed alike.
 */
export class PresizedMapInstrumentation extends ChannelInstrumentation<PresizedMapInstrumentationConfig> {
  // The base constructor calls enable() and _updateMetricInstruments() before subclass field
  // initialisers would run, so these fields have none and are filled in by those methods.
  /** Undefined when a MetricProducer exports the series (metricsExport `metric-producer`). */
  declare private instruments: Instruments | undefined;
  declare private maps: LiveMaps | undefined;
  declare private series: SeriesTable;
  /** Series that have reported the engine-limit gauges: they report an empty table once their collections are gone. */
  declare private engineLimitSeries: WeakSet<Series>;
  declare private consumers: Set<{ collected: number }> | undefined;
  declare private collections: number | undefined;

  constructor(config: PresizedMapInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  override setConfig(config: PresizedMapInstrumentationConfig = {}): void {
    validateConfig(config);
    super.setConfig(config);
  }

  /** No module is patched: all the data arrives on diagnostics channels. */
  protected init(): undefined {
    return undefined;
  }

  protected listen(): () => void {
    this.series ??= new SeriesTable({
      maxMapSeries: this._config.maxMapSeries ?? DEFAULT_MAX_MAP_SERIES,
      maxNativeMapSeries: this._config.maxNativeMapSeries ?? DEFAULT_MAX_NATIVE_MAP_SERIES,
      warn: (message) => capLogger.warn(message),
    });
    this.engineLimitSeries ??= new WeakSet();
    this.maps = new LiveMaps(this.series, (record) => this.endGrowthSpan(record, 'collected'));
    return subscribeMapEvents({
      create: (event) => this.onCreate(event),
      growStart: (event) => this.onGrowStart(event),
      evacuate: (event) => this.onEvacuate(event),
      growEnd: (event) => this.onGrowEnd(event),
      overflow: (event) => this.onOverflow(event),
      clear: (event) => this.onClear(event),
    });
  }

  protected override stoppedListening(): void {
    // A growth span left open would never be exported: the events that end it are not heard any more.
    this.maps?.detachAll((record) => this.endGrowthSpan(record, 'disabled'));
    this.maps = undefined;
  }

  protected override _updateMetricInstruments(): void {
    if (this._config.metricsExport === 'metric-producer') {
      this.instruments = undefined;
      return;
    }
    const meter = this.meter;
    const { growths, growthDuration, evacuationStall, allocationDuration } = MAP_METRICS;
    this.instruments = {
      growths: meter.createCounter(growths.name, growths),
      growthDuration: meter.createHistogram(growthDuration.name, {
        ...growthDuration,
        advice: { explicitBucketBoundaries: [...GROWTH_DURATION_BUCKETS] },
      }),
      evacuationStall: meter.createHistogram(evacuationStall.name, {
        ...evacuationStall,
        advice: { explicitBucketBoundaries: [...EVACUATION_STALL_BUCKETS] },
      }),
      allocationDuration: meter.createHistogram(allocationDuration.name, {
        ...allocationDuration,
        advice: { explicitBucketBoundaries: [...GROWTH_ALLOCATION_BUCKETS] },
      }),
    };
    const observables: Observables = {
      evacuatedBuckets: meter.createObservableCounter(MAP_METRICS.evacuatedBuckets.name, MAP_METRICS.evacuatedBuckets),
      overflowAllocations: meter.createObservableCounter(
        MAP_METRICS.overflowAllocations.name,
        MAP_METRICS.overflowAllocations,
      ),
      gauges: MAP_GAUGES.map(([field, descriptor]) => [
        field,
        meter.createObservableGauge(descriptor.name, descriptor),
      ]),
    };
    meter.addBatchObservableCallback(
      (result) => this.observe(result, observables),
      [observables.evacuatedBuckets, observables.overflowAllocations, ...observables.gauges.map(([, g]) => g)],
    );
  }

  private observe(result: BatchObservableResult, observables: Observables): void {
    if (this.series === undefined) return;
    for (const series of this.series.values()) {
      // The SDK runs observable callbacks before it reads the synchronous instruments, so the
      // stalls recorded here are part of this very collection.
      this.recordStalls(series);
      if (series.evacuatedBuckets > 0) {
        result.observe(observables.evacuatedBuckets, series.evacuatedBuckets, series.attributes);
      }
      if (series.overflowFromPool > 0) {
        result.observe(observables.overflowAllocations, series.overflowFromPool, {
          ...series.attributes,
          [semconv.ATTR_OVERFLOW_SOURCE]: 'pool',
        });
      }
      if (series.overflowFresh > 0) {
        result.observe(observables.overflowAllocations, series.overflowFresh, {
          ...series.attributes,
          [semconv.ATTR_OVERFLOW_SOURCE]: 'fresh',
        });
      }
    }
    const bySeries = this.liveGauges();
    // The SDK (2.x) goes on exporting the last value of a series nobody observes any more, under
    // cumulative temporality (the Prometheus exporter's, and OTLP's by default), and cannot be
    // told to forget it. A series whose maps have all been collected therefore reports an empty
    // map, not its last live state; only a MetricProducer can remove it.
    for (const series of this.series.values()) {
      const gauges = bySeries.get(series) ?? (series.reported ? this.emptyGauges(series) : undefined);
      if (gauges === undefined) continue;
      series.reported = true;
      for (const [field, gauge] of observables.gauges) {
        const value = gauges[field];
        if (value !== undefined) result.observe(gauge, value, series.attributes);
      }
    }
  }

  /** A series whose maps are all gone: an empty map, and for native collections every doubling left. */
  private emptyGauges(series: Series): MapGauges {
    const limit = this.engineLimitSeries.has(series) ? engineLimit().entries : undefined;
    if (limit === undefined) return EMPTY_GAUGES;
    return {
      ...EMPTY_GAUGES,
      engineLimit: limit,
      engineLimitUsage: 0,
      engineLimitDoublingsLeft: doublingsLeft(V8_MIN_CAPACITY, limit),
    };
  }

  /** The gauges of every series with live maps; promotes unnamed maps that have grown large. */
  private liveGauges(): Map<Series, MapGauges> {
    const bySeries = new Map<Series, SeriesTotals>();
    if (this.maps === undefined) return new Map();
    const threshold = this.unnamedThreshold();
    for (const [map, record] of this.maps.live()) {
      const stats = map.stats();
      if (record.unnamed && stats.size >= threshold) this.maps.promote(record, map);
      let totals = bySeries.get(record.series);
      if (totals === undefined) {
        totals = emptyTotals();
        bySeries.set(record.series, totals);
      }
      totals.size += stats.size;
      totals.buckets += stats.buckets;
      totals.overflowBuckets += stats.overflowBuckets;
      totals.hint += stats.hint;
      totals.nextGrowthAt += stats.nextGrowthAt;
      const { engineLimit, doublingsLeft } = stats as Partial<NativeMapStats>;
      if (engineLimit !== undefined && doublingsLeft !== undefined) {
        const usage = stats.size / engineLimit;
        const engine = totals.engine;
        if (engine === undefined) totals.engine = { limit: engineLimit, usage, doublingsLeft };
        else if (usage > engine.usage) Object.assign(engine, { limit: engineLimit, usage, doublingsLeft });
      }
      if (stats.growing) {
        totals.growing = 1;
        totals.oldBuckets += stats.oldBuckets;
        totals.evacuated += stats.evacuated;
      }
    }
    const gauges = new Map<Series, MapGauges>();
    for (const [series, t] of bySeries) {
      gauges.set(series, {
        entries: t.size,
        buckets: t.buckets,
        overflowBuckets: t.overflowBuckets,
        loadFactor: t.buckets === 0 ? 0 : t.size / t.buckets,
        hint: t.hint,
        growing: t.growing,
        evacuationProgress: t.oldBuckets === 0 ? 1 : t.evacuated / t.oldBuckets,
        nextGrowthAt: t.nextGrowthAt,
        ...(t.engine === undefined
          ? {}
          : {
              engineLimit: t.engine.limit,
              engineLimitUsage: t.engine.usage,
              engineLimitDoublingsLeft: t.engine.doublingsLeft,
            }),
      });
      if (t.engine !== undefined) this.engineLimitSeries.add(series);
    }
    return gauges;
  }

  /**
   * A new reader's view of the series, for the MetricProducer of `metricsExport:
   * 'metric-producer'`. Each consumer's `collect()` returns every series held, a series whose
   * maps are all gone with an empty map's gauges and its final counts; once every consumer has
   * collected such a series it is removed.
   */
  openConsumer(): MapSeriesConsumer {
    this.consumers ??= new Set();
    const consumer = { collected: 0 };
    this.consumers.add(consumer);
    return { collect: () => this.collectFor(consumer) };
  }

  private collectFor(consumer: { collected: number }): MapSeriesPoint[] {
    if (this.series === undefined) return [];
    const gauges = this.liveGauges();
    const collection = (this.collections = (this.collections ?? 0) + 1);
    this.series.markEmpty(collection);
    const points: MapSeriesPoint[] = [];
    for (const series of this.series.values()) {
      points.push({
        attributes: series.attributes,
        since: series.since,
        gauges: gauges.get(series) ?? this.emptyGauges(series),
        evacuatedBuckets: series.evacuatedBuckets,
        overflowFromPool: series.overflowFromPool,
        overflowFresh: series.overflowFresh,
        evacuationStall: series.stalls.snapshot(),
        allocationDuration: series.allocations.snapshot(),
        growths: [...series.growths.values()].map((t) => ({
          attributes: t.attributes,
          count: t.count,
          duration: t.duration.snapshot(),
        })),
      });
    }
    consumer.collected = collection;
    let everyConsumer = collection;
    for (const other of this.consumers ?? []) everyConsumer = Math.min(everyConsumer, other.collected);
    this.series.removeExported(everyConsumer);
    return points;
  }

  /** Series held: named ones up to the caps, the unnamed and the overflow series. */
  get seriesCount(): number {
    return this.series?.size ?? 0;
  }

  private unnamedThreshold(): number {
    return this._config.unnamedMapThreshold ?? DEFAULT_UNNAMED_MAP_THRESHOLD;
  }

  private learn(event: MapEventIdentity): MapRecord | undefined {
    return this.maps?.learn(event);
  }

  private onCreate(event: MapCreateEvent): void {
    this.learn(event);
  }

  private onGrowStart(event: GrowStartEvent): void {
    const record = this.learn(event);
    if (record === undefined) return;
    if (record.unnamed && event.size >= this.unnamedThreshold()) this.maps?.promote(record, event.map);
    const series = record.series;
    const growthAttributes: Attributes = {
      ...series.attributes,
      [semconv.ATTR_GROWTH_KIND]: event.kind,
      [semconv.ATTR_GROWTH_TRIGGER]: event.trigger,
    };
    // A native Map's table rebuild (v8_*) allocates and copies in one step, measured whole at its end.
    const allocates = event.kind !== 'v8_rehash' && event.kind !== 'v8_shrink';
    const instruments = this.instruments;
    if (instruments === undefined) {
      growthTally(series, event.kind, event.trigger).count++;
      if (allocates) series.allocations.add(event.allocationNs / NS_PER_S);
    } else {
      instruments.growths.add(1, growthAttributes);
      if (allocates) instruments.allocationDuration.record(event.allocationNs / NS_PER_S, series.attributes);
    }

    const active = trace.getActiveSpan();
    const links: Link[] = active === undefined ? [] : [{ context: active.spanContext() }];
    const spanAttributes: Attributes = {
      ...growthAttributes,
      [semconv.ATTR_MAP_ID]: event.mapId,
      [semconv.ATTR_GROWTH_OLD_BUCKETS]: 2 ** event.oldB,
      [semconv.ATTR_GROWTH_NEW_BUCKETS]: 2 ** event.newB,
      [semconv.ATTR_GROWTH_SIZE]: event.size,
      [semconv.ATTR_GROWTH_ALLOCATION_DURATION]: event.allocationNs / NS_PER_S,
    };
    // A growth outlives the request that started it, so its span is a root linked to that
    // request rather than a child the request's trace would have to wait for.
    record.growth = {
      span: this.tracer.startSpan(semconv.SPAN_MAP_GROW, {
        kind: SpanKind.INTERNAL,
        root: true,
        links,
        attributes: spanAttributes,
      }),
    };
    active?.addEvent(semconv.EVENT_MAP_GROWTH_STARTED, spanAttributes);
  }

  private onEvacuate(event: EvacuateEvent): void {
    const record = this.learn(event);
    if (record === undefined) return;
    const series = record.series;
    series.evacuatedBuckets += event.bucketsEvacuated;
    series.stalls.add(event.durationNs / NS_PER_S);

    const config = this._config;
    const sampling = config.evacuationEvents;
    if (sampling && record.growth !== undefined && Math.random() < sampling.sampleRate) {
      record.growth.span.addEvent(semconv.EVENT_MAP_EVACUATION, evacuationAttributes(event));
    }
    const thresholdMs = config.stallThresholdMs ?? DEFAULT_STALL_THRESHOLD_MS;
    if (event.durationNs > thresholdMs * 1e6) {
      trace.getActiveSpan()?.addEvent(semconv.EVENT_MAP_EVACUATION_STALL, {
        ...record.series.attributes,
        ...evacuationAttributes(event),
      });
    }
  }

  private onGrowEnd(event: GrowEndEvent): void {
    const record = this.learn(event);
    if (record === undefined) return;
    const seconds = event.durationNs / NS_PER_S;
    if (this.instruments === undefined) {
      growthTally(record.series, event.kind, event.trigger).duration.add(seconds);
    } else {
      this.instruments.growthDuration.record(seconds, {
        ...record.series.attributes,
        [semconv.ATTR_GROWTH_KIND]: event.kind,
        [semconv.ATTR_GROWTH_TRIGGER]: event.trigger,
      });
    }
    record.growth?.span.setAttributes({
      [semconv.ATTR_GROWTH_EVACUATION_STEPS]: event.operations,
      [semconv.ATTR_GROWTH_EVACUATION_DURATION]: event.evacuationNs / NS_PER_S,
    });
    this.endGrowthSpan(record, 'completed');
  }

  private onOverflow(event: OverflowEvent): void {
    const record = this.learn(event);
    if (record === undefined) return;
    if (event.fromPool) record.series.overflowFromPool++;
    else record.series.overflowFresh++;
  }

  private onClear(event: ClearEvent): void {
    const record = this.learn(event);
    if (record !== undefined) this.endGrowthSpan(record, 'cleared');
  }

  private recordStalls(series: Series): void {
    const histogram = this.instruments?.evacuationStall;
    if (histogram === undefined) return;
    const attributes = series.attributes;
    series.stalls.replay((seconds) => histogram.record(seconds, attributes));
  }

  private endGrowthSpan(record: MapRecord, outcome: 'completed' | 'cleared' | 'collected' | 'disabled'): void {
    const growth = record.growth;
    if (growth === undefined) return;
    record.growth = undefined;
    growth.span.setAttribute(semconv.ATTR_GROWTH_OUTCOME, outcome);
    growth.span.end();
  }
}

const EMPTY_GAUGES: MapGauges = {
  entries: 0,
  buckets: 0,
  overflowBuckets: 0,
  loadFactor: 0,
  hint: 0,
  growing: 0,
  evacuationProgress: 1,
  nextGrowthAt: 0,
};

function emptyTotals(): SeriesTotals {
  return {
    size: 0,
    buckets: 0,
    overflowBuckets: 0,
    hint: 0,
    nextGrowthAt: 0,
    growing: 0,
    oldBuckets: 0,
    evacuated: 0,
    engine: undefined,
  };
}

function evacuationAttributes(event: EvacuateEvent): Attributes {
  return {
    [semconv.ATTR_EVACUATION_BUCKETS]: event.bucketsEvacuated,
    [semconv.ATTR_EVACUATION_ENTRIES]: event.entriesMoved,
    [semconv.ATTR_EVACUATION_PROGRESS]: event.oldBuckets === 0 ? 1 : event.evacuated / event.oldBuckets,
    [semconv.ATTR_EVACUATION_DURATION]: event.durationNs / NS_PER_S,
  };
}

function validateConfig(config: PresizedMapInstrumentationConfig): void {
  const { stallThresholdMs, evacuationEvents } = config;
  if (
    stallThresholdMs !== undefined &&
    !(typeof stallThresholdMs === 'number' && Number.isFinite(stallThresholdMs) && stallThresholdMs >= 0)
  ) {
    throw new RangeError(
      `stallThresholdMs must be a finite number of milliseconds >= 0, got ${String(stallThresholdMs)}`,
    );
  }
  const metricsExport: unknown = config.metricsExport;
  if (metricsExport !== undefined && metricsExport !== 'instrument' && metricsExport !== 'metric-producer') {
    throw new RangeError(
      `metricsExport must be 'instrument' or 'metric-producer', got ${JSON.stringify(metricsExport)}`,
    );
  }
  if (config.maxMapSeries !== undefined) checkLimit(config.maxMapSeries, 'maxMapSeries');
  if (config.maxNativeMapSeries !== undefined) checkLimit(config.maxNativeMapSeries, 'maxNativeMapSeries');
  const threshold: unknown = config.unnamedMapThreshold;
  if (threshold !== undefined && !(typeof threshold === 'number' && Number.isInteger(threshold) && threshold >= 0)) {
    throw new RangeError(`unnamedMapThreshold must be an integer number of entries >= 0, got ${String(threshold)}`);
  }
  if (evacuationEvents !== undefined && evacuationEvents !== false) {
    const rate = (evacuationEvents as { sampleRate?: unknown }).sampleRate;
    if (!(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new RangeError(`evacuationEvents.sampleRate must be a number between 0 and 1, got ${String(rate)}`);
    }
  }
}
