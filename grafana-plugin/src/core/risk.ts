/**
 * The risk map: one row per map, per lru-cache and per GPU, read from what the recording rules
 * record (`presize:*_risk:score` lists the subjects, the factor scores above 0 by `reason` rank
 * them), so a cell's level is the level the alerts fire on and 10,000 quiet maps cost one series
 * each, not one per factor. The three kinds differ only in the entries of RISK_SUBJECTS, the same
 * table shape as the recording rules' subjects in definitions/src/rules/risk-rules.ts.
 */
import {
  assessScores,
  by,
  duration,
  filterSelector,
  GPU_KEY_LABELS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  LABEL_LRU_NAME,
  LABEL_MAP_NAME,
  LABEL_SERVICE,
  type LabelFilter,
  LRU_KEY_LABELS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_KEY_LABELS,
  matcher,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  PROM_LRU_ENTRIES,
  PROM_MAP_ENTRIES,
  PROM_MAP_GROWTHS_TOTAL,
  PROM_MAP_HINT,
  REASON_LABEL,
  type RiskFactor,
  type RiskLevel,
} from '@presize/definitions';

import { LABEL_GPU, gpuNode } from './names';
import type { InstantSample, Labels } from './prometheus-api';
import { isAny, labelFilter, type Scope, selects } from './scope';

export type SubjectFilter = 'all' | 'maps' | 'caches' | 'gpus';
export type RiskKind = 'map' | 'lru' | 'gpu';

export interface RiskRow {
  kind: RiskKind;
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

/** A per-subject figure shown beside the score: its PromQL over the scope and the range. */
type Extra = 'entries' | 'hint' | 'growthsInRange';

export interface RiskSubject {
  kind: RiskKind;
  /** The `Show` choice that lists this kind. */
  show: Exclude<SubjectFilter, 'all'>;
  factors: ReadonlyArray<RiskFactor<string>>;
  /** The recorded score series (`presize:*_risk:score`), one per subject. */
  scoreRecord: string;
  /** The recorded factor scores (`presize:*_risk_factor:score`), one per subject and `reason`. */
  factorScoreRecord: string;
  keyLabels: readonly string[];
  /**
   * Label filters that narrow the subject's series in PromQL; undefined when it is narrowed after
   * reading instead (GPUs: dcgm-exporter names the node `Hostname` or `hostname`, and one selector
   * cannot match either label).
   */
  filters(scope: Scope): LabelFilter[] | undefined;
  extras: Partial<Record<Extra, (filters: LabelFilter[], rangeSeconds: number) => string>>;
  /** Whether the scope narrows this kind only in the browser (`inScope`): it is then read whole, not ranked in PromQL. */
  narrowedAfterReading(scope: Scope): boolean;
  /** Whether an unfiltered `All` lists this kind under the scope's filters. */
  listedUnderAll(scope: Scope): boolean;
  inScope(labels: Labels, scope: Scope): boolean;
  service(labels: Labels): string;
  name(labels: Labels): string;
}

export function gpuSubject(labels: Labels): string {
  const node = gpuNode(labels) || labels.instance || 'unknown node';
  const model = labels.modelName ? ` (${labels.modelName})` : '';
  return `GPU ${labels[LABEL_GPU] ?? '?'}${model} on ${node}`;
}

const perMap = (aggregation: string, expr: string) => `${aggregation} ${by(MAP_KEY_LABELS)} (${expr})`;

export const RISK_SUBJECTS: readonly RiskSubject[] = [
  {
    kind: 'map',
    show: 'maps',
    factors: MAP_RISK_FACTORS,
    scoreRecord: MAP_RISK_RECORDS.score,
    factorScoreRecord: MAP_RISK_RECORDS.factorScore,
    keyLabels: MAP_KEY_LABELS,
    filters: (scope) => [labelFilter(LABEL_SERVICE, scope.services), labelFilter(LABEL_MAP_NAME, scope.maps)],
    extras: {
      entries: (filters) => perMap('max', filterSelector(PROM_MAP_ENTRIES, filters)),
      hint: (filters) => perMap('max', filterSelector(PROM_MAP_HINT, filters)),
      growthsInRange: (filters, range) =>
        perMap('sum', `increase(${filterSelector(PROM_MAP_GROWTHS_TOTAL, filters)}[${duration(range)}])`),
    },
    narrowedAfterReading: () => false,
    listedUnderAll: () => true,
    inScope: () => true,
    service: (labels) => labels[LABEL_SERVICE] ?? '',
    name: (labels) => labels[LABEL_MAP_NAME] ?? '',
  },
  {
    kind: 'lru',
    show: 'caches',
    factors: LRU_RISK_FACTORS,
    scoreRecord: LRU_RISK_RECORDS.score,
    factorScoreRecord: LRU_RISK_RECORDS.factorScore,
    keyLabels: LRU_KEY_LABELS,
    // The map filter names maps: lru-caches are narrowed by service only.
    filters: (scope) => [labelFilter(LABEL_SERVICE, scope.services)],
    extras: { entries: (filters) => `max ${by(LRU_KEY_LABELS)} (${filterSelector(PROM_LRU_ENTRIES, filters)})` },
    narrowedAfterReading: () => false,
    // A map filter names maps; lru-caches are listed with them only when no map is chosen.
    listedUnderAll: (scope) => isAny(scope.maps),
    inScope: () => true,
    service: (labels) => labels[LABEL_SERVICE] ?? '',
    name: (labels) => labels[LABEL_LRU_NAME] ?? '',
  },
  {
    kind: 'gpu',
    show: 'gpus',
    factors: GPU_RISK_FACTORS,
    scoreRecord: GPU_RISK_RECORDS.score,
    factorScoreRecord: GPU_RISK_RECORDS.factorScore,
    keyLabels: GPU_KEY_LABELS,
    filters: () => undefined,
    extras: {},
    narrowedAfterReading: (scope) => !isAny(scope.nodes) || !isAny(scope.gpus),
    // A service or map filter is about maps and lru-caches.
    listedUnderAll: (scope) => isAny(scope.services) && isAny(scope.maps),
    inScope: (labels, scope) => selects(scope.nodes, gpuNode(labels)) && selects(scope.gpus, labels[LABEL_GPU] ?? ''),
    service: (labels) => labels.job ?? '',
    name: gpuSubject,
  },
];

/** The kinds a query lists: the one asked for, or under `All` those its filters leave in. */
export function wantedSubjects(show: SubjectFilter | undefined, scope: Scope): RiskSubject[] {
  return RISK_SUBJECTS.filter((s) =>
    show === undefined || show === 'all' ? s.listedUnderAll(scope) : show === s.show
  );
}

/** Rows a risk map lists unless its query asks for another number: the worst subjects first. */
export const DEFAULT_RISK_ROWS = 500;
/** The most rows a risk map lists: a table past this is read by no one and costs the browser seconds. */
export const MAX_RISK_ROWS = 100_000;

/** The number of rows a risk map lists; a clear error for anything but a whole number in range. */
export function checkRiskRows(rows: number): number {
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > MAX_RISK_ROWS) {
    throw new RangeError(`Rows must be a whole number from 1 to ${MAX_RISK_ROWS}, got ${String(rows)}`);
  }
  return rows;
}

