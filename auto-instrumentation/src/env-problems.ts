// The SDK falls back to a default on a value it does not know and says so only at `warn`, which
// is below the level register logs at by default; a misspelt exporter would silently send
// nothing. These checks name the variable and the value at `error`.

const KNOWN_VALUES: Record<string, readonly string[]> = {
  OTEL_METRICS_EXPORTER: ['otlp', 'prometheus', 'console', 'none'],
  OTEL_TRACES_EXPORTER: ['otlp', 'console', 'zipkin', 'none'],
  OTEL_LOGS_EXPORTER: ['otlp', 'console', 'none'],
};
const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'];
const PROTOCOL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
];

/** One message per OTEL_* variable whose value the SDK would not understand. */
export function envProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const [variable, known] of Object.entries(KNOWN_VALUES)) {
    const unknown = (env[variable] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '' && !known.includes(v));
    if (unknown.length > 0) {
      problems.push(
        `${variable}=${JSON.stringify(env[variable])}: unknown ${unknown.map((v) => JSON.stringify(v)).join(', ')}; expected a comma-separated list of ${known.join(', ')}`,
      );
    }
  }
  for (const variable of PROTOCOL_VARIABLES) {
    const value = env[variable]?.trim();
    if (value && !PROTOCOLS.includes(value)) {
      problems.push(
        `${variable}=${JSON.stringify(env[variable])}: expected one of ${PROTOCOLS.join(', ')}; the SDK uses http/protobuf`,
      );
    }
  }
  const port = env.OTEL_EXPORTER_PROMETHEUS_PORT?.trim();
  if (port && !(/^\d+$/.test(port) && Number(port) <= 65535)) {
    problems.push(
      `OTEL_EXPORTER_PROMETHEUS_PORT=${JSON.stringify(env.OTEL_EXPORTER_PROMETHEUS_PORT)}: expected a port number from 0 to 65535; the exporter uses 9464`,
    );
  }
  return problems;
}
