import diagnostics_channel from 'node:diagnostics_channel';
import {
  SpanKind,
  trace,
  ValueType,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type Link,
  type ObservableCounter,
  type ObservableGauge,
} from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import {
  MAP_CHANNELS,
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
import {
  EVACUATION_STALL_BUCKETS,
  GROWTH_ALLOCATION_BUCKETS,
  GROWTH_DURATION_BUCKETS,
} from './buckets.js';
import { LiveMaps, type MapEventIdentity, type MapRecord } from './live-maps.js';
import type { HistogramSnapshot } from './histogram-aggregate.js';
import { SeriesTable, type Series } from './series.js';
import type { PresizedMapInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

const DEFAULT_STALL_THRESHOLD_MS = 1;
export const EVACUATION_STALL_DESCRIPTION =
  'Time one write spent evacuating old buckets: the stall its caller paid.';
const NS_PER_S = 1e9;

interface Instruments {
  growths: Counter;
  growthDuration: Histogram;
  /** Absent when a MetricProducer exports the stalls (evacuationStallExport `metric-producer`). */
  evacuationStall: Histogram | undefined;
  allocationDuration: Histogram;
}

/** The evacuation stall histogram of one series, for a MetricProducer to export. */
export interface EvacuationStallPoint {
  readonly attributes: Attributes;
  /** Start of the cumulative point, ms since the epoch. */
  readonly since: number;
  readonly histogram: HistogramSnapshot;
}

/** Read at collection time: from the series totals and from `stats()` of every live map. */
interface Observables {
  evacuatedBuckets: ObservableCounter;
  overflowAllocations: ObservableCounter;
  entries: ObservableGauge;
  buckets: ObservableGauge;
  overflowBuckets: ObservableGauge;
  loadFactor: ObservableGauge;
  hint: ObservableGauge;
  growing: ObservableGauge;
  evacuationProgress: ObservableGauge;
  nextGrowthAt: ObservableGauge;
  engineLimit: ObservableGauge;
  engineLimitUsage: ObservableGauge;
  engineLimitDoublingsLeft: ObservableGauge;
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

type Subscription = [channel: string, handler: (message: unknown) => void];

/**
 * Turns the growth and evacuation events every presized map publishes on `node:diagnostics_channel`
 * into metrics and spans. It patches no module: the channels are process-global, so maps created by
 * any copy of the package (ESM, CommonJS, another installed version) are observed alike.
 */
export class PresizedMapInstrumentation extends InstrumentationBase<PresizedMapInstrumentationConfig> {
  // The base constructor calls enable() and _updateMetricInstruments() before subclass field
  // initialisers would run, so these fields have none and are filled in by those methods.
  private declare instruments: Instruments;
  private declare subscriptions: Subscription[] | undefined;
  private declare maps: LiveMaps | undefined;
  private declare series: SeriesTable;
  /** Series that have reported the engine-limit gauges: they report an empty map once their collections are gone. */
  private declare engineLimitSeries: WeakSet<Series>;

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

  override enable(): void {
    super.enable();
    if (this.subscriptions !== undefined) return;
    this.series ??= new SeriesTable();
    this.engineLimitSeries ??= new WeakSet();
    this.maps = new LiveMaps(this.series, (record) => this.endGrowthSpan(record, 'collected'));
    this.subscriptions = [
      [MAP_CHANNELS.create, (m) => this.onCreate(m as MapCreateEvent)],
      [MAP_CHANNELS.growStart, (m) => this.onGrowStart(m as GrowStartEvent)],
      [MAP_CHANNELS.evacuate, (m) => this.onEvacuate(m as EvacuateEvent)],
      [MAP_CHANNELS.growEnd, (m) => this.onGrowEnd(m as GrowEndEvent)],
      [MAP_CHANNELS.overflow, (m) => this.onOverflow(m as OverflowEvent)],
      [MAP_CHANNELS.clear, (m) => this.onClear(m as ClearEvent)],
    ];
    for (const [channel, handler] of this.subscriptions) diagnostics_channel.subscribe(channel, handler);
  }

  override disable(): void {
    super.disable();
    if (this.subscriptions === undefined) return;
    for (const [channel, handler] of this.subscriptions) {
      diagnostics_channel.unsubscribe(channel, handler);
    }
    this.subscriptions = undefined;
    // A growth span left open would never be exported: the events that end it are not heard any more.
    for (const [, record] of this.maps?.live() ?? []) this.endGrowthSpan(record, 'disabled');
    this.maps = undefined;
  }

  protected override _updateMetricInstruments(): void {
    const meter = this.meter;
    this.instruments = {
      growths: meter.createCounter(semconv.METRIC_MAP_GROWTHS, {
        description: 'Growths started, by kind (double or same_size) and trigger.',
        unit: '{growth}',
        valueType: ValueType.INT,
      }),
      growthDuration: meter.createHistogram(semconv.METRIC_MAP_GROWTH_DURATION, {
        description: 'Wall time from the start of a growth to its last evacuation.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...GROWTH_DURATION_BUCKETS] },
      }),
      evacuationStall:
        this._config.evacuationStallExport === 'metric-producer'
          ? undefined
          : meter.createHistogram(semconv.METRIC_MAP_EVACUATION_STALL, {
              description: EVACUATION_STALL_DESCRIPTION,
              unit: 's',
              advice: { explicitBucketBoundaries: [...EVACUATION_STALL_BUCKETS] },
            }),
      allocationDuration: meter.createHistogram(semconv.METRIC_MAP_GROWTH_ALLOCATION_DURATION, {
        description: 'Time the insert that started a growth spent allocating the new bucket array.',
        unit: 's',
        advice: { explicitBucketBoundaries: [...GROWTH_ALLOCATION_BUCKETS] },
      }),
    };
    const gauge = (name: string, description: string, unit: string, valueType = ValueType.INT) =>
      meter.createObservableGauge(name, { description, unit, valueType });
    const observables: Observables = {
      evacuatedBuckets: meter.createObservableCounter(semconv.METRIC_MAP_EVACUATED_BUCKETS, {
        description: 'Old buckets moved to the new bucket array by incremental evacuation.',
        unit: '{bucket}',
        valueType: ValueType.INT,
      }),
      overflowAllocations: meter.createObservableCounter(semconv.METRIC_MAP_OVERFLOW_ALLOCATIONS, {
        description: 'Overflow buckets taken, from the preallocated pool or allocated fresh.',
        unit: '{bucket}',
        valueType: ValueType.INT,
      }),
      entries: gauge(semconv.METRIC_MAP_ENTRIES, 'Live entries.', '{entry}'),
      buckets: gauge(semconv.METRIC_MAP_BUCKETS, 'Main buckets (2^B).', '{bucket}'),
      overflowBuckets: gauge(
        semconv.METRIC_MAP_OVERFLOW_BUCKETS,
        'Overflow buckets in use in the current bucket array.',
        '{bucket}',
      ),
      loadFactor: gauge(
        semconv.METRIC_MAP_LOAD_FACTOR,
        'Entries per main bucket; a doubling starts above 6.5.',
        '1',
        ValueType.DOUBLE,
      ),
      hint: gauge(semconv.METRIC_MAP_HINT, 'Capacity hint the map was created with.', '{entry}'),
      growing: gauge(semconv.METRIC_MAP_GROWING, '1 while an evacuation is in progress.', '{growth}'),
      evacuationProgress: gauge(
        semconv.METRIC_MAP_EVACUATION_PROGRESS,
        'Fraction of old buckets evacuated; 1 when no growth is in progress.',
        '1',
        ValueType.DOUBLE,
      ),
      nextGrowthAt: gauge(
        semconv.METRIC_MAP_NEXT_GROWTH_AT,
        'Entries at which the next doubling starts.',
        '{entry}',
      ),
      engineLimit: gauge(
        semconv.METRIC_MAP_ENGINE_LIMIT,
        'Native Map and Set: entries the engine lets one of them hold; the insert past it throws.',
        '{entry}',
      ),
      engineLimitUsage: gauge(
        semconv.METRIC_MAP_ENGINE_LIMIT_USAGE,
        'Native Map and Set: entries over the engine limit, of the fullest one.',
        '1',
        ValueType.DOUBLE,
      ),
      engineLimitDoublingsLeft: gauge(
        semconv.METRIC_MAP_ENGINE_LIMIT_DOUBLINGS_LEFT,
        'Native Map and Set: table doublings left before the engine limit, of the fullest one; at 0 the next full table throws.',
        '{doubling}',
      ),
    };
    meter.addBatchObservableCallback(
      (result) => this.observe(result, observables),
      Object.values(observables),
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
    if (this.maps !== undefined) this.observeLiveMaps(result, observables);
  }

  private observeLiveMaps(result: BatchObservableResult, gauges: Observables): void {
    const bySeries = new Map<Series, SeriesTotals>();
    for (const [map, record] of this.maps!.live()) {
      const stats = map.stats();
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
    // The SDK (2.x) goes on exporting the last value of a series nobody observes any more, under
    // cumulative temporality (the Prometheus exporter's, and OTLP's by default). A series whose
    // maps have all been collected therefore reports an empty map, not its last live state.
    for (const series of this.series.values()) {
      if (series.reported && !bySeries.has(series)) bySeries.set(series, emptyTotals());
    }
    for (const [series, t] of bySeries) {
      series.reported = true;
      const attributes = series.attributes;
      result.observe(gauges.entries, t.size, attributes);
      result.observe(gauges.buckets, t.buckets, attributes);
      result.observe(gauges.overflowBuckets, t.overflowBuckets, attributes);
      result.observe(gauges.loadFactor, t.buckets === 0 ? 0 : t.size / t.buckets, attributes);
      result.observe(gauges.hint, t.hint, attributes);
      result.observe(gauges.growing, t.growing, attributes);
      result.observe(
        gauges.evacuationProgress,
        t.oldBuckets === 0 ? 1 : t.evacuated / t.oldBuckets,
        attributes,
      );
      result.observe(gauges.nextGrowthAt, t.nextGrowthAt, attributes);
      if (t.engine !== undefined) this.engineLimitSeries.add(series);
      const engine = t.engine ?? (this.engineLimitSeries.has(series) ? emptyEngineTotals() : undefined);
      if (engine !== undefined) {
        result.observe(gauges.engineLimit, engine.limit, attributes);
        result.observe(gauges.engineLimitUsage, engine.usage, attributes);
        result.observe(gauges.engineLimitDoublingsLeft, engine.doublingsLeft, attributes);
      }
    }
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
    const growthAttributes: Attributes = {
      ...record.series.attributes,
      [semconv.ATTR_GROWTH_KIND]: event.kind,
      [semconv.ATTR_GROWTH_TRIGGER]: event.trigger,
    };
    this.instruments.growths.add(1, growthAttributes);
    // A native Map's table rebuild (v8_*) allocates and copies in one step, measured whole at its end.
    if (event.kind !== 'v8_rehash' && event.kind !== 'v8_shrink') {
      this.instruments.allocationDuration.record(event.allocationNs / NS_PER_S, record.series.attributes);
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
    this.instruments.growthDuration.record(event.durationNs / NS_PER_S, {
      ...record.series.attributes,
      [semconv.ATTR_GROWTH_KIND]: event.kind,
      [semconv.ATTR_GROWTH_TRIGGER]: event.trigger,
    });
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
    const histogram = this.instruments.evacuationStall;
    if (histogram === undefined) return;
    const attributes = series.attributes;
    series.stalls.replay((seconds) => histogram.record(seconds, attributes));
  }

  /**
   * The cumulative evacuation stall histogram of every series that has one, when a MetricProducer
   * exports them (evacuationStallExport `metric-producer`); empty otherwise, the stalls then being
   * recorded in the histogram instrument.
   */
  evacuationStallPoints(): EvacuationStallPoint[] {
    if (this.instruments.evacuationStall !== undefined || this.series === undefined) return [];
    const points: EvacuationStallPoint[] = [];
    for (const series of this.series.values()) {
      if (series.stalls.size === 0) continue;
      points.push({ attributes: series.attributes, since: series.since, histogram: series.stalls.snapshot() });
    }
    return points;
  }

  private endGrowthSpan(record: MapRecord, outcome: 'completed' | 'cleared' | 'collected' | 'disabled'): void {
    const growth = record.growth;
    if (growth === undefined) return;
    record.growth = undefined;
    growth.span.setAttribute(semconv.ATTR_GROWTH_OUTCOME, outcome);
    growth.span.end();
  }
}

/** A series whose native collections are all gone: an empty table, every doubling left. */
function emptyEngineTotals(): NonNullable<SeriesTotals['engine']> | undefined {
  const limit = engineLimit().entries;
  return limit === undefined ? undefined : { limit, usage: 0, doublingsLeft: doublingsLeft(V8_MIN_CAPACITY, limit) };
}

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
  const stallExport: unknown = config.evacuationStallExport;
  if (stallExport !== undefined && stallExport !== 'instrument' && stallExport !== 'metric-producer') {
    throw new RangeError(
      `evacuationStallExport must be 'instrument' or 'metric-producer', got ${JSON.stringify(stallExport)}`,
    );
  }
  if (evacuationEvents !== undefined && evacuationEvents !== false) {
    const rate = (evacuationEvents as { sampleRate?: unknown }).sampleRate;
    if (!(typeof rate === 'number' && rate >= 0 && rate <= 1)) {
      throw new RangeError(
        `evacuationEvents.sampleRate must be a number between 0 and 1, got ${String(rate)}`,
      );
    }
  }
}
