import fc from 'fast-check';
import { escapeLabelValue, num, selector } from '../src/index.js';

describe('PromQL building blocks', () => {
  it('escapes label values so none can end the string', () => {
    expect(selector('m', [['job', '=', 'a"} or vector(1) #\\']])).toBe('m{job="a\\"} or vector(1) #\\\\"}');
    expect(escapeLabelValue('line\nbreak')).toBe('line\\nbreak');
    expect(selector('m')).toBe('m');
  });

  it('writes numbers that parse back to the same double, -0 included', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => Object.is(Number(num(v)), v) || (Object.is(v, -0) && num(v) === '-0')),
    );
    expect(() => num(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => num(Number.NaN)).toThrow('PromQL literal must be finite');
  });
});
