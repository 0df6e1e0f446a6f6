import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Per-evacuation span events on a growth span: off, or kept for a fraction of the steps. */
export type EvacuationEventsConfig = false | { sampleRate: number };

export interface PresizedMapInstrumentationConfig extends InstrumentationConfig {
  /**
   * An operation that spends longer than this evacuating adds an event to the span active at the
   * time (the caller's request span, typically). Default 1 ms.
   */
  stallThresholdMs?: number;
  /**
   * Add one span event per evacuation step to the growth span. Off by default: a doubling at
   * B = 20 takes half a million steps. `{ sampleRate: 0.01 }` keeps about one step in a hundred.
   */
  evacuationEvents?: EvacuationEventsConfig;
  /** See {@link MetricsExport}. */
  metricsExport?: MetricsExport;
  /**
   * Series of presized maps (distinct names) held at once, the overflow series
   * (`presize.map.name="_overflow"`) included, as OpenTelemetry's cardinality limit counts it.
   * Default 200. Read when the instrumentation is created.
   */
  maxMapSeries?: number;
  /** The same for native maps (`observeMap`, zero-code mode, lru-cache key indexes). Default 200. */
  maxNativeMapSeries?: number;
  /**
   * A map created without a name is counted in the one series `presize.map.name="_unnamed"` until
   * it holds this many entries (seen at a growth or a collection); from then on it has a series of
   * its own, `presized-map-<id>`. Default 4096; 0 gives every unnamed map its own series.
   */
  unnamedMapThreshold?: number;
}

/**
 * How the map series reach the SDK. `instrument` (default): instruments of the instrumentation's
 * meter; the evacuation stalls held since the last collection are recorded at collection, one SDK
 * call per evacuating write. The SDK keeps every series it has seen for as long as the process
 * lives (reporting an empty map for a name whose maps were all collected), so the caps count
 * every series since the start. `metric-producer`: no instrument; every map series is exported by
 * the MetricProducer `mapMetricsProducer(instrumentation)`, one per metric reader (`register`
 * does this). A series whose maps were all collected is exported once more, as an empty map with
 * its final counts, and then removed, giving its cap slot back. This also skips the SDK's
 * per-observation cost, the larger part of what the instrumentation costs a map that grows under
 * load. Views do not apply to it. Read when the instrumentation is created.
 */
export type MetricsExport = 'instrument' | 'metric-producer';
