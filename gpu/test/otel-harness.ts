import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  DataPointType,
  MeterProvider,
  MetricReader,
  type MetricData,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { GpuMetrics, type GpuMetricsOptions } from '../src/gpu-metrics.js';

/** A pull reader, as a Prometheus exporter is, without the HTTP server. */
class PullReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Harness {
  readonly gpu: GpuMetrics;
  /** One collection through the real SDK: the GPU producer and the health instruments. */
  collect(): Promise<ResourceMetrics>;
  /** The same collection as the OpenTelemetry Prometheus exporter serializes it. */
  prometheusText(): Promise<string>;
  shutdown(): Promise<void>;
}

export function harness(options: Omit<GpuMetricsOptions, 'meterProvider'>): Harness {
  // The reader needs its producers when built, the GPU metrics need the provider the reader is in.
  const built: { gpu?: GpuMetrics } = {};
  const producer: MetricProducer = { collect: () => built.gpu!.collect() };
  const reader = new PullReader({ metricProducers: [producer] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const gpu = new GpuMetrics({ ...options, meterProvider });
  built.gpu = gpu;
  const collect = async (): Promise<ResourceMetrics> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`collection errors: ${errors.join(', ')}`);
    return resourceMetrics;
  };
  return {
    gpu,
    collect,
    prometheusText: async () =>
      new PrometheusSerializer(undefined, false, undefined, true, true).serialize(await collect()),
    shutdown: async () => {
      await gpu?.stop();
      await meterProvider.shutdown();
    },
  };
}

export function metric(resourceMetrics: ResourceMetrics, name: string): MetricData | undefined {
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((data) => data.descriptor.name === name);
}

/** name -> [attributes, value] of every number data point. */
export function points(resourceMetrics: ResourceMetrics, name: string): [Record<string, unknown>, number][] {
  const data = metric(resourceMetrics, name);
  if (!data || (data.dataPointType !== DataPointType.GAUGE && data.dataPointType !== DataPointType.SUM)) return [];
  return data.dataPoints.map((point) => [{ ...point.attributes }, point.value]);
}

export function metricNames(resourceMetrics: ResourceMetrics): string[] {
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map((data) => data.descriptor.name)).sort();
}
