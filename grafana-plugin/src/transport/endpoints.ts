/**
 * The read endpoints of the Prometheus HTTP API the datasource may reach through Grafana's data
 * proxy, each with the one method it is sent with. plugin.json has one proxy route per endpoint
 * and auth method built from this table (test/routes.test.ts holds them to it); anything else a
 * caller sends to the proxy URL matches no route and gets neither the URL nor the credentials.
 */

export type HttpMethod = 'GET' | 'POST';

export interface ReadEndpoint {
  /** Path below the API's base URL; `label/` is followed by a label name and `/values`. */
  path: string;
  /**
   * POST where a query or a series matcher can grow long (an `All` of many values): the form body
   * has no URL length limit. GET for the small lookups.
   */
  method: HttpMethod;
}

/**
 * Longer paths first: Grafana picks the first route whose path is a prefix of the request's, and
 * `api/v1/query` is a prefix of `api/v1/query_range`.
 */
export const READ_ENDPOINTS: readonly ReadEndpoint[] = [
  { path: 'api/v1/query_range', method: 'POST' },
  { path: 'api/v1/query_exemplars', method: 'POST' },
  { path: 'api/v1/query', method: 'POST' },
  { path: 'api/v1/series', method: 'POST' },
  { path: 'api/v1/labels', method: 'POST' },
  { path: 'api/v1/label/', method: 'GET' },
  { path: 'api/v1/status/buildinfo', method: 'GET' },
  { path: 'api/v1/metadata', method: 'GET' },
];

/** `api/v1/label/<name>/values` for a checked label name. */
export function labelValuesPath(label: string): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) {
    throw new Error(`"${label}" is not a Prometheus label name (letters, digits and _, not starting with a digit)`);
  }
  return `api/v1/label/${label}/values`;
}

/** The endpoint a request path belongs to, or undefined for a path the datasource never sends. */
export function endpointOf(path: string): ReadEndpoint | undefined {
  if (/^api\/v1\/label\/[a-zA-Z_][a-zA-Z0-9_]*\/values$/.test(path)) {
    return READ_ENDPOINTS.find((e) => e.path === 'api/v1/label/');
  }
  return READ_ENDPOINTS.find((e) => e.path === path);
}
