import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDcgmExposition } from '../src/dcgm-exposition-reader.js';
import {
  boundedGpuLabels,
  boundedLabelValue,
  MAX_GPU_LABELS,
  MAX_LABEL_NAME_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
} from '../src/label-limits.js';
import { FileSource } from '../src/sources/file-source.js';
import { fixture, SCRAPES } from './fixtures.js';
import { harness } from './otel-harness.js';

/*
 * The 8x H100 scrape with Kubernetes labels, as dcgm-exporter writes it when it also copies the
 * pod's own labels onto each series (`--kubernetes-enable-pod-labels`): 24 app and chart labels
 * more on the GPU that runs a pod, 35 in all, past Mimir's 30 once `__name__`, `job` and
 * `instance` are counted. Everything else is the capture as it was.
 */
const POD_LABELS = Array.from(
  { length: 24 },
  (_, i) => `label_app_kubernetes_io_part_${String(i).padStart(2, '0')}="vllm-${i}"`,
).join(',');

function withPodLabels(): string {
  return fixture(SCRAPES.h100x8)
    .split('\n')
    .map((line) => (line.includes('pod="vllm-agg-0') ? line.replace('pod_uid=""', `pod_uid="",${POD_LABELS}`) : line))
    .join('\n');
}

/** Labels of each sample line of a Prometheus text exposition, by line. */
function labelCounts(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(
      (line) =>
        [...line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')).matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g)].length,
    );
}

describe('GPU series within the stores label limits', () => {
  it('leaves the real capture with Kubernetes labels as it is', () => {
    const sample = readDcgmExposition(fixture(SCRAPES.h100x8));
    const pod = sample.series.find((series) => series.labels['pod'] !== undefined)!;
    expect(Object.keys(pod.labels)).toHaveLength(11);
    expect(pod.labels).toMatchObject({
      gpu: '0',
      namespace: 'dynamo-workload',
      pod: 'vllm-agg-0-vllmdecodeworker-s65j5',
      container: 'main',
    });
  });

  it('cuts a GPU that brought its pod labels to 27, keeping what identifies and places it, the same way on every series', () => {
    const sample = readDcgmExposition(withPodLabels());
    const podSeries = sample.series.filter((series) => series.labels['pod'] !== undefined);
    expect(podSeries).toHaveLength(4);
    for (const series of sample.series) expect(Object.keys(series.labels).length).toBeLessThanOrEqual(MAX_GPU_LABELS);
    for (const series of podSeries) {
      expect(Object.keys(series.labels)).toHaveLength(MAX_GPU_LABELS);
      expect(series.labels).toMatchObject({
        gpu: '0',
        UUID: 'GPU-c4529c8d-69c4-b61d-e0bc-7b2460096005',
        Hostname: 'gpu-node-1',
        modelName: 'NVIDIA H100 80GB HBM3',
        namespace: 'dynamo-workload',
        pod: 'vllm-agg-0-vllmdecodeworker-s65j5',
        container: 'main',
      });
      expect(Object.keys(series.labels).sort()).toEqual(Object.keys(podSeries[0]!.labels).sort());
    }
  });

  it('exports at most 27 labels a series, so with __name__, job and instance none passes 30', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-gpu-label-limits-'));
    const capture = join(dir, 'pod-labels.prom');
    writeFileSync(capture, withPodLabels());
    const run = harness({ source: new FileSource(capture), naming: 'dcgm' });
    try {
      expect((await run.gpu.scrape()).ok).toBe(true);
      const text = await run.prometheusText();
      const counts = labelCounts(
        text
          .split('\n')
          .filter((line) => line.startsWith('DCGM_FI_'))
          .join('\n'),
      );
      expect(counts.length).toBeGreaterThan(0);
      expect(Math.max(...counts)).toBe(MAX_GPU_LABELS);
      expect(MAX_GPU_LABELS + 3).toBe(30);
    } finally {
      await run.shutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts a long value with a fingerprint of the whole, so that two values that start alike stay two series', () => {
    const shared = 'x'.repeat(400);
    const a = boundedLabelValue(`${shared}a`);
    const b = boundedLabelValue(`${shared}b`);
    expect(a).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(a).not.toBe(b);
    expect(a.startsWith('x'.repeat(MAX_LABEL_VALUE_LENGTH - 9))).toBe(true);
    expect(a).toMatch(/~[0-9a-f]{8}$/);
    expect(boundedLabelValue('short')).toBe('short');
    // Never half a surrogate pair at the cut.
    const emoji = boundedLabelValue(`${'y'.repeat(MAX_LABEL_VALUE_LENGTH - 10)}${'😀'.repeat(200)}`);
    expect(emoji).toBe(`${'y'.repeat(MAX_LABEL_VALUE_LENGTH - 10)}~${emoji.slice(-8)}`);
  });

  it('keeps any label set within the limits, identity labels first, and returns a set within them unchanged', () => {
    const name = fc.oneof(
      fc.constantFrom('gpu', 'UUID', 'Hostname', 'pod', 'namespace', 'container'),
      fc.string({ minLength: 1, maxLength: 140 }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, fc.string({ maxLength: 600 }), { maxKeys: 60 }), (labels) => {
        const bounded = boundedGpuLabels(labels);
        const names = Object.keys(bounded);
        expect(names.length).toBeLessThanOrEqual(MAX_GPU_LABELS);
        for (const kept of names) {
          expect(kept.length).toBeLessThanOrEqual(MAX_LABEL_NAME_LENGTH);
          expect(bounded[kept]!.length).toBeLessThanOrEqual(MAX_LABEL_VALUE_LENGTH);
          if (labels[kept]!.length <= MAX_LABEL_VALUE_LENGTH) expect(bounded[kept]).toBe(labels[kept]);
        }
        for (const identity of ['gpu', 'UUID', 'Hostname', 'pod', 'namespace', 'container']) {
          if (identity in labels) expect(names).toContain(identity);
        }
        expect(boundedGpuLabels(bounded)).toBe(bounded);
        const within =
          Object.keys(labels).length <= MAX_GPU_LABELS &&
          Object.entries(labels).every(
            ([k, v]) => k.length <= MAX_LABEL_NAME_LENGTH && v.length <= MAX_LABEL_VALUE_LENGTH,
          );
        if (within) expect(bounded).toBe(labels);
      }),
      { numRuns: 300 },
    );
  });
});
