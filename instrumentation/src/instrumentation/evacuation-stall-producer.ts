import { ValueType } from '@opentelemetry/api';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import {
  EVACUATION_STALL_DESCRIPTION,
  type PresizedMapInstrumentation,
} from './instrumentation.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { CUMULATIVE, HISTOGRAM_POINTS, PRODUCER_RESOURCE, hrTimeFromMillis } from '../metric-producer-data.js';
import { METRIC_MAP_EVACUATION_STALL } from '../semconv.js';

/**
 * Exports the evacuation stall histogram of an instrumentation created with
 * `evacuationStallExport: 'metric-producer'`: the same name, unit, attributes, boundaries and
 * scope as the histogram instrument it stands for, as a cumulative point per series. Give it to
 * every metric reader (`new PrometheusExporter({ metricProducers: [producer] })`, or
 * `PeriodicExportingMetricReader`'s `metricProducers`).
 */
export function evacuationStallProducer(instrumentation: PresizedMapInstrumentation): MetricProducer {
  return {
    collect(): Promise<CollectionResult> {
      const now = hrTimeFromMillis(Date.now());
      const points = instrumentation.evacuationStallPoints();
      const metric: MetricData = {
        descriptor: {
          name: METRIC_MAP_EVACUATION_STALL,
          description: EVACUATION_STALL_DESCRIPTION,
          unit: 's',
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: CUMULATIVE,
        dataPointType: HISTOGRAM_POINTS,
        dataPoints: points.map(({ attributes, since, histogram }) => ({
          attributes,
          startTime: hrTimeFromMillis(since),
          endTime: now,
          value: {
            buckets: { boundaries: [...histogram.boundaries], counts: histogram.counts },
            sum: histogram.sum,
            count: histogram.count,
            min: histogram.min,
            max: histogram.max,
          },
        })),
      };
      const scopeMetrics =
        points.length === 0 ? [] : [{ scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION }, metrics: [metric] }];
      return Promise.resolve({ resourceMetrics: { resource: PRODUCER_RESOURCE, scopeMetrics }, errors: [] });
    },
  };
}
