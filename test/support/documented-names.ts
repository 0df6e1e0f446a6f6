// The rows of the telemetry contract's tables (instrumentation/docs/telemetry.md): each instrument with its
// Prometheus-exporter and OTLP names, as the contract tests read them.
export interface DocumentedName {
  instrument: string;
  prometheusExporter: string;
  otlp: string;
}

/** The rows of docs/telemetry.md tables that give an instrument's two Prometheus names. */
export function documentedNames(markdown: string): DocumentedName[] {
  const rows: DocumentedName[] = [];
  let columns: { exporter: number; otlp: number } | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const exporter = cells.indexOf('Prometheus exporter');
    if (exporter >= 0) {
      columns = { exporter, otlp: cells.indexOf('OTLP into Prometheus') };
      continue;
    }
    const instrument = /^`([a-z0-9_.{},]+)`/.exec(cells[0] ?? '')?.[1];
    if (columns === undefined || instrument === undefined) continue;
    const first = (cell: string | undefined) => /`([a-z0-9_]+)`/.exec(cell ?? '')?.[1];
    const prometheusExporter = first(cells[columns.exporter]);
    const otlp = first(cells[columns.otlp]);
    if (prometheusExporter && otlp) rows.push({ instrument, prometheusExporter, otlp });
  }
  return rows;
}
