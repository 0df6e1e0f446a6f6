import { dcgmField } from './dcgm-fields.js';
import type { DropReason } from './sample.js';

/**
 * DCGM writes "blank" codes instead of values when a field could not be read (dcgm_structs.h):
 * a base value plus 0..15 (NOT_FOUND = base+1, NOT_SUPPORTED = base+2, NOT_PERMISSIONED = base+3...).
 * dcgm-exporter prints them as numbers, so a scrape can say a GPU draws 1.4e14 W.
 */
export const DCGM_INT32_BLANK = 0x7ffffff0;
/** 0x7ffffffffffffff0: as a double, it and its 15 codes all round to 2^63. */
export const DCGM_INT64_BLANK = 2 ** 63;
/** 2^47: FP64 has 52 bits of mantissa, so the 16 codes stay distinct. */
export const DCGM_FP64_BLANK = 140737488355328;
const BLANK_CODES = 16;

export function isDcgmBlank(value: number, wide = false): boolean {
  if (value >= DCGM_INT64_BLANK) return true;
  if (value >= DCGM_FP64_BLANK && value < DCGM_FP64_BLANK + BLANK_CODES) return true;
  return !wide && value >= DCGM_INT32_BLANK && value < DCGM_INT32_BLANK + BLANK_CODES;
}

/** Why this value of this field must not be exported, or undefined when it is a real value. */
export function invalidValueReason(field: string, value: number): DropReason | undefined {
  if (!Number.isFinite(value)) return 'not_finite';
  const known = dcgmField(field);
  if (isDcgmBlank(value, known?.wide === true)) return 'blank_sentinel';
  if (known?.range === 'percent' && (value < 0 || value > 100)) return 'utilization_out_of_range';
  if (known?.range === 'ratio' && (value < 0 || value > 1)) return 'utilization_out_of_range';
  return undefined;
}
