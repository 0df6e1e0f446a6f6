/**
 * The built plugin as Grafana loads it: dist/plugin.json and dist/module.js, an AMD module whose
 * dependencies Grafana provides. `npm test` builds dist/ first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as data from '@grafana/data';
import * as runtime from '@grafana/runtime';
import * as ui from '@grafana/ui';
import * as react from 'react';
import * as rxjs from 'rxjs';
import { render, screen } from '@testing-library/react';

const DIST = join(__dirname, '../dist');
const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as { version: string };

function distFile(name: string): string {
  const path = join(DIST, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: build the plugin first (npm run build)`);
  return readFileSync(path, 'utf8');
}

describe('dist/', () => {
  it('holds a plugin.json Grafana accepts for a proxied datasource', () => {
    const plugin = JSON.parse(distFile('plugin.json'));
    expect(plugin).toMatchObject({
      type: 'datasource',
      id: 'presize-riskmap-datasource',
      metrics: true,
      annotations: true,
      info: { version: pkg.version, logos: { small: 'img/logo.svg', large: 'img/logo.svg' } },
    });
    expect(plugin.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(existsSync(join(DIST, plugin.info.logos.small))).toBe(true);
    // The routes themselves: test/routes.test.ts. The secrets are only referenced, filled in by Grafana's server.
    for (const route of plugin.routes) expect(route.url).toMatch(/^\{\{ \.JsonData\.url \}\}\/api\/v1\//);
  });

  it('holds a module.js that defines the datasource plugin with its editors', () => {
    const source = distFile('module.js');
    const provided: Record<string, unknown> = {
      '@grafana/data': data,
      '@grafana/runtime': runtime,
      '@grafana/ui': ui,
      react,
      rxjs,
      module: { uri: '/public/plugins/presize-riskmap-datasource/module.js' },
    };
    let exported: Record<string, unknown> | undefined;
    const define = (deps: string[], factory: (...modules: unknown[]) => Record<string, unknown>) => {
      const missing = deps.filter((d) => !(d in provided));
      if (missing.length) throw new Error(`module.js needs modules Grafana does not provide: ${missing.join(', ')}`);
      exported = factory(...deps.map((d) => provided[d]));
    };
    new Function('define', source)(define);
    const plugin = exported?.plugin as data.DataSourcePlugin<never>;
    expect(plugin).toBeInstanceOf(data.DataSourcePlugin);
    const ConfigEditor = plugin.components.ConfigEditor as unknown as react.ComponentType<Record<string, unknown>>;
    render(
      react.createElement(ConfigEditor, {
        options: { jsonData: { url: 'http://prometheus:9090' }, secureJsonFields: {} },
        onOptionsChange: () => undefined,
      })
    );
    expect(screen.getByDisplayValue('http://prometheus:9090')).toBeInTheDocument();
    expect(typeof plugin.components.QueryEditor).toBe('function');
    expect(source).not.toMatch(/console\.log\(/);
  });
});
