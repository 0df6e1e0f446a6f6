import { diag, metrics, type Attributes, type Counter, type MeterProvider } from '@opentelemetry/api';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { PRODUCER_RESOURCE, hrTimeFromMillis } from '@presize/instrumentation/metric-producer-data';
import { PACKAGE_VERSION } from './version.js';
import { dcgmExportPointsInSlices } from './dcgm-naming.js';
import { DIAGNOSTICS_RECOVERY } from './diagnostics-recovery.js';
import { hwExportPoints } from './hw-naming.js';
import { CounterStarts, toMetricDataInSlices } from './metric-data.js';
import type { DropReason, GpuSample } from './sample.js';
import { forEachInSlices } from './event-loop-turn.js';
import { capSeries, DEFAULT_MAX_GPU_SERIES } from './series-cap.js';
import { settleOnAbort } from './settle-on-abort.js';
import {
  ATTR_GPU_SCRAPE_ERROR_TYPE,
  ATTR_GPU_DROP_REASON,
  ATTR_GPU_FIELD,
  ATTR_GPU_SOURCE,
  ATTR_GPU_SOURCE_TARGET,
  GPU_SCOPE_NAME,
  METRIC_GPU_DROPPED_VALUES,
  METRIC_GPU_MALFORMED_LINES,
  METRIC_GPU_SCRAPE_DURATION,
  METRIC_GPU_SCRAPE_ERRORS,
  METRIC_GPU_SERIES,
  METRIC_GPU_UP,
} from './semconv.js';
import { CardinalityCap, overflowAttributes } from '@presize/instrumentation/cardinality-cap';
import { GpuSourceError, type GpuScrapeErrorReason, type GpuSource } from './sources/source.js';

export type GpuMetricNaming = 'dcgm' | 'hw';

export interface GpuMetricsOptions {
  source: GpuSource;
  /** Time between reads of the source (default 10 000 ms). */
  intervalMs?: number;
  /** Longest a read may take before it counts as failed (default: the interval, at most 5 000 ms). */
  timeoutMs?: number;
  /** `dcgm` (default): DCGM field names and dcgm-exporter labels. `hw`: OpenTelemetry hw.* semantic conventions. */
  naming?: GpuMetricNaming;
  /** See DcgmNamingOptions.monotonicCounters; `dcgm` naming only. */
  monotonicCounters?: boolean;
  /** Where the scrape-health instruments go; default the global MeterProvider. */
  meterProvider?: MeterProvider;
  /**
   * Distinct `presize.gpu.field` values of `presize.gpu.dropped_values` (a source may return any
   * metric names), the overflow series (`presize.gpu.field="_overflow"`) included, as
   * OpenTelemetry's cardinality limit counts it. Default 100.
   */
  maxDroppedFieldSeries?: number;
  /**
   * GPU series exported per read (default 8192, DEFAULT_MAX_GPU_SERIES). The series past it, in
   * an order that depends only on the series (GPU index, UUID, MIG instance, field, labels), are
   * not exported; they are counted in `presize.gpu.dropped_values` with
   * `presize.gpu.drop.reason="series_cap"`, with one warning.
   */
  maxSeries?: number;
}

export type GpuScrapeResult =
  | { readonly ok: true; readonly sample: GpuSample; readonly durationSeconds: number }
  | {
      readonly ok: false;
      readonly reason: GpuScrapeErrorReason;
      readonly message: string;
      readonly durationSeconds: number;
    };

interface HealthInstruments {
  readonly errors: Counter;
  readonly dropped: Counter;
  readonly malformedLines: Counter;
}

const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_MAX_DROPPED_FIELD_SERIES = 100;
const MAX_DEFAULT_TIMEOUT_MS = 5_000;

/**
 * DCGM-style GPU metrics read from a source (dcgm-exporter, nvidia-smi, a capture file or a
 * simulation) at an interval.
 *
 * The GPU series reach OpenTelemetry as a MetricProducer: give this object to a MetricReader
 * (`new PrometheusExporter({ metricProducers: [gpu] })`, `new PeriodicExportingMetricReader({
 * exporter, metricProducers: [gpu] })`). Each collection yields exactly the series of the latest
 * successful read, so after a failed read they are absent, not frozen at their last value, and a
 * pod that left takes its series with it. (Observable instruments cannot do this with
 * @opentelemetry/sdk-metrics 2.x: under cumulative temporality it keeps exporting every attribute
 * set ever observed.) The health of the reads (`presize.gpu.up`, scrape duration, errors, dropped
 * values, malformed lines) goes through ordinary instruments on the MeterProvider.
 *
 * Nothing here throws into the host: a failed read is counted, and logged once per distinct
 * reason through the OpenTelemetry diag logger.
 */
