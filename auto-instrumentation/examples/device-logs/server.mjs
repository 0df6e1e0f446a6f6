#!/usr/bin/env node
// The device-log service of the incident. It holds no telemetry code: run it with
//   node --import @presize/auto-instrumentation/register server.mjs --cache presized-5000
// and the OpenTelemetry SDK, configured from OTEL_* variables, reports every map growth.
//
// Options (each also read from the environment):
//   --cache <kind>   DEVICE_LOGS_CACHE   native | presized-5000 | planned | sharded (default native)
//   --port <n>       PORT                port to listen on; 0 lets the OS pick (default 8080)
//   --host <addr>    HOST                address to bind (default 127.0.0.1)
//   --fleet <n>      DEVICE_LOGS_FLEET   devices that exist, for the capacity planner (default 120000)
//   --shards <n>     DEVICE_LOGS_SHARDS  shards of the sharded cache, a power of two (default 16)
// Once listening it prints one JSON line {"listening": url, "cache": kind} on stdout.
// It installs no signal handlers: SIGTERM and SIGINT end it, after the register entry's flush.
import { parseArgs } from 'node:util';
import { createDeviceLogsServer } from './app.mjs';
import { CACHE_KINDS, DEFAULT_PLAN, DEFAULT_SHARDS, createCache } from './caches.mjs';
import { createProcessStats } from './process-stats.mjs';

function fail(message) {
  console.error(`device-logs: ${message}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      cache: { type: 'string', default: process.env.DEVICE_LOGS_CACHE ?? 'native' },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
      fleet: { type: 'string', default: process.env.DEVICE_LOGS_FLEET ?? String(DEFAULT_PLAN.keyPopulation) },
      shards: { type: 'string', default: process.env.DEVICE_LOGS_SHARDS ?? String(DEFAULT_SHARDS) },
    },
  }));
} catch (error) {
  fail(error.message);
}
if (!CACHE_KINDS.includes(values.cache)) {
  fail(`--cache must be one of ${CACHE_KINDS.join(', ')}, got ${JSON.stringify(values.cache)}`);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  fail(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port)}`);
}

function positiveInteger(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    fail(`--${name} must be a whole number above 0, got ${JSON.stringify(text)}`);
  return value;
}

let cache;
try {
  cache = createCache(values.cache, {
    plan: { keyPopulation: positiveInteger('fleet', values.fleet) },
    shards: positiveInteger('shards', values.shards),
  });
} catch (error) {
  fail(error.message);
}
const processStats = createProcessStats();
const server = createDeviceLogsServer({ cache, processStats });
server.on('error', (error) => fail(`cannot listen on ${values.host}:${port}: ${error.message}`));
server.listen(port, values.host, () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ listening: `http://${values.host}:${address.port}`, cache: cache.kind, description: cache.describe() })}\n`,
  );
});
