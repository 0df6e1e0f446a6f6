import { DCGM_FP64_BLANK, DCGM_INT32_BLANK, invalidValueReason, isDcgmBlank } from '../src/validity.js';
import { readCapture } from '../src/read-capture.js';
import { fixture, SCRAPES } from './fixtures.js';
import { expectFields } from './series.js';

describe('values that are not values', () => {
  it('knows the DCGM blank constants of dcgm_structs.h', () => {
    expect(DCGM_INT32_BLANK).toBe(0x7ffffff0);
    expect(DCGM_FP64_BLANK).toBe(2 ** 47);
  });

  it.each([
    ['FP64 blank', 140737488355328],
    ['FP64 not found', 140737488355329],
    ['FP64 not supported', 140737488355330],
    ['FP64 last code', 140737488355343],
    ['INT64 blank as printed', Number('9223372036854775792')],
    ['INT64 not permissioned as printed', Number('9223372036854775795')],
    ['INT32 blank', 2147483632],
    ['INT32 not supported', 2147483634],
  ])('drops %s (%d)', (_name, value) => {
    expect(isDcgmBlank(value)).toBe(true);
    expect(invalidValueReason('DCGM_FI_DEV_SM_CLOCK', value)).toBe('blank_sentinel');
  });

  it.each([140737488355327, 140737488355344, 2147483631, 2147483648, 9.2e18, 0, -1])('keeps %d', (value) => {
    expect(isDcgmBlank(value)).toBe(false);
  });

  it('keeps a 64-bit counter that happens to sit on a 32-bit blank code', () => {
    expect(invalidValueReason('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 2147483634)).toBeUndefined();
    expect(invalidValueReason('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 140737488355330)).toBe('blank_sentinel');
  });

  it('drops utilisation outside 0..100 % and ratios outside 0..1, keeps the bounds', () => {
    expect(invalidValueReason('DCGM_FI_DEV_GPU_UTIL', 100)).toBeUndefined();
    expect(invalidValueReason('DCGM_FI_DEV_GPU_UTIL', 0)).toBeUndefined();
    expect(invalidValueReason('DCGM_FI_DEV_GPU_UTIL', 100.5)).toBe('utilization_out_of_range');
    expect(invalidValueReason('DCGM_FI_DEV_MEM_COPY_UTIL', 101)).toBe('utilization_out_of_range');
    expect(invalidValueReason('DCGM_FI_DEV_DEC_UTIL', -1)).toBe('utilization_out_of_range');
    expect(invalidValueReason('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 1)).toBeUndefined();
    expect(invalidValueReason('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 1.2)).toBe('utilization_out_of_range');
    expect(invalidValueReason('DCGM_FI_DEV_POWER_USAGE', 700)).toBeUndefined();
  });

  it('drops NaN and infinities', () => {
    expect(invalidValueReason('DCGM_FI_DEV_POWER_USAGE', NaN)).toBe('not_finite');
    expect(invalidValueReason('UNKNOWN_FIELD', Infinity)).toBe('not_finite');
  });

  it('in a real L4 scrape with sentinels and a 140 % utilisation written in, drops exactly those and keeps the rest', () => {
    const text = fixture(SCRAPES.l4)
      .replace(/(DCGM_FI_DEV_POWER_USAGE\{[^}]*\}) 16\.365000/, '$1 140737488355330')
      .replace(/(DCGM_FI_DEV_SM_CLOCK\{[^}]*\}) 210/, '$1 9223372036854775794')
      .replace(/(DCGM_FI_DEV_GPU_UTIL\{[^}]*\}) 0/, '$1 140');
    const sample = readCapture(text);
    expect(sample.dropped).toEqual([
      { field: 'DCGM_FI_DEV_SM_CLOCK', reason: 'blank_sentinel', value: 9223372036854775794 },
      { field: 'DCGM_FI_DEV_POWER_USAGE', reason: 'blank_sentinel', value: 140737488355330 },
      { field: 'DCGM_FI_DEV_GPU_UTIL', reason: 'utilization_out_of_range', value: 140 },
    ]);
    expectFields(sample, {
      DCGM_FI_DEV_POWER_USAGE: undefined,
      DCGM_FI_DEV_GPU_UTIL: undefined,
      DCGM_FI_DEV_GPU_TEMP: 31,
    });
    expect(sample.series).toHaveLength(20);
  });
});
