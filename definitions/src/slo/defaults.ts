import { DCGM_GPU_UTIL, PROM_MAP_EVACUATION_STALL } from '../metrics.js';
import { escapeLabelValue, escapeRegex, num } from '../promql.js';
import { GPU_RISK_THRESHOLDS } from '../risk/gpu-factors.js';
import type { SlothSpec } from './spec.js';
import { WINDOW_PLACEHOLDER as W } from './spec.js';

/**
 * Metrics the inference SLOs read. Presize does not produce them: they are the conventional names
 * an inference service exports (HTTP server duration after OpenTelemetry semantic conventions, as
 * Prometheus names it with unit suffix; the rest named the same way). Change the job or the
 * metric in the generated Sloth files' source here when a service names them differently.
 */
export const INFERENCE_METRICS = {
  /** Histogram, seconds, OpenTelemetry `http.server.request.duration`; needs a 0.42 bucket. */
  requestDuration: 'http_server_request_duration_seconds',
  statusCodeLabel: 'http_response_status_code',
  /** Histogram, seconds: time from a new model version being published to serving it; needs a 12 bucket. */
  modelHotUpdateDuration: 'model_hot_update_duration_seconds',
  /** Counter of abnormal requests (timeouts, upstream failures) by `outcome`: `tripped` or `passed`. */
  circuitBreakerAbnormalRequests: 'circuit_breaker_abnormal_requests_total',
  circuitBreakerOutcomeLabel: 'outcome',
} as const;

/** Prometheus job names the default SLOs and the scrape configuration use. */
export const JOBS = {
  inference: 'inference',
  /** The demo service; `npm run demo` runs one job per cache (`device-logs-presized`, …). */
  demo: 'device-logs',
  gpuExporter: 'dcgm-exporter',
} as const;

/** The SLO targets, in one place. */
export const SLO_TARGETS = {
  availability: { objective: 99.95 },
  latency: { objective: 95, thresholdSeconds: 0.42 },
  gpuUtilisation: { objective: 90 },
  modelHotUpdate: { objective: 99, thresholdSeconds: 12 },
  circuitBreaker: { objective: 98 },
  mapWriteLatency: { objective: 99, thresholdSeconds: 0.001 },
} as const;

const job = (name: string) => `job="${escapeLabelValue(name)}"`;
const jobFamily = (name: string) => `job=~"${escapeLabelValue(escapeRegex(name))}.*"`;
const rate = (metric: string, matchers: string) => `sum(rate(${metric}{${matchers}}[${W}]))`;
const M = INFERENCE_METRICS;
const T = SLO_TARGETS;

