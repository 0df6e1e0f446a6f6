/**
 * Grafana's data proxy answers for the Prometheus API and for itself; its answers are read here in
 * words a person can act on. The proxy turns the API's 401 into 400 "Authentication to data source
 * failed" (pkg/api/pluginproxy/ds_proxy.go), so the credentials problem hides behind a 400.
 */

export interface ProxyFailure {
  status?: number;
  statusText?: string;
  /** The body: Prometheus' JSON error envelope, Grafana's `{ message }` or plain text. */
  data?: unknown;
}

function bodyText(data: unknown): string {
  if (typeof data === 'string') {
    return data;
  }
  if (data && typeof data === 'object') {
    const { message, error } = data as { message?: unknown; error?: unknown };
    if (typeof message === 'string') {
      return message;
    }
    if (typeof error === 'string') {
      return error;
    }
  }
  return '';
}

/** Grafana's own answer when the proxy has no route for the request or refuses the caller. */
const GRAFANA_REFUSALS: ReadonlyArray<[RegExp, string]> = [
  [/route access denied/i, "Grafana refused the request: your role may not use this datasource's proxy route"],
  [
    /not a valid target|whitelist|allow ?list/i,
    "Grafana refused the URL: its host is not in Grafana's data proxy allow list ([security] data_source_proxy_whitelist)",
  ],
  [
    /Unable to load TLS certificate/i,
    'Grafana could not load the TLS certificate settings (CA, client certificate or key); paste them again in PEM form',
  ],
];

export function describeProxyFailure(failure: ProxyFailure): string {
  const { status } = failure;
  const text = bodyText(failure.data).trim();
  const quoted = text ? ` (the server said: ${text.slice(0, 200)})` : '';
  for (const [pattern, words] of GRAFANA_REFUSALS) {
    if (pattern.test(text)) {
      return `${words} (HTTP ${status ?? '?'})`;
    }
  }
  if (status === 400 && /Authentication to data source failed/i.test(text)) {
    return (
      'the Prometheus API refused the credentials: it answered 401, which Grafana reports as 400 ' +
      '"Authentication to data source failed"; check the user and password or the token in the datasource settings'
    );
  }
  switch (status) {
    case undefined:
    case 0:
      return 'the browser could not reach Grafana; check the connection to Grafana';
    case 401:
      return 'Grafana refused the request (HTTP 401): the Grafana session has ended; sign in again';
    case 403:
      return `the Prometheus API refused access (HTTP 403)${quoted}: the credentials are valid but not allowed; for Mimir, check the X-Scope-OrgID header`;
    case 404:
      return 'the URL answers, but not as a Prometheus API (HTTP 404); Mimir and Thanos need their /prometheus or query prefix in the URL';
    case 405:
      return 'the server does not accept this method (HTTP 405); the datasource sends queries as POST, as the Prometheus API accepts them';
    case 413:
    case 414:
      return `the request is too large for the server (HTTP ${status}); choose fewer values than All`;
    case 429:
      return `the Prometheus API is rate limiting (HTTP 429)${quoted}; try again later or narrow the time range`;
    case 502:
      return `Grafana could not reach the Prometheus API (HTTP 502)${quoted}: check the URL, that the server is up and reachable from Grafana's server, and the TLS settings`;
    case 503:
      return `the Prometheus API is unavailable (HTTP 503)${quoted}; check that the server is up`;
    case 504:
      return 'the Prometheus API did not answer in time (HTTP 504); raise the timeout in the datasource settings or narrow the time range';
    default:
      return `the Prometheus API answered HTTP ${status} ${failure.statusText ?? ''}${quoted}`
        .replace(/\s+/g, ' ')
        .trim();
  }
}
