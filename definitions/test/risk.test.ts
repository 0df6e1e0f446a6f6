import fc from 'fast-check';
import {
  GPU_RISK_FACTORS,
  LRU_RISK_FACTORS,
  LRU_RISK_THRESHOLDS,
  MAP_RISK_FACTORS,
  MAP_RISK_THRESHOLDS,
  RISK_LEVEL_SCORES,
  levelForScore,
  rampScore,
  scoreGpu,
  scoreLru,
  scoreMap,
  topReason,
  utilisationBandDeviation,
  CLOCK_EVENT_BITS,
} from '../src/index.js';

describe('rampScore', () => {
  const ramp = { warn: 3, critical: 6 };

  it('hits the level boundaries exactly at the thresholds', () => {
    expect(rampScore(0, ramp)).toBe(0);
    expect(rampScore(3, ramp)).toBe(RISK_LEVEL_SCORES.warn);
    expect(rampScore(6, ramp)).toBe(RISK_LEVEL_SCORES.critical);
    expect(rampScore(12, ramp)).toBe(100);
    expect(rampScore(1e9, ramp)).toBe(100);
    expect(rampScore(-5, ramp)).toBe(0);
  });

  it('is monotonic and bounded for any thresholds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 1.001, max: 100, noNaN: true }),
        fc.double({ min: -10, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        (warn, ratio, a, delta) => {
          const r = { warn, critical: warn * ratio };
          const lo = rampScore(a, r);
          const hi = rampScore(a + delta, r);
          return lo >= 0 && hi <= 100 + 1e-9 && hi >= lo - 1e-9;
        },
      ),
    );
  });

  it('puts a value below warn at ok, between warn and critical at warn, above at critical', () => {
    expect(levelForScore(rampScore(2.99, ramp))).toBe('ok');
    expect(levelForScore(rampScore(4, ramp))).toBe('warn');
    expect(levelForScore(rampScore(5.99, ramp))).toBe('warn');
    expect(levelForScore(rampScore(6, ramp))).toBe('critical');
  });

  it('starts the levels just above the thresholds of an exclusive ramp', () => {
    const above = { warn: 2, critical: 8, exclusive: true };
    // The smallest doubles above 2 and 8.
    const justAbove2 = 2 + 2 * Number.EPSILON;
    const justAbove8 = 8 + 8 * Number.EPSILON;
    expect(levelForScore(rampScore(2, above))).toBe('ok');
    expect(rampScore(justAbove2, above)).toBe(RISK_LEVEL_SCORES.warn);
    expect(levelForScore(rampScore(8, above))).toBe('warn');
    expect(rampScore(justAbove8, above)).toBe(RISK_LEVEL_SCORES.critical);
    expect(rampScore(1e9, above)).toBe(100);
  });
});

describe('scoreMap', () => {
  it('scores a quiet map ok with no reason', () => {
    const r = scoreMap({});
    expect(r).toEqual({ score: 0, level: 'ok', reasons: [], topReason: null });
  });

  it('takes the worst factor as the score and names it', () => {
    const r = scoreMap({ resize_storm: 4, hint_exceeded: 9, evacuation_stall: 0.001 });
    expect(r.topReason).toBe('hint_exceeded');
    expect(r.level).toBe('critical');
    expect(r.reasons.map((x) => x.reason)).toEqual(['hint_exceeded', 'resize_storm', 'evacuation_stall']);
    expect(r.score).toBeCloseTo(80 + (20 * 1) / 8, 12);
  });

  it('breaks ties in factor order', () => {
    const r = scoreMap({ back_to_back_growth: 0.5, resize_storm: 3 });
    expect(r.score).toBe(50);
    expect(r.topReason).toBe('resize_storm');
  });

  it('warns on a map past twice its hint, not on one exactly at it', () => {
    const t = MAP_RISK_THRESHOLDS.hintExceeded;
    expect(scoreMap({ hint_exceeded: t.warn }).level).toBe('ok');
    expect(scoreMap({ hint_exceeded: t.warn + 0.001 }).level).toBe('warn');
    expect(scoreMap({ hint_exceeded: t.critical }).level).toBe('warn');
    expect(scoreMap({ hint_exceeded: t.critical + 0.001 }).level).toBe('critical');
  });

  it('scores growth imminence on time left: shorter is worse', () => {
    const t = MAP_RISK_THRESHOLDS.growthImminent;
    expect(scoreMap({ growth_imminent: t.warn }).score).toBe(50);
    expect(scoreMap({ growth_imminent: t.critical }).score).toBe(80);
    expect(scoreMap({ growth_imminent: t.warn * 4 }).level).toBe('ok');
    expect(scoreMap({ growth_imminent: 0 }).score).toBe(100);
  });

  it('ignores missing and NaN inputs, as the recording rules do', () => {
    expect(scoreMap({ resize_storm: Number.NaN, hint_exceeded: null }).score).toBe(0);
  });
});

