/**
 * The risk map: one row per map, per lru-cache and per GPU, scored by the shared definitions from
 * the very PromQL inputs the recording rules record, so a cell's level is the level the alerts
 * fire on.
 */
import {
  GPU_KEY_LABELS,
  GPU_RISK_FACTORS,
  LABEL_LRU_NAME,
  LABEL_SERVICE,
  LRU_KEY_LABELS,
  LRU_RISK_FACTORS,
  MAP_KEY_LABELS,
  MAP_RISK_FACTORS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
  PROM_MAP_GROWTHS_TOTAL,
  PROM_MAP_HINT,
  type RiskLevel,
  scoreGpu,
  scoreLru,
  scoreMap,
} from '@presize/definitions';

import type { Labels, InstantSample } from './prometheus-api';
import { by, duration, selector } from './promql';
import { mapFilters, type Scope, type SubjectFilter } from './queries';

export interface RiskRow {
  kind: 'map' | 'lru' | 'gpu';
  service: string;
  /** The map's or lru-cache's name, or the GPU as `GPU 0 (NVIDIA L4) on node`. */
  subject: string;
  score: number;
  level: RiskLevel;
  /** Title of the highest-scoring factor, empty when nothing scores. */
  topReason: string;
  /** Every factor above 0, highest first: `Resize storm 72, Far past its hint 55`. */
  reasons: string;
  entries: number | null;
  /** A map's capacity hint; none for lru-caches and GPUs. */
  hint: number | null;
  growthsInRange: number | null;
}

/** Keeps an input expression's series that belong to the scope, by the subject's key labels. */
function scoped(expr: string, keyLabels: readonly string[], scopeSelector: string | undefined): string {
  return scopeSelector ? `(${expr}) and on (${keyLabels.join(', ')}) ${scopeSelector}` : expr;
}

export interface RiskQueries {
  mapInputs: Array<{ reason: string; expr: string }>;
  lruInputs: Array<{ reason: string; expr: string }>;
  gpuInputs: Array<{ reason: string; expr: string }>;
  entries: string;
  hint: string;
  growths: string;
  lruEntries: string;
}

export function riskQueries(scope: Scope, rangeSeconds: number): RiskQueries {
  const filters = mapFilters(scope);
  const mapScope = filters.some((f) => f.values.length) ? selector(PROM_MAP_ENTRIES, filters) : undefined;
  // The map filter names maps: lru-caches are narrowed by service only (see wantsCaches).
  const lruFilters = [{ label: LABEL_SERVICE, values: scope.services }];
  const lruScope = scope.services.length ? selector(PROM_LRU_ENTRIES, lruFilters) : undefined;
  return {
    mapInputs: MAP_RISK_FACTORS.map((f) => ({ reason: f.reason, expr: scoped(f.inputExpr, MAP_KEY_LABELS, mapScope) })),
    lruInputs: LRU_RISK_FACTORS.map((f) => ({ reason: f.reason, expr: scoped(f.inputExpr, LRU_KEY_LABELS, lruScope) })),
    // GPUs are narrowed to the scope's nodes and indexes after scoring (gpuRiskRows): dcgm-exporter
    // names the node label `Hostname` or `hostname`, which one `and on (...)` cannot match.
    gpuInputs: GPU_RISK_FACTORS.map((f) => ({ reason: f.reason, expr: f.inputExpr })),
    entries: `max ${by(MAP_KEY_LABELS)} (${selector(PROM_MAP_ENTRIES, filters)})`,
    hint: `max ${by(MAP_KEY_LABELS)} (${selector(PROM_MAP_HINT, filters)})`,
    growths: `sum ${by(MAP_KEY_LABELS)} (increase(${selector(PROM_MAP_GROWTHS_TOTAL, filters)}[${duration(rangeSeconds)}]))`,
    lruEntries: `max ${by(LRU_KEY_LABELS)} (${selector(PROM_LRU_ENTRIES, lruFilters)})`,
  };
}

function key(labels: Labels, keyLabels: readonly string[]): string {
  return keyLabels.map((l) => labels[l] ?? '').join('\u0000');
}

function index(samples: readonly InstantSample[], keyLabels: readonly string[]): Map<string, InstantSample> {
  return new Map(samples.map((s) => [key(s.labels, keyLabels), s]));
}

export interface RiskResults {
  mapInputs: Record<string, readonly InstantSample[]>;
  gpuInputs: Record<string, readonly InstantSample[]>;
  entries: readonly InstantSample[];
  hint: readonly InstantSample[];
  growths: readonly InstantSample[];
}

/**
 * The factor to act on first. An ok subject has none: its largest factor is below every alert,
 * and naming it ("Far past its hint" for a map at 60 % of its hint) would read as a finding.
 */
function topReasonOf(assessment: { level: RiskLevel; reasons: ReadonlyArray<{ title: string }> }): string {
  return assessment.level === 'ok' ? '' : (assessment.reasons[0]?.title ?? '');
}

function describeReasons(reasons: ReadonlyArray<{ title: string; score: number }>): string {
  return reasons.map((r) => `${r.title} ${Math.round(r.score)}`).join(', ');
}

export function gpuSubject(labels: Labels): string {
  const node = labels.Hostname || labels.hostname || labels.instance || 'unknown node';
  const model = labels.modelName ? ` (${labels.modelName})` : '';
  return `GPU ${labels.gpu ?? '?'}${model} on ${node}`;
}

