// Which exporters each signal ends up with for the OTEL_*_EXPORTER variables: the metric readers
// are built from metricExporters; traces and logs are set up by NodeSDK 0.223, and the two other
// functions say what it does, so that a message about a bad value can say what happens instead.

export const KNOWN_EXPORTERS = {
  OTEL_METRICS_EXPORTER: ['otlp', 'prometheus', 'console', 'none'],
  OTEL_TRACES_EXPORTER: ['otlp', 'console', 'zipkin', 'none'],
  OTEL_LOGS_EXPORTER: ['otlp', 'console', 'none'],
} as const;

export type ExporterVariable = keyof typeof KNOWN_EXPORTERS;

/** The distinct non-empty names of a comma-separated list. */
export function exporterNames(env: NodeJS.ProcessEnv, variable: ExporterVariable): string[] {
  return [
    ...new Set(
      (env[variable] ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
}

const known = (variable: ExporterVariable, names: string[]): string[] =>
  names.filter((name) => (KNOWN_EXPORTERS[variable] as readonly string[]).includes(name) && name !== 'none');

/** Unset means otlp; `none` anywhere means none; unknown names are ignored, and none left means none. */
export function metricExporters(env: NodeJS.ProcessEnv): string[] {
  const names = exporterNames(env, 'OTEL_METRICS_EXPORTER');
  if (names.length === 0) return ['otlp'];
  if (names.includes('none')) return [];
  return known('OTEL_METRICS_EXPORTER', names);
}

/** NodeSDK: `none` first means none, `none` among others means otlp; `null` is ignored. */
export function traceExporters(env: NodeJS.ProcessEnv): string[] {
  const names = exporterNames(env, 'OTEL_TRACES_EXPORTER').filter((name) => name !== 'null');
  if (names[0] === 'none') return [];
  if (names.length === 0 || names.includes('none')) return ['otlp'];
  return known('OTEL_TRACES_EXPORTER', names);
}

/** NodeSDK: unset means otlp, `none` anywhere means none. */
export function logExporters(env: NodeJS.ProcessEnv): string[] {
  const names = exporterNames(env, 'OTEL_LOGS_EXPORTER');
  if (names.length === 0) return ['otlp'];
  if (names.includes('none')) return [];
  return known('OTEL_LOGS_EXPORTER', names);
}

export const EXPORTER_CHOICE: Record<
  ExporterVariable,
  { signal: string; choose: (env: NodeJS.ProcessEnv) => string[] }
> = {
  OTEL_METRICS_EXPORTER: { signal: 'metrics', choose: metricExporters },
  OTEL_TRACES_EXPORTER: { signal: 'traces', choose: traceExporters },
  OTEL_LOGS_EXPORTER: { signal: 'logs', choose: logExporters },
};
