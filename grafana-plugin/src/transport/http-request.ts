/**
 * How one Prometheus API call goes over HTTP: the method of its endpoint (endpoints.ts), a form
 * body for POST as the Prometheus API accepts it, the parameters in the URL for GET. Shared by the
 * data proxy transport and by direct transports, so tests against a real Prometheus send exactly
 * what Grafana's proxy would forward.
 */
import { endpointOf, type HttpMethod } from './endpoints';

export interface HttpRequest {
  method: HttpMethod;
  /** Path and, for GET, the query string; relative to the base URL. */
  url: string;
  /** Form-encoded body of a POST. */
  body?: string;
  headers: Record<string, string>;
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export function httpRequest(path: string, params: URLSearchParams): HttpRequest {
  const endpoint = endpointOf(path);
  if (!endpoint) {
    // A path outside the table would match no proxy route; failing here names it.
    throw new Error(`"${path}" is not one of the Prometheus API read endpoints the datasource uses`);
  }
  const query = params.toString();
  if (endpoint.method === 'POST') {
    return { method: 'POST', url: path, body: query, headers: { 'Content-Type': FORM_CONTENT_TYPE } };
  }
  return { method: 'GET', url: query ? `${path}?${query}` : path, headers: {} };
}
