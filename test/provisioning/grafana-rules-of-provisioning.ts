// What Grafana itself does with the provisioned files, written from its source (Grafana 12), since
// no Grafana runs here:
// - alerting files: pkg/services/provisioning/alerting (types.go, rules_types.go,
//   contact_point_types.go, notification_policy_types.go, text_templates_types.go), the webhook
//   settings of grafana/alerting (receivers/webhook/config.go) and ngalert's state names;
// - environment variables: pkg/services/provisioning/values (`$VAR` and `${VAR}`, `$$` for `$`);
// - folders: alert rule groups find or create their folder by title
//   (rules_provisioner.go getOrCreateFolderByTitle, run by RunInitProvisioners before dashboards),
//   a dashboard provider by `folderUid` when it has one, else by title
//   (dashboards/file_reader.go getOrCreateFolder);
// - dashboard import: pkg/services/dashboardimport/utils/dash_template_evaluator.go;
// - a dashboard's datasource variable: @grafana/scenes DataSourceVariable (options: the
//   datasources of the plugin, labelled by name, valued by uid) and MultiValueVariable (the current
//   value if an option has it, else the option labelled with the current text, else the first).

type Doc = Record<string, unknown>;

const PROM_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const NO_DATA_STATES = ['Alerting', 'NoData', 'OK', 'KeepLast'];
const EXEC_ERR_STATES = ['Alerting', 'Error', 'OK', 'KeepLast'];
const MATCH_OPERATORS = ['=', '!=', '=~', '!~'];

/** Expands environment variables in a provisioned value as Grafana does. */
export function expandEnv(value: string, env: Record<string, string>): string {
  return value
    .split('$$')
    .map((part) => part.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced?: string, bare?: string) => env[(braced ?? bare)!] ?? ''))
    .join('$');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): Doc[] => (Array.isArray(v) ? (v as Doc[]) : []);

function ruleProblems(group: Doc, rule: Doc): string[] {
  const title = str(rule.title);
  const where = `group ${str(group.name)} rule ${title || '(no title)'}`;
  const problems: string[] = [];
  if (!title.trim()) problems.push(`${where}: rule has no title set`);
  if (!str(rule.uid).trim()) problems.push(`${where}: no UID set`);
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(str(rule.uid))) problems.push(`${where}: uid is not 1 to 40 of [A-Za-z0-9_-]`);
  if (rule.for !== undefined && !PROM_DURATION.test(str(rule.for))) problems.push(`${where}: failed to parse 'for' field`);
  if (!EXEC_ERR_STATES.includes(str(rule.execErrState))) problems.push(`${where}: execErrState ${String(rule.execErrState)} is not explicit and valid`);
  if (!NO_DATA_STATES.includes(str(rule.noDataState))) problems.push(`${where}: noDataState ${String(rule.noDataState)} is not explicit and valid`);
  const data = list(rule.data);
  if (data.length === 0) problems.push(`${where}: no data set`);
  for (const query of data) {
    if (!str(query.refId) || !str(query.datasourceUid) || typeof query.model !== 'object') problems.push(`${where}: a query lacks refId, datasourceUid or model`);
  }
  if (!data.some((q) => q.refId === rule.condition)) problems.push(`${where}: condition ${String(rule.condition)} names no query`);
  if ((rule.panelId === undefined) !== (rule.dashboardUid === undefined)) problems.push(`${where}: panelId and dashboardUid go together`);
  if (rule.panelId !== undefined && !Number.isInteger(rule.panelId)) problems.push(`${where}: panelId is not an integer`);
  for (const field of ['labels', 'annotations'] as const) {
    for (const [k, v] of Object.entries((rule[field] ?? {}) as Doc)) if (typeof v !== 'string') problems.push(`${where}: ${field}.${k} is not a string`);
  }
  return problems;
}

function routeProblems(route: Doc, receivers: Set<string>, where: string): string[] {
  const problems: string[] = [];
  if (route.receiver !== undefined && !receivers.has(str(route.receiver))) problems.push(`${where}: receiver ${String(route.receiver)} is not a contact point`);
  for (const key of ['group_wait', 'group_interval', 'repeat_interval']) {
    if (route[key] !== undefined && !PROM_DURATION.test(str(route[key]))) problems.push(`${where}: ${key} is not a duration`);
  }
  for (const matcher of (route.object_matchers ?? []) as unknown[]) {
    const ok = Array.isArray(matcher) && matcher.length === 3 && matcher.every((m) => typeof m === 'string') && MATCH_OPERATORS.includes(matcher[1] as string);
    if (!ok) problems.push(`${where}: object matcher ${JSON.stringify(matcher)} is not [label, operator, value]`);
  }
  list(route.routes).forEach((child, i) => problems.push(...routeProblems(child, receivers, `${where}.routes[${i}]`)));
  return problems;
}

