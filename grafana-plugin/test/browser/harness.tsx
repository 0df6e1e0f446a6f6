/**
 * A page that renders the plugin's editors with the real @grafana/ui, in Grafana's dark theme, the
 * way Grafana mounts them: the settings page keeps the settings, the panel editor the query. The
 * query editor's datasource talks to the Prometheus named in `?prometheus=`.
 */
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type DataQueryRequest,
  type DataSourceSettings,
  dateTime,
  ThemeContext,
} from '@grafana/data';
import { GlobalStyles, Table } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/ConfigEditor';
import { QueryEditor } from '../../src/components/QueryEditor';
import { VariableQueryEditor } from '../../src/components/VariableQueryEditor';
import { DataSource } from '../../src/datasource';
import { httpRequest } from '../../src/transport/http-request';
import type {
  PresizeDataSourceOptions,
  PresizeQuery,
  PresizeSecureJsonData,
  PresizeVariableQuery,
} from '../../src/types';

const theme = createTheme({ colors: { mode: 'dark' } });
const prometheus = new URLSearchParams(location.search).get('prometheus') ?? '';

const datasource = new DataSource(
  {
    uid: 'presize',
    type: 'presize-riskmap-datasource',
    name: 'Presize',
    url: '',
    access: 'proxy',
    readOnly: false,
    jsonData: { url: prometheus },
    meta: { id: 'presize-riskmap-datasource' },
  } as never,
  {
    // The method and encoding Grafana's proxy forwards: queries as form-encoded POST.
    transport: async (path, params) => {
      const request = httpRequest(path, params);
      return (
        await fetch(`${prometheus}/${request.url}`, {
          method: request.method,
          body: request.body,
          headers: request.headers,
        })
      ).json();
    },
    templateSrv: { replace: (text?: string) => text ?? '', getVariables: () => [{ name: 'service' }] as never },
  }
);

type Settings = DataSourceSettings<PresizeDataSourceOptions, PresizeSecureJsonData>;

function Config({ initial }: { initial: Settings }) {
  const [options, setOptions] = useState(initial);
  return <ConfigEditor options={options} onOptionsChange={setOptions} />;
}

function Query({ initial }: { initial: PresizeQuery }) {
  const [query, setQuery] = useState(initial);
  return <QueryEditor datasource={datasource} query={query} onChange={setQuery} onRunQuery={() => undefined} />;
}

/** The variable editor as Grafana's variable settings show it, with the values its query lists below. */
function Variable({ initial }: { initial: PresizeVariableQuery }) {
  const [query, setQuery] = useState(initial);
  const [values, setValues] = useState<string>('');
  useEffect(() => {
    datasource.variableValues(query).then(
      (found) => setValues(found.map((v) => v.text).join(', ')),
      (e: Error) => setValues(e.message)
    );
  }, [query]);
  return (
    <>
      <VariableQueryEditor query={query} onChange={setQuery} />
      <p id="variable-values" style={{ marginTop: 8 }}>
        Values: {values}
      </p>
    </>
  );
}

/** A query's result as a table panel shows it: frames through Grafana's field overrides, then Table. */
function Result({ query, id }: { query: PresizeQuery; id: string }) {
  const [frame, setFrame] = useState<DataFrame>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const to = Date.now();
    datasource
      .query({
        targets: [query],
        range: { from: dateTime(to - 3600_000), to: dateTime(to), raw: { from: 'now-1h', to: 'now' } },
        intervalMs: 15_000,
        maxDataPoints: 500,
        scopedVars: {},
      } as unknown as DataQueryRequest<PresizeQuery>)
      .then(
        (response) => {
          if (response.errors?.length) {
            setError(response.errors.map((e) => e.message).join('; '));
            return;
          }
          const [processed] = applyFieldOverrides({
            data: response.data as DataFrame[],
            fieldConfig: { defaults: {}, overrides: [] },
            replaceVariables: (text) => text,
            theme,
            timeZone: 'utc',
          });
          setFrame(processed);
        },
        (e: Error) => setError(e.message)
      );
  }, [query]);
  if (error) return <div id={`${id}-error`}>{error}</div>;
  return frame ? (
    <div id={`${id}-table`}>
      <Table data={frame} width={1500} height={36 * (frame.length + 1) + 8} />
    </div>
  ) : null;
}

const RISK_QUERY: PresizeQuery = { refId: 'T', queryType: 'riskMap', subjects: 'all' };
const CAPACITY_QUERY: PresizeQuery = { refId: 'U', queryType: 'capacity', headroomPercent: 25 };

const settings = (jsonData: PresizeDataSourceOptions, secureJsonFields: Record<string, boolean> = {}) =>
  ({
    id: 1,
    uid: 'presize',
    name: 'Presize',
    type: 'presize-riskmap-datasource',
    jsonData,
    secureJsonFields,
  }) as Settings;

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section
      id={id}
      style={{ padding: 16, marginBottom: 8, background: theme.colors.background.primary, borderRadius: 4 }}
    >
      <h4 style={{ marginBottom: 16 }}>{title}</h4>
      {children}
    </section>
  );
}

function Page() {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main style={{ padding: 16, width: 1560, background: theme.colors.background.canvas }}>
        <Section id="config-basic" title="Settings: basic auth, password stored">
          <Config
            initial={settings(
              { url: prometheus, authMethod: 'basic', basicAuthUser: 'grafana' },
              { basicAuthCredentials: true }
            )}
          />
        </Section>
        <Section id="config-bearer" title="Settings: bearer token, a URL that needs fixing">
          <Config initial={settings({ url: 'prometheus:9090', authMethod: 'bearer' })} />
        </Section>
        <Section id="config-connection" title="Settings: CA certificate and a tenant header, stored">
          <Config
            initial={settings(
              {
                url: prometheus,
                tlsAuthWithCACert: true,
                timeout: 60,
                httpHeaderName1: 'X-Scope-OrgID',
              } as PresizeDataSourceOptions,
              { tlsCACert: true, httpHeaderValue1: true }
            )}
          />
        </Section>
        <Section id="variable-editor" title="Variable: values of a query">
          <Variable initial={{ refId: 'V', kind: 'services' }} />
        </Section>
        <Section id="query-risk" title="Query: risk map">
          <Query initial={{ refId: 'R', queryType: 'riskMap', subjects: 'all', service: '$service' }} />
        </Section>
        <Section id="query-growth" title="Query: map growth">
          <Query initial={{ refId: 'G', queryType: 'mapGrowth', growthView: 'entries', map: 'devices' }} />
        </Section>
        <Section id="query-gpu" title="Query: GPU">
          <Query
            initial={{ refId: 'P', queryType: 'gpu', gpuFields: ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED'] }}
          />
        </Section>
        <Section id="query-capacity" title="Query: capacity advice">
          <Query initial={{ refId: 'C', queryType: 'capacity', headroomPercent: 25 }} />
        </Section>
        <Section id="query-slo" title="Query: SLO">
          <Query initial={{ refId: 'S', queryType: 'slo' }} />
        </Section>
        <Section id="result-risk" title="Result: risk map in a table panel">
          <Result id="risk" query={RISK_QUERY} />
        </Section>
        <Section id="result-capacity" title="Result: capacity advice in a table panel">
          <Result id="capacity" query={CAPACITY_QUERY} />
        </Section>
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Page />);
