// `node --import @presize/auto-instrumentation/register app.js` (or `--require` for CommonJS): starts
// OpenTelemetry from the OTEL_* environment variables before the application's first line runs.
import { startTelemetryFromEnv } from './start-from-env.js';

startTelemetryFromEnv();
