import {
  DCGM_CLOCK_EVENT_REASONS,
  DCGM_CLOCK_THROTTLE_REASONS,
  DCGM_FB_FREE,
  DCGM_FB_USED,
  DCGM_GPU_UTIL,
  DCGM_XID_ERRORS,
  GPU_KEY_LABELS,
  PROM_GPU_UP,
} from '../metrics.js';
import { by, num } from '../promql.js';
import { codeFactor, rampFactor, type CodePredicate, type RiskFactor } from './factor.js';

/** Clock event (throttle) reason bits of NVML/DCGM. */
export const CLOCK_EVENT_BITS = {
  gpuIdle: 0x1,
  applicationsClocksSetting: 0x2,
  swPowerCap: 0x4,
  hwSlowdown: 0x8,
  syncBoost: 0x10,
  swThermalSlowdown: 0x20,
  hwThermalSlowdown: 0x40,
  hwPowerBrakeSlowdown: 0x80,
  displayClockSetting: 0x100,
} as const;

/** Every threshold of the per-GPU risk. */
export const GPU_RISK_THRESHOLDS = {
  /** The utilisation band an inference GPU should stay in, in percent. */
  utilisationBand: { low: 55, high: 75, window: '15m' },
  /** Percentage points outside the band, held over the whole window. */
  utilisationDeviation: { warn: 1, critical: 20 },
  /** XID codes that mean hardware or driver failure (the rest are usually application faults). */
  criticalXids: [48, 61, 62, 63, 64, 74, 79, 92, 94, 95, 119, 120] as readonly number[],
  xidWindow: '15m',
  /** Clock event reasons that warn (power capping) or are critical (thermal, hardware slowdown). */
  throttleWarnBits: [CLOCK_EVENT_BITS.swPowerCap] as readonly number[],
  throttleCriticalBits: [
    CLOCK_EVENT_BITS.hwSlowdown,
    CLOCK_EVENT_BITS.swThermalSlowdown,
    CLOCK_EVENT_BITS.hwThermalSlowdown,
    CLOCK_EVENT_BITS.hwPowerBrakeSlowdown,
  ] as readonly number[],
  /** Framebuffer used / (used + free). */
  framebuffer: { warn: 0.9, critical: 0.97 },
  /** How long a GPU that vanished with its exporter is still shown as down. */
  downLookback: '1h',
} as const;

export type GpuRiskReason = 'utilisation_band' | 'xid' | 'throttling' | 'framebuffer' | 'down';

const perGpu = (aggregation: 'max' | 'min', expr: string) => `${aggregation} ${by(GPU_KEY_LABELS)} (${expr})`;
const T = GPU_RISK_THRESHOLDS;

/** Percentage points by which utilisation stayed outside the band over the whole window (0 inside). */
export function utilisationBandDeviation(minUtilisation: number, maxUtilisation: number): number {
  return Math.max(T.utilisationBand.low - maxUtilisation, 0) + Math.max(minUtilisation - T.utilisationBand.high, 0);
}

const equals = (code: number): CodePredicate => ({
  text: `XID ${code}`,
  test: (v) => v === code,
  promql: `$v == ${num(code)}`,
});
const bitSet = (bit: number): CodePredicate => ({
  text: `reason 0x${bit.toString(16)}`,
  // floor/mod like the PromQL, not bitwise operators, so both agree on any double.
  test: (v) => Math.floor(v / bit) % 2 === 1,
  promql: `floor($v / ${num(bit)}) % 2 == 1`,
});

/** The per-GPU risk factors, in tie-breaking order. */
export const GPU_RISK_FACTORS: readonly RiskFactor<GpuRiskReason>[] = [
  codeFactor(
    {
      reason: 'down',
      title: 'GPU or exporter down',
      description: `A GPU reported in the last ${T.downLookback} whose exporter is no longer scraped, or whose source Presize can no longer read.`,
      alert: 'PresizeGpuDown',
      for: '5m',
      inputRecord: 'presize:gpu_up:min',
      // Scrape health (`up`) and Presize's source health (`presize_gpu_up`) are per target, not
      // per GPU: they are joined onto every GPU that target reported recently.
      inputExpr: perGpu(
        'min',
        `${perGpu('max', `last_over_time(${DCGM_GPU_UTIL}[${T.downLookback}])`)} * 0` +
          ` + on (job, instance) group_left () min by (job, instance) (up or ${PROM_GPU_UP})`,
      ),
      inputUnit: '(1 up, 0 down)',
    },
    { warn: [], critical: [{ text: 'down', test: (v) => v === 0, promql: '$v == 0' }] },
  ),
  codeFactor(
    {
      reason: 'xid',
      title: 'XID error',
      description: `The highest XID code reported in the last ${T.xidWindow}: any XID warns, hardware and driver failures are critical.`,
      alert: 'PresizeGpuXidError',
      for: '0m',
      inputRecord: 'presize:gpu_xid:max15m',
      inputExpr: perGpu('max', `max_over_time(${DCGM_XID_ERRORS}[${T.xidWindow}])`),
      inputUnit: '(XID code)',
    },
    {
      warn: [{ text: 'any XID', test: (v) => v > 0, promql: '$v > 0' }],
      critical: T.criticalXids.map(equals),
    },
  ),
  codeFactor(
    {
      reason: 'throttling',
      title: 'Throttling',
      description: 'Clock event reasons: power capping warns; thermal, hardware slowdown and power brake are critical.',
      alert: 'PresizeGpuThrottling',
      for: '5m',
      inputRecord: 'presize:gpu_clock_event_reasons:bitmask',
      inputExpr: perGpu('max', `${DCGM_CLOCK_EVENT_REASONS} or ${DCGM_CLOCK_THROTTLE_REASONS}`),
      inputUnit: '(bitmask)',
      // Not in dcgm-exporter's default counters: provisioning/dcgm-exporter/ adds it.
      requiredFields: [DCGM_CLOCK_EVENT_REASONS, DCGM_CLOCK_THROTTLE_REASONS],
    },
    { warn: T.throttleWarnBits.map(bitSet), critical: T.throttleCriticalBits.map(bitSet) },
  ),
  rampFactor(
    {
      reason: 'framebuffer',
      title: 'Framebuffer full',
      description: 'Framebuffer used / (used + free): near full, the next model load or batch fails.',
      alert: 'PresizeGpuFramebufferFull',
      for: '10m',
      inputRecord: 'presize:gpu_framebuffer_used:ratio',
      inputExpr: perGpu('max', `${DCGM_FB_USED} / (${DCGM_FB_USED} + ${DCGM_FB_FREE})`),
      inputUnit: 'used',
    },
    T.framebuffer,
  ),
  rampFactor(
    {
      reason: 'utilisation_band',
      title: 'Utilisation outside band',
      description: `Percentage points by which utilisation stayed outside ${T.utilisationBand.low}–${T.utilisationBand.high} % for the whole last ${T.utilisationBand.window}.`,
      alert: 'PresizeGpuUtilisationOutsideBand',
      for: '0m',
      inputRecord: 'presize:gpu_utilisation_band_deviation:15m',
      inputExpr: perGpu(
        'max',
        `clamp_min(${num(T.utilisationBand.low)} - max_over_time(${DCGM_GPU_UTIL}[${T.utilisationBand.window}]), 0)` +
          ` + clamp_min(min_over_time(${DCGM_GPU_UTIL}[${T.utilisationBand.window}]) - ${num(T.utilisationBand.high)}, 0)`,
      ),
      inputUnit: 'points',
    },
    T.utilisationDeviation,
  ),
];