const inference: SlothSpec = {
  version: 'prometheus/v1',
  service: 'inference',
  labels: { owner: 'inference', tier: '1' },
  slos: [
    {
      name: 'requests-availability',
      objective: T.availability.objective,
      description: 'Inference requests answered without a server error (5xx).',
      labels: { category: 'availability' },
      sli: {
        events: {
          error_query: rate(`${M.requestDuration}_count`, `${job(JOBS.inference)},${M.statusCodeLabel}=~"5.."`),
          total_query: rate(`${M.requestDuration}_count`, job(JOBS.inference)),
        },
      },
      alerting: {
        name: 'InferenceHighErrorRate',
        labels: { category: 'availability' },
        annotations: { summary: 'Inference requests fail faster than the 99.95 % objective allows.' },
        page_alert: { labels: { severity: 'critical' } },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
    {
      name: 'requests-latency-p95',
      objective: T.latency.objective,
      description: `95 % of inference requests answered within ${T.latency.thresholdSeconds * 1000} ms.`,
      labels: { category: 'latency' },
      sli: {
        events: {
          error_query:
            `(${rate(`${M.requestDuration}_count`, job(JOBS.inference))}` +
            ` - ${rate(`${M.requestDuration}_bucket`, `${job(JOBS.inference)},le="${num(T.latency.thresholdSeconds)}"`)})`,
          total_query: rate(`${M.requestDuration}_count`, job(JOBS.inference)),
        },
      },
      alerting: {
        name: 'InferenceHighLatency',
        labels: { category: 'latency' },
        annotations: { summary: `Inference p95 latency above ${T.latency.thresholdSeconds * 1000} ms.` },
        page_alert: { labels: { severity: 'critical' } },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
    {
      name: 'model-hot-update',
      objective: T.modelHotUpdate.objective,
      description: `Model hot updates served within ${T.modelHotUpdate.thresholdSeconds} s of publication.`,
      labels: { category: 'freshness' },
      sli: {
        events: {
          error_query:
            `(${rate(`${M.modelHotUpdateDuration}_count`, job(JOBS.inference))}` +
            ` - ${rate(`${M.modelHotUpdateDuration}_bucket`, `${job(JOBS.inference)},le="${num(T.modelHotUpdate.thresholdSeconds)}"`)})`,
          total_query: rate(`${M.modelHotUpdateDuration}_count`, job(JOBS.inference)),
        },
      },
      alerting: {
        name: 'InferenceSlowModelHotUpdate',
        labels: { category: 'freshness' },
        page_alert: { labels: { severity: 'critical' } },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
    {
      name: 'circuit-breaker-trips',
      objective: T.circuitBreaker.objective,
      description: 'The circuit breaker trips on abnormal requests instead of passing them on.',
      labels: { category: 'resilience' },
      sli: {
        events: {
          error_query: rate(
            M.circuitBreakerAbnormalRequests,
            `${job(JOBS.inference)},${M.circuitBreakerOutcomeLabel}="passed"`,
          ),
          total_query: rate(M.circuitBreakerAbnormalRequests, job(JOBS.inference)),
        },
      },
      alerting: {
        name: 'InferenceCircuitBreakerMisses',
        labels: { category: 'resilience' },
        page_alert: { labels: { severity: 'critical' } },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
  ],
};

const band = GPU_RISK_THRESHOLDS.utilisationBand;
const gpu: SlothSpec = {
  version: 'prometheus/v1',
  service: 'gpu-fleet',
  labels: { owner: 'inference', tier: '1' },
  slos: [
    {
      name: 'utilisation-in-band',
      objective: T.gpuUtilisation.objective,
      description: `GPU utilisation inside ${band.low}–${band.high} %, sampled every minute over every GPU.`,
      labels: { category: 'saturation' },
      sli: {
        raw: {
          error_ratio_query:
            `1 - avg(avg_over_time(((${DCGM_GPU_UTIL} >= bool ${num(band.low)})` +
            ` * (${DCGM_GPU_UTIL} <= bool ${num(band.high)}))[${W}:1m]))`,
        },
      },
      alerting: {
        name: 'GpuUtilisationOutOfBand',
        labels: { category: 'saturation' },
        page_alert: { disable: true },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
  ],
};

const demo: SlothSpec = {
  version: 'prometheus/v1',
  service: 'device-logs',
  labels: { owner: 'presize', tier: '2' },
  slos: [
    {
      name: 'map-write-latency-p99',
      objective: T.mapWriteLatency.objective,
      description:
        `99 % of map writes that do evacuation work pay at most ${T.mapWriteLatency.thresholdSeconds * 1000} ms for it ` +
        '(writes without evacuation work are not recorded, so this bounds the p99 write latency from above).',
      labels: { category: 'latency' },
      sli: {
        events: {
          error_query:
            `(${rate(`${PROM_MAP_EVACUATION_STALL}_count`, jobFamily(JOBS.demo))}` +
            ` - ${rate(`${PROM_MAP_EVACUATION_STALL}_bucket`, `${jobFamily(JOBS.demo)},le="${num(T.mapWriteLatency.thresholdSeconds)}"`)})`,
          total_query: rate(`${PROM_MAP_EVACUATION_STALL}_count`, jobFamily(JOBS.demo)),
        },
      },
      alerting: {
        name: 'PresizeMapWriteLatency',
        labels: { category: 'latency' },
        page_alert: { labels: { severity: 'critical' } },
        ticket_alert: { labels: { severity: 'warning' } },
      },
    },
  ],
};

/** The default SLO specifications, one Sloth file each, keyed by file name. */
export const DEFAULT_SLO_SPECS: Readonly<Record<string, SlothSpec>> = {
  'inference.yml': inference,
  'gpu-fleet.yml': gpu,
  'device-logs.yml': demo,
};
