// The Prometheus names that rules, dashboards and the datasource query (@presize/definitions) are
// the names the telemetry contract documents and the instrumentation's semconv produces: a renamed
// instrument or attribute fails here before it silently empties a dashboard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as definitions from '../definitions/src/index.js';
import * as semconv from '../instrumentation/src/semconv.js';
import { documentedNames } from './support/documented-names.js';
import { ROOT } from './support/service-process.js';

const documented = documentedNames(readFileSync(join(ROOT, 'instrumentation/docs/telemetry.md'), 'utf8'));
const exporterNames = new Set(documented.map((row) => row.prometheusExporter));
const promNames = (prefix: string): [string, string][] =>
  Object.entries(definitions as Record<string, unknown>).flatMap(([constant, value]) =>
    constant.startsWith(prefix) && typeof value === 'string' ? [[constant, value] as [string, string]] : [],
  );
const promMapNames = promNames('PROM_MAP_');
const promLruNames = promNames('PROM_LRU_');
const semconvInstruments = (prefix: string) =>
  Object.entries(semconv)
    .filter(([constant]) => constant.startsWith(prefix))
    .map(([, name]) => String(name).replaceAll('.', '_'));

describe('the telemetry contract, from semconv to the queries', () => {
  it('documents every map and lru-cache metric the definitions query, under its Prometheus exporter name', () => {
    expect(promMapNames.length).toBeGreaterThanOrEqual(13);
    expect(promLruNames.length).toBeGreaterThanOrEqual(6);
    for (const [constant, name] of [...promMapNames, ...promLruNames]) {
      const scraped = [name, `${name}_bucket`];
      expect({ constant, documented: scraped.some((n) => exporterNames.has(n)) }).toEqual({
        constant,
        documented: true,
      });
    }
  });

  it.each([
    ['map', promMapNames, 'METRIC_MAP_'],
    ['lru-cache', promLruNames, 'METRIC_LRU_'],
  ] as const)(
    'derives every %s metric the definitions query from a semconv instrument name',
    (_kind, names, prefix) => {
      const instruments = semconvInstruments(prefix);
      for (const [constant, name] of names) {
        const instrument = name.replace(/_total$/, '');
        expect({ constant, fromSemconv: instruments.includes(instrument) }).toEqual({ constant, fromSemconv: true });
      }
    },
  );

  it('names the map labels after the semconv attributes', () => {
    expect(definitions.LABEL_MAP_NAME).toBe(semconv.ATTR_MAP_NAME.replaceAll('.', '_'));
    expect(definitions.LABEL_GROWTH_KIND).toBe(semconv.ATTR_GROWTH_KIND.replaceAll('.', '_'));
    expect(definitions.LABEL_GROWTH_TRIGGER).toBe(semconv.ATTR_GROWTH_TRIGGER.replaceAll('.', '_'));
  });

  it('names the lru-cache labels after the semconv attributes', () => {
    expect(definitions.LABEL_LRU_NAME).toBe(semconv.ATTR_LRU_NAME.replaceAll('.', '_'));
    expect(definitions.LABEL_LRU_OPERATION).toBe(semconv.ATTR_LRU_OPERATION.replaceAll('.', '_'));
    expect(definitions.LABEL_LRU_RESULT).toBe(semconv.ATTR_LRU_RESULT.replaceAll('.', '_'));
  });
});
