/**
 * SLO specifications in Sloth's `prometheus/v1` format (the fields Presize reads), so that the same
 * files work with Sloth itself. `{{.window}}` in a query stands for the rate window.
 */
export interface SlothAlert {
  disable?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface SlothSlo {
  name: string;
  objective: number;
  description?: string;
  labels?: Record<string, string>;
  sli: {
    events?: { error_query: string; total_query: string };
    raw?: { error_ratio_query: string };
  };
  alerting: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    page_alert?: SlothAlert;
    ticket_alert?: SlothAlert;
  };
}

export interface SlothSpec {
  version: 'prometheus/v1';
  service: string;
  labels?: Record<string, string>;
  slos: SlothSlo[];
}

export const WINDOW_PLACEHOLDER = '{{.window}}';

/** Sloth's rule for service and SLO names: they end up in label values and rule group names. */
const NAME = /^[A-Za-z0-9][-A-Za-z0-9_]*$/;

export class SloSpecError extends Error {
  override name = 'SloSpecError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new SloSpecError(`${where}: expected a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean') {
      throw new SloSpecError(`${where}.${k}: expected a string, got ${JSON.stringify(val)}`);
    }
    out[k] = String(val);
  }
  return out;
}

function text(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new SloSpecError(`${where}: expected a non-empty string`);
  return v;
}

function query(v: unknown, where: string): string {
  const q = text(v, where);
  if (!q.includes(WINDOW_PLACEHOLDER)) throw new SloSpecError(`${where}: the query must use ${WINDOW_PLACEHOLDER}`);
  return q;
}

function alert(v: unknown, where: string): SlothAlert | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new SloSpecError(`${where}: expected a map`);
  const out: SlothAlert = {};
  if (v.disable !== undefined) out.disable = v.disable === true;
  const labels = stringMap(v.labels, `${where}.labels`);
  if (labels) out.labels = labels;
  const annotations = stringMap(v.annotations, `${where}.annotations`);
  if (annotations) out.annotations = annotations;
  return out;
}

function slo(v: unknown, where: string): SlothSlo {
  if (!isRecord(v)) throw new SloSpecError(`${where}: expected a map`);
  const name = text(v.name, `${where}.name`);
  if (!NAME.test(name)) throw new SloSpecError(`${where}.name: "${name}" must match ${NAME}`);
  const objective = v.objective;
  if (typeof objective !== 'number' || !(objective > 0 && objective < 100)) {
    throw new SloSpecError(
      `${where}.objective: expected a percentage above 0 and below 100, got ${JSON.stringify(objective)}`,
    );
  }
  if (!isRecord(v.sli)) throw new SloSpecError(`${where}.sli: expected a map`);
  const { events, raw } = v.sli;
  const sli: SlothSlo['sli'] = {};
  if (events !== undefined) {
    if (!isRecord(events)) throw new SloSpecError(`${where}.sli.events: expected a map`);
    sli.events = {
      error_query: query(events.error_query, `${where}.sli.events.error_query`),
      total_query: query(events.total_query, `${where}.sli.events.total_query`),
    };
  }
  if (raw !== undefined) {
    if (!isRecord(raw)) throw new SloSpecError(`${where}.sli.raw: expected a map`);
    sli.raw = { error_ratio_query: query(raw.error_ratio_query, `${where}.sli.raw.error_ratio_query`) };
  }
  if ((sli.events === undefined) === (sli.raw === undefined)) {
    throw new SloSpecError(`${where}.sli: exactly one of events or raw is needed (plugins are not supported)`);
  }
  if (!isRecord(v.alerting)) throw new SloSpecError(`${where}.alerting: expected a map`);
  const alerting: SlothSlo['alerting'] = { name: text(v.alerting.name, `${where}.alerting.name`) };
  const aLabels = stringMap(v.alerting.labels, `${where}.alerting.labels`);
  if (aLabels) alerting.labels = aLabels;
  const aAnnotations = stringMap(v.alerting.annotations, `${where}.alerting.annotations`);
  if (aAnnotations) alerting.annotations = aAnnotations;
  const page = alert(v.alerting.page_alert, `${where}.alerting.page_alert`);
  if (page) alerting.page_alert = page;
  const ticket = alert(v.alerting.ticket_alert, `${where}.alerting.ticket_alert`);
  if (ticket) alerting.ticket_alert = ticket;
  const out: SlothSlo = { name, objective, sli, alerting };
  if (typeof v.description === 'string') out.description = v.description;
  const labels = stringMap(v.labels, `${where}.labels`);
  if (labels) out.labels = labels;
  return out;
}

/** Validates a parsed Sloth document; errors name the offending field. */
export function parseSlothSpec(doc: unknown, source = 'spec'): SlothSpec {
  if (!isRecord(doc)) throw new SloSpecError(`${source}: expected a map at the top level`);
  if (doc.version !== 'prometheus/v1') {
    throw new SloSpecError(`${source}.version: expected "prometheus/v1", got ${JSON.stringify(doc.version)}`);
  }
  const service = text(doc.service, `${source}.service`);
  if (!NAME.test(service)) throw new SloSpecError(`${source}.service: "${service}" must match ${NAME}`);
  if (!Array.isArray(doc.slos) || doc.slos.length === 0)
    throw new SloSpecError(`${source}.slos: expected a non-empty list`);
  const slos = doc.slos.map((s, i) => slo(s, `${source}.slos[${i}]`));
  const names = new Set<string>();
  for (const s of slos) {
    if (names.has(s.name)) throw new SloSpecError(`${source}.slos: "${s.name}" is defined twice`);
    names.add(s.name);
  }
  const spec: SlothSpec = { version: 'prometheus/v1', service, slos };
  const labels = stringMap(doc.labels, `${source}.labels`);
  if (labels) spec.labels = labels;
  return spec;
}
