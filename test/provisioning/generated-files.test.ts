import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateAll } from '../../definitions/generate/all.js';

const ROOT = resolve(__dirname, '../..');
/** Directories that hold nothing but generated files. */
const GENERATED_DIRS = [
  'provisioning/prometheus/rules',
  'provisioning/prometheus/tests',
  'provisioning/alerting',
  'provisioning/grafana/datasources',
  'provisioning/grafana/dashboards',
  'provisioning/runbooks',
  'provisioning/dcgm-exporter',
  'dashboards',
];

describe('generated files', () => {
  const files = generateAll(ROOT);

  it('are up to date: run `npm run generate` after changing definitions/', () => {
    const stale = files.filter((f) => {
      const path = join(ROOT, f.path);
      return !existsSync(path) || readFileSync(path, 'utf8') !== f.content;
    });
    expect(stale.map((f) => f.path)).toEqual([]);
  });

  it('leave nothing behind in the generated directories', () => {
    const expected = new Set(files.map((f) => f.path));
    const extra = GENERATED_DIRS.flatMap((dir) =>
      readdirSync(join(ROOT, dir)).map((name) => `${dir}/${name}`).filter((p) => !expected.has(p)),
    );
    expect(extra).toEqual([]);
  });
});
