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
  /** See {@link EvacuationStallExport}. */
  evacuationStallExport?: EvacuationStallExport;
}

/**
 * How the evacuation stall histogram reaches the SDK. `instrument` (default): a histogram
 * instrument of the instrumentation's meter, into which the stalls held since the last collection
 * are recorded at collection, one SDK call per evacuating write. `metric-producer`: no instrument;
 * the same histogram, cumulative, is exported by the MetricProducer
 * `evacuationStallProducer(instrumentation)`, which must be given to the metric readers
 * (`register` does). It skips the SDK's per-observation cost, the larger part of what the
 * instrumentation costs a map that grows under load. Views do not apply to it. Read when the
 * instrumentation is created.
 */
export type EvacuationStallExport = 'instrument' | 'metric-producer';
