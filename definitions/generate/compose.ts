import { DEMO_CACHE, DEMO_JOB } from './demo.js';
import { GRAFANA_ALERTING_DIR, GRAFANA_DASHBOARDS_PATH, GRAFANA_DIR, PRESIZE_DATASOURCE_TYPE } from './grafana.js';
import { ALERT_WEBHOOK_URL_VARIABLE } from './notifications.js';
import { DASHBOARDS_DIR } from './dashboards/index.js';
import { yamlFile, type GeneratedFile } from './output.js';
import { PROMETHEUS_DIR } from './prometheus.js';

/**
 * Grafana, Prometheus and the demo service for users with Docker. A GPU exporter is left to the
 * GPU nodes (dcgm-exporter there, scraped as the `dcgm-exporter` job).
 */
function compose() {
  return {
    name: 'presize',
    services: {
      prometheus: {
        image: 'prom/prometheus:v2.55.1',
        command: [
          '--config.file=/etc/prometheus/prometheus.yml',
          '--storage.tsdb.retention.time=15d',
          // The lifecycle API (/-/quit, /-/reload) stays off unless asked for with
          // PROMETHEUS_LIFECYCLE=--web.enable-lifecycle; a rule change is picked up with SIGHUP.
          '${PROMETHEUS_LIFECYCLE:---no-web.enable-lifecycle}',
        ],
        volumes: [`./${PROMETHEUS_DIR}:/etc/prometheus:ro`],
        ports: ['9090:9090'],
        restart: 'unless-stopped',
      },
      demo: {
        image: 'node:20-bookworm-slim',
        working_dir: '/presize',
        command: [
          'sh',
          '-c',
          'npm ci --no-audit --no-fund && npm run build --workspace @presize/map --workspace @presize/instrumentation --workspace @presize/gpu --workspace @presize/auto-instrumentation && node --import @presize/auto-instrumentation/register auto-instrumentation/examples/device-logs/server.mjs',
        ],
        environment: {
          OTEL_SERVICE_NAME: DEMO_JOB,
          DEVICE_LOGS_CACHE: DEMO_CACHE,
          OTEL_METRICS_EXPORTER: 'prometheus',
          OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0',
          OTEL_EXPORTER_PROMETHEUS_PORT: '9464',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          PRESIZE_GPU_SOURCE: 'simulated',
          PORT: '8080',
          HOST: '0.0.0.0',
        },
        // The checkout is shared; the container's own dependencies stay in a volume of their own.
        volumes: ['./:/presize', 'demo-node-modules:/presize/node_modules'],
        ports: ['8080:8080'],
        restart: 'unless-stopped',
      },
      // Device logs from a fleet of 120,000 devices, 200 events a request, round and round.
      load: {
        image: 'curlimages/curl:8.10.1',
        depends_on: ['demo'],
        entrypoint: ['sh', '-c'],
        command: [
          [
            'i=0; while true; do b=""',
            'for k in $$(seq 200); do i=$$(( (i + 7919) % 120000 )); b="$$b{\\"deviceId\\":\\"device-$$i\\",\\"log\\":\\"heartbeat\\"},"; done',
            'curl -s -o /dev/null -X POST -H "content-type: application/json" -d "[$${b%,}]" http://demo:8080/events || sleep 1',
            'done',
          ].join('; '),
        ],
        restart: 'unless-stopped',
      },
      // Receives Grafana's alert notifications and prints them (`docker compose logs alert-sink`)
      // until PRESIZE_ALERT_WEBHOOK_URL names a receiver of yours.
      'alert-sink': {
        image: 'node:20-bookworm-slim',
        command: [
          'node',
          '-e',
          [
            "require('node:http').createServer((req, res) => {",
            "let body = ''; req.setEncoding('utf8');",
            "req.on('data', (chunk) => { if (body.length < 65536) body += chunk; });",
            "req.on('end', () => { console.log(body.slice(0, 65536)); res.end(); });",
            '}).listen(8090);',
          ].join(' '),
        ],
        restart: 'unless-stopped',
      },
      grafana: {
        image: 'grafana/grafana:12.3.0',
        depends_on: ['prometheus', 'alert-sink'],
        environment: {
          // Where Grafana's alert notifications go (its webhook contact point).
          [ALERT_WEBHOOK_URL_VARIABLE]: `\${${ALERT_WEBHOOK_URL_VARIABLE}:-http://alert-sink:8090/presize}`,
          PROMETHEUS_URL: 'http://prometheus:9090',
          // The compose Prometheus is open; for a secured one set PROMETHEUS_BASIC_AUTH=true with the
          // user and password, and PRESIZE_PROMETHEUS_AUTH=bearer with the token.
          PROMETHEUS_BASIC_AUTH: 'false',
          PROMETHEUS_USER: '',
          PROMETHEUS_PASSWORD: '',
          PRESIZE_PROMETHEUS_AUTH: 'none',
          PRESIZE_PROMETHEUS_TOKEN: '',
          GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: PRESIZE_DATASOURCE_TYPE,
          GF_AUTH_ANONYMOUS_ENABLED: 'true',
          GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
        },
        volumes: [
          `./${GRAFANA_DIR}/datasources:/etc/grafana/provisioning/datasources:ro`,
          `./${GRAFANA_DIR}/dashboards:/etc/grafana/provisioning/dashboards:ro`,
          `./${GRAFANA_ALERTING_DIR}:/etc/grafana/provisioning/alerting:ro`,
          `./${DASHBOARDS_DIR}:${GRAFANA_DASHBOARDS_PATH}:ro`,
          `./grafana-plugin/dist:/var/lib/grafana/plugins/${PRESIZE_DATASOURCE_TYPE}:ro`,
        ],
        ports: ['3000:3000'],
        restart: 'unless-stopped',
      },
    },
    volumes: { 'demo-node-modules': {} },
  };
}

export function composeFiles(): GeneratedFile[] {
  return [yamlFile('docker-compose.yaml', compose())];
}
