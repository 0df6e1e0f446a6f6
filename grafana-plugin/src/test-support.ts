import type { DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import {
  CustomVariable,
  EmbeddedScene,
  SceneFlexLayout,
  sceneGraph,
  type SceneVariable,
  SceneVariableSet,
  TestVariable,
} from '@grafana/scenes';
import { lastValueFrom, of } from 'rxjs';

import type { InstantSample, Transport } from './core/prometheus-api';
import { httpRequest } from './transport/http-request';
import type { PresizeDataSourceOptions } from './types';

/** Instance settings as Grafana hands them to a proxied datasource. */
export function instanceSettings(
  jsonData: PresizeDataSourceOptions
): DataSourceInstanceSettings<PresizeDataSourceOptions> {
  return {
    uid: 'presize',
    type: 'presize-riskmap-datasource',
    name: 'Presize',
    url: '/api/datasources/proxy/uid/presize',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'presize-riskmap-datasource' } as DataSourceInstanceSettings['meta'],
  } as DataSourceInstanceSettings<PresizeDataSourceOptions>;
}

/**
 * A dashboard's variables as Grafana 12 interpolates them: a Scenes variable set, read through
 * `sceneGraph.interpolate`, which Grafana's templateSrv.replace hands over to on a Scenes dashboard.
 */
export async function dashboardVariables(variables: SceneVariable[]) {
  const scene = new EmbeddedScene({
    $variables: new SceneVariableSet({ variables }),
    body: new SceneFlexLayout({ children: [] }),
  });
  scene.activate();
  await Promise.all(
    variables.map((v) => lastValueFrom(v.validateAndUpdate?.() ?? of(undefined), { defaultValue: undefined }))
  );
  return {
    replace: (target?: string, scopedVars?: ScopedVars, format?: string | Function) =>
      sceneGraph.interpolate(scene, target, scopedVars, format as Parameters<typeof sceneGraph.interpolate>[3]),
    getVariables: () => variables.map((v) => ({ name: v.state.name })) as never,
  };
}

/**
 * A variable holding exactly these values (any characters, hostile ones included), several when
 * given a list, as a dashboard's multi-value variable with them selected.
 */
export function variable(name: string, value: string | string[]): SceneVariable {
  const values = Array.isArray(value) ? value : [value];
  return new TestVariable({
    name,
    isMulti: Array.isArray(value),
    value,
    text: value,
    delayMs: 0,
    options: [],
    optionsToReturn: values.map((v) => ({ label: v, value: v })),
  });
}

/** A custom variable as the generated dashboards define them: `All` with the custom all value `.*`, or without one. */
export function customVariable(
  name: string,
  options: string[],
  value: string | string[],
  allValue?: string
): SceneVariable {
  return new CustomVariable({
    name,
    query: options.join(','),
    isMulti: true,
    includeAll: true,
    allValue,
    value,
    text: value,
  });
}

/** Sends each call straight to a Prometheus API, with the method and encoding Grafana's proxy would forward. */
export function directTransport(baseUrl: string): Transport {
  return async (path, params) => {
    const request = httpRequest(path, params);
    const response = await fetch(`${baseUrl}/${request.url}`, {
      method: request.method,
      body: request.body,
      headers: request.headers,
    });
    return response.json();
  };
}

/**
 * `count` GPUs as the risk map lists them, eight to a node, each with a dcgm-exporter UUID: enough
 * of them that naming every one by UUID passes the query length a store accepts.
 */
export function listedGpus(count: number): InstantSample[] {
  return Array.from({ length: count }, (_, i) => ({
    labels: {
      job: 'dcgm-exporter',
      instance: `gpu-node-${Math.floor(i / 8)}:9400`,
      gpu: String(i % 8),
      UUID: `GPU-${String(i).padStart(8, '0')}-1111-2222-3333-444455556666`,
      modelName: 'NVIDIA H100 80GB HBM3',
      Hostname: `gpu-node-${Math.floor(i / 8)}`,
    },
    value: 100,
  }));
}
