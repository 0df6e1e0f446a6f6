// The Prometheus names that rules, dashboards and the datasource query (@presize/definitions) are
// the names the telemetry contract documents and the instrumentation's semconv produces: a renamed
// instrument or attribute fails here before it silently empties a dashboard.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as definitions from '../definitions/src/index.js';
import * as semconv from '../instrumentation/src/semconv.js';
import { documentedNames, ROOT } from './register-support.js';

const documented = documentedNames(readFileSync(join(ROOT, 'instrumentation/docs/telemetry.md'), 'utf8'));
const exporterNames = new Set(documented.map((row) => row.prometheusExporter));
const promMapNames: [string, string][] = Object.entries(definitions as Record<string, unknown>).flatMap(
  ([constant, value]) => (constant.startsWith('PROM_MAP_') && typeof value === 'string' ? [[constant, value] as [string, string]] : []),
);

describe('the telemetry contract, from semconv to the queries', () => {
  it('documents every map metric the definitions query, under its Prometheus exporter name', () => {
    expect(promMapNames.length).toBeGreaterThanOrEqual(13);
    for (const [constant, name] of promMapNames) {
      const scraped = [name, `${name}_bucket`];
      expect({ constant, documented: scraped.some((n) => exporterNames.has(n)) }).toEqual({ constant, documented: true });
    }
  });

  it('derives every map metric the definitions query from a semconv instrument name', () => {
    const instruments = Object.entries(semconv)
      .filter(([constant]) => constant.startsWith('METRIC_MAP_'))
      .map(([, name]) => String(name).replaceAll('.', '_'));
    for (const [constant, name] of promMapNames) {
      const instrument = name.replace(/_total$/, '');
      expect({ constant, fromSemconv: instruments.includes(instrument) }).toEqual({ constant, fromSemconv: true });
    }
  });

  it('names the map labels after the semconv attributes', () => {
    expect(definitions.LABEL_MAP_NAME).toBe(semconv.ATTR_MAP_NAME.replaceAll('.', '_'));
    expect(definitions.LABEL_GROWTH_KIND).toBe(semconv.ATTR_GROWTH_KIND.replaceAll('.', '_'));
    expect(definitions.LABEL_GROWTH_TRIGGER).toBe(semconv.ATTR_GROWTH_TRIGGER.replaceAll('.', '_'));
  });
});
