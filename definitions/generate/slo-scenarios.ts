import {
  DCGM_GPU_UTIL,
  GPU_RISK_THRESHOLDS,
  INFERENCE_METRICS as M,
  JOBS,
  PROM_MAP_EVACUATION_STALL,
  SLI_BASE_WINDOW,
  SLO_LABELS,
  SLO_RECORDS,
  SLO_TARGETS,
  sloId,
  type SlothSlo,
} from '../src/index.js';
import { constant, perMinute, type InputSeries } from './series.js';

/**
 * Input series for the default SLOs at a chosen error ratio: the bad events are spread evenly, so
 * every window sees the same ratio. Keyed by `sloth_id`.
 */
export type SloSeries = (errorRatio: number) => InputSeries[];

/** Events per minute: large enough that every tested ratio is a whole number of bad events. */
const PER_MINUTE = 100_000;
const counter = (metric: string, labels: Record<string, string>, perMinute_: number) =>
  perMinute(metric, labels, (i) => i * perMinute_);
const bad = (ratio: number) => Math.round(ratio * PER_MINUTE);

const histogramUnder =
  (metric: string, job: string, le: number): SloSeries =>
  (ratio) => [
    counter(`${metric}_count`, { job }, PER_MINUTE),
    counter(`${metric}_bucket`, { job, le: String(le) }, PER_MINUTE - bad(ratio)),
  ];

const band = GPU_RISK_THRESHOLDS.utilisationBand;

export const SLO_SCENARIOS: Readonly<Record<string, SloSeries>> = {
  [sloId('inference', 'requests-availability')]: (ratio) => [
    counter(`${M.requestDuration}_count`, { job: JOBS.inference, [M.statusCodeLabel]: '200' }, PER_MINUTE - bad(ratio)),
    counter(`${M.requestDuration}_count`, { job: JOBS.inference, [M.statusCodeLabel]: '503' }, bad(ratio)),
  ],
  [sloId('inference', 'requests-latency-p95')]: histogramUnder(
    M.requestDuration,
    JOBS.inference,
    SLO_TARGETS.latency.thresholdSeconds,
  ),
  [sloId('inference', 'model-hot-update')]: histogramUnder(
    M.modelHotUpdateDuration,
    JOBS.inference,
    SLO_TARGETS.modelHotUpdate.thresholdSeconds,
  ),
  [sloId('inference', 'circuit-breaker-trips')]: (ratio) => [
    counter(
      M.circuitBreakerAbnormalRequests,
      { job: JOBS.inference, [M.circuitBreakerOutcomeLabel]: 'tripped' },
      PER_MINUTE - bad(ratio),
    ),
    counter(
      M.circuitBreakerAbnormalRequests,
      { job: JOBS.inference, [M.circuitBreakerOutcomeLabel]: 'passed' },
      bad(ratio),
    ),
  ],
  // One GPU, out of the band for a share of the minutes equal to the ratio (in runs of 20 minutes).
  [sloId('gpu-fleet', 'utilisation-in-band')]: (ratio) => [
    perMinute(DCGM_GPU_UTIL, { job: JOBS.gpuExporter, instance: 'gpu-node-1:9400', gpu: '0' }, (i) =>
      i % 20 < Math.round(ratio * 20) ? band.low - 35 : (band.low + band.high) / 2,
    ),
  ],
  [sloId('device-logs', 'map-write-latency-p99')]: histogramUnder(
    PROM_MAP_EVACUATION_STALL,
    `${JOBS.demo}-presized`,
    SLO_TARGETS.mapWriteLatency.thresholdSeconds,
  ),
};

/**
 * For an SLO without raw-metric series above (a specification a user added): the base window's
 * recordings at this error ratio (its event rates, or its ratio for a raw SLI), from which the
 * rules build every longer window the burn-rate alerts read. Its SLI queries meet no metric in the
 * test, so the base recording rules add nothing beside these series.
 */
export const recordedSliSeries =
  (slo: SlothSlo, labels: Record<string, string>): SloSeries =>
  (ratio) => {
    const base = { ...labels, [SLO_LABELS.window]: SLI_BASE_WINDOW };
    return slo.sli.events
      ? [constant(SLO_RECORDS.sliErrorEvents, base, ratio), constant(SLO_RECORDS.sliTotalEvents, base, 1)]
      : [constant(SLO_RECORDS.sliError(SLI_BASE_WINDOW), base, ratio)];
  };
