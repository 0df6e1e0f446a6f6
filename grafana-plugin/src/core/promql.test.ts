import { escapeRegex, matcher, quoteString, selector } from './promql';

describe('PromQL from label values', () => {
  it('keeps a hostile value inside its string literal', () => {
    const hostile = 'a"} or vector(1) or up{x="';
    const text = selector('presize_map_entries', [{ label: 'job', values: [hostile] }]);
    expect(text).toBe('presize_map_entries{job="a\\"} or vector(1) or up{x=\\""}');
    // Unescaping the literal gives back exactly the value.
    const literal = text.slice('presize_map_entries{job='.length, -1);
    expect(JSON.parse(literal)).toBe(hostile);
  });

  it('escapes backslashes before quotes, and newlines', () => {
    expect(quoteString('C:\\dir\n"x"')).toBe('"C:\\\\dir\\n\\"x\\""');
  });

  it('matches several values with an escaped alternation', () => {
    expect(matcher({ label: 'presize_map_name', values: ['devices.by-id', 'a|b', 'devices.by-id'] })).toBe(
      'presize_map_name=~"devices\\\\.by-id|a\\\\|b"'
    );
  });

  it('regex-escapes every RE2 metacharacter so that the value matches only itself', () => {
    const value = 'x.*+?()[]{}|^$\\y';
    const re = new RegExp(`^(?:${escapeRegex(value)})$`);
    expect(re.test(value)).toBe(true);
    expect(re.test('xAAy')).toBe(false);
  });

  it('leaves out filters without values', () => {
    expect(selector('up', [{ label: 'job', values: [] }])).toBe('up');
  });

  it('rejects label and metric names that are not Prometheus names', () => {
    expect(() => selector('up', [{ label: 'job"} or up{a', values: ['x'] }])).toThrow(/not a Prometheus label name/);
    expect(() => selector('up or vector(1)')).toThrow(/not a Prometheus metric name/);
  });
});