/** Problems Grafana would report reading these alerting files together, with `env` as its environment. */
export function alertingProblems(files: Doc[], env: Record<string, string>): string[] {
  const problems: string[] = [];
  const receivers = new Set<string>();
  const templates = new Set<string>();
  for (const file of files) {
    if (file.apiVersion !== 1) problems.push(`apiVersion ${String(file.apiVersion)} is not 1`);
    for (const cp of list(file.contactPoints)) {
      const name = expandEnv(str(cp.name), env).trim();
      if (!name) problems.push('contact point: no name is set');
      receivers.add(name);
      for (const receiver of list(cp.receivers)) {
        if (!str(receiver.uid).trim()) problems.push(`${name}: no uid is set`);
        if (!str(receiver.type).trim()) problems.push(`${name}: no type is set`);
        const settings = (receiver.settings ?? {}) as Doc;
        if (Object.keys(settings).length === 0) problems.push(`${name}: no settings are set`);
        if (receiver.type === 'webhook' && !expandEnv(str(settings.url), env)) problems.push(`${name}: required field 'url' is not specified`);
      }
    }
    for (const template of list(file.templates)) {
      if (!str(template.name).trim() || !str(template.template).trim()) problems.push('template without name or content');
      for (const m of str(template.template).matchAll(/\{\{-?\s*define\s+"([^"]+)"/g)) templates.add(m[1]!);
      const opened = (str(template.template).match(/\{\{-?\s*(define|if|range|with)\b/g) ?? []).length;
      const closed = (str(template.template).match(/\{\{-?\s*end\s*-?\}\}/g) ?? []).length;
      if (opened !== closed) problems.push(`template ${str(template.name)}: ${opened} blocks opened, ${closed} closed`);
    }
    for (const group of list(file.groups)) {
      if (!str(group.name).trim()) problems.push('rule group has no name set');
      if (!str(group.folder).trim()) problems.push(`group ${str(group.name)}: rule group has no folder set`);
      if (!PROM_DURATION.test(str(group.interval))) problems.push(`group ${str(group.name)}: interval is not a duration`);
      for (const rule of list(group.rules)) problems.push(...ruleProblems(group, rule));
    }
  }
  for (const file of files) {
    list(file.policies).forEach((policy, i) => {
      if (!str(policy.receiver)) problems.push(`policies[${i}]: the root policy has no receiver`);
      problems.push(...routeProblems(policy, receivers, `policies[${i}]`));
    });
    for (const cp of list(file.contactPoints)) {
      for (const receiver of list(cp.receivers)) {
        for (const value of Object.values((receiver.settings ?? {}) as Doc)) {
          for (const m of str(value).matchAll(/\{\{-?\s*template\s+"([^"]+)"/g)) {
            if (!templates.has(m[1]!)) problems.push(`${str(cp.name)}: template "${m[1]}" is not defined`);
          }
        }
      }
    }
  }
  return problems;
}

/** The folders Grafana ends up with after provisioning alert rule groups, then dashboard providers. */
export function provisionedFolders(alertGroups: Doc[], dashboardProviders: Doc[]): { uid: string; title: string }[] {
  const folders: { uid: string; title: string }[] = [];
  let generated = 0;
  for (const group of alertGroups) {
    const title = str(group.folder);
    if (!folders.some((f) => f.title === title)) folders.push({ uid: `generated-${++generated}`, title });
  }
  for (const provider of dashboardProviders) {
    const title = str(provider.folder);
    const uid = str(provider.folderUid);
    const found = uid ? folders.find((f) => f.uid === uid) : folders.find((f) => f.title === title);
    if (!found) folders.push({ uid: uid || `generated-${++generated}`, title });
  }
  return folders;
}

/** A dashboard as Grafana's import writes it: `${INPUT}` replaced by the chosen value, `__inputs` dropped. */
export function importDashboard(template: Doc, inputs: Record<string, string>): Doc {
  const wanted = list(template.__inputs).map((input) => str(input.name));
  const missing = wanted.filter((name) => !(name in inputs));
  if (missing.length > 0) throw new Error(`dashboard import failed: input missing ${missing.join(', ')}`);
  const replace = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\$\{.+?\}/g, (m) => (wanted.includes(m.slice(2, -1)) ? inputs[m.slice(2, -1)]! : m));
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([k]) => k !== '__inputs').map(([k, v]) => [k, replace(v)]));
    }
    return value;
  };
  return replace(template) as Doc;
}

/** The datasource uid a single-value datasource variable resolves to among `datasources` of its plugin. */
export function resolveDatasourceVariable(current: { value: string; text: string }, datasources: { name: string; uid: string }[]): string | undefined {
  const options = datasources.map((d) => ({ label: d.name, value: d.uid }));
  const match = options.find((o) => o.value === current.value) ?? options.find((o) => o.label === current.text);
  return (match ?? options[0])?.value;
}
