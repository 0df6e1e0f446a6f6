import { burnRate, errorBudgetRemaining } from '@presize/definitions';

import type { InstantSample } from './prometheus-api';
import { objectivePercent, sloQueries, sloRows, sloStatus } from './slo';

const labels = { sloth_service: 'inference', sloth_slo: 'availability', sloth_id: 'inference-availability' };
const sample = (value: number): InstantSample => ({ labels, value });

describe('SLO rows from Sloth records', () => {
  it('turns the recorded ratio back into the spec percentage exactly', () => {
    expect(objectivePercent(0.9995)).toBe(99.95);
    expect(objectivePercent(0.95)).toBe(95);
  });

  it('computes SLI, budget left and burn rates with the shared SLO math', () => {
    // Budget 0.0005; 30d error ratio 0.00025 spends half of it.
    const [row] = sloRows([sample(0.9995)], { '30d': [sample(0.00025)], '5m': [sample(0.01)], '1h': [sample(0.008)] });
    expect(row!.sli).toBeCloseTo(0.99975, 10);
    expect(row!.budgetRemaining).toBe(errorBudgetRemaining(0.00025, 99.95));
    expect(row!.budgetRemaining).toBeCloseTo(0.5, 10);
    expect(row!.burnRates['5m']).toBe(burnRate(0.01, 99.95));
    // 1h burns 16× and 5m 20×, both above 14.4: the page alert holds.
    expect(row!.status).toBe('page');
  });

  it('reports a ticket, a spent budget and missing data in words', () => {
    const ticket = { '1d': 0.002, '2h': 0.002, '30d': 0.0001 };
    expect(sloStatus(ticket, 99.95)).toBe('ticket');
    expect(sloStatus({ '30d': 0.001, '5m': 0 }, 99.95)).toBe('exhausted');
    expect(sloStatus({}, 99.95)).toBe('no data');
    expect(sloStatus({ '30d': 0.0001, '5m': 0.0001 }, 99.95)).toBe('ok');
  });

  it('filters by escaped Sloth labels', () => {
    const q = sloQueries({ services: { values: ['inference'] }, slos: { values: ['p95"latency'] } });
    expect(q.objective).toBe('slo:objective:ratio{sloth_service="inference",sloth_slo="p95\\"latency"}');
    expect(q.errors.map((e) => e.window)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
  });
});