describe('scoreGpu', () => {
  it('is critical on a hardware XID, warn on any other XID', () => {
    expect(scoreGpu({ xid: 79 }).level).toBe('critical');
    expect(scoreGpu({ xid: 13 }).level).toBe('warn');
    expect(scoreGpu({ xid: 0 }).level).toBe('ok');
  });

  it('reads throttle reasons as a bitmask', () => {
    expect(scoreGpu({ throttling: CLOCK_EVENT_BITS.gpuIdle }).level).toBe('ok');
    expect(scoreGpu({ throttling: CLOCK_EVENT_BITS.swPowerCap | CLOCK_EVENT_BITS.gpuIdle }).level).toBe('warn');
    expect(scoreGpu({ throttling: CLOCK_EVENT_BITS.hwThermalSlowdown | CLOCK_EVENT_BITS.swPowerCap }).level).toBe(
      'critical',
    );
  });

  it('treats a GPU that is down as critical whatever else it reports', () => {
    const r = scoreGpu({ down: 0, framebuffer: 0.95 });
    expect(r.topReason).toBe('down');
    expect(r.score).toBe(100);
    expect(scoreGpu({ down: 1 }).score).toBe(0);
  });

  it('measures utilisation outside the band over the whole window', () => {
    expect(utilisationBandDeviation(56, 74)).toBe(0);
    expect(utilisationBandDeviation(10, 54)).toBe(1);
    expect(utilisationBandDeviation(80, 99)).toBe(5);
    expect(utilisationBandDeviation(30, 90)).toBe(0);
    expect(scoreGpu({ utilisation_band: utilisationBandDeviation(0, 0) }).level).toBe('critical');
  });
});

describe('scoreLru', () => {
  it('scores a quiet cache ok with no reason', () => {
    expect(scoreLru({})).toEqual({ score: 0, level: 'ok', reasons: [], topReason: null });
  });

  it('is warn when a full cache evicts its whole contents within the window, critical at four times', () => {
    const t = LRU_RISK_THRESHOLDS.evictionChurn;
    expect(scoreLru({ eviction_churn: t.warn / 2 }).level).toBe('ok');
    expect(scoreLru({ eviction_churn: t.warn }).score).toBe(RISK_LEVEL_SCORES.warn);
    expect(scoreLru({ eviction_churn: t.critical }).score).toBe(RISK_LEVEL_SCORES.critical);
  });

  it('is warn when most gets miss while the cache evicts, and names the worse factor', () => {
    const r = scoreLru({ eviction_churn: 1.5, misses_while_evicting: 0.9 });
    expect(r.level).toBe('critical');
    expect(r.topReason).toBe('misses_while_evicting');
    expect(r.reasons.map((x) => x.title)).toEqual(['Misses while evicting', 'Eviction churn']);
    expect(scoreLru({ misses_while_evicting: LRU_RISK_THRESHOLDS.missesWhileEvicting.warn }).level).toBe('warn');
  });

  it('has one alert per factor', () => {
    expect(LRU_RISK_FACTORS.map((f) => f.alert)).toEqual(['PresizeLruEvictionChurn', 'PresizeLruMissesWhileEvicting']);
  });
});

describe('topReason from recorded factor scores', () => {
  it('picks the highest, first in factor order on ties, none when all are 0', () => {
    expect(topReason(MAP_RISK_FACTORS, { resize_storm: 10, same_size_growth: 60 })).toBe('same_size_growth');
    expect(topReason(GPU_RISK_FACTORS, { framebuffer: 60, down: 60 })).toBe('down');
    expect(topReason(GPU_RISK_FACTORS, { framebuffer: 0 })).toBeNull();
  });
});
