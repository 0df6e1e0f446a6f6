import type { HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';

/*
 * The metric producers of this package (GPU metrics, the evacuation stall histogram) hand a
 * metric reader the SDK's own data shapes. Their enum values are written out here, and the SDK
 * imported for types only, so that importing the package never loads the SDK: only `register`
 * needs it. A test holds these values to the SDK's enums.
 */

export const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;
export const HISTOGRAM_POINTS = 0 as DataPointType.HISTOGRAM;
export const GAUGE_POINTS = 2 as DataPointType.GAUGE;
export const SUM_POINTS = 3 as DataPointType.SUM;

/**
 * The resource a producer reports: a metric reader keeps its provider's resource and takes only
 * the scope metrics of its producers, so this one is never exported.
 */
export const PRODUCER_RESOURCE: Resource = {
  attributes: {},
  merge: (other) => other ?? PRODUCER_RESOURCE,
  getRawAttributes: () => [],
};

/** Milliseconds since the epoch as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTimeFromMillis(epochMillis: number): HrTime {
  const seconds = Math.trunc(epochMillis / 1000);
  return [seconds, Math.round((epochMillis % 1000) * 1e6)];
}