export interface RankingQueries {
  /**
   * The subjects to list: the recorded scores, and at 0 the subjects with entries the rules have
   * not scored yet; the `rows` highest when the kind is narrowed in PromQL.
   */
  subjects: string;
  /** How many subjects the scope holds, when `subjects` may leave some out. */
  count?: string;
}

/**
 * What ranks a kind's subjects. A kind narrowed after reading (GPUs under a node or GPU filter)
 * is read whole: ranked first, the subjects its filter keeps might not be among the highest.
 */
export function rankingQueries(subject: RiskSubject, scope: Scope, rows: number): RankingQueries {
  const filters = subject.filters(scope);
  const entries = subject.extras.entries?.(filters ?? [], 0);
  const scores = `max ${by(subject.keyLabels)} (${filterSelector(subject.scoreRecord, filters ?? [])})`;
  const all = entries ? `${scores} or ${entries} * 0` : scores;
  if (subject.narrowedAfterReading(scope)) return { subjects: all };
  return { subjects: `topk(${rows}, ${all})`, count: `count(${all})` };
}

/**
 * Text the narrowing to listed subjects may add to a query. VictoriaMetrics refuses a query longer
 * than 16,384 bytes by default (`-search.maxQueryLen`); half of it leaves room for the rest.
 */
export const MAX_NARROWING_BYTES = 8_192;

/**
 * A filter per key label on the values the listed subjects have, the shortest first while they fit
 * in MAX_NARROWING_BYTES: 500 maps of 500 services narrow by service and name in 6.5 KiB, where 500
 * GPUs' UUIDs alone would take 20 KiB, so GPUs are narrowed by node, index and instance instead. A
 * label left out narrows nothing, which costs reading more, never a wrong row.
 */
const UTF8 = new TextEncoder();

function listedFilters(keyLabels: readonly string[], listed: readonly InstantSample[]): LabelFilter[] {
  const filters = keyLabels
    .map((label) => {
      const filter = { label, values: [...new Set(listed.map((s) => s.labels[label] ?? ''))] };
      return { filter, bytes: UTF8.encode(matcher(filter) ?? '').length + 1 };
    })
    .sort((a, b) => a.bytes - b.bytes);
  const kept: LabelFilter[] = [];
  let bytes = 0;
  for (const { filter, bytes: size } of filters) {
    if (bytes + size > MAX_NARROWING_BYTES) break;
    kept.push(filter);
    bytes += size;
  }
  return kept;
}

