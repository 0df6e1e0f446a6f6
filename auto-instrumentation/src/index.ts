export { startTelemetryFromEnv } from './start-from-env.js';
export type { StartedTelemetry } from './start-from-env.js';
