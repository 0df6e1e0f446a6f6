/**
 * Data frames from Prometheus results: pure functions that tests call directly, and the only
 * place that knows how a frame for each query type looks.
 */
import {
  createDataFrame,
  type DataFrame,
  type FieldConfig,
  FieldType,
  MappingType,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/data';
import { levelForScore, RISK_LEVEL_SCORES, RISK_LEVEL_VALUES, type RiskLevel } from '@presize/definitions';

import type { CapacityAdvice } from './core/capacity';
import type { Labels, RangeSeries } from './core/prometheus-api';
import type { SeriesQuery } from './core/queries';
import type { RiskKind, RiskRow } from './core/risk';
import { SLO_WINDOWS, type SloRow, type SloStatus } from './core/slo';

/** The name a person reads for a series: its identifying label values, then what it measures. */
export function seriesName(labels: Labels, query: Pick<SeriesQuery, 'nameLabels' | 'title'>): string {
  const parts = query.nameLabels.map((label) => labels[label]).filter((v): v is string => Boolean(v));
  return [...parts, query.title].join(' ');
}

export function timeSeriesFrames(refId: string, query: SeriesQuery, series: readonly RangeSeries[]): DataFrame[] {
  return series.map((s) => {
    const name = seriesName(s.labels, query);
    const config: FieldConfig = { displayNameFromDS: name };
    if (query.unit) {
      config.unit = query.unit;
    }
    return createDataFrame({
      refId,
      name,
      fields: [
        { name: 'Time', type: FieldType.time, values: s.times },
        { name: 'Value', type: FieldType.number, values: s.values, labels: s.labels, config },
      ],
    });
  });
}

export interface GrowthEvent {
  time: number;
  /** Growths in the step that ends at `time`. */
  count: number;
  service: string;
  map: string;
  kind: string;
  trigger: string;
}

/** Growth events from a range result of growths per step: one event per series and step in which it grew. */
export function growthEvents(
  series: readonly RangeSeries[],
  labels: { service: string; map: string; kind: string; trigger: string }
): GrowthEvent[] {
  const events: GrowthEvent[] = [];
  for (const s of series) {
    s.times.forEach((time, i) => {
      const count = s.values[i] ?? 0;
      if (count > 0) {
        events.push({
          time,
          count,
          service: s.labels[labels.service] ?? '',
          map: s.labels[labels.map] ?? '',
          kind: s.labels[labels.kind] ?? '',
          trigger: s.labels[labels.trigger] ?? '',
        });
      }
    });
  }
  return events.sort((a, b) => a.time - b.time);
}

/** Growth kinds and triggers in words, as instrumentation/docs/telemetry.md defines them. */
const GROWTH_KINDS: Record<string, string> = {
  double: 'doubling',
  same_size: 'same-size growth',
  v8_rehash: 'table rebuild',
  v8_shrink: 'table shrink',
};
const GROWTH_TRIGGERS: Record<string, string> = {
  load_factor: 'load factor above 6.5',
  overflow: 'too many overflow buckets',
  capacity: 'table full: doubled',
  deleted_entries: 'half the slots held deleted entries: same size',
  low_occupancy: 'under a quarter full: halved',
};

function describeGrowth(event: GrowthEvent): string {
  const kind = GROWTH_KINDS[event.kind] ?? (event.kind || 'growth');
  const what = event.count === 1 ? kind : `${event.count} ${kind}s`;
  const trigger = GROWTH_TRIGGERS[event.trigger] ?? event.trigger;
  return `${event.map} in ${event.service}: ${what}${trigger ? ` (${trigger})` : ''}`;
}

/** An annotation frame: Grafana reads time, title, text and tags. */
export function growthEventFrame(refId: string, events: readonly GrowthEvent[]): DataFrame {
  return createDataFrame({
    refId,
    name: 'Map growth events',
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
      { name: 'title', type: FieldType.string, values: events.map((e) => `${e.map} grew`) },
      { name: 'text', type: FieldType.string, values: events.map(describeGrowth) },
      {
        name: 'tags',
        type: FieldType.other,
        values: events.map((e) => [e.service, e.map, e.kind, e.trigger].filter(Boolean)),
      },
      { name: 'service', type: FieldType.string, values: events.map((e) => e.service) },
      { name: 'map', type: FieldType.string, values: events.map((e) => e.map) },
    ],
  });
}

