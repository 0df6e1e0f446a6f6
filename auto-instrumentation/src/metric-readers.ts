import { OTLPMetricExporter as OtlpGrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import {
  ConsoleMetricExporter,
  PeriodicExportingMetricReader,
  type MetricProducer,
  type MetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { metricExporters } from './exporter-choice.js';
import { withRecoveryReport } from './export-recovery.js';
import { prometheusPort } from './prometheus-port.js';

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The metric readers OTEL_METRICS_EXPORTER asks for, as NodeSDK 0.223 builds them from the same
 * variables (see metricExporters), with the producers `metricProducers()` makes attached to each
 * (a new set per reader: the map series producer removes a series once each of its readers has
 * exported it): NodeSDK has no way to give its own readers a producer, and the GPU metrics and the
 * map series are producers. A Prometheus exporter is built without listening: the caller starts
 * its server once the resource is complete (see startPrometheusServers), on the port
 * prometheusPort decides. Unknown values are skipped here and reported by envProblems.
 */
export function metricReadersFromEnv(env: NodeJS.ProcessEnv, metricProducers: () => MetricProducer[]): MetricReader[] {
  const names = metricExporters(env);
  const readers: MetricReader[] = [];
  for (const name of names) {
    if (name === 'prometheus') {
      readers.push(
        new PrometheusExporter({
          metricProducers: metricProducers(),
          preventServerStart: true,
          port: prometheusPort(env).port,
        }),
      );
    } else if (name === 'otlp')
      readers.push(periodic(withRecoveryReport(otlpExporter(env), 'otlp'), env, metricProducers()));
    else if (name === 'console') {
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new ConsoleMetricExporter(),
          metricProducers: metricProducers(),
        }),
      );
    }
  }
  return readers;
}

function otlpExporter(env: NodeJS.ProcessEnv): PushMetricExporter {
  const protocol =
    (env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim() || 'http/protobuf';
  if (protocol === 'grpc') return new OtlpGrpcMetricExporter();
  if (protocol === 'http/json') return new OtlpJsonMetricExporter();
  return new OtlpProtoMetricExporter();
}

function periodic(
  exporter: PushMetricExporter,
  env: NodeJS.ProcessEnv,
  metricProducers: MetricProducer[],
): PeriodicExportingMetricReader {
  const exportIntervalMillis = positive(env.OTEL_METRIC_EXPORT_INTERVAL) ?? DEFAULT_INTERVAL_MS;
  const exportTimeoutMillis = Math.min(
    positive(env.OTEL_METRIC_EXPORT_TIMEOUT) ?? DEFAULT_TIMEOUT_MS,
    exportIntervalMillis,
  );
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis,
    exportTimeoutMillis,
    metricProducers,
  });
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n > 0 ? n : undefined;
}