export class GpuMetrics implements MetricProducer {
  readonly source: GpuSource;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly naming: GpuMetricNaming;
  private readonly monotonicCounters: boolean;
  private readonly logger = diag.createComponentLogger({ namespace: GPU_SCOPE_NAME });
  private readonly counterStarts = new CounterStarts();
  private readonly sourceAttributes: Attributes;
  private readonly meterProvider: MeterProvider | undefined;
  private health: HealthInstruments | undefined;
  readonly maxSeries: number;
  /** The latest successful read, made into metric data once, when read, rather than at every collection. */
  private latest: { readonly series: number; readonly metrics: MetricData[] } | undefined;
  private up: 0 | 1 | undefined;
  private lastDurationSeconds: number | undefined;
  private readonly reportedReasons = new Set<GpuScrapeErrorReason>();
  private reportedMalformed = false;
  private reportedCap = false;
  private stopController = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<GpuScrapeResult> | undefined;
  /** A read of the source given up on (timed out) that has not settled yet. */
  private abandoned: Promise<unknown> | undefined;
  private running = false;
  /** Fields with dropped-value series of their own; the SDK counter keeps them for the process's life. */
  private readonly droppedFields = new Set<string>();
  private readonly droppedFieldCap: CardinalityCap;

  constructor(options: GpuMetricsOptions) {
    this.source = options.source;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? Math.min(this.intervalMs, MAX_DEFAULT_TIMEOUT_MS);
    if (!(Number.isInteger(this.intervalMs) && this.intervalMs > 0))
      throw new RangeError(`intervalMs must be a positive integer, got ${options.intervalMs}`);
    if (!(Number.isInteger(this.timeoutMs) && this.timeoutMs > 0))
      throw new RangeError(`timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_GPU_SERIES;
    if (!(Number.isSafeInteger(this.maxSeries) && this.maxSeries > 0))
      throw new RangeError(`maxSeries must be a positive integer, got ${options.maxSeries}`);
    this.naming = options.naming ?? 'dcgm';
    this.monotonicCounters = options.monotonicCounters ?? false;
    this.sourceAttributes = { [ATTR_GPU_SOURCE]: this.source.kind, [ATTR_GPU_SOURCE_TARGET]: this.source.description };
    this.meterProvider = options.meterProvider;
    this.droppedFieldCap = new CardinalityCap(
      options.maxDroppedFieldSeries ?? DEFAULT_MAX_DROPPED_FIELD_SERIES,
      (message) => this.logger.warn(message),
      'fields of dropped GPU values (presize.gpu.field)',
      'maxDroppedFieldSeries',
    );
  }

  /** The field attribute of a dropped value: the field while the cap allows, else the overflow series. */
  private droppedFieldAttributes(field: string): Attributes {
    if (this.droppedFields.has(field)) return { [ATTR_GPU_FIELD]: field };
    if (!this.droppedFieldCap.admit()) return overflowAttributes(ATTR_GPU_FIELD);
    this.droppedFields.add(field);
    return { [ATTR_GPU_FIELD]: field };
  }

  /**
   * The health instruments, made on first use rather than in the constructor: a GpuMetrics is
   * created before the SDK that exports it (it goes into the readers' metricProducers), and the
   * global MeterProvider is only the SDK's once that SDK has started.
   */
  private instruments(): HealthInstruments {
    if (!this.health) this.health = this.createInstruments();
    return this.health;
  }

  private createInstruments(): HealthInstruments {
    const meter = (this.meterProvider ?? metrics.getMeterProvider()).getMeter(GPU_SCOPE_NAME, PACKAGE_VERSION);
    const errors = meter.createCounter(METRIC_GPU_SCRAPE_ERRORS, {
      description: 'Reads of the GPU source that gave no values, by error.type.',
      unit: '{error}',
    });
    const dropped = meter.createCounter(METRIC_GPU_DROPPED_VALUES, {
      description:
        'GPU values read but not exported: DCGM blank sentinels, utilisation outside 0..100 %, NaN or infinite, samples of metrics that are not DCGM fields, series past the cap.',
      unit: '{value}',
    });
    const malformedLines = meter.createCounter(METRIC_GPU_MALFORMED_LINES, {
      description: 'Capture lines skipped because they break their format.',
      unit: '{line}',
    });
    meter
      .createObservableGauge(METRIC_GPU_UP, {
        description: '1 when the last read of the GPU source gave values, 0 when it failed.',
        unit: '1',
      })
      .addCallback((result) => {
        if (this.up !== undefined) result.observe(this.up, this.sourceAttributes);
      });
    meter
      .createObservableGauge(METRIC_GPU_SCRAPE_DURATION, {
        description: 'Duration of the last read of the GPU source.',
        unit: 's',
      })
      .addCallback((result) => {
        if (this.up !== undefined && this.lastDurationSeconds !== undefined)
          result.observe(this.lastDurationSeconds, this.sourceAttributes);
      });
    meter
      .createObservableGauge(METRIC_GPU_SERIES, {
        description: 'GPU series exported from the last successful read.',
        unit: '{series}',
      })
      .addCallback((result) => {
        if (this.up !== undefined) result.observe(this.latest?.series ?? 0, this.sourceAttributes);
      });
    return { errors, dropped, malformedLines };
  }

  /** Reads the source now and at every interval after; the timer does not keep the process alive. */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.stopController = new AbortController();
    const tick = (): void => {
      void this.scrape().then(() => {
        if (!this.running) return;
        this.timer = setTimeout(tick, this.intervalMs);
        this.timer.unref();
      });
    };
    tick();
    return this;
  }

  /** Stops reading, cancels a read in flight and withdraws every GPU series. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.stopController.abort(new Error('GPU metrics stopped'));
    await this.inFlight;
    this.latest = undefined;
    this.up = undefined;
    this.lastDurationSeconds = undefined;
    this.counterStarts.clear();
  }

  /** One read of the source, applied to what is exported. Never rejects. */
  scrape(): Promise<GpuScrapeResult> {
    if (this.inFlight) return this.inFlight;
    this.instruments();
    this.inFlight = this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** The series the latest successful read exports, as OpenTelemetry metric data. */
  collect(): Promise<CollectionResult> {
    const latest = this.latest;
    const scopeMetrics = latest
      ? [{ scope: { name: GPU_SCOPE_NAME, version: PACKAGE_VERSION }, metrics: latest.metrics }]
      : [];
    return Promise.resolve({ resourceMetrics: { resource: PRODUCER_RESOURCE, scopeMetrics }, errors: [] });
  }

  private async read(): Promise<GpuScrapeResult> {
    const started = performance.now();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([timeout, this.stopController.signal]);
    let outcome: GpuScrapeResult;
    try {
      const sample = await settleOnAbort(this.readSource(signal), signal);
      outcome = { ok: true, sample, durationSeconds: (performance.now() - started) / 1000 };
      await this.accept(sample, this.stopController.signal);
    } catch (error) {
      const durationSeconds = (performance.now() - started) / 1000;
      const failure = this.classify(error, timeout.aborted, durationSeconds);
      this.reject(failure);
      outcome = failure;
    }
    this.lastDurationSeconds = outcome.durationSeconds;
    return outcome;
  }

  /**
   * One read of the source, unless the last one given up on is still running: a source that
   * ignores its signal (a file on a hung network mount holds one of libuv's four threadpool
   * threads per read) then costs one stuck read, never one more per interval.
   */
  private readSource(signal: AbortSignal): Promise<GpuSample> {
    if (this.abandoned) {
      return Promise.reject(
        new GpuSourceError(
          'timeout',
          `${this.source.description}: the read given up on earlier has still not ended; no new read is started until it does`,
        ),
      );
    }
    const read = this.source.read(signal, { maxSeries: this.maxSeries });
    const settled = read.then(
      () => undefined,
      () => undefined,
    );
    const onAbort = (): void => {
      this.abandoned = settled;
      void settled.then(() => {
        if (this.abandoned === settled) this.abandoned = undefined;
      });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void settled.then(() => signal.removeEventListener('abort', onAbort));
    return read;
  }

  private classify(error: unknown, timedOut: boolean, durationSeconds: number): GpuScrapeResult & { ok: false } {
    if (timedOut) {
      return {
        ok: false,
        reason: 'timeout',
        message: `${this.source.description} gave no answer within ${this.timeoutMs} ms`,
        durationSeconds,
      };
    }
    if (error instanceof GpuSourceError)
      return { ok: false, reason: error.reason, message: error.message, durationSeconds };
    // A source failing in a way it does not classify must not take the host down either.
    return {
      ok: false,
      reason: 'source_failed',
      message: `${this.source.description}: ${(error as Error)?.message ?? String(error)}`,
      durationSeconds,
    };
  }

  /**
   * Makes a sample the exported one. A large capture is turned into metric data a slice at a
   * time; a stop() meanwhile ends it at the next slice (its abort goes to the caller as a failure).
   */
  private async accept(read: GpuSample, stopped: AbortSignal): Promise<void> {
    // A source that read with the cap left out what is past it; the cap is applied to what any
    // other source returns.
    const capped = await capSeries(read.series, this.maxSeries, stopped);
    const sample: GpuSample = capped.leftOutCount === 0 ? read : { ...read, series: capped.kept };
    const leftOut = new Map(read.seriesLeftOut?.byField);
    for (const [field, count] of capped.leftOut) leftOut.set(field, (leftOut.get(field) ?? 0) + count);
    const leftOutCount = (read.seriesLeftOut?.count ?? 0) + capped.leftOutCount;
    const points =
      this.naming === 'hw'
        ? await hwExportPoints(sample, stopped)
        : await dcgmExportPointsInSlices(sample, { monotonicCounters: this.monotonicCounters }, stopped);
    const time = hrTimeFromMillis(Date.now());
    const starts = await this.counterStarts.next(points, time, stopped);
    const metrics = await toMetricDataInSlices(points, time, starts, stopped);
    // Counted per field and reason, so the counter is added to once per distinct pair, not per value.
    const dropped = new Map<string, { field: string; reason: DropReason; count: number }>();
    await forEachInSlices(
      sample.dropped,
      ({ field, reason }) => {
        const key = `${reason}\u0000${field}`;
        const entry = dropped.get(key);
        if (entry) entry.count++;
        else dropped.set(key, { field, reason, count: 1 });
      },
      stopped,
    );
    for (const [field, count] of leftOut)
      dropped.set(`series_cap\u0000${field}`, { field, reason: 'series_cap', count });
    const droppedCounter = this.instruments().dropped;
    await forEachInSlices(
      dropped.values(),
      ({ field, reason, count }) =>
        droppedCounter.add(count, {
          ...this.sourceAttributes,
          [ATTR_GPU_DROP_REASON]: reason,
          ...this.droppedFieldAttributes(field),
        }),
      stopped,
    );
    stopped.throwIfAborted();
    // The points are not kept: only their number is exported besides the metric data.
    this.latest = { series: points.length, metrics };
    this.up = 1;
    this.reportCap(read.series.length + (read.seriesLeftOut?.count ?? 0), leftOutCount);
    if (sample.malformed.length > 0) {
      this.instruments().malformedLines.add(sample.malformed.length, this.sourceAttributes);
      if (!this.reportedMalformed) {
        this.reportedMalformed = true;
        const first = sample.malformed[0];
        this.logger.warn(
          `${this.source.description}: skipped ${sample.malformed.length} malformed line(s), e.g. line ${first?.line}: ${first?.reason}`,
        );
      }
    } else {
      this.reportedMalformed = false;
    }
    if (this.reportedReasons.size > 0) {
      this.logger.warn(
        `${this.source.description}: GPU values are back after ${[...this.reportedReasons].join(', ')}`,
        DIAGNOSTICS_RECOVERY,
      );
      this.reportedReasons.clear();
    }
  }

  /** One warning while reads pass the cap, and a recovery once one is within it, so a later excess is shown again. */
  private reportCap(read: number, leftOut: number): void {
    if (leftOut > 0 && !this.reportedCap) {
      this.reportedCap = true;
      this.logger.warn(
        `${this.source.description}: ${read} GPU series read, more than maxSeries (PRESIZE_GPU_MAX_SERIES) = ${this.maxSeries}; the ${leftOut} last by GPU, MIG instance and field are not exported, counted in ${METRIC_GPU_DROPPED_VALUES} (${ATTR_GPU_DROP_REASON}=series_cap)`,
      );
    } else if (leftOut === 0 && this.reportedCap) {
      this.reportedCap = false;
      this.logger.warn(
        `${this.source.description}: GPU series are within maxSeries (${this.maxSeries}) again`,
        DIAGNOSTICS_RECOVERY,
      );
    }
  }

  private reject(outcome: GpuScrapeResult & { ok: false }): void {
    this.latest = undefined;
    this.counterStarts.clear();
    this.up = 0;
    if (this.stopController.signal.aborted) return;
    this.instruments().errors.add(1, { ...this.sourceAttributes, [ATTR_GPU_SCRAPE_ERROR_TYPE]: outcome.reason });
    if (!this.reportedReasons.has(outcome.reason)) {
      this.reportedReasons.add(outcome.reason);
      this.logger.warn(`GPU values withdrawn (${outcome.reason}): ${outcome.message}`);
    }
  }
}
