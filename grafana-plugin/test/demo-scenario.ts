/**
 * An hour of the incident scenario as OpenMetrics with timestamps, for `promtool tsdb
 * create-blocks-from openmetrics`: the device-logs service's `devices` map made with hint 5,000
 * meets 120,000 devices and doubles its way from B 10 to B 15, its `sessions` map was sized right,
 * and two GPUs (labels from a real dcgm-exporter capture) run inside and far below the 55–75 % band.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { bucketsForHint } from '@presize/map/planner';

export const SERVICE = 'device-logs';
export const STEP_SECONDS = 15;
export const SAMPLES = 241;
const FIXTURE = join(
  __dirname,
  '../../../shared/fixtures/gpu/dcgm-scrapes/nvidia-aicr__h100-80gb-hbm3__8gpu__k8s-labels__sampled.prom'
);

type Labels = Record<string, string>;

const render = (labels: Labels) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',')}}`;

class Families {
  private readonly lines = new Map<string, { type: string; samples: string[] }>();
  add(family: string, type: string, name: string, labels: Labels, value: number, t: number) {
    const entry = this.lines.get(family) ?? { type, samples: [] };
    entry.samples.push(`${name}${render(labels)} ${value} ${t}`);
    this.lines.set(family, entry);
  }
  text(): string {
    const out: string[] = [];
    for (const [family, { type, samples }] of this.lines) out.push(`# TYPE ${family} ${type}`, ...samples);
    return `${out.join('\n')}\n# EOF\n`;
  }
}

/** Labels of the first GPUs in a real dcgm-exporter scrape. */
export function capturedGpuLabels(count: number): Labels[] {
  const lines = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('DCGM_FI_DEV_GPU_UTIL{'));
  return lines.slice(0, count).map((line) => {
    const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
    return Object.fromEntries([...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
  });
}

export interface Scenario {
  openMetrics: string;
  /** Unix seconds of the last sample. */
  end: number;
  gpus: Labels[];
  devicesDoublings: number;
}

export function demoScenario(endSeconds: number): Scenario {
  const out = new Families();
  const start = endSeconds - (SAMPLES - 1) * STEP_SECONDS;
  const instance = { job: SERVICE, instance: 'device-logs-0:9464' };
  const maps = [
    { name: 'devices', hint: 5_000, entries: (i: number) => Math.round(1_000 + (119_000 * i) / (SAMPLES - 1)) },
    { name: 'sessions', hint: 150_000, entries: () => 90_000 },
  ];
  let devicesDoublings = 0;
  for (const map of maps) {
    const labels = { ...instance, presize_map_name: map.name };
    let B = bucketsForHint(map.hint).B;
    let doublings = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const t = start + i * STEP_SECONDS;
      const entries = map.entries(i);
      const needed = Math.max(B, bucketsForHint(entries).B);
      const grew = needed > B;
      doublings += needed - B;
      B = needed;
      out.add('presize_map_entries', 'gauge', 'presize_map_entries', labels, entries, t);
      out.add('presize_map_hint', 'gauge', 'presize_map_hint', labels, map.hint, t);
      out.add('presize_map_buckets', 'gauge', 'presize_map_buckets', labels, 2 ** B, t);
      out.add('presize_map_load_factor', 'gauge', 'presize_map_load_factor', labels, entries / 2 ** B, t);
      out.add('presize_map_next_growth_at', 'gauge', 'presize_map_next_growth_at', labels, 13 * 2 ** (B - 1), t);
      out.add('presize_map_growing', 'gauge', 'presize_map_growing', labels, grew ? 1 : 0, t);
      out.add(
        'presize_map_growths',
        'counter',
        'presize_map_growths_total',
        {
          ...labels,
          presize_map_growth_kind: 'double',
          presize_map_growth_trigger: 'load_factor',
        },
        doublings,
        t
      );
      // Writes that paid evacuation work: 100 per step, 2 of them over 1 ms.
      const writes = 100 * (i + 1);
      const stall = (le: string, v: number) =>
        out.add(
          'presize_map_evacuation_stall',
          'histogram',
          'presize_map_evacuation_stall_bucket',
          { ...labels, le },
          v,
          t
        );
      stall('0.001', 98 * (i + 1));
      stall('0.01', writes);
      stall('+Inf', writes);
      out.add(
        'presize_map_evacuation_stall',
        'histogram',
        'presize_map_evacuation_stall_sum',
        labels,
        0.0004 * writes,
        t
      );
      out.add('presize_map_evacuation_stall', 'histogram', 'presize_map_evacuation_stall_count', labels, writes, t);
    }
    if (map.name === 'devices') devicesDoublings = doublings;
  }

  const exporter = { job: 'dcgm-exporter', instance: 'gpu-node-1:9400' };
  const gpus = capturedGpuLabels(2).map((labels) => ({ ...labels, ...exporter }));
  const profile = [
    { util: 65, used: 30_000, free: 51_000 },
    { util: 20, used: 80_000, free: 1_000 },
  ];
  for (let i = 0; i < SAMPLES; i++) {
    const t = start + i * STEP_SECONDS;
    gpus.forEach((labels, g) => {
      const p = profile[g]!;
      out.add('DCGM_FI_DEV_GPU_UTIL', 'gauge', 'DCGM_FI_DEV_GPU_UTIL', labels, p.util + (i % 3), t);
      out.add('DCGM_FI_DEV_FB_USED', 'gauge', 'DCGM_FI_DEV_FB_USED', labels, p.used, t);
      out.add('DCGM_FI_DEV_FB_FREE', 'gauge', 'DCGM_FI_DEV_FB_FREE', labels, p.free, t);
    });
    out.add('up', 'gauge', 'up', exporter, 1, t);
  }
  return { openMetrics: out.text(), end: endSeconds, gpus, devicesDoublings };
}
