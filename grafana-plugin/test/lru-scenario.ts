/**
 * The lru-caches of the scenario's device-logs service, over the same hour and steps, as
 * OpenMetrics families to append to the scenario's: `device-names`, full at 2,000 entries, evicts
 * about three times its contents every 5 minutes; `tenants` holds a few hundred and evicts nothing.
 */
import { SERVICE, STEP_SECONDS, SAMPLES } from './demo-scenario';

export const LRU_CACHES = ['device-names', 'tenants'] as const;

interface Profile {
  name: (typeof LRU_CACHES)[number];
  entries: number;
  max: number;
  evictionsPerSecond: number;
  getsPerSecond: number;
  missShare: number;
}

const PROFILES: readonly Profile[] = [
  { name: 'device-names', entries: 2_000, max: 2_000, evictionsPerSecond: 20, getsPerSecond: 100, missShare: 0.3 },
  { name: 'tenants', entries: 120, max: 500, evictionsPerSecond: 0, getsPerSecond: 50, missShare: 0.02 },
];

/** OpenMetrics families (without `# EOF`) of the caches, the last sample at `endSeconds`. */
export function lruFamilies(endSeconds: number): string {
  const start = endSeconds - (SAMPLES - 1) * STEP_SECONDS;
  const families = new Map<string, { type: string; samples: string[] }>();
  const add = (
    family: string,
    type: string,
    sample: string,
    labels: Record<string, string>,
    value: (elapsed: number) => number
  ) => {
    const entry = families.get(family) ?? { type, samples: [] };
    const rendered = Object.entries(labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    for (let i = 0; i < SAMPLES; i++) {
      entry.samples.push(`${sample}{${rendered}} ${value(i * STEP_SECONDS)} ${start + i * STEP_SECONDS}`);
    }
    families.set(family, entry);
  };
  for (const p of PROFILES) {
    const labels = { job: SERVICE, instance: 'device-logs-0:9464', presize_lru_name: p.name };
    add('presize_lru_entries', 'gauge', 'presize_lru_entries', labels, () => p.entries);
    add('presize_lru_max', 'gauge', 'presize_lru_max', labels, () => p.max);
    add('presize_lru_evictions', 'counter', 'presize_lru_evictions_total', labels, (s) => p.evictionsPerSecond * s);
    for (const [result, share] of [
      ['hit', 1 - p.missShare],
      ['miss', p.missShare],
    ] as const) {
      add(
        'presize_lru_operations',
        'counter',
        'presize_lru_operations_total',
        { ...labels, presize_lru_operation: 'get', presize_lru_result: result },
        (s) => Math.round(p.getsPerSecond * share * s)
      );
    }
  }
  return (
    [...families].map(([family, { type, samples }]) => [`# TYPE ${family} ${type}`, ...samples].join('\n')).join('\n') +
    '\n'
  );
}
