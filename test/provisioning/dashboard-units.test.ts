/**
 * @jest-environment jsdom
 */
// Grafana's own value formatting (@grafana/data, a browser library: hence jsdom) on the units of
// the generated GPU dashboard: what a user reads on the panel.
import { formattedValueToString, getValueFormat } from '@grafana/data';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const gpu = JSON.parse(readFileSync(join(ROOT, 'dashboards/gpu-utilisation.json'), 'utf8')) as {
  panels: { title: string; fieldConfig: { defaults: { unit?: string } }; targets: { expr: string }[] }[];
};
const show = (unit: string, value: number) => formattedValueToString(getValueFormat(unit)(value));

describe('GPU dashboard units, formatted by Grafana', () => {
  it('shows an SM clock of 1,410 MHz as 1.41 GHz and 660 MHz as 660 MHz', () => {
    const panel = gpu.panels.find((p) => p.title === 'SM clock')!;
    const unit = panel.fieldConfig.defaults.unit!;
    // The query scales dcgm-exporter's MHz to Hz; the gpu-dashboard test runs it on a real capture.
    const scale = Number(/\* (\d+)\)?$/.exec(panel.targets[0]!.expr)?.[1]);
    expect(scale).toBe(1_000_000);
    expect(show(unit, 1410 * scale)).toBe('1.41 GHz');
    expect(show(unit, 660 * scale)).toBe('660 MHz');
    // What the unit `rothz` on the raw MHz value showed.
    expect(show('rothz', 1410)).toBe('1.41 kHz');
  });

  it('shows temperature, power and framebuffer in their units', () => {
    const unitOf = (title: string) => gpu.panels.find((p) => p.title === title)!.fieldConfig.defaults.unit!;
    expect(show(unitOf('Temperature'), 74)).toBe('74 °C');
    expect(show(unitOf('Power'), 68.244)).toBe('68.2 W');
    expect(show(unitOf('Framebuffer used'), 0.92)).toBe('92%');
  });
});
