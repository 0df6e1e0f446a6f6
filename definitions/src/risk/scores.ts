import { assess, type RiskAssessment, type RiskInputs } from './assess.js';
import { GPU_RISK_FACTORS, type GpuRiskReason } from './gpu-factors.js';
import { LRU_RISK_FACTORS, type LruRiskReason } from './lru-factors.js';
import { MAP_RISK_FACTORS, type MapRiskReason } from './map-factors.js';

/** Per-map inputs, keyed by reason: each is the value of that factor's `inputRecord` series. */
export type MapRiskInputs = RiskInputs<MapRiskReason>;
/** Per-GPU inputs, keyed by reason: each is the value of that factor's `inputRecord` series. */
export type GpuRiskInputs = RiskInputs<GpuRiskReason>;
/** Per-lru-cache inputs, keyed by reason: each is the value of that factor's `inputRecord` series. */
export type LruRiskInputs = RiskInputs<LruRiskReason>;

/** Score, level and reasons of one map; equal to what the recording rules record for it. */
export function scoreMap(inputs: MapRiskInputs): RiskAssessment<MapRiskReason> {
  return assess(MAP_RISK_FACTORS, inputs);
}

/** Score, level and reasons of one GPU; equal to what the recording rules record for it. */
export function scoreGpu(inputs: GpuRiskInputs): RiskAssessment<GpuRiskReason> {
  return assess(GPU_RISK_FACTORS, inputs);
}

/** Score, level and reasons of one lru-cache; equal to what the recording rules record for it. */
export function scoreLru(inputs: LruRiskInputs): RiskAssessment<LruRiskReason> {
  return assess(LRU_RISK_FACTORS, inputs);
}

/** Names of the recorded risk series. Factor scores carry a `reason` label. */
export const MAP_RISK_RECORDS = {
  factorScore: 'presize:map_risk_factor:score',
  /** 0 for every map the rules score: its score where no factor has an input. */
  subjects: 'presize:map_risk:subjects',
  score: 'presize:map_risk:score',
  level: 'presize:map_risk:level',
} as const;

export const GPU_RISK_RECORDS = {
  factorScore: 'presize:gpu_risk_factor:score',
  /** 0 for every GPU the rules score: its score where no factor has an input. */
  subjects: 'presize:gpu_risk:subjects',
  score: 'presize:gpu_risk:score',
  level: 'presize:gpu_risk:level',
  /** 1 per GPU and factor whose required field the exporter does not collect (labels `reason`, `field`). */
  factorNotCollected: 'presize:gpu_risk_factor:not_collected',
} as const;

/** The label naming the uncollected field on `factorNotCollected` series. */
export const FIELD_LABEL = 'field';

export const LRU_RISK_RECORDS = {
  factorScore: 'presize:lru_risk_factor:score',
  /** 0 for every lru-cache the rules score: its score where no factor has an input. */
  subjects: 'presize:lru_risk:subjects',
  score: 'presize:lru_risk:score',
  level: 'presize:lru_risk:level',
} as const;

/** The label holding a factor's reason on `factorScore` series and on alerts. */
export const REASON_LABEL = 'reason';
