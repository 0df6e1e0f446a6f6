import type { Attributes } from '@opentelemetry/api';
import type { CollectionResult, DataPoint, Histogram, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { MAP_GAUGES, MAP_METRICS, type MapMetricDescriptor } from './descriptors.js';
import type { HistogramSnapshot } from './histogram-aggregate.js';
import type { PresizedMapInstrumentation } from './instrumentation.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import {
  CUMULATIVE,
  GAUGE_POINTS,
  HISTOGRAM_POINTS,
  PRODUCER_RESOURCE,
  SUM_POINTS,
  hrTimeFromMillis,
} from '../metric-producer-data.js';
import { ATTR_OVERFLOW_SOURCE } from '../semconv.js';

/**
 * Exports every map series of an instrumentation created with `metricsExport: 'metric-producer'`:
 * the names, units, attributes, bucket boundaries and scope of the instruments they stand for,
 * cumulative. A series whose maps were all collected is exported once more (an empty map, its
 * final counts) and then no longer. Give each metric reader a producer of its own
 * (`new PrometheusExporter({ metricProducers: [mapMetricsProducer(instrumentation)] })`): a
 * series is removed once every producer has exported its final values.
 */
export function mapMetricsProducer(instrumentation: PresizedMapInstrumentation): MetricProducer {
  const consumer = instrumentation.openConsumer();
  return {
    collect(): Promise<CollectionResult> {
      const now = hrTimeFromMillis(Date.now());
      const series = consumer.collect();
      const sums = { growths: [], evacuated: [], overflow: [] } as Record<
        'growths' | 'evacuated' | 'overflow',
        DataPoint<number>[]
      >;
      const histograms = { growthDuration: [], evacuationStall: [], allocationDuration: [] } as Record<
        'growthDuration' | 'evacuationStall' | 'allocationDuration',
        DataPoint<Histogram>[]
      >;
      const gauges = MAP_GAUGES.map(() => [] as DataPoint<number>[]);
      for (const s of series) {
        const startTime = hrTimeFromMillis(s.since);
        const point = (attributes: Attributes, value: number): DataPoint<number> => ({
          attributes,
          startTime,
          endTime: now,
          value,
        });
        const histogram = (attributes: Attributes, h: HistogramSnapshot): DataPoint<Histogram> => ({
          attributes,
          startTime,
          endTime: now,
          value: {
            buckets: { boundaries: [...h.boundaries], counts: h.counts },
            sum: h.sum,
            count: h.count,
            min: h.min,
            max: h.max,
          },
        });
        for (const g of s.growths) {
          sums.growths.push(point(g.attributes, g.count));
          if (g.duration.count > 0) histograms.growthDuration.push(histogram(g.attributes, g.duration));
        }
        if (s.evacuatedBuckets > 0) sums.evacuated.push(point(s.attributes, s.evacuatedBuckets));
        if (s.overflowFromPool > 0) {
          sums.overflow.push(point({ ...s.attributes, [ATTR_OVERFLOW_SOURCE]: 'pool' }, s.overflowFromPool));
        }
        if (s.overflowFresh > 0) {
          sums.overflow.push(point({ ...s.attributes, [ATTR_OVERFLOW_SOURCE]: 'fresh' }, s.overflowFresh));
        }
        if (s.evacuationStall.count > 0) histograms.evacuationStall.push(histogram(s.attributes, s.evacuationStall));
        if (s.allocationDuration.count > 0) {
          histograms.allocationDuration.push(histogram(s.attributes, s.allocationDuration));
        }
        MAP_GAUGES.forEach(([field], i) => {
          const value = s.gauges[field];
          if (value !== undefined) gauges[i]!.push(point(s.attributes, value));
        });
      }
      const metrics: MetricData[] = [
        sum(MAP_METRICS.growths, sums.growths),
        sum(MAP_METRICS.evacuatedBuckets, sums.evacuated),
        sum(MAP_METRICS.overflowAllocations, sums.overflow),
        histogramMetric(MAP_METRICS.growthDuration, histograms.growthDuration),
        histogramMetric(MAP_METRICS.evacuationStall, histograms.evacuationStall),
        histogramMetric(MAP_METRICS.allocationDuration, histograms.allocationDuration),
        ...MAP_GAUGES.map(([, descriptor], i) => gauge(descriptor, gauges[i]!)),
      ].filter((m) => m.dataPoints.length > 0);
      const scopeMetrics =
        metrics.length === 0 ? [] : [{ scope: { name: PACKAGE_NAME, version: PACKAGE_VERSION }, metrics }];
      return Promise.resolve({ resourceMetrics: { resource: PRODUCER_RESOURCE, scopeMetrics }, errors: [] });
    },
  };
}

function descriptorOf(d: MapMetricDescriptor): MetricData['descriptor'] {
  return { name: d.name, description: d.description, unit: d.unit, valueType: d.valueType };
}

function sum(d: MapMetricDescriptor, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: descriptorOf(d),
    aggregationTemporality: CUMULATIVE,
    dataPointType: SUM_POINTS,
    isMonotonic: true,
    dataPoints,
  };
}

function gauge(d: MapMetricDescriptor, dataPoints: DataPoint<number>[]): MetricData {
  return { descriptor: descriptorOf(d), aggregationTemporality: CUMULATIVE, dataPointType: GAUGE_POINTS, dataPoints };
}

function histogramMetric(d: MapMetricDescriptor, dataPoints: DataPoint<Histogram>[]): MetricData {
  return {
    descriptor: descriptorOf(d),
    aggregationTemporality: CUMULATIVE,
    dataPointType: HISTOGRAM_POINTS,
    dataPoints,
  };
}
