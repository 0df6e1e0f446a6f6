import React, { type ChangeEvent, useState } from 'react';
import { InlineField, InlineFieldRow, Input, Select } from '@grafana/ui';

import type { PresizeVariableQuery } from '../types';
import { readVariableQuery, VARIABLE_KINDS, type VariableKind } from '../variables/variable-query';

/** The part of Grafana's editor props the variable editor uses. */
interface Props {
  query: PresizeVariableQuery;
  onChange: (query: PresizeVariableQuery) => void;
}

/** The variable editor's value from what the dashboard saved, the text form of earlier dashboards included. */
function initial(query: PresizeVariableQuery | string | undefined): { kind?: VariableKind; argument?: string } {
  try {
    return readVariableQuery(query);
  } catch {
    return {};
  }
}

/** What a template variable lists: services, maps of a service, GPU nodes, GPUs of a node, SLO services or SLOs. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const saved = initial(query as PresizeVariableQuery | string | undefined);
  const [argument, setArgument] = useState(saved.argument ?? '');
  const kind = VARIABLE_KINDS.find((k) => k.value === saved.kind);
  const refId = typeof query === 'object' && query?.refId ? query.refId : 'PresizeVariable';
  const commit = (patch: { kind?: VariableKind; argument?: string }) => {
    const next = { kind: saved.kind, argument: argument || undefined, ...patch };
    onChange({ refId, kind: next.kind, ...(next.argument ? { argument: next.argument } : {}) });
  };
  return (
    <InlineFieldRow>
      <InlineField label="Values of" labelWidth={14} htmlFor="presize-variable-kind">
        <Select<VariableKind>
          inputId="presize-variable-kind"
          width={28}
          options={VARIABLE_KINDS.map((k) => ({ label: k.label, value: k.value, description: k.description }))}
          value={saved.kind ?? null}
          placeholder="Choose"
          onChange={(selected) => commit({ kind: selected.value })}
        />
      </InlineField>
      {kind?.argument && (
        <InlineField
          label={kind.argument}
          labelWidth={10}
          tooltip={`Only the ${kind.label.toLowerCase()} of this ${kind.argument.toLowerCase()}; a value or a variable such as $service. Empty for all.`}
          htmlFor="presize-variable-argument"
        >
          <Input
            id="presize-variable-argument"
            width={24}
            value={argument}
            placeholder="All"
            onChange={(event: ChangeEvent<HTMLInputElement>) => setArgument(event.target.value)}
            onBlur={() => commit({ argument: argument.trim() || undefined })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
