import type { Attributes, ExportedPoint, ExportedSpan } from './otlp-data.js';

// OTLP/JSON: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (int64 as strings).
interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
const jsonAttributes = (list: JsonKeyValue[] | undefined): Attributes =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ??
        value.boolValue ??
        (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? '')),
    ]),
  );

interface JsonNumberPoint {
  attributes?: JsonKeyValue[];
  asInt?: string | number;
  asDouble?: number;
}
interface JsonHistogramPoint {
  attributes?: JsonKeyValue[];
  count: string | number;
  sum?: number;
}
interface JsonMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: JsonNumberPoint[] };
  gauge?: { dataPoints: JsonNumberPoint[] };
  histogram?: { dataPoints: JsonHistogramPoint[] };
}

export function pointsFromJson(body: Buffer): ExportedPoint[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceMetrics: { resource?: { attributes?: JsonKeyValue[] }; scopeMetrics: { metrics: JsonMetric[] }[] }[];
  };
  const points: ExportedPoint[] = [];
  for (const rm of request.resourceMetrics) {
    const resource = jsonAttributes(rm.resource?.attributes);
    for (const metric of rm.scopeMetrics.flatMap((s) => s.metrics)) {
      const base = { metric: metric.name, unit: metric.unit ?? '', resource };
      for (const [type, data] of [
        ['sum', metric.sum],
        ['gauge', metric.gauge],
      ] as const) {
        for (const p of data?.dataPoints ?? []) {
          points.push({
            ...base,
            type,
            attributes: jsonAttributes(p.attributes),
            value: Number(p.asInt ?? p.asDouble),
          });
        }
      }
      for (const p of metric.histogram?.dataPoints ?? []) {
        points.push({
          ...base,
          type: 'histogram',
          attributes: jsonAttributes(p.attributes),
          count: Number(p.count),
          sum: p.sum ?? 0,
        });
      }
    }
  }
  return points;
}

export function spansFromJson(body: Buffer): ExportedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans: { spans: { name: string; attributes?: JsonKeyValue[]; links?: unknown[] }[] }[];
    }[];
  };
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((span) => ({
        name: span.name,
        attributes: jsonAttributes(span.attributes),
        links: span.links?.length ?? 0,
        resource: jsonAttributes(rs.resource?.attributes),
      })),
    ),
  );
}
