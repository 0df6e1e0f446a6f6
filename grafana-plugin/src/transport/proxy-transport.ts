/**
 * Requests through Grafana's data proxy: the route for the endpoint and auth method (plugin.json)
 * adds the Authorization header from secureJsonData on Grafana's server, and Grafana applies the
 * TLS settings, custom headers and timeout of the datasource there, so no secret reaches the browser.
 */
import { type BackendSrv, getBackendSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import type { Transport } from '../core/prometheus-api';
import type { AuthMethod } from '../types';
import { httpRequest } from './http-request';
import { describeProxyFailure } from './proxy-errors';

/** A Prometheus JSON envelope: a rejected query keeps the API's own words. */
function isPrometheusEnvelope(data: unknown): boolean {
  return Boolean(data && typeof data === 'object' && 'status' in data && 'errorType' in data);
}

export function dataProxyTransport(
  baseUrl: string,
  auth: AuthMethod,
  backendSrv: () => BackendSrv = getBackendSrv
): Transport {
  return async (path, params) => {
    const request = httpRequest(path, params);
    try {
      const response = await lastValueFrom(
        backendSrv().fetch<unknown>({
          url: `${baseUrl}/${auth}/${request.url}`,
          method: request.method,
          data: request.body,
          headers: request.headers,
          showErrorAlert: false,
        })
      );
      return response.data;
    } catch (error) {
      if (isFetchError(error)) {
        if (isPrometheusEnvelope(error.data)) {
          return error.data;
        }
        throw new Error(describeProxyFailure(error));
      }
      throw error;
    }
  };
}
