import {
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  REASON_LABEL,
  RISK_LEVEL_SCORES,
  SLO_RECORDS,
  TELEMETRY_ALERT,
  TELEMETRY_CAUSES,
  isAlertingRule,
  type RiskFactor,
  type RuleFile,
} from '../src/index.js';
import { DCGM_COUNTERS_FILE } from './dcgm-counters.js';
import { GENERATED_NOTICE, type GeneratedFile } from './output.js';

export const RUNBOOKS_DIR = 'provisioning/runbooks';
/**
 * Where `runbook_url` points: the runbooks' directory, relative to the repository root. Set it to
 * the web address of that directory in your repository host and run `npm run generate` to make the
 * links in notifications clickable.
 */
export const RUNBOOK_BASE_URL = RUNBOOKS_DIR;
/** The runbook shared by every SLO burn-rate alert, whatever SLO file it comes from. */
const SLO_RUNBOOK = 'slo-burn-rate';

interface Subject {
  noun: string;
  factors: readonly RiskFactor<string>[];
  records: { factorScore: string };
  /** The labels that name one subject in a query, with placeholders. */
  match: string;
  steps: readonly string[];
}

const MAP_STEPS = [
  '**Presize it with the planner\'s hint.** Take the peak from `max_over_time(presize_map_entries{job="<job>", presize_map_name="<map>"}[7d])` ' +
    'or from the workload: `planCapacity({ peakQps, retentionSeconds, keysPerRequest, keyPopulation })` returns `hint` ' +
    '(25 % headroom by default); create the map with `new PresizedMap({ hint, name })`. A native `Map` cannot be presized: ' +
    'replace it by a `PresizedMap` of that hint.',
  '**Shard it** when one table is too large to double in one go (evacuation stalls, growth imminent at peak): ' +
    '`new ShardedMap({ hint, shards: 16, name })` splits the hint over shards, so a growth moves one shard, not the whole map.',
  '**Bound what each entry holds**: values that are lists appended per key (`logs = [...logs, line]`) grow without end; ' +
    '`appendBounded(map, key, value, capacity)` keeps the last `capacity` values in a `BoundedList` that never reallocates.',
];

const LRU_STEPS = [
  '**Size the cache for its working set**: `planCapacity({ peakQps, retentionSeconds, keysPerRequest, keyPopulation })` ' +
    'gives the number of keys the traffic brings; set `max` (or `maxSize`) to at least that, or accept the misses.',
  '**Check what is evicted**: `presize_lru_evictions_total` by `presize_lru_name`; a cache evicting its whole contents ' +
    'every few minutes caches nothing.',
  '**Bound each entry** when entries are lists: a `BoundedList` keeps the last N values in one array.',
];

const GPU_STEPS = [
  '**Open the GPU** on the GPU dashboard (the risk map links each GPU to its panels).',
  `**Fields not collected**: \`${GPU_RISK_RECORDS.factorNotCollected}\` lists GPUs whose exporter lacks a field a factor reads; ` +
    `run dcgm-exporter with \`${DCGM_COUNTERS_FILE}\`.`,
];

const GPU_NOTES: Record<string, string> = {
  down: 'Check the exporter on the node (`up{job="<job>", instance="<instance>"}`) and `presize_gpu_up` of the Presize GPU source.',
  xid: "Look the XID code up in NVIDIA's XID catalogue; hardware and driver XIDs (48, 61–64, 74, 79, 92, 94, 95, 119, 120) need the node drained and the GPU reset or replaced.",
  throttling:
    "Power capping: check the power limit and the load. Thermal or hardware slowdown: check cooling and the node's power supply.",
  framebuffer:
    'The next model load or larger batch fails: unload models, lower the batch size or move work to another GPU.',
  utilisation_band:
    'Below the band: the GPU waits (batching, input pipeline); above: requests queue. Rebalance replicas.',
};

const MAP_NOTES: Record<string, string> = {
  resize_storm: 'The map was created far too small, or without a hint.',
  back_to_back_growth:
    'The map finishes one growth and starts the next: it keeps outgrowing its table while traffic rises.',
  hint_exceeded: 'The map was presized, but holds many times its hint: the hint was planned for another workload.',
  growth_imminent:
    'A large map will double within minutes at the current insert rate: that doubling moves every entry.',
  evacuation_stall: 'Writes pay for moving old buckets: each doubling is spread over the writes that follow it.',
  same_size_growth:
    'Deletes leave overflow buckets behind and the map rebuilds at the same size: churn, not growth. Bounding or sharding helps; a larger hint does not.',
};

const LRU_NOTES: Record<string, string> = {
  eviction_churn: 'The cache is full and evicts its contents over and over.',
  misses_while_evicting: 'Most `get`s miss while the cache evicts: it is smaller than the set of keys in use.',
};

const SUBJECTS: readonly Subject[] = [
  {
    noun: 'map',
    factors: MAP_RISK_FACTORS,
    records: MAP_RISK_RECORDS,
    match: 'job="<job>", presize_map_name="<map>"',
    steps: MAP_STEPS,
  },
  {
    noun: 'lru-cache',
    factors: LRU_RISK_FACTORS,
    records: LRU_RISK_RECORDS,
    match: 'job="<job>", presize_lru_name="<cache>"',
    steps: LRU_STEPS,
  },
  {
    noun: 'GPU',
    factors: GPU_RISK_FACTORS,
    records: GPU_RISK_RECORDS,
    match: 'instance="<instance>", gpu="<gpu>"',
    steps: GPU_STEPS,
  },
];

