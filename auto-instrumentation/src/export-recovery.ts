import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { DIAGNOSTICS_RECOVERY } from '@presize/gpu';

/**
 * `exporter`, saying through the diagnostic logger when exports succeed again after failing. The
 * failures themselves are reported by the SDK; this closes them, so that the de-duplicating logger
 * shows the next outage too. The endpoint is not named: its URL may carry credentials.
 */
export function withRecoveryReport(exporter: PushMetricExporter, name: string): PushMetricExporter {
  let failing = false;
  const reporting: PushMetricExporter = {
    export(metrics, resultCallback) {
      exporter.export(metrics, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          failing = true;
        } else if (failing) {
          failing = false;
          diag.warn(`metrics export (${name}) succeeds again`, DIAGNOSTICS_RECOVERY);
        }
        resultCallback(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
  if (exporter.selectAggregationTemporality)
    reporting.selectAggregationTemporality = exporter.selectAggregationTemporality.bind(exporter);
  if (exporter.selectAggregation) reporting.selectAggregation = exporter.selectAggregation.bind(exporter);
  return reporting;
}
