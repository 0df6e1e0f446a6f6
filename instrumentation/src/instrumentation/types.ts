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
}