function subjects(groups: Record<string, readonly InstantSample[]>, keyLabels: readonly string[], extra: readonly InstantSample[] = []) {
  const all = new Map<string, Labels>();
  for (const samples of [...Object.values(groups), extra]) {
    for (const s of samples) {
      const k = key(s.labels, keyLabels);
      if (!all.has(k)) {all.set(k, s.labels);}
    }
  }
  return all;
}

export function mapRiskRows(results: RiskResults): RiskRow[] {
  const inputs = Object.fromEntries(
    Object.entries(results.mapInputs).map(([reason, samples]) => [reason, index(samples, MAP_KEY_LABELS)])
  );
  const entries = index(results.entries, MAP_KEY_LABELS);
  const hints = index(results.hint, MAP_KEY_LABELS);
  const growths = index(results.growths, MAP_KEY_LABELS);
  return [...subjects(results.mapInputs, MAP_KEY_LABELS, results.entries)].map(([k, labels]) => {
    const assessment = scoreMap(
      Object.fromEntries(MAP_RISK_FACTORS.map((f) => [f.reason, inputs[f.reason]?.get(k)?.value]))
    );
    return {
      kind: 'map' as const,
      service: labels.job ?? '',
      subject: labels.presize_map_name ?? '',
      score: assessment.score,
      level: assessment.level,
      topReason: topReasonOf(assessment),
      reasons: describeReasons(assessment.reasons),
      entries: entries.get(k)?.value ?? null,
      hint: hints.get(k)?.value ?? null,
      growthsInRange: growths.get(k)?.value ?? null,
    };
  });
}

export interface LruRiskResults {
  lruInputs: Record<string, readonly InstantSample[]>;
  lruEntries: readonly InstantSample[];
}

export function lruRiskRows(results: LruRiskResults): RiskRow[] {
  const inputs = Object.fromEntries(
    Object.entries(results.lruInputs).map(([reason, samples]) => [reason, index(samples, LRU_KEY_LABELS)])
  );
  const entries = index(results.lruEntries, LRU_KEY_LABELS);
  return [...subjects(results.lruInputs, LRU_KEY_LABELS, results.lruEntries)].map(([k, labels]) => {
    const assessment = scoreLru(
      Object.fromEntries(LRU_RISK_FACTORS.map((f) => [f.reason, inputs[f.reason]?.get(k)?.value]))
    );
    return {
      kind: 'lru' as const,
      service: labels[LABEL_SERVICE] ?? '',
      subject: labels[LABEL_LRU_NAME] ?? '',
      score: assessment.score,
      level: assessment.level,
      topReason: topReasonOf(assessment),
      reasons: describeReasons(assessment.reasons),
      entries: entries.get(k)?.value ?? null,
      hint: null,
      growthsInRange: null,
    };
  });
}

function inScope(labels: Labels, scope: Scope): boolean {
  const node = labels.Hostname || labels.hostname || '';
  return (
    (scope.nodes.length === 0 || scope.nodes.includes(node)) &&
    (scope.gpus.length === 0 || scope.gpus.includes(labels.gpu ?? ''))
  );
}

export function gpuRiskRows(results: Pick<RiskResults, 'gpuInputs'>, scope: Scope): RiskRow[] {
  const inputs = Object.fromEntries(
    Object.entries(results.gpuInputs).map(([reason, samples]) => [reason, index(samples, GPU_KEY_LABELS)])
  );
  const gpus = [...subjects(results.gpuInputs, GPU_KEY_LABELS)].filter(([, labels]) => inScope(labels, scope));
  return gpus.map(([k, labels]) => {
    const assessment = scoreGpu(
      Object.fromEntries(GPU_RISK_FACTORS.map((f) => [f.reason, inputs[f.reason]?.get(k)?.value]))
    );
    return {
      kind: 'gpu' as const,
      service: labels.job ?? '',
      subject: gpuSubject(labels),
      score: assessment.score,
      level: assessment.level,
      topReason: topReasonOf(assessment),
      reasons: describeReasons(assessment.reasons),
      entries: null,
      hint: null,
      growthsInRange: null,
    };
  });
}

/** Worst first, then by service and subject, so the top of the table is what needs attention. */
export function sortRiskRows(rows: readonly RiskRow[]): RiskRow[] {
  return [...rows].sort(
    (a, b) => b.score - a.score || a.service.localeCompare(b.service) || a.subject.localeCompare(b.subject)
  );
}

export function wantsMaps(subjectsFilter: SubjectFilter | undefined): boolean {
  return subjectsFilter === undefined || subjectsFilter === 'all' || subjectsFilter === 'maps';
}

export function wantsCaches(subjectsFilter: SubjectFilter | undefined, scope: Scope): boolean {
  // A map filter names maps; lru-caches are listed with them only when no map is chosen.
  if (subjectsFilter === 'caches') {return true;}
  return (subjectsFilter === undefined || subjectsFilter === 'all') && scope.maps.length === 0;
}

export function wantsGpus(subjectsFilter: SubjectFilter | undefined, scope: Scope): boolean {
  // A service or map filter is about maps and lru-caches; GPUs are only listed when asked for or
  // unfiltered.
  if (subjectsFilter === 'gpus') {return true;}
  return (subjectsFilter === undefined || subjectsFilter === 'all') && scope.services.length === 0 && scope.maps.length === 0;
}
