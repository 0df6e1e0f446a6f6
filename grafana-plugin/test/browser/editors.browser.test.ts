/**
 * @jest-environment node
 *
 * The Config and Query editors as a person sees them: rendered with the real @grafana/ui in headless
 * Chromium, the query editor's choices read from a real Prometheus. Screenshots go to
 * test-output/grafana-plugin/ for review.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type BrowserContext, chromium, type Page } from 'playwright-core';

import { type ScenarioPrometheus, startScenarioPrometheus } from '../scenario-prometheus';
import { buildHarness } from './build-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = join(__dirname, '../../../test-output/grafana-plugin');

let bundleDir: string;
let profileDir: string;
let site: Server;
let siteUrl: string;
let prometheus: ScenarioPrometheus;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

function serve(dir: string): Promise<Server> {
  const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
  const files: Record<string, string> = {
    '/':
      '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="harness.css"></head>' +
      '<body><div id="root"></div><script src="harness.js"></script></body></html>',
  };
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const ext = path === '/' ? 'html' : path.split('.').pop()!;
    try {
      const body = files[path] ?? readFileSync(join(dir, path.replace(/^\/+/, '').replace(/\.\./g, '')));
      response.writeHead(200, { 'content-type': types[ext] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

async function shoot(selector: string, name: string) {
  const file = join(OUTPUT, `${name}.png`);
  await page.locator(selector).screenshot({ path: file });
  return file;
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  bundleDir = mkdtempSync(join(tmpdir(), 'presize-harness-'));
  profileDir = mkdtempSync(join(tmpdir(), 'presize-chromium-'));
  [prometheus] = await Promise.all([startScenarioPrometheus(), buildHarness(join(bundleDir, 'harness.js'))]);
  site = await serve(bundleDir);
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/?prometheus=${encodeURIComponent(prometheus.prometheus.url)}`;
  // A fresh profile each run (the --user-data-dir of the flags below).
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    viewport: { width: 1600, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(siteUrl);
  await page.waitForSelector('#query-slo');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (site ? site.close(done) : done(undefined)));
  await prometheus?.stop();
  for (const dir of [bundleDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('editors in Chromium with the real @grafana/ui', () => {
  it('renders the settings with the secret shown only as configured', async () => {
    const basic = page.locator('#config-basic');
    await expect(basic.getByText('Prometheus-compatible API').isVisible()).resolves.toBe(true);
    await expect(basic.locator('#presize-basic-password').inputValue()).resolves.toBe('configured');
    await expect(basic.getByRole('button', { name: 'Reset' }).isVisible()).resolves.toBe(true);
    await shoot('#config-basic', 'config-editor-basic-auth');

    const bearer = page.locator('#config-bearer');
    await bearer.locator('#presize-url').focus();
    await bearer.locator('#presize-url').blur();
    await expect(bearer.getByText(/must start with http/).isVisible()).resolves.toBe(true);
    await bearer.locator('#presize-bearer-token').fill('glc_token');
    await shoot('#config-bearer', 'config-editor-bearer-invalid-url');
  }, 30_000);

  it('renders the TLS, custom header and timeout settings with the stored secrets shown only as configured', async () => {
    const connection = page.locator('#config-connection');
    await expect(connection.locator('#presize-tls-ca').isChecked()).resolves.toBe(true);
    const values = await connection
      .locator('input, textarea')
      .evaluateAll((fields) => fields.map((f) => (f as HTMLInputElement).value));
    expect(values).toContain('X-Scope-OrgID');
    // The CA certificate and the header value: stored, never sent back to the browser.
    expect(values.filter((v) => v === 'configured')).toHaveLength(2);
    await expect(connection.locator('#presize-timeout').inputValue()).resolves.toBe('60');
    await shoot('#config-connection', 'config-editor-connection');
  }, 30_000);

  it('edits a variable query and lists its values from Prometheus', async () => {
    const editor = page.locator('#variable-editor');
    await page.locator('#variable-values').getByText('device-logs').waitFor({ timeout: 10_000 });
    await page.locator('#presize-variable-kind').click();
    await page.getByTestId('data-testid Select menu').getByText('Maps', { exact: true }).click();
    await editor.locator('#presize-variable-argument').fill('device-logs');
    await editor.locator('#presize-variable-argument').blur();
    await page.locator('#variable-values').getByText('devices, sessions').waitFor({ timeout: 10_000 });
    await shoot('#variable-editor', 'variable-editor-maps');
  }, 30_000);

  it('renders every query editor and lists services from Prometheus', async () => {
    for (const id of ['query-risk', 'query-growth', 'query-gpu', 'query-capacity', 'query-slo']) {
      await shoot(`#${id}`, `query-editor-${id.replace('query-', '')}`);
    }
    await expect(page.locator('#query-gpu').getByText('GPU utilisation').isVisible()).resolves.toBe(true);
    await expect(page.locator('#presize-headroom-C').inputValue()).resolves.toBe('25');

    await page.locator('#presize-services-G').click();
    const menu = page.getByTestId('data-testid Select menu');
    const option = menu.getByText('device-logs', { exact: true });
    await option.waitFor({ timeout: 10_000 });
    await expect(menu.getByText('$service', { exact: true }).isVisible()).resolves.toBe(true);
    await page.screenshot({
      path: join(OUTPUT, 'query-editor-service-choices.png'),
      clip: { x: 0, y: 0, width: 1600, height: 900 },
    });
    await option.click();
    await expect(page.locator('#query-growth').getByText('device-logs', { exact: true }).isVisible()).resolves.toBe(
      true
    );
    await shoot('#query-growth', 'query-editor-growth-service-chosen');
  }, 30_000);

  it('shows the risk map with coloured levels and the capacity advice as table panels', async () => {
    await page.locator('#risk-table').getByText('devices', { exact: true }).waitFor({ timeout: 20_000 });
    await expect(page.locator('#risk-table').getByText('Far past its hint').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('#risk-table').getByText('critical').first().isVisible()).resolves.toBe(true);
    await shoot('#result-risk', 'result-risk-map');
    await page.locator('#capacity-table').getByText('150000').first().waitFor({ timeout: 20_000 });
    await shoot('#result-capacity', 'result-capacity-advice');
  }, 40_000);

  it('raised no error in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