const NOTES: Record<string, string> = { ...MAP_NOTES, ...LRU_NOTES, ...GPU_NOTES };

const url = (name: string) => `${RUNBOOK_BASE_URL}/${name}.md`;

/** Adds `runbook_url` to every alert that has none (an SLO file may name its own). */
export function withRunbooks(file: RuleFile, isSlo: boolean): RuleFile {
  return {
    groups: file.groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) =>
        isAlertingRule(rule) && !rule.annotations?.runbook_url
          ? { ...rule, annotations: { ...rule.annotations, runbook_url: url(isSlo ? SLO_RUNBOOK : rule.alert) } }
          : rule,
      ),
    })),
  };
}

const fence = (lines: string[]) => ['```promql', ...lines, '```'];

function factorRunbook(subject: Subject, factor: RiskFactor<string>): string {
  const score = `${subject.records.factorScore}{${REASON_LABEL}="${factor.reason}"}`;
  return [
    `# ${factor.alert}: ${factor.title}`,
    '',
    '## What it means',
    '',
    `${factor.description} ${NOTES[factor.reason] ?? ''}`.trim(),
    '',
    `Thresholds: ${factor.thresholdText}. The alert fires with \`severity="warning"\` while the factor scores ` +
      `${RISK_LEVEL_SCORES.warn} to ${RISK_LEVEL_SCORES.critical}, \`severity="critical"\` from ${RISK_LEVEL_SCORES.critical}` +
      `${factor.for === '0m' ? '' : `, once held for ${factor.for}`}; the ${subject.noun} is the same colour on the risk map.`,
    '',
    '## Confirm',
    '',
    `Every ${subject.noun} at warn or above on this factor, and the input of the one in the alert:`,
    '',
    ...fence([`${score} >= ${RISK_LEVEL_SCORES.warn}`, `${factor.inputRecord}{${subject.match}}`]),
    '',
    '## What to do',
    '',
    ...subject.steps.map((step, i) => `${i + 1}. ${step}`),
    '',
  ].join('\n');
}

function telemetryRunbook(): string {
  return [
    `# ${TELEMETRY_ALERT}: Presize telemetry missing`,
    '',
    '## What it means',
    '',
    'No risk alert can fire for a service whose telemetry is missing: every other Presize alert stays quiet. The `cause` label says which part is missing:',
    '',
    ...Object.entries(TELEMETRY_CAUSES).map(([cause, text]) => `- \`${cause}\`: ${text}`),
    '',
    '## Confirm',
    '',
    ...fence([
      'group by (job) (last_over_time(presize_map_entries[1h])) unless on (job) group by (job) (presize_map_entries)',
      'group by (job) (presize_map_entries) unless on (job) group by (job) (presize:map_risk:score)',
      'up{job="<job>"}',
    ]),
    '',
    '## What to do',
    '',
    '1. **Stopped reporting**: check the service runs and is scraped (`up`), and that it still loads the instrumentation ' +
      '(`--import @presize/auto-instrumentation/register` or `PresizedMapInstrumentation`). A service retired on purpose clears after an hour.',
    '2. **Risk not recorded**: check that Prometheus loads `provisioning/prometheus/rules/` (`promtool check config`, ' +
      'Status → Rules in Prometheus) and that no rule evaluation fails.',
    '',
  ].join('\n');
}

function sloRunbook(): string {
  return [
    '# SLO burn-rate alerts',
    '',
    '## What it means',
    '',
    'The SLO named by `sloth_slo` of `sloth_service` spends its error budget faster than it can last the 30-day period: ' +
      '`sloth_severity="page"` at 14.4× over 1 h and 5 m or 6× over 6 h and 30 m; `ticket` at 3× over 1 d and 2 h or 1× over 3 d and 6 h.',
    '',
    '## Confirm',
    '',
    ...fence([
      `${SLO_RECORDS.currentBurnRate}{sloth_id="<id>"}`,
      `${SLO_RECORDS.periodErrorBudgetRemaining}{sloth_id="<id>"}`,
      `${SLO_RECORDS.sliError('5m')}{sloth_id="<id>"}`,
    ]),
    '',
    '## What to do',
    '',
    '1. Open the SLO overview dashboard and find when the error ratio rose.',
    '2. For the map write SLO, open the risk map: a map in a resize storm or with evacuation stalls makes writes slow; ' +
      "presize it with the planner's hint, shard it, bound its lists (see the map runbooks).",
    '3. For the inference SLOs, check the service itself (errors, latency, model hot updates, circuit breaker).',
    '',
  ].join('\n');
}

export function runbookFiles(): GeneratedFile[] {
  const file = (name: string, content: string) => ({
    path: `${RUNBOOKS_DIR}/${name}.md`,
    content: `<!-- ${GENERATED_NOTICE} -->\n${content}`,
  });
  const factorFiles = SUBJECTS.flatMap((subject) =>
    subject.factors.map((f) => file(f.alert, factorRunbook(subject, f))),
  );
  return [...factorFiles, file(TELEMETRY_ALERT, telemetryRunbook()), file(SLO_RUNBOOK, sloRunbook())];
}
