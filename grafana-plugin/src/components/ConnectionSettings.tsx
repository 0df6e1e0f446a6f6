import React, { type ChangeEvent, useState } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { CustomHeadersSettings, Field, FieldSet, Input, Switch, TLSAuthSettings } from '@grafana/ui';

import type { PresizeDataSourceOptions, PresizeSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<PresizeDataSourceOptions, PresizeSecureJsonData>;

/**
 * TLS, custom headers and the timeout, stored under Grafana's own keys (`tlsSkipVerify`,
 * `tlsAuthWithCACert`, `tlsCACert`, `httpHeaderName1`/`httpHeaderValue1`, `timeout`), which
 * Grafana's data proxy applies on its server to every request it forwards. The certificate and
 * the header values are secrets; Grafana's own editors store them in secureJsonData.
 */
export function ConnectionSettings({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const [timeoutText, setTimeoutText] = useState(jsonData.timeout === undefined ? '' : String(jsonData.timeout));
  const timeout = Number(timeoutText);
  const timeoutInvalid = timeoutText.trim() !== '' && (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600);
  const setJson = (patch: Partial<PresizeDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  // Grafana's editors are typed for any datasource's settings.
  const config = options as Parameters<typeof TLSAuthSettings>[0]['dataSourceConfig'];
  const onChange = (next: typeof config) => onOptionsChange(next as typeof options);

  return (
    <>
      <FieldSet label="TLS">
        <Field
          htmlFor="presize-tls-skip-verify"
          label="Skip TLS certificate verification"
          description="Only for a test server: the connection is then open to interception."
        >
          <Switch
            id="presize-tls-skip-verify"
            value={Boolean(jsonData.tlsSkipVerify)}
            onChange={(e) => setJson({ tlsSkipVerify: e.currentTarget.checked })}
          />
        </Field>
        <Field
          htmlFor="presize-tls-ca"
          label="With CA certificate"
          description="Trust a private CA: paste its certificate below."
        >
          <Switch
            id="presize-tls-ca"
            value={Boolean(jsonData.tlsAuthWithCACert)}
            onChange={(e) => setJson({ tlsAuthWithCACert: e.currentTarget.checked })}
          />
        </Field>
        <Field
          htmlFor="presize-tls-client"
          label="TLS client authentication"
          description="Present a client certificate to the server."
        >
          <Switch
            id="presize-tls-client"
            value={Boolean(jsonData.tlsAuth)}
            onChange={(e) => setJson({ tlsAuth: e.currentTarget.checked })}
          />
        </Field>
        {(jsonData.tlsAuthWithCACert || jsonData.tlsAuth) && (
          <TLSAuthSettings dataSourceConfig={config} onChange={onChange} />
        )}
      </FieldSet>
      <FieldSet label="Headers">
        <p>
          Sent with every request, values stored encrypted: for Mimir or a multi-tenant Prometheus,{' '}
          <code>X-Scope-OrgID</code> with the tenant.
        </p>
        <CustomHeadersSettings dataSourceConfig={config} onChange={onChange} />
      </FieldSet>
      <FieldSet label="Timeout">
        <Field
          htmlFor="presize-timeout"
          label="Timeout (seconds)"
          description="How long Grafana's server waits for the API; empty for Grafana's default."
          invalid={timeoutInvalid}
          error="A whole number of seconds from 1 to 3600"
        >
          <Input
            id="presize-timeout"
            type="number"
            width={12}
            value={timeoutText}
            placeholder="30"
            onChange={(e: ChangeEvent<HTMLInputElement>) => setTimeoutText(e.currentTarget.value)}
            onBlur={() => !timeoutInvalid && setJson({ timeout: timeoutText.trim() === '' ? undefined : timeout })}
          />
        </Field>
      </FieldSet>
    </>
  );
}
