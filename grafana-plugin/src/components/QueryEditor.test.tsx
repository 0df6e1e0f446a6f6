import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { QueryEditor } from './QueryEditor';
import { DataSource } from '../datasource';
import { dashboardVariables, instanceSettings, variable } from '../test-support';
import type { PresizeQuery } from '../types';

async function setup(query: PresizeQuery, labelValues: string[] = []) {
  const ds = new DataSource(instanceSettings({ url: 'http://p:9090' }), {
    transport: async () => ({ status: 'success', data: labelValues }),
    templateSrv: await dashboardVariables([variable('service', 'device-log')]),
  });
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(<QueryEditor datasource={ds} query={query} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('offers the risk timeline with the same Show choice as the risk map', async () => {
    const { onChange } = await setup({ refId: 'A', queryType: 'riskTimeline' });
    await userEvent.click(screen.getByLabelText('GPUs'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'riskTimeline', subjects: 'gpus' });
  });

  it('switches the query type and runs the query', async () => {
    const { onChange, onRunQuery } = await setup({ refId: 'A', queryType: 'riskMap' });
    expect(screen.getByText('lru-caches')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('SLO'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'slo' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('offers the services Prometheus knows, and the dashboard variables', async () => {
    const { onChange } = await setup({ refId: 'A', queryType: 'mapGrowth' }, ['billing', 'device-log']);
    await userEvent.click(screen.getByLabelText('Service'));
    expect(await screen.findByText('billing')).toBeInTheDocument();
    expect(screen.getByText('$service')).toBeInTheDocument();
    await userEvent.click(screen.getByText('device-log'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'mapGrowth', service: 'device-log' });
  });

  it('checks the capacity headroom before it runs the query', async () => {
    const { onChange } = await setup({ refId: 'A', queryType: 'capacity' });
    const headroom = screen.getByLabelText('Headroom %');
    expect(headroom).toHaveValue(25);
    await userEvent.clear(headroom);
    await userEvent.type(headroom, '-3');
    await userEvent.tab();
    expect(screen.getByText('A percentage from 0 to 1000')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await userEvent.clear(headroom);
    await userEvent.type(headroom, '40');
    await userEvent.tab();
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'capacity', headroomPercent: 40 });
  });

  it('shows the risk map rows default and accepts only a whole number of them', async () => {
    const { onChange } = await setup({ refId: 'A', queryType: 'riskMap' });
    const rows = screen.getByLabelText('Rows');
    expect(rows).toHaveValue(500);
    await userEvent.clear(rows);
    await userEvent.type(rows, '2.5');
    await userEvent.tab();
    expect(screen.getByText('A whole number from 1 to 100000')).toBeInTheDocument();
    expect(onChange).not.toHaveBeenCalled();
    await userEvent.clear(rows);
    await userEvent.type(rows, '50');
    await userEvent.tab();
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', queryType: 'riskMap', rows: 50 });
  });
});
