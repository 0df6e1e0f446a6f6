import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GPU_RISK_FACTORS } from '../../definitions/src/index.js';

// Presize's counters file for dcgm-exporter, against dcgm-exporter's own default counters
// (a copy beside the repository, see ../shared/fixtures/gpu/PROVENANCE.md).
const ROOT = resolve(__dirname, '../..');
const DEFAULTS = resolve(ROOT, '../shared/fixtures/gpu/dcgm-exporter-upstream/default-counters.csv');
const OURS = join(ROOT, 'provisioning/dcgm-exporter/presize-counters.csv');

/** The fields a counters file enables, as dcgm-exporter reads it: `#` lines are comments, three fields a line. */
function counters(path: string): Map<string, { type: string; help: string }> {
  const fields = new Map<string, { type: string; help: string }>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const parts = line.split(',').map((p) => p.trim());
    if (parts.length !== 3) throw new Error(`${path}: "${line}" is not "field, type, help"`);
    fields.set(parts[0]!, { type: parts[1]!, help: parts[2]! });
  }
  return fields;
}

/** Every dcgm-exporter field a generated rule or dashboard reads. */
function fieldsRead(): Set<string> {
  const texts = [
    ...readdirSync(join(ROOT, 'provisioning/prometheus/rules')).map((f) => join(ROOT, 'provisioning/prometheus/rules', f)),
    ...readdirSync(join(ROOT, 'dashboards')).map((f) => join(ROOT, 'dashboards', f)),
  ].map((path) => readFileSync(path, 'utf8'));
  return new Set(texts.flatMap((text) => [...text.matchAll(/\bDCGM_FI_[A-Z0-9_]+/g)].map((m) => m[0])));
}

describe('provisioning/dcgm-exporter/presize-counters.csv', () => {
  if (!existsSync(DEFAULTS)) throw new Error(`dcgm-exporter's default counters not found at ${DEFAULTS}`);
  const ours = counters(OURS);
  const defaults = counters(DEFAULTS);

  it("is in dcgm-exporter's format, with the metric types of its default counters", () => {
    for (const [field, { type, help }] of ours) {
      expect({ field, type }).toEqual({ field, type: expect.stringMatching(/^(gauge|counter)$/) });
      expect(help.length).toBeGreaterThan(0);
      if (defaults.has(field)) expect({ field, type }).toEqual({ field, type: defaults.get(field)!.type });
    }
  });

  it('enables every field the rules and dashboards read (the clock event field under its current name)', () => {
    const read = fieldsRead();
    expect(read.size).toBeGreaterThan(5);
    const older = 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS';
    expect([...read].filter((f) => f !== older && !ours.has(f))).toEqual([]);
  });

  it('adds exactly the fields risk factors need that the default counters lack', () => {
    const added = [...ours.keys()].filter((f) => !defaults.has(f));
    const required = GPU_RISK_FACTORS.flatMap((f) => (f.requiredFields ? [f.requiredFields[0]!] : []));
    expect(added).toEqual(required);
    expect(added).toEqual(['DCGM_FI_DEV_CLOCKS_EVENT_REASONS']);
    // And those factors say so: every field they require is absent from the defaults.
    for (const factor of GPU_RISK_FACTORS) for (const field of factor.requiredFields ?? []) expect(defaults.has(field)).toBe(false);
  });
});
