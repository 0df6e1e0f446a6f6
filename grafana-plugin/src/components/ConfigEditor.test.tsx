import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { DataSourceSettings } from '@grafana/data';

import { ConfigEditor } from './ConfigEditor';
import type { PresizeDataSourceOptions, PresizeSecureJsonData } from '../types';

type Settings = DataSourceSettings<PresizeDataSourceOptions, PresizeSecureJsonData>;

function settings(jsonData: PresizeDataSourceOptions, secureJsonFields: Record<string, boolean> = {}): Settings {
  return {
    id: 1,
    uid: 'presize',
    name: 'Presize',
    type: 'presize-riskmap-datasource',
    jsonData,
    secureJsonFields,
  } as Settings;
}

/** The editor inside a parent that keeps the settings, as Grafana's settings page does. */
function renderEditor(initial: Settings) {
  const changes: Settings[] = [];
  function Page() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          setOptions(next);
        }}
      />
    );
  }
  render(<Page />);
  return { last: () => changes[changes.length - 1]! };
}

// Grafana's editors render slowly in jsdom on a loaded machine; the first render also loads their styles.
jest.setTimeout(60_000);

describe('ConfigEditor', () => {
  it('stores the URL in jsonData and explains a bad one', async () => {
    const { last } = renderEditor(settings({}));
    const url = screen.getByLabelText(/^URL/);
    await userEvent.type(url, 'prometheus:9090');
    await userEvent.tab();
    expect(await screen.findByText(/must start with http/)).toBeInTheDocument();
    await userEvent.clear(url);
    await userEvent.type(url, 'http://prometheus:9090');
    expect(last().jsonData.url).toBe('http://prometheus:9090');
    expect(screen.queryByText(/must start with http/)).not.toBeInTheDocument();
  });

  it('keeps a bearer token in secureJsonData only', async () => {
    const { last } = renderEditor(settings({ url: 'http://p:9090' }));
    await userEvent.click(screen.getByLabelText('Bearer token'));
    await userEvent.type(screen.getByPlaceholderText('Token'), 's3cret');
    expect(last().jsonData).toEqual({ url: 'http://p:9090', authMethod: 'bearer' });
    expect(last().secureJsonData).toEqual({ bearerToken: 's3cret' });
    expect(JSON.stringify(last().jsonData)).not.toContain('s3cret');
  });

  it('stores basic auth as the encoded header value, and a new user name needs the password again', async () => {
    const { last } = renderEditor(
      settings({ url: 'http://p:9090', authMethod: 'basic', basicAuthUser: 'grafana' }, { basicAuthCredentials: true })
    );
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText(/^User/), '2');
    expect(last().jsonData.basicAuthUser).toBe('grafana2');
    expect(last().secureJsonFields.basicAuthCredentials).toBe(false);
    expect(last().secureJsonData?.basicAuthCredentials).toBe('');
    await userEvent.type(screen.getByPlaceholderText('Password'), 'pw');
    expect(last().secureJsonData?.basicAuthCredentials).toBe(btoa('grafana2:pw'));
    expect(JSON.stringify(last().jsonData)).not.toContain('pw');
  });

  it("stores TLS, custom headers and the timeout under Grafana's own keys, the secrets in secureJsonData", async () => {
    const { last } = renderEditor(settings({ url: 'https://mimir:8080/prometheus' }));
    await userEvent.click(screen.getByLabelText(/^Skip TLS certificate verification/));
    expect(last().jsonData.tlsSkipVerify).toBe(true);
    await userEvent.click(screen.getByLabelText(/^With CA certificate/));
    expect(last().jsonData.tlsAuthWithCACert).toBe(true);
    await userEvent.type(screen.getByPlaceholderText(/Begins with -----BEGIN CERTIFICATE-----/), 'PEM');
    expect(last().secureJsonData?.tlsCACert).toBe('PEM');

    await userEvent.click(screen.getByRole('button', { name: /Add header/ }));
    await userEvent.type(screen.getByPlaceholderText('X-Custom-Header'), 'X-Scope-OrgID');
    await userEvent.type(screen.getByPlaceholderText('Header Value'), 'tenant-1');
    await userEvent.tab();
    expect(last().jsonData).toMatchObject({ httpHeaderName1: 'X-Scope-OrgID' });
    expect(last().secureJsonData).toMatchObject({ httpHeaderValue1: 'tenant-1' });
    expect(JSON.stringify(last().jsonData)).not.toContain('tenant-1');

    const timeout = screen.getByLabelText(/^Timeout/);
    await userEvent.type(timeout, '0');
    await userEvent.tab();
    expect(screen.getByText('A whole number of seconds from 1 to 3600')).toBeInTheDocument();
    expect(last().jsonData.timeout).toBeUndefined();
    await userEvent.clear(timeout);
    await userEvent.type(timeout, '60');
    await userEvent.tab();
    expect(last().jsonData.timeout).toBe(60);
  });
});
