// The incident's workload, which several benches replay: 120,000 devices each keep their last 10
// log lines in a map that was sized for 5,000.
import { quick } from './lib.mjs';

export const INCIDENT = {
  devices: quick() ? 12_000 : 120_000,
  keptLines: 10,
  hint: 5_000,
};

/** `count` distinct log lines, shaped like the device events the incident's service kept. */
export const logLines = (count) =>
  Array.from({ length: count }, (_, i) => `level=info device-event seq=${i} status=ok`);