export function capacityFrame(refId: string, rows: readonly CapacityAdvice[]): DataFrame {
  // Fixed widths for the figures leave the rest of the panel to the advice sentence.
  const column = <T>(name: string, type: FieldType, values: T[], config: FieldConfig = {}, width?: number) => ({
    name,
    type,
    values,
    config: width ? { ...config, custom: { ...config.custom, width } } : config,
  });
  return createDataFrame({
    refId,
    name: 'Capacity advice',
    fields: [
      column(
        'Service',
        FieldType.string,
        rows.map((r) => r.service),
        {},
        110
      ),
      column(
        'Map',
        FieldType.string,
        rows.map((r) => r.map),
        {},
        110
      ),
      column(
        'Peak entries',
        FieldType.number,
        rows.map((r) => r.peakEntries),
        { decimals: 0 },
        110
      ),
      column(
        'Hint',
        FieldType.number,
        rows.map((r) => r.hint),
        { decimals: 0 },
        80
      ),
      column(
        'Advised hint',
        FieldType.number,
        rows.map((r) => r.recommendedHint),
        { decimals: 0 },
        110
      ),
      column(
        'Doublings seen',
        FieldType.number,
        rows.map((r) => r.observedDoublings),
        { decimals: 0 },
        130
      ),
      column(
        'Doublings saved',
        FieldType.number,
        rows.map((r) => r.doublingsAvoided),
        { decimals: 0 },
        145
      ),
      column(
        'B now → advised',
        FieldType.string,
        rows.map((r) => `${r.currentB} → ${r.recommendedB}`),
        {},
        150
      ),
      column(
        'Table memory',
        FieldType.number,
        rows.map((r) => r.recommendedBytes),
        { unit: 'bytes' },
        120
      ),
      column(
        'Extra memory',
        FieldType.number,
        rows.map((r) => r.extraBytes),
        { unit: 'bytes' },
        120
      ),
      column(
        'Advice',
        FieldType.string,
        rows.map((r) => r.advice),
        WRAPPED
      ),
    ],
  });
}

/** Long text cells wrap: `wrapText` for Grafana 12's table, `cellOptions.wrapText` for the older one. */
const WRAPPED: FieldConfig = { custom: { wrapText: true, cellOptions: { type: 'auto', wrapText: true } } };

/** Colours of the three risk levels; the score thresholds come from the shared definitions. */
const LEVEL_COLOURS: Record<RiskLevel, string> = { ok: 'green', warn: 'orange', critical: 'red' };

const levelMappings = (): ValueMapping[] => [
  {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      (Object.keys(LEVEL_COLOURS) as RiskLevel[]).map((level, index) => [level, { color: LEVEL_COLOURS[level], index }])
    ),
  },
];

const scoreThresholds = () => ({
  mode: ThresholdsMode.Absolute,
  steps: [
    { value: -Infinity, color: LEVEL_COLOURS.ok },
    { value: RISK_LEVEL_SCORES.warn, color: LEVEL_COLOURS.warn },
    { value: RISK_LEVEL_SCORES.critical, color: LEVEL_COLOURS.critical },
  ],
});

/**
 * The risk map table. `subjects` counts every subject in scope: when the rows leave some out, the
 * panel says so, so that a table of the worst is never read as the whole fleet.
 */
export function riskFrame(refId: string, rows: readonly RiskRow[], subjects: number = rows.length): DataFrame {
  const width = (w: number) => ({ custom: { width: w } });
  const cell = (w: number) => ({ custom: { width: w, cellOptions: { type: 'color-background' } } });
  const count = (n: number) => n.toLocaleString('en-US');
  return createDataFrame({
    refId,
    name: 'Risk map',
    ...(subjects > rows.length && {
      meta: {
        notices: [
          {
            severity: 'info',
            text: `The ${count(rows.length)} highest-scoring of ${count(subjects)} subjects. Raise Rows, or narrow by service or map, to list others.`,
          },
        ],
      },
    }),
    fields: [
      { name: 'Service', type: FieldType.string, values: rows.map((r) => r.service), config: width(130) },
      { name: 'Subject', type: FieldType.string, values: rows.map((r) => r.subject), config: width(345) },
      { name: 'Kind', type: FieldType.string, values: rows.map((r) => r.kind), config: width(60) },
      {
        name: 'Score',
        type: FieldType.number,
        values: rows.map((r) => r.score),
        config: {
          min: 0,
          max: 100,
          decimals: 0,
          thresholds: scoreThresholds(),
          color: { mode: 'thresholds' },
          ...cell(70),
        },
      },
      {
        name: 'Level',
        type: FieldType.string,
        values: rows.map((r) => r.level),
        config: { mappings: levelMappings(), ...cell(80) },
      },
      { name: 'Top reason', type: FieldType.string, values: rows.map((r) => r.topReason), config: width(180) },
      { name: 'Reasons', type: FieldType.string, values: rows.map((r) => r.reasons), config: WRAPPED },
      {
        name: 'Entries',
        type: FieldType.number,
        values: rows.map((r) => r.entries),
        config: { decimals: 0, ...width(90) },
      },
      { name: 'Hint', type: FieldType.number, values: rows.map((r) => r.hint), config: { decimals: 0, ...width(80) } },
      {
        name: 'Growths in range',
        type: FieldType.number,
        values: rows.map((r) => r.growthsInRange),
        config: { decimals: 0, ...width(145) },
      },
    ],
  });
}

