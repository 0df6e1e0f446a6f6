/**
 * The built plugin.json's proxy routes under the matching rule of Grafana's data proxy
 * (pkg/api/pluginproxy/ds_proxy.go, validateRequest): the first route whose method is empty or
 * equal to the request's and whose cleaned path is a prefix of the cleaned requested path wins,
 * and ApplyRoute forwards the rest of the path to the route's URL. A request that matches no route
 * gets neither the URL nor the credentials. `npm test` builds dist/ first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

import { dateTime, type DataQueryRequest } from '@grafana/data';
import type { BackendSrv } from '@grafana/runtime';
import fc from 'fast-check';
import { of } from 'rxjs';

import { DataSource } from '../src/datasource';
import { QUERY_HANDLERS } from '../src/handlers';
import { dashboardVariables, instanceSettings } from '../src/test-support';
import { READ_ENDPOINTS } from '../src/transport/endpoints';
import { dataProxyTransport } from '../src/transport/proxy-transport';
import type { AuthMethod, PresizeQuery, QueryType } from '../src/types';
import { VARIABLE_KINDS } from '../src/variables/variable-query';

interface Route {
  path: string;
  method?: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

const PLUGIN_JSON = join(__dirname, '../dist/plugin.json');
const PROXY = '/api/datasources/proxy/uid/presize';
const AUTH_METHODS: AuthMethod[] = ['none', 'basic', 'bearer'];

function routes(): Route[] {
  if (!existsSync(PLUGIN_JSON)) {
    throw new Error(`${PLUGIN_JSON} is missing: build the plugin first (npm run build)`);
  }
  return (JSON.parse(readFileSync(PLUGIN_JSON, 'utf8')) as { routes: Route[] }).routes;
}

/** Go's util.CleanRelativePath: clean `/` + path, then relative to `/`. */
function cleanRelative(path: string): string {
  const cleaned = posix.normalize(`/${path}`).replace(/\/+$/, '');
  return cleaned.replace(/^\/+/, '');
}

/** Go's util.JoinURLFragments. */
function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

/**
 * What Grafana does with `method` on `/api/datasources/proxy/uid/<uid>/<rawPath>`: Go's server
 * decodes the path once before routing, the proxy path is what follows the uid.
 */
function proxy(method: string, rawPath: string): { route: Route; upstreamPath: string } | undefined {
  let proxyPath: string;
  try {
    proxyPath = decodeURIComponent(rawPath);
  } catch {
    return undefined; // Go refuses a malformed escape with 400 before any route.
  }
  const route = routes().find(
    (r) =>
      (!r.method || r.method === '*' || r.method === method) &&
      cleanRelative(proxyPath).startsWith(cleanRelative(r.path))
  );
  if (!route) {
    return undefined;
  }
  const routeUrl = new URL(route.url.replace('{{ .JsonData.url }}', 'http://prometheus:9090'));
  const rest = proxyPath.startsWith(route.path) ? proxyPath.slice(route.path.length) : proxyPath;
  return { route, upstreamPath: joinUrlFragments(routeUrl.pathname, rest) };
}

/**
 * The endpoint a server serves for a forwarded path, in the worst case: one that decodes the path
 * once more (`%2F` into `/`) and cleans `..` before routing.
 */
function upstreamEndpoint(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {}
  return cleanRelative(decoded);
}

function recordingBackendSrv(calls: Array<{ method: string; url: string }>): () => BackendSrv {
  const answer = (url: string) => {
    if (url.includes('/api/v1/query_range')) {
      return { status: 'success', data: { resultType: 'matrix', result: [] } };
    }
    if (url.includes('/api/v1/query')) {
      return { status: 'success', data: { resultType: 'vector', result: [] } };
    }
    if (url.includes('/api/v1/status/buildinfo')) {
      return { status: 'success', data: { version: '3.0.0' } };
    }
    return { status: 'success', data: [] };
  };
  const fetch = (options: { url: string; method: string }) => {
    calls.push({ method: options.method, url: options.url });
    return of({ data: answer(options.url) });
  };
  return () => ({ fetch }) as unknown as BackendSrv;
}

/** Every request the datasource makes: each query type, each variable query, Save & test, under each auth method. */
async function everyDatasourceRequest(): Promise<Array<{ method: string; path: string }>> {
  const calls: Array<{ method: string; url: string }> = [];
  const templateSrv = await dashboardVariables([]);
  for (const auth of AUTH_METHODS) {
    const ds = new DataSource(instanceSettings({ url: 'http://prometheus:9090', authMethod: auth }), {
      transport: dataProxyTransport(PROXY, auth, recordingBackendSrv(calls)),
      templateSrv,
    });
    const to = dateTime(1_700_000_000_000);
    const targets = (Object.keys(QUERY_HANDLERS) as QueryType[]).map((queryType) => ({
      refId: queryType,
      queryType,
      service: 'a',
      node: 'n',
    }));
    const response = await ds.query({
      targets,
      range: { from: dateTime(to.valueOf() - 3600_000), to, raw: { from: 'now-1h', to: 'now' } },
      intervalMs: 15_000,
      maxDataPoints: 500,
      scopedVars: {},
    } as unknown as DataQueryRequest<PresizeQuery>);
    expect(response.errors).toBeUndefined();
    for (const { value: kind } of VARIABLE_KINDS) {
      await ds.variableValues({ refId: 'V', kind, argument: 'x' });
    }
    expect((await ds.testDatasource()).status).toBe('error'); // no Presize metrics in the empty answers
  }
  return calls.map(({ method, url }) => {
    expect(url.startsWith(`${PROXY}/`)).toBe(true);
    return { method, path: url.slice(PROXY.length + 1).split('?')[0]! };
  });
}

