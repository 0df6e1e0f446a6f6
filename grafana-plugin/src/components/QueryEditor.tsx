import React, { useState } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, MultiSelect, RadioButtonGroup, Select, Stack } from '@grafana/ui';

import { DEFAULT_HEADROOM_PERCENT } from '../core/capacity';
import { DEFAULT_GPU_FIELDS, GPU_FIELDS, type GpuField, MAP_GROWTH_VIEWS, type MapGrowthView } from '../core/queries';
import { DEFAULT_RISK_ROWS, MAX_RISK_ROWS, type SubjectFilter } from '../core/risk';
import type { VariableKind } from '../variables/variable-query';
import type { DataSource } from '../datasource';
import type { PresizeDataSourceOptions, PresizeQuery, QueryType } from '../types';

type Props = QueryEditorProps<DataSource, PresizeQuery, PresizeDataSourceOptions>;

export const QUERY_TYPES: Array<{ label: string; value: QueryType; description: string }> = [
  {
    label: 'Risk map',
    value: 'riskMap',
    description: 'Every map, lru-cache and GPU with its risk score, level and top reason',
  },
  {
    label: 'Risk timeline',
    value: 'riskTimeline',
    description: 'Risk level of every map, lru-cache and GPU over time, for a state timeline',
  },
  { label: 'SLO', value: 'slo', description: 'Objective, SLI, error budget left and burn rates' },
  { label: 'Map growth', value: 'mapGrowth', description: 'Growths, entries against hint, load factor, stalls' },
  { label: 'GPU', value: 'gpu', description: 'DCGM fields per GPU over time' },
  { label: 'Capacity advice', value: 'capacity', description: 'The hint each map should have been created with' },
  { label: 'Growth events', value: 'growthEvents', description: 'One event per map growth, for annotations' },
];

const SUBJECTS: Array<SelectableValue<SubjectFilter>> = [
  { label: 'All', value: 'all' },
  { label: 'Maps', value: 'maps' },
  { label: 'lru-caches', value: 'caches' },
  { label: 'GPUs', value: 'gpus' },
];

const LABEL_WIDTH = 14;

interface LabelSelectProps {
  label: string;
  tooltip: string;
  kind: VariableKind;
  /** Narrows the choices, e.g. the service whose maps to list. */
  argument?: string;
  value: string | undefined;
  /** Makes element ids unique among the query rows of one panel. */
  refId: string;
  datasource: DataSource;
  onChange: (value: string | undefined) => void;
}

