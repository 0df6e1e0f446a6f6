import { filterSelector } from '@presize/definitions';
import fc from 'fast-check';

import { labelFilter } from '../core/scope';
import { customVariable, dashboardVariables, variable } from '../test-support';
import { MAX_EXPANDED_VALUES, selectionOf, selectionText, singleVariable } from './interpolate';

const selector = (selection: ReturnType<typeof selectionOf>) =>
  filterSelector('presize_map_entries', [labelFilter('job', selection)]);

describe('filters with variables, interpolated by the Scenes library Grafana 12 dashboards run on', () => {
  it('reads a single value, several values and a value inside text', async () => {
    const vars = await dashboardVariables([
      variable('one', 'device-logs'),
      variable('many', ['a', 'b"c']),
      variable('env', 'prod'),
    ]);
    expect(selectionOf('$one', {}, vars)).toEqual({ values: ['device-logs'] });
    expect(selectionOf('${many}', {}, vars)).toEqual({ values: ['a', 'b"c'] });
    expect(selector(selectionOf('$many', {}, vars))).toBe('presize_map_entries{job=~"a|b\\"c"}');
    expect(selectionOf('svc-$env', {}, vars)).toEqual({ values: ['svc-prod'] });
    expect(selectionOf('$many-$env', {}, vars)).toEqual({ values: ['a-prod', 'b"c-prod'] });
    // An explicit format would keep Grafana from handing over the values one by one: it is ignored.
    expect(selectionOf('${many:csv}', {}, vars)).toEqual({ values: ['a', 'b"c'] });
    expect(selectionOf('[[one]]', {}, vars)).toEqual({ values: ['device-logs'] });
  });

  it('reads All with the custom all value .* as no filter, and another custom all value as a pattern', async () => {
    const vars = await dashboardVariables([
      customVariable('service', ['device-logs', 'checkout'], '$__all', '.*'),
      customVariable('team', ['a', 'b'], '$__all', 'team-.+'),
    ]);
    expect(vars.replace('$service')).toBe('.*');
    expect(selectionOf('$service', {}, vars)).toEqual({ values: [] });
    expect(selector(selectionOf('$service', {}, vars))).toBe('presize_map_entries');
    expect(selectionOf('$team', {}, vars)).toEqual({ values: [], pattern: 'team-.+' });
    expect(selector(selectionOf('$team', {}, vars))).toBe('presize_map_entries{job=~"(?:team-.+)"}');
  });

  it('reads All without a custom all value as every option', async () => {
    const vars = await dashboardVariables([customVariable('service', ['device-logs', 'checkout.v2'], '$__all')]);
    expect(selectionOf('$service', {}, vars)).toEqual({ values: ['device-logs', 'checkout.v2'] });
    expect(selector(selectionOf('$service', {}, vars))).toBe('presize_map_entries{job=~"device-logs|checkout\\\\.v2"}');
  });

  it('reads $__all, handed over by older dashboards, as no filter', async () => {
    const vars = await dashboardVariables([variable('legacy', '$__all'), variable('listed', ['a', '$__all'])]);
    expect(selectionOf('$legacy', {}, vars)).toEqual({ values: [] });
    expect(selectionOf('$listed', {}, vars)).toEqual({ values: [] });
  });

  it('reads regex-typed values (=~) as patterns, beside exact ones', async () => {
    const vars = await dashboardVariables([variable('mixed', ['=~dev-.*', 'prod']), variable('rx', '=~a|b')]);
    expect(selectionOf('$mixed', {}, vars)).toEqual({ values: ['prod'], pattern: 'dev-.*' });
    expect(selector(selectionOf('$mixed', {}, vars))).toBe('presize_map_entries{job=~"prod|(?:dev-.*)"}');
    expect(selectionOf('=~x.+', {}, vars)).toEqual({ values: [], pattern: 'x.+' });
    expect(selectionOf('$rx', {}, vars)).toEqual({ values: [], pattern: 'a|b' });
  });

  it('takes scoped values (a repeated panel) before the dashboard value', async () => {
    const vars = await dashboardVariables([variable('one', 'device-logs')]);
    expect(selectionOf('$one', { one: { text: 'checkout', value: 'checkout' } }, vars)).toEqual({
      values: ['checkout'],
    });
  });

  it('leaves an unknown variable as the literal text and an empty field as no filter', async () => {
    const vars = await dashboardVariables([]);
    expect(selectionOf('$missing', {}, vars)).toEqual({ values: ['$missing'] });
    expect(selectionOf('  ', {}, vars)).toEqual({ values: [] });
    expect(selectionOf(undefined, {}, vars)).toEqual({ values: [] });
  });

  it('refuses text whose variables expand past the bound instead of sending it', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const vars = await dashboardVariables([variable('a', many), variable('b', many)]);
    expect(() => selectionOf('$a-$b', {}, vars)).toThrow(new RegExp(`more than ${MAX_EXPANDED_VALUES} values`));
  });

  it('keeps any value, hostile ones included, as exactly that value through interpolation and back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(
          fc.string({ minLength: 1 }).filter((v) => !v.startsWith('=~') && v !== '$__all'),
          { minLength: 1, maxLength: 4 }
        ),
        async (values) => {
          const vars = await dashboardVariables([variable('v', values.length === 1 ? values[0]! : values)]);
          const selection = selectionOf('$v', {}, vars);
          expect(selection).toEqual({ values: [...new Set(values)] });
          // interpolateVariablesInQueries writes it back as text the query reads as the same filter.
          const text = selectionText(selection);
          const again = selectionOf(text, {}, await dashboardVariables([]));
          const matches = (s: typeof selection, v: string) =>
            s.values.includes(v) || (s.pattern !== undefined && new RegExp(`^(?:${s.pattern})$`, 'su').test(v));
          for (const v of values) {
            expect(matches(again, v)).toBe(true);
          }
          expect(matches(again, `${values[0]}\u0000x`)).toBe(false);
        }
      ),
      { numRuns: 40 }
    );
  }, 60_000);

  it('tells a lone variable reference from text that merely contains one', () => {
    for (const text of ['$service', '${service}', '${service:regex}', '[[service]]', ' $x ']) {
      expect(singleVariable(text)).toBeDefined();
    }
    for (const text of ['svc-$x', '$x$y', 'device-log', '']) {
      expect(singleVariable(text)).toBeUndefined();
    }
  });
});
