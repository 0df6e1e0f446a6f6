/** The Prometheus exporter's port when OTEL_EXPORTER_PROMETHEUS_PORT is unset or unusable. */
export const DEFAULT_PROMETHEUS_PORT = 9464;

export type PrometheusPort = { readonly port: number; readonly problem?: string };

/**
 * The port the Prometheus endpoint listens on. The exporter reads the variable with `Number(...) ||
 * 9464`, so `0` already meant 9464 and `99999` made it fail to listen after start-up had said it
 * would use 9464; the port is therefore decided here, once, and given to the exporter.
 */
export function prometheusPort(env: NodeJS.ProcessEnv): PrometheusPort {
  const raw = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  if (raw === undefined || raw === '') return { port: DEFAULT_PROMETHEUS_PORT };
  const port = Number(raw);
  if (/^\d+$/.test(raw) && port >= 1 && port <= 65_535) return { port };
  return {
    port: DEFAULT_PROMETHEUS_PORT,
    problem: `OTEL_EXPORTER_PROMETHEUS_PORT=${JSON.stringify(env.OTEL_EXPORTER_PROMETHEUS_PORT)}: expected a port number from 1 to 65535; the Prometheus endpoint listens on ${DEFAULT_PROMETHEUS_PORT}, the default`,
  };
}
