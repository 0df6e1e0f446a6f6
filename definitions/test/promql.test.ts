import fc from 'fast-check';
import {
  by,
  duration,
  escapeLabelValue,
  escapeRegex,
  filterSelector,
  matcher,
  num,
  quoteString,
  selector,
} from '../src/index.js';

describe('PromQL building blocks', () => {
  it('escapes label values so none can end the string', () => {
    expect(selector('m', [['job', '=', 'a"} or vector(1) #\\']])).toBe('m{job="a\\"} or vector(1) #\\\\"}');
    expect(escapeLabelValue('line\nbreak')).toBe('line\\nbreak');
    expect(selector('m')).toBe('m');
  });

  it('writes numbers that parse back to the same double, -0 included', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (v) => Object.is(Number(num(v)), v) || (Object.is(v, -0) && num(v) === '-0'),
      ),
    );
    expect(() => num(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => num(Number.NaN)).toThrow('PromQL literal must be finite');
  });
});

describe('PromQL from label values a user or a dashboard variable supplies', () => {
  it('keeps a hostile value inside its string literal', () => {
    const hostile = 'a"} or vector(1) or up{x="';
    const text = filterSelector('presize_map_entries', [{ label: 'job', values: [hostile] }]);
    expect(text).toBe('presize_map_entries{job="a\\"} or vector(1) or up{x=\\""}');
    // Unescaping the literal gives back exactly the value.
    expect(JSON.parse(text.slice('presize_map_entries{job='.length, -1))).toBe(hostile);
  });

  it('escapes backslashes before quotes, newlines and carriage returns', () => {
    expect(quoteString('C:\\dir\n"x"\r')).toBe('"C:\\\\dir\\n\\"x\\"\\r"');
  });

  it('matches several values with an escaped alternation', () => {
    expect(matcher({ label: 'presize_map_name', values: ['devices.by-id', 'a|b', 'devices.by-id'] })).toBe(
      'presize_map_name=~"devices\\\\.by-id|a\\\\|b"',
    );
  });

  it('matches a pattern as a regex of its own, beside exact values', () => {
    expect(matcher({ label: 'job', values: [], pattern: 'dev-.*' })).toBe('job=~"(?:dev-.*)"');
    expect(matcher({ label: 'job', values: ['a.b'], pattern: 'x|y' })).toBe('job=~"a\\\\.b|(?:x|y)"');
    // A pattern cannot leave its string either.
    expect(matcher({ label: 'job', values: [], pattern: '"} or vector(1)' })).toBe('job=~"(?:\\"} or vector(1))"');
  });

  it('regex-escapes every RE2 metacharacter so that the value matches only itself', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        const re = new RegExp(`^(?:${escapeRegex(value)})$`, 'u');
        return re.test(value) && !re.test(`${value}x`);
      }),
    );
  });

  it('leaves out filters that allow any value', () => {
    expect(filterSelector('up', [{ label: 'job', values: [] }])).toBe('up');
  });

  it('rejects label and metric names that are not Prometheus names', () => {
    expect(() => filterSelector('up', [{ label: 'job"} or up{a', values: ['x'] }])).toThrow(
      /not a Prometheus label name/,
    );
    expect(() => selector('up or vector(1)')).toThrow(/not a Prometheus metric name/);
    expect(() => by(['a b'])).toThrow(/not a Prometheus label name/);
  });

  it('writes ranges in whole seconds and refuses empty ones', () => {
    expect(duration(299.6)).toBe('300s');
    expect(duration(0.2)).toBe('1s');
    expect(() => duration(0)).toThrow(/positive number of seconds/);
  });
});
