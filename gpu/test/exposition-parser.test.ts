import { parseExposition } from '../src/exposition-parser.js';

describe('parseExposition: the Prometheus text format, strictly', () => {
  it('reads names, labels, values, timestamps, HELP and TYPE', () => {
    const exposition = parseExposition(
      [
        '# HELP up_total Whether it is up.\\nSecond line with a \\\\ backslash',
        '# TYPE up_total counter',
        '# a plain comment',
        '',
        'up_total{job="a",instance="b:9"} 1 1700000000000',
        'plain 2.5e3',
        '  spaced{a="1"}   -Inf',
        'nan_value NaN',
        'trailing_comma{a="x",} +Inf',
        'no_space{a="1"}3',
        'windows_line{a="1"} 4\r',
      ].join('\n'),
    );
    expect(exposition.malformed).toEqual([]);
    expect(exposition.types.get('up_total')).toBe('counter');
    expect(exposition.help.get('up_total')).toBe('Whether it is up.\nSecond line with a \\ backslash');
    const values = exposition.samples.map((sample) => [
      sample.name,
      { ...sample.labels },
      sample.value,
      sample.timestampMs,
    ]);
    expect(values).toEqual([
      ['up_total', { job: 'a', instance: 'b:9' }, 1, 1700000000000],
      ['plain', {}, 2500, undefined],
      ['spaced', { a: '1' }, -Infinity, undefined],
      ['nan_value', {}, NaN, undefined],
      ['trailing_comma', { a: 'x' }, Infinity, undefined],
      ['no_space', { a: '1' }, 3, undefined],
      ['windows_line', { a: '1' }, 4, undefined],
    ]);
  });

  it('unescapes label values, including a quote and a brace inside one', () => {
    const exposition = parseExposition(
      'm{path="C:\\\\dir",say="a \\"quoted\\" }word",nl="x\\ny"} 1\nm{path="C:\\\\dir",say="a \\"quoted\\" }word",nl="x\\ny"} 2\n',
    );
    expect(exposition.malformed).toEqual([]);
    expect(exposition.samples.map((sample) => ({ ...sample.labels }))).toEqual([
      { path: 'C:\\dir', say: 'a "quoted" }word', nl: 'x\ny' },
      { path: 'C:\\dir', say: 'a "quoted" }word', nl: 'x\ny' },
    ]);
  });

  it('gives identical label blocks the same frozen object, and different blocks different ones', () => {
    const exposition = parseExposition('a{gpu="0"} 1\nb{gpu="0"} 2\nc{gpu="1"} 3\n');
    const [a, b, c] = exposition.samples;
    expect(a?.labels).toBe(b?.labels);
    expect(c?.labels).not.toBe(a?.labels);
    expect(Object.isFrozen(a?.labels)).toBe(true);
  });

  it('keeps a label named __proto__ as an ordinary label', () => {
    const [sample] = parseExposition('m{__proto__="x"} 1\n').samples;
    expect(Object.entries(sample?.labels ?? {})).toEqual([['__proto__', 'x']]);
  });

  it('skips each malformed line with its number and reason, and keeps every good line around it', () => {
    const lines = [
      'good_a 1',
      '9starts_with_digit 1',
      'no_value{a="1"}',
      'bad_value{a="1"} one',
      'unquoted{a=1} 1',
      'unterminated{a="1} 1',
      'unclosed{a="1" 1',
      'twice{a="1",a="2"} 1',
      'bad-name 1',
      'ts 1 12.5',
      'extra 1 2 3',
      '# TYPE x sometype',
      '# TYPE good_a gauge',
      '# TYPE good_a gauge',
      'good_b{ok="yes"} 2',
    ];
    const exposition = parseExposition(lines.join('\n'));
    expect(exposition.samples.map((sample) => sample.name)).toEqual(['good_a', 'good_b']);
    expect(exposition.malformed.map((line) => line.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14]);
    expect(exposition.malformed.map((line) => line.reason)).toEqual([
      'line does not start with a metric name',
      'no_value has no value',
      'value "one" is not a number',
      'value of label a is not quoted',
      'value of label a is not terminated',
      'expected "," or "}" after label a',
      'label a appears twice',
      'invalid character after metric name "bad"',
      'timestamp "12.5" is not an integer',
      'unexpected text after the timestamp',
      '# TYPE x has unknown type "sometype"',
      '# TYPE good_a appears twice',
    ]);
  });

  it('reads an empty body as nothing, without error', () => {
    expect(parseExposition('')).toEqual({ samples: [], types: new Map(), help: new Map(), malformed: [] });
    expect(parseExposition('\n\n  \n').malformed).toEqual([]);
  });
});
