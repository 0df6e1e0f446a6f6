// The SDK falls back to a default on a value it does not know and says so only at `warn`, which
// is below the level register logs at by default; a misspelt exporter would silently send
// nothing. These checks name the variable and the value at `error`, and say what happens instead.
import { EXPORTER_CHOICE, exporterNames, KNOWN_EXPORTERS, type ExporterVariable } from './exporter-choice.js';
import { prometheusPort } from './prometheus-port.js';

const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'];
const PROTOCOL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
];

/** What a signal is exported with, in words. */
function outcome(signal: string, exporters: string[]): string {
  return exporters.length === 0 ? `${signal} are not exported` : `${signal} are exported with ${exporters.join(', ')}`;
}

/** One message per OTEL_* variable whose value the SDK would not understand, saying what happens instead. */
export function envProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const variable of Object.keys(KNOWN_EXPORTERS) as ExporterVariable[]) {
    const known = KNOWN_EXPORTERS[variable] as readonly string[];
    const unknown = exporterNames(env, variable).filter(
      (name) => !known.includes(name) && !(variable === 'OTEL_TRACES_EXPORTER' && name === 'null'),
    );
    if (unknown.length > 0) {
      const { signal, choose } = EXPORTER_CHOICE[variable];
      problems.push(
        `${variable}=${JSON.stringify(env[variable])}: unknown ${unknown.map((v) => JSON.stringify(v)).join(', ')} ignored (expected a comma-separated list of ${known.join(', ')}); ${outcome(signal, choose(env))}`,
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
  const { problem } = prometheusPort(env);
  if (problem !== undefined) problems.push(problem);
  return problems;
}