/** A label value or a template variable; values are listed from Prometheus when the menu opens. */
function LabelSelect({ label, tooltip, kind, argument, value, refId, datasource, onChange }: LabelSelectProps) {
  const [options, setOptions] = useState<Array<SelectableValue<string>>>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string>();

  const load = async () => {
    setLoading(true);
    try {
      const values = await datasource.optionsFor(kind, argument);
      setOptions([
        ...datasource.templateVariableNames().map((v) => ({ label: v, value: v, description: 'Template variable' })),
        ...values.map((v) => ({ label: v, value: v })),
      ]);
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };

  const id = `presize-${kind}-${refId}`;
  return (
    <InlineField
      label={label}
      labelWidth={LABEL_WIDTH}
      tooltip={tooltip}
      invalid={error !== undefined}
      error={error}
      htmlFor={id}
    >
      <Select
        inputId={id}
        width={28}
        isClearable
        allowCustomValue
        placeholder="All"
        isLoading={loading}
        options={options}
        value={value ? { label: value, value } : null}
        onOpenMenu={load}
        onChange={(selected) => onChange(selected?.value || undefined)}
      />
    </InlineField>
  );
}

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const queryType = query.queryType ?? 'riskMap';
  const update = (patch: Partial<PresizeQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };
  const select = (
    props: Omit<LabelSelectProps, 'datasource' | 'onChange' | 'refId'> & { field: keyof PresizeQuery }
  ) => (
    <LabelSelect
      {...props}
      refId={query.refId}
      datasource={datasource}
      onChange={(v) => update({ [props.field]: v })}
    />
  );

  const service = select({
    field: 'service',
    label: 'Service',
    tooltip: 'The service (Prometheus job); empty for all',
    kind: 'services',
    value: query.service,
  });
  const map = select({
    field: 'map',
    label: 'Map',
    tooltip: 'The presized map by name; empty for all',
    kind: 'maps',
    argument: query.service,
    value: query.map,
  });
  const node = select({
    field: 'node',
    label: 'Node',
    tooltip: 'The GPU node (Hostname or hostname)',
    kind: 'nodes',
    value: query.node,
  });
  const gpu = select({
    field: 'gpu',
    label: 'GPU',
    tooltip: 'The GPU index on the node',
    kind: 'gpus',
    argument: query.node,
    value: query.gpu,
  });

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField label="Query" labelWidth={LABEL_WIDTH} tooltip="What to show; no PromQL needed">
          <RadioButtonGroup<QueryType>
            options={QUERY_TYPES}
            value={queryType}
            onChange={(value) => update({ queryType: value })}
          />
        </InlineField>
      </InlineFieldRow>

      {(queryType === 'riskMap' || queryType === 'riskTimeline') && (
        <InlineFieldRow>
          <InlineField label="Show" labelWidth={LABEL_WIDTH}>
            <RadioButtonGroup<SubjectFilter>
              options={SUBJECTS}
              value={query.subjects ?? 'all'}
              onChange={(value) => update({ subjects: value })}
            />
          </InlineField>
          {service}
          {map}
          {queryType === 'riskMap' && (
            <NumberInput
              id={`presize-rows-${query.refId}`}
              label="Rows"
              tooltip="How many subjects to list, the highest scores first"
              error={`A whole number from 1 to ${MAX_RISK_ROWS}`}
              value={query.rows ?? DEFAULT_RISK_ROWS}
              valid={(v) => Number.isSafeInteger(v) && v >= 1 && v <= MAX_RISK_ROWS}
              onCommit={(rows) => update({ rows })}
            />
          )}
        </InlineFieldRow>
      )}

      {queryType === 'slo' && (
        <InlineFieldRow>
          {select({
            field: 'service',
            label: 'Service',
            tooltip: 'The service of the SLO specification',
            kind: 'slo_services',
            value: query.service,
          })}
          {select({
            field: 'slo',
            label: 'SLO',
            tooltip: 'The SLO by name; empty for all',
            kind: 'slos',
            argument: query.service,
            value: query.slo,
          })}
        </InlineFieldRow>
      )}

      {queryType === 'mapGrowth' && (
        <InlineFieldRow>
          <InlineField label="Series" labelWidth={LABEL_WIDTH} htmlFor={`presize-growth-view-${query.refId}`}>
            <Select<MapGrowthView>
              inputId={`presize-growth-view-${query.refId}`}
              width={28}
              options={[...MAP_GROWTH_VIEWS]}
              value={query.growthView ?? 'growths'}
              onChange={(selected) => update({ growthView: selected.value })}
            />
          </InlineField>
          {service}
          {map}
        </InlineFieldRow>
      )}

      {queryType === 'gpu' && (
        <InlineFieldRow>
          <InlineField
            label="Fields"
            labelWidth={LABEL_WIDTH}
            tooltip="DCGM fields from dcgm-exporter"
            htmlFor={`presize-gpu-fields-${query.refId}`}
          >
            <MultiSelect<GpuField>
              inputId={`presize-gpu-fields-${query.refId}`}
              width={48}
              options={GPU_FIELDS.map((f) => ({ label: f.label, value: f.value, description: f.value }))}
              value={query.gpuFields ?? [...DEFAULT_GPU_FIELDS]}
              onChange={(selected) =>
                update({ gpuFields: selected.map((s) => s.value).filter((v): v is GpuField => Boolean(v)) })
              }
            />
          </InlineField>
          {node}
          {gpu}
        </InlineFieldRow>
      )}

      {queryType === 'capacity' && (
        <InlineFieldRow>
          {service}
          {map}
          <NumberInput
            id={`presize-headroom-${query.refId}`}
            label="Headroom %"
            tooltip="Extra room above the observed peak"
            error="A percentage from 0 to 1000"
            value={query.headroomPercent ?? DEFAULT_HEADROOM_PERCENT}
            valid={(v) => v >= 0 && v <= 1000}
            onCommit={(headroomPercent) => update({ headroomPercent })}
          />
        </InlineFieldRow>
      )}

      {queryType === 'growthEvents' && (
        <InlineFieldRow>
          {service}
          {map}
        </InlineFieldRow>
      )}
    </Stack>
  );
}

/** A number typed in full before the query runs: committed on blur, and only when `valid` holds. */
function NumberInput({
  id,
  label,
  tooltip,
  error,
  value,
  valid,
  onCommit,
}: {
  id: string;
  label: string;
  tooltip: string;
  error: string;
  value: number;
  valid: (v: number) => boolean;
  onCommit: (v: number) => void;
}) {
  const [text, setText] = useState(String(value));
  const parsed = Number(text);
  const invalid = text.trim() === '' || !Number.isFinite(parsed) || !valid(parsed);
  return (
    <InlineField label={label} labelWidth={LABEL_WIDTH} tooltip={tooltip} invalid={invalid} error={error} htmlFor={id}>
      <Input
        id={id}
        type="number"
        width={10}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onBlur={() => !invalid && onCommit(parsed)}
      />
    </InlineField>
  );
}