export interface RiskTimeline {
  kind: RiskKind;
  service: string;
  subject: string;
  /** The recorded score series. */
  series: RangeSeries;
}

/**
 * One subject's risk level over time (0 ok, 1 warn, 2 critical, the values of
 * `presize:*_risk:level`), mapped to the level's name and colour for a state timeline.
 */
export function riskTimelineFrame(refId: string, timeline: RiskTimeline): DataFrame {
  const name = timeline.kind === 'gpu' ? timeline.subject : `${timeline.service} ${timeline.subject}`;
  const levels = timeline.series.values.map((score) =>
    Number.isNaN(score) ? null : RISK_LEVEL_VALUES[levelForScore(score)]
  );
  const mappings: ValueMapping[] = [
    {
      type: MappingType.ValueToText,
      options: Object.fromEntries(
        (Object.keys(LEVEL_COLOURS) as RiskLevel[]).map((level, index) => [
          String(RISK_LEVEL_VALUES[level]),
          { text: level, color: LEVEL_COLOURS[level], index },
        ])
      ),
    },
  ];
  return createDataFrame({
    refId,
    name,
    fields: [
      { name: 'Time', type: FieldType.time, values: timeline.series.times },
      {
        name: 'Level',
        type: FieldType.number,
        values: levels,
        labels: { kind: timeline.kind, service: timeline.service, subject: timeline.subject },
        config: { displayNameFromDS: name, mappings, min: 0, max: 2, decimals: 0 },
      },
    ],
  });
}

const STATUS_COLOURS: Record<SloStatus, string> = {
  ok: 'green',
  ticket: 'orange',
  page: 'red',
  exhausted: 'dark-red',
  'no data': 'text',
};

export function sloFrame(refId: string, rows: readonly SloRow[]): DataFrame {
  const burnFields = SLO_WINDOWS.map((window) => ({
    name: `Burn rate ${window}`,
    type: FieldType.number,
    values: rows.map((r) => r.burnRates[window] ?? null),
    config: { decimals: 2, unit: 'x' },
  }));
  return createDataFrame({
    refId,
    name: 'SLOs',
    fields: [
      { name: 'Service', type: FieldType.string, values: rows.map((r) => r.service) },
      { name: 'SLO', type: FieldType.string, values: rows.map((r) => r.slo) },
      {
        name: 'Objective',
        type: FieldType.number,
        values: rows.map((r) => r.objective),
        config: { unit: 'percentunit', decimals: 3 },
      },
      {
        name: 'SLI',
        type: FieldType.number,
        values: rows.map((r) => r.sli),
        config: { unit: 'percentunit', decimals: 3 },
      },
      {
        name: 'Error budget remaining',
        type: FieldType.number,
        values: rows.map((r) => r.budgetRemaining),
        config: { unit: 'percentunit', decimals: 1 },
      },
      ...burnFields,
      {
        name: 'Status',
        type: FieldType.string,
        values: rows.map((r) => r.status),
        config: {
          mappings: [
            {
              type: MappingType.ValueToText,
              options: Object.fromEntries(
                Object.entries(STATUS_COLOURS).map(([status, color], index) => [status, { color, index }])
              ),
            },
          ],
          custom: { cellOptions: { type: 'color-background' } },
        },
      },
    ],
  });
}
