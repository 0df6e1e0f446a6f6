import type { BackendSrv } from '@grafana/runtime';
import { of, throwError } from 'rxjs';

import { endpointOf, labelValuesPath } from './endpoints';
import { FORM_CONTENT_TYPE, httpRequest } from './http-request';
import { describeProxyFailure } from './proxy-errors';
import { dataProxyTransport } from './proxy-transport';

describe('requests to the Prometheus API', () => {
  it('sends queries as a form-encoded POST and lookups as GET', () => {
    const query = new URLSearchParams({ query: 'up{job=~"a|b"}', time: '1.000' });
    expect(httpRequest('api/v1/query', query)).toEqual({
      method: 'POST',
      url: 'api/v1/query',
      body: 'query=up%7Bjob%3D%7E%22a%7Cb%22%7D&time=1.000',
      headers: { 'Content-Type': FORM_CONTENT_TYPE },
    });
    expect(httpRequest(labelValuesPath('job'), new URLSearchParams({ 'match[]': 'x' }))).toEqual({
      method: 'GET',
      url: 'api/v1/label/job/values?match%5B%5D=x',
      headers: {},
    });
  });

  it('refuses a path that is no read endpoint, and a label name that is no label name', () => {
    expect(() => httpRequest('-/quit', new URLSearchParams())).toThrow(/not one of the Prometheus API read endpoints/);
    expect(() => httpRequest('api/v1/label/../../-/quit/values', new URLSearchParams())).toThrow(/read endpoints/);
    expect(() => labelValuesPath('a/../b')).toThrow(/not a Prometheus label name/);
    expect(endpointOf('api/v1/label/job/values')?.method).toBe('GET');
  });

  it('go through the route of the endpoint and auth method, so Grafana adds the secret header', async () => {
    const fetch = jest.fn((_options: unknown) => of({ data: { status: 'success', data: [] } }));
    const transport = dataProxyTransport(
      '/api/datasources/proxy/uid/presize',
      'bearer',
      () => ({ fetch }) as unknown as BackendSrv
    );
    await transport('api/v1/query', new URLSearchParams({ query: 'up' }));
    expect(fetch).toHaveBeenCalledWith(
      expect.objectContaining({
        url: '/api/datasources/proxy/uid/presize/bearer/api/v1/query',
        method: 'POST',
        data: 'query=up',
        headers: { 'Content-Type': FORM_CONTENT_TYPE },
      })
    );
  });

  it("keep a rejected query's JSON error and explain what Grafana's proxy answers", async () => {
    const failing = (error: unknown) =>
      dataProxyTransport('/p', 'basic', () => ({ fetch: () => throwError(() => error) }) as unknown as BackendSrv);
    const prometheusError = { status: 422, data: { status: 'error', errorType: 'execution', error: 'bad range' } };
    await expect(failing(prometheusError)('api/v1/query', new URLSearchParams())).resolves.toEqual(
      prometheusError.data
    );
    await expect(
      failing({ status: 400, statusText: 'Bad Request', data: { message: 'Authentication to data source failed' } })(
        'api/v1/query',
        new URLSearchParams()
      )
    ).rejects.toThrow(/refused the credentials: it answered 401, which Grafana reports as 400/);
  });
});

describe("Grafana's proxy answers in words", () => {
  it.each([
    [
      { status: 400, data: 'Authentication to data source failed' },
      /refused the credentials.*check the user and password or the token/,
    ],
    [{ status: 403, data: { message: 'plugin proxy route access denied' } }, /your role may not use/],
    [{ status: 403, data: { message: 'target URL is not a valid target' } }, /allow list/],
    [
      { status: 400, data: { message: 'Unable to load TLS certificate' } },
      /could not load the TLS certificate settings/,
    ],
    [{ status: 401, data: { message: 'Unauthorized' } }, /Grafana session has ended/],
    [{ status: 403, data: 'forbidden: no org id' }, /refused access \(HTTP 403\).*no org id.*X-Scope-OrgID/],
    [{ status: 404, data: '404 page not found' }, /not as a Prometheus API.*\/prometheus/],
    [{ status: 414 }, /too large.*fewer values than All/],
    [
      { status: 502, data: { message: 'Bad Gateway' } },
      /could not reach the Prometheus API \(HTTP 502\).*TLS settings/,
    ],
    [{ status: 504 }, /did not answer in time.*raise the timeout/],
    [{ status: 0 }, /browser could not reach Grafana/],
    [{ status: 418, statusText: "I'm a teapot" }, /answered HTTP 418 I'm a teapot/],
  ])('%j', (failure, words) => {
    expect(describeProxyFailure(failure)).toMatch(words);
  });
});