export interface SubjectQueries {
  /** The listed subjects' recorded factor scores above 0; a factor at 0 is no reason and need not travel. */
  factorScores: string;
  extras: Array<{ extra: Extra; expr: string }>;
}

/**
 * The figures of the listed subjects. When the ranking left subjects out, key labels are narrowed
 * to the values the listed subjects have (`label=~"a|b"`, a set the stores look up by value; see
 * `listedFilters`): at 10,000 maps and 500 rows, 3,000 factor scores are read instead of 51,250.
 * The narrowing may keep a subject that was not listed (its service and name each belong to a
 * listed one); `riskRows` drops it. Every query keeps only the labels a row is built from (the subject's
 * key, and `reason` on factor scores): at 10,000 maps the metric name alone, repeated on every
 * series, would be a megabyte of the answer.
 */
export function subjectQueries(
  subject: RiskSubject,
  scope: Scope,
  rangeSeconds: number,
  listed?: readonly InstantSample[]
): SubjectQueries {
  const scoped = subject.filters(scope) ?? [];
  const narrowing = listed === undefined ? [] : listedFilters(subject.keyLabels, listed);
  // The listed subjects were read under the scope: their values replace its filters on those labels.
  const filters = [...narrowing, ...scoped.filter((f) => !narrowing.some((n) => n.label === f.label))];
  const extras = (Object.entries(subject.extras) as Array<[Extra, (f: LabelFilter[], r: number) => string]>).map(
    ([extra, build]) => ({ extra, expr: build(filters, rangeSeconds) })
  );
  return {
    factorScores: `max ${by([...subject.keyLabels, REASON_LABEL])} (${filterSelector(subject.factorScoreRecord, filters)} > 0)`,
    extras,
  };
}

export interface SubjectResults {
  /** The listed subjects: the answer to `RankingQueries.subjects`. */
  subjects: readonly InstantSample[];
  factorScores: readonly InstantSample[];
  extras: Partial<Record<Extra, readonly InstantSample[]>>;
}

// key and index run once per sample: at 10,000 maps, tens of thousands of times a query, so they
// build their strings and maps in plain loops rather than through intermediate arrays.
function key(labels: Labels, keyLabels: readonly string[]): string {
  let k = labels[keyLabels[0]!] ?? '';
  for (let i = 1; i < keyLabels.length; i++) k += `\u0000${labels[keyLabels[i]!] ?? ''}`;
  return k;
}

function index(samples: readonly InstantSample[], keyLabels: readonly string[]): Map<string, InstantSample> {
  const byKey = new Map<string, InstantSample>();
  for (const s of samples) byKey.set(key(s.labels, keyLabels), s);
  return byKey;
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

/**
 * One row per listed subject (a map seen before the rules first scored it is listed at 0, as the
 * rules' baseline will list it), ranked from its factor scores; figures of subjects not listed
 * are left out.
 */
export function riskRows(subject: RiskSubject, results: SubjectResults, scope: Scope): RiskRow[] {
  const extras = Object.fromEntries(
    Object.entries(results.extras).map(([extra, samples]) => [extra, index(samples ?? [], subject.keyLabels)])
  ) as Partial<Record<Extra, Map<string, InstantSample>>>;
  const subjects = new Map<string, { labels: Labels; scores: Record<string, number> }>();
  for (const s of results.subjects) subjects.set(key(s.labels, subject.keyLabels), { labels: s.labels, scores: {} });
  for (const s of results.factorScores) {
    const reason = s.labels[REASON_LABEL];
    const listed = subjects.get(key(s.labels, subject.keyLabels));
    if (reason !== undefined && listed !== undefined) listed.scores[reason] = s.value;
  }
  const extra = (name: Extra, k: string) => (subject.extras[name] ? (extras[name]?.get(k)?.value ?? null) : null);
  return [...subjects]
    .filter(([, { labels }]) => subject.inScope(labels, scope))
    .map(([k, { labels, scores }]) => {
      const assessment = assessScores(subject.factors, scores);
      return {
        kind: subject.kind,
        service: subject.service(labels),
        subject: subject.name(labels),
        score: assessment.score,
        level: assessment.level,
        topReason: topReasonOf(assessment),
        reasons: describeReasons(assessment.reasons),
        entries: extra('entries', k),
        hint: extra('hint', k),
        growthsInRange: extra('growthsInRange', k),
      };
    });
}

/** Worst first, then by service and subject, so the top of the table is what needs attention. */
export function sortRiskRows(rows: readonly RiskRow[]): RiskRow[] {
  return [...rows].sort(
    (a, b) => b.score - a.score || a.service.localeCompare(b.service) || a.subject.localeCompare(b.subject)
  );
}
