import { adviseCapacity, checkHeadroom } from './capacity';

const observed = { service: 'device-log', map: 'devices', entries: 120_000, observedDoublings: 5 };

describe('capacity advice with the map planner (Go makemap rules)', () => {
  it('counts the doublings a hint of 5,000 costs on the way to 120,000 entries: B 10 → 15', () => {
    const advice = adviseCapacity({ ...observed, peakEntries: 120_000, hint: 5_000 }, 25);
    expect(advice.currentB).toBe(10);
    expect(advice.doublingsAvoided).toBe(5);
    expect(advice.recommendedHint).toBe(150_000);
    // 150,000 ≤ 13·2^14 = 212,992, so B stays 15: the right hint costs no more memory than the growths did.
    expect(advice.recommendedB).toBe(15);
    expect(advice.recommendedCapacity).toBe(212_992);
    expect(advice.extraBytes).toBe(0);
    expect(advice.advice).toMatch(/Create the map with hint 150000.*5 doublings/);
  });

  it('counts 15 doublings for a map made without a hint', () => {
    expect(adviseCapacity({ ...observed, peakEntries: 120_000, hint: 0 }).doublingsAvoided).toBe(15);
  });

  it('prices the headroom that crosses a growth point: one more B doubles the table', () => {
    // 200,000 × 1.1 = 220,000 > 212,992: B 16.
    const advice = adviseCapacity({ ...observed, peakEntries: 200_000, hint: 0 }, 10);
    expect(advice.recommendedHint).toBe(220_000);
    expect(advice.recommendedB).toBe(16);
    expect(advice.extraBytes).toBeGreaterThan(0);
    expect(advice.recommendedBytes - advice.extraBytes).toBeLessThan(advice.recommendedBytes / 1.9);
  });

  it('keeps a hint that already covers the peak with headroom', () => {
    const advice = adviseCapacity(
      { ...observed, peakEntries: 100_000, entries: 90_000, hint: 150_000, observedDoublings: 0 },
      25
    );
    expect(advice.doublingsAvoided).toBe(0);
    expect(advice.advice).toMatch(/keep it/);
  });

  it('asks for more headroom when the hint covers the peak only just', () => {
    const advice = adviseCapacity(
      { ...observed, peakEntries: 100_000, entries: 90_000, hint: 101_000, observedDoublings: 0 },
      25
    );
    expect(advice.advice).toMatch(/raise it to 125000/);
  });

  it('rounds the headroom in decimal: 100 entries + 10 % is 110', () => {
    expect(adviseCapacity({ ...observed, peakEntries: 100, entries: 100, hint: 0 }, 10).recommendedHint).toBe(110);
  });

  it('rejects a headroom that is not a percentage, naming it', () => {
    expect(() => checkHeadroom(-5)).toThrow(/headroom must be a percentage from 0 to 1000, got -5/);
    expect(() => adviseCapacity({ ...observed, peakEntries: 1, hint: 0 }, Number.NaN)).toThrow(/headroom/);
  });
});
