/**
 * A page that renders the plugin's editors with the real @grafana/ui, in Grafana's dark theme, the
 * way Grafana mounts them: the settings page keeps the settings, the panel editor the query. The
 * query editor's datasource talks to the Prometheus named in `?prometheus=`.
 */
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, type DataSourceSettings, ThemeContext } from '@grafana/data';
import { GlobalStyles } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/ConfigEditor';
import { QueryEditor } from '../../src/components/QueryEditor';
import { DataSource } from '../../src/datasource';
import type { PresizeDataSourceOptions, PresizeQuery, PresizeSecureJsonData } from '../../src/types';

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
    transport: async (path, params) => (await fetch(`${prometheus}/${path}?${params}`)).json(),
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

const settings = (jsonData: PresizeDataSourceOptions, secureJsonFields: Record<string, boolean> = {}) =>
  ({ id: 1, uid: 'presize', name: 'Presize', type: 'presize-riskmap-datasource', jsonData, secureJsonFields }) as Settings;

function Section({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section id={id} style={{ padding: 16, marginBottom: 8, background: theme.colors.background.primary, borderRadius: 4 }}>
      <h4 style={{ marginBottom: 16 }}>{title}</h4>
      {children}
    </section>
  );
}

function Page() {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main style={{ padding: 16, width: 1100, background: theme.colors.background.canvas }}>
        <Section id="config-basic" title="Settings: basic auth, password stored">
          <Config initial={settings({ url: prometheus, authMethod: 'basic', basicAuthUser: 'grafana' }, { basicAuthCredentials: true })} />
        </Section>
        <Section id="config-bearer" title="Settings: bearer token, a URL that needs fixing">
          <Config initial={settings({ url: 'prometheus:9090', authMethod: 'bearer' })} />
        </Section>
        <Section id="query-risk" title="Query: risk map">
          <Query initial={{ refId: 'R', queryType: 'riskMap', subjects: 'all', service: '$service' }} />
        </Section>
        <Section id="query-growth" title="Query: map growth">
          <Query initial={{ refId: 'G', queryType: 'mapGrowth', growthView: 'entries', map: 'devices' }} />
        </Section>
        <Section id="query-gpu" title="Query: GPU">
          <Query initial={{ refId: 'P', queryType: 'gpu', gpuFields: ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED'] }} />
        </Section>
        <Section id="query-capacity" title="Query: capacity advice">
          <Query initial={{ refId: 'C', queryType: 'capacity', headroomPercent: 25 }} />
        </Section>
        <Section id="query-slo" title="Query: SLO">
          <Query initial={{ refId: 'S', queryType: 'slo' }} />
        </Section>
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Page />);
