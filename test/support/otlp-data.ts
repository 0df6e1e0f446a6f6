// What an OTLP export carried, whichever encoding: the decoders in otlp-json.ts and otlp-protobuf.ts produce these.
export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** One data point of an exported metric, whichever OTLP encoding carried it. */
export interface ExportedPoint {
  metric: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram';
  attributes: Attributes;
  resource: Attributes;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
}

export interface ExportedSpan {
  name: string;
  attributes: Attributes;
  links: number;
  resource: Attributes;
}
