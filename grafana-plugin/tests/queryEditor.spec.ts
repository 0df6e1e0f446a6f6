import { expect, test } from '@grafana/plugin-e2e';

const PROMETHEUS_URL = process.env.PRESIZE_PROMETHEUS_URL ?? 'http://prometheus:9090';

test.describe('query editor', () => {
  test.beforeEach(async ({ createDataSource }) => {
    await createDataSource({
      type: 'presize-riskmap-datasource',
      name: 'Presize e2e',
      jsonData: { url: PROMETHEUS_URL, authMethod: 'none' },
    });
  });

  test('the risk map needs no PromQL and fills a table', async ({ panelEditPage }) => {
    await panelEditPage.datasource.set('Presize e2e');
    await panelEditPage.setVisualization('Table');
    const row = panelEditPage.getQueryEditorRow('A');
    await expect(row.getByLabel('Risk map')).toBeChecked();
    await expect(panelEditPage.panel.fieldNames).toContainText([
      'Service',
      'Subject',
      'Kind',
      'Score',
      'Level',
      'Top reason',
    ]);
  });

  test('capacity advice lists a recommended hint per map', async ({ panelEditPage }) => {
    await panelEditPage.datasource.set('Presize e2e');
    await panelEditPage.setVisualization('Table');
    const row = panelEditPage.getQueryEditorRow('A');
    await row.getByLabel('Capacity advice').check({ force: true });
    await expect(row.getByLabel('Headroom %')).toHaveValue('25');
    await expect(panelEditPage.panel.fieldNames).toContainText(['Service', 'Map', 'Peak entries', 'Advised hint']);
  });

  test('map growth draws a time series', async ({ panelEditPage }) => {
    await panelEditPage.datasource.set('Presize e2e');
    await panelEditPage.getQueryEditorRow('A').getByLabel('Map growth').check({ force: true });
    await expect(panelEditPage.refreshPanel()).toBeOK();
  });
});
