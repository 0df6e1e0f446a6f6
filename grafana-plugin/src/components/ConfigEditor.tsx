import React, { type ChangeEvent, useState } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, RadioButtonGroup, SecretInput } from '@grafana/ui';

import { basicAuthCredentials, urlProblem } from '../core/auth';
import type { AuthMethod, PresizeDataSourceOptions, PresizeSecureJsonData } from '../types';
import { ConnectionSettings } from './ConnectionSettings';

type Props = DataSourcePluginOptionsEditorProps<PresizeDataSourceOptions, PresizeSecureJsonData>;

const AUTH_OPTIONS: Array<{ label: string; value: AuthMethod; description: string }> = [
  { label: 'No authentication', value: 'none', description: 'The API needs no credentials' },
  { label: 'Basic auth', value: 'basic', description: 'User name and password' },
  { label: 'Bearer token', value: 'bearer', description: 'An API token, e.g. of Grafana Cloud or a gateway' },
];

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = (options.secureJsonData ?? {}) as PresizeSecureJsonData;
  const auth = jsonData.authMethod ?? 'none';
  // The password is only kept while this page is open: Grafana stores base64(user:password) encrypted.
  const [password, setPassword] = useState('');
  const [touchedUrl, setTouchedUrl] = useState(false);
  const problem = urlProblem(jsonData.url);

  const setJson = (patch: Partial<PresizeDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  const setSecret = (
    patch: Partial<PresizeSecureJsonData>,
    configured: Partial<Record<keyof PresizeSecureJsonData, boolean>> = {}
  ) =>
    onOptionsChange({
      ...options,
      jsonData,
      secureJsonData: { ...secureJsonData, ...patch },
      secureJsonFields: { ...secureJsonFields, ...configured },
    });

  const onUserChange = (event: ChangeEvent<HTMLInputElement>) => {
    const user = event.target.value;
    // The stored credentials hold the old user name, so they are cleared unless a password was typed here.
    onOptionsChange({
      ...options,
      jsonData: { ...jsonData, basicAuthUser: user },
      secureJsonData: { ...secureJsonData, basicAuthCredentials: password ? encode(user, password) : '' },
      secureJsonFields: { ...secureJsonFields, basicAuthCredentials: false },
    });
  };

  const onPasswordChange = (event: ChangeEvent<HTMLInputElement>) => {
    setPassword(event.target.value);
    setSecret({ basicAuthCredentials: encode(jsonData.basicAuthUser ?? '', event.target.value) });
  };

  return (
    <>
      <FieldSet label="Prometheus-compatible API">
        <Field
          label="URL"
          description="Prometheus, Mimir, Thanos or VictoriaMetrics, as Grafana's server reaches it. Mimir: include the /prometheus prefix."
          invalid={touchedUrl && problem !== undefined}
          error={problem}
          required
        >
          <Input
            id="presize-url"
            value={jsonData.url ?? ''}
            placeholder="http://prometheus:9090"
            width={60}
            onChange={(event: ChangeEvent<HTMLInputElement>) => setJson({ url: event.target.value.trim() })}
            onBlur={() => setTouchedUrl(true)}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Authentication">
        <Field
          label="Method"
          description="Grafana's server adds the credentials to each request; they never reach the browser."
        >
          <RadioButtonGroup<AuthMethod>
            options={AUTH_OPTIONS}
            value={auth}
            onChange={(value) => setJson({ authMethod: value })}
          />
        </Field>
        {auth === 'basic' && (
          <>
            <Field
              label="User"
              invalid={(jsonData.basicAuthUser ?? '').includes(':')}
              error='A basic auth user name cannot contain ":"'
            >
              <Input id="presize-basic-user" value={jsonData.basicAuthUser ?? ''} width={40} onChange={onUserChange} />
            </Field>
            <Field label="Password" description="Stored encrypted by Grafana.">
              <SecretInput
                id="presize-basic-password"
                width={40}
                isConfigured={Boolean(secureJsonFields?.basicAuthCredentials)}
                value={password}
                placeholder="Password"
                onChange={onPasswordChange}
                onReset={() => {
                  setPassword('');
                  setSecret({ basicAuthCredentials: '' }, { basicAuthCredentials: false });
                }}
              />
            </Field>
          </>
        )}
        {auth === 'bearer' && (
          <Field label="Token" description="Sent as Authorization: Bearer <token>; stored encrypted by Grafana.">
            <SecretInput
              id="presize-bearer-token"
              width={60}
              isConfigured={Boolean(secureJsonFields?.bearerToken)}
              value={secureJsonData.bearerToken ?? ''}
              placeholder="Token"
              onChange={(event: ChangeEvent<HTMLInputElement>) => setSecret({ bearerToken: event.target.value })}
              onReset={() => setSecret({ bearerToken: '' }, { bearerToken: false })}
            />
          </Field>
        )}
      </FieldSet>
      <ConnectionSettings options={options} onOptionsChange={onOptionsChange} />
    </>
  );
}

function encode(user: string, password: string): string {
  try {
    return basicAuthCredentials(user, password);
  } catch {
    // A ":" in the user name: nothing valid to store; the field shows the user name as typed.
    return '';
  }
}
