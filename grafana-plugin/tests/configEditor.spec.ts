import { expect, test } from '@grafana/plugin-e2e';

/**
 * Run against a Grafana with this plugin installed (e.g. the repository's docker-compose) and a
 * Prometheus holding Presize metrics at PRESIZE_PROMETHEUS_URL, as Grafana's server reaches it.
 */
const PROMETHEUS_URL = process.env.PRESIZE_PROMETHEUS_URL ?? 'http://prometheus:9090';
const TYPE = 'presize-riskmap-datasource';

test('the settings page asks for the API and offers three ways to authenticate', async ({
  createDataSourceConfigPage,
  page,
}) => {
  await createDataSourceConfigPage({ type: TYPE });
  await expect(page.getByLabel(/^URL/)).toBeVisible();
  for (const method of ['No authentication', 'Basic auth', 'Bearer token']) {
    await expect(page.getByLabel(method)).toBeVisible();
  }
  await page.getByLabel('Bearer token').check({ force: true });
  await expect(page.getByPlaceholder('Token')).toBeVisible();
});

test('"Save & test" reports the Presize maps and GPUs it finds', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: TYPE });
  await page.getByLabel(/^URL/).fill(PROMETHEUS_URL);
  await expect(configPage.saveAndTest()).toBeOK();
  await expect(configPage).toHaveAlert('success', { hasText: /presized maps? and \d+ GPUs? reporting/ });
});

test('"Save & test" explains an API it cannot use', async ({ createDataSourceConfigPage, page }) => {
  const configPage = await createDataSourceConfigPage({ type: TYPE });
  await page.getByLabel(/^URL/).fill('http://127.0.0.1:9');
  await configPage.saveAndTest();
  await expect(configPage).toHaveAlert('error', { hasText: /Cannot use http:\/\/127\.0\.0\.1:9/ });
});
