import fc from 'fast-check';
import {
  GPU_RISK_FACTORS,
  LRU_RISK_FACTORS,
  MAP_RISK_FACTORS,
  num,
  type RiskFactor,
} from '../../definitions/src/index.js';
import { levelPromql } from '../../definitions/src/rules/risk-rules.js';
import { levelForScore, RISK_LEVEL_VALUES } from '../../definitions/src/risk/levels.js';
import { startPrometheus, type PrometheusHandle } from '../../tools/prometheus.js';

// The score formulas as PromQL, evaluated by a real Prometheus on arbitrary inputs, against the
// TypeScript functions on the same inputs: equal to the last bit.
describe('factor scores in PromQL and TypeScript', () => {
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    prometheus = await startPrometheus();
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
  }, 60_000);

  const inputs = fc.oneof(
    fc.double({ min: -10, max: 1e6, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 300 }),
    fc.double({ min: 0, max: 2, noNaN: true }),
    // Thresholds, and the doubles just above the exclusive ones (2 and 8 of hint_exceeded).
    fc.constantFrom(0, 1, 2, 3, 4, 6, 8, 12, 13, 48, 68, 79, 120, 900, 0.5, 0.8, 0.9, 0.97, 0.01, 0.05, 2.0000000000000004, 8.000000000000002),
  );

  const factors: RiskFactor<string>[] = [...MAP_RISK_FACTORS, ...GPU_RISK_FACTORS, ...LRU_RISK_FACTORS];

  it.each(factors.map((f) => [f.reason, f] as const))('%s', async (_reason, factor) => {
    await fc.assert(
      fc.asyncProperty(inputs, async (input) => {
        const [sample] = await prometheus.query(factor.scorePromql(`vector(${num(input)})`));
        const expected = factor.score(input);
        expect({ input, score: sample?.value }).toEqual({ input, score: expected });
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('maps scores to the same levels', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 100, noNaN: true }), async (score) => {
        const [sample] = await prometheus.query(levelPromql(`vector(${num(score)})`));
        expect({ score, level: sample?.value }).toEqual({ score, level: RISK_LEVEL_VALUES[levelForScore(score)] });
      }),
      { numRuns: 100, examples: [[0], [49.99999999999999], [50], [79.99999999999999], [80], [100]] },
    );
  }, 60_000);
});