describe('the proxy routes of dist/plugin.json', () => {
  it('are one per read endpoint and auth method, each with its method, and none is a bare prefix', () => {
    const all = routes();
    expect(all).toHaveLength(READ_ENDPOINTS.length * AUTH_METHODS.length);
    for (const auth of AUTH_METHODS) {
      for (const endpoint of READ_ENDPOINTS) {
        const route = all.find((r) => r.path === `${auth}/${endpoint.path}`);
        expect(route).toMatchObject({ method: endpoint.method, url: `{{ .JsonData.url }}/${endpoint.path}` });
      }
    }
    for (const route of all) {
      expect(route.method).toMatch(/^(GET|POST)$/);
      expect(cleanRelative(route.path).split('/').length).toBeGreaterThanOrEqual(3);
      const auth = route.path.split('/')[0];
      const authorization = route.headers?.find((h) => h.name === 'Authorization')?.content;
      expect(authorization).toBe(
        auth === 'basic'
          ? 'Basic {{ .SecureJsonData.basicAuthCredentials }}'
          : auth === 'bearer'
            ? 'Bearer {{ .SecureJsonData.bearerToken }}'
            : undefined
      );
    }
  });

  it('let every request the datasource makes through, to exactly the endpoint it names', async () => {
    const requests = await everyDatasourceRequest();
    const seen = new Set(
      requests.map(
        (r) => `${r.method} ${r.path.replace(/^\w+\//, '').replace(/label\/\w+\/values/, 'label/<name>/values')}`
      )
    );
    expect([...seen].sort()).toEqual([
      'GET api/v1/label/<name>/values',
      'GET api/v1/status/buildinfo',
      'POST api/v1/query',
      'POST api/v1/query_range',
    ]);
    for (const { method, path } of requests) {
      const forwarded = proxy(method, path);
      expect(forwarded).toBeDefined();
      expect(forwarded!.upstreamPath).toBe(`/${path.replace(/^\w+\//, '')}`);
      expect(forwarded!.route.path.split('/')[0]).toBe(path.split('/')[0]);
    }
  });

  it.each(AUTH_METHODS)('let no lifecycle, admin or traversal request through (%s)', (auth) => {
    const hostile: Array<[string, string]> = [
      ['POST', '-/quit'],
      ['PUT', '-/quit'],
      ['PUT', '-/reload'],
      ['POST', '-/reload'],
      ['POST', 'api/v1/admin/tsdb/delete_series'],
      ['PUT', 'api/v1/admin/tsdb/delete_series'],
      ['POST', 'api/v1/admin/tsdb/snapshot'],
      ['POST', 'api/v1/admin/tsdb/clean_tombstones'],
      ['GET', 'api/v1/status/config'],
      ['GET', 'api/v1/targets'],
      ['GET', 'federate'],
      ['POST', 'api/v1/query/../../../-/quit'],
      ['POST', 'api/v1/query_range/../admin/tsdb/delete_series'],
      ['GET', 'api/v1/label/../../../-/reload'],
      ['POST', 'api/v1/query%2F..%2F..%2F..%2F-%2Fquit'],
      ['POST', 'api/v1/query/%2e%2e/%2e%2e/%2e%2e/-/quit'],
      ['PUT', 'api/v1/label/%2E%2E%2F%2E%2E%2F%2E%2E%2F-%2Freload'],
      ['POST', 'api/v1/label/job/values'],
      ['DELETE', 'api/v1/query'],
      ['PUT', 'api/v1/query'],
      ['GET', 'api/v1/query'],
      ['POST', ''],
      ['GET', ''],
    ];
    for (const [method, path] of hostile) {
      expect([method, path, proxy(method, `${auth}/${path}`)]).toEqual([method, path, undefined]);
    }
    // Outside every auth prefix nothing matches either.
    expect(proxy('POST', 'api/v1/query')).toBeUndefined();
  });

  it('forward whatever a caller sends only to the read endpoint of the route it matched', () => {
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '',
        '%2e%2e',
        '%2E%2E',
        '%2F',
        '%252F',
        '..%2F..',
        '%2e%2e%2f',
        '-',
        'quit',
        'reload',
        'admin',
        'tsdb',
        'delete_series'
      ),
      fc.constantFrom(
        'api',
        'v1',
        'query',
        'query_range',
        'label',
        'job',
        'values',
        'series',
        'status',
        'buildinfo',
        'labels'
      ),
      fc.string({ maxLength: 4 })
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      path: fc
        .tuple(fc.constantFrom(...AUTH_METHODS), fc.array(segment, { maxLength: 8 }))
        .map(([auth, parts]) => [auth, ...parts].join('/')),
    });
    fc.assert(
      fc.property(request, ({ method, path }) => {
        const forwarded = proxy(method, path);
        if (!forwarded) {
          return true;
        }
        const endpoint = cleanRelative(forwarded.route.path).replace(/^\w+\//, '');
        // The method is the route's own, and Prometheus sees the route's endpoint or a path below it,
        // which it serves as that endpoint or not at all.
        expect(method).toBe(forwarded.route.method);
        const upstream = upstreamEndpoint(forwarded.upstreamPath);
        expect(upstream === endpoint || upstream.startsWith(`${endpoint}/`)).toBe(true);
        return true;
      }),
      { numRuns: 3000 }
    );
  });
});
