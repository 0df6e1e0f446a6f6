// Draws per-operation latency along an insert sequence as an SVG line chart with a logarithmic
// latency axis: one line per map, each point the slowest operation of a window of inserts, so
// that a single stalled insert among millions stays visible. Garbage-collection pauses are drawn
// as marks on the same axes (at the insert where each began, as high as it lasted), so a spike
// with a mark on it is the collector's, one without is the map's own work.

const WIDTH = 960;
const HEIGHT = 440;
const MARGIN = { left: 78, right: 24, top: 56, bottom: 56 };

const escapeXml = (s) =>
  String(s).replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]);

function latencyLabel(ms) {
  if (ms >= 1000) return `${ms / 1000} s`;
  if (ms >= 1) return `${ms} ms`;
  if (ms >= 0.001) return `${Math.round(ms * 1000)} µs`;
  return `${Math.round(ms * 1e6)} ns`;
}

function countLabel(n) {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e3) return `${n / 1e3}k`;
  return String(n);
}

/** The slowest value of each window of `windowSize` consecutive entries of `durations`. */
export function windowMaxima(durations, count, windowSize) {
  const out = [];
  for (let start = 0; start < count; start += windowSize) {
    const end = Math.min(count, start + windowSize);
    let max = 0;
    for (let i = start; i < end; i++) if (durations[i] > max) max = durations[i];
    out.push(max);
  }
  return out;
}

/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {string} chart.subtitle
 * @param {number} chart.totalOps inserts along the x axis
 * @param {number} chart.windowSize inserts per point
 * @param {{ label: string, color: string, maxima: number[] }[]} chart.series window maxima in ms
 * @param {{ at: number, label: string }[]} [chart.markers] vertical marks at insert numbers
 * @param {{ label: string, color: string, marks: { at: number, ms: number }[] }[]} [chart.pauses]
 *   GC pauses: the insert at which each began and its duration in ms
 */
export function latencySvg({ title, subtitle, totalOps, windowSize, series, markers = [], pauses = [] }) {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = [...series.flatMap((s) => s.maxima), ...pauses.flatMap((p) => p.marks.map((m) => m.ms))].filter(
    (v) => v > 0,
  );
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const x = (op) => MARGIN.left + (op / totalOps) * plotW;
  const y = (ms) => MARGIN.top + plotH - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo || 1)) * plotH;

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${MARGIN.left}" y="40" fill="#555555">${escapeXml(subtitle)}</text>`,
  );

  for (let p = lo; p <= hi; p++) {
    const yy = y(10 ** p).toFixed(1);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${yy}" y2="${yy}" stroke="#e4e4e4"/>`,
      `<text x="${MARGIN.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${latencyLabel(10 ** p)}</text>`,
    );
  }
  const step = [1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6].find((s) => totalOps / s <= 10) ?? 1e7;
  for (let op = 0; op <= totalOps; op += step) {
    const xx = x(op).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 5}" stroke="#333333"/>`,
      `<text x="${xx}" y="${MARGIN.top + plotH + 19}" text-anchor="middle">${countLabel(op)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle">inserts so far (each point: the slowest of ${countLabel(windowSize)} consecutive inserts)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency of one insert (log scale)</text>`,
  );

  for (const m of markers) {
    const xx = x(m.at).toFixed(1);
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#9aa0a6" stroke-dasharray="3 4"><title>${escapeXml(m.label)}</title></line>`,
    );
  }

  for (const s of series) {
    const points = s.maxima
      .map((v, i) => `${x(Math.min(totalOps, (i + 0.5) * windowSize)).toFixed(1)},${y(v).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.4" stroke-linejoin="round" points="${points}"/>`,
    );
  }

  // A pause mark: an open diamond, so that the line under it stays visible.
  const diamond = (cx, cy, color, label) =>
    `<path d="M${cx.toFixed(1)} ${(cy - 5).toFixed(1)} l5 5 l-5 5 l-5 -5 z" fill="none" stroke="${color}" stroke-width="1.6"><title>${escapeXml(label)}</title></path>`;
  for (const p of pauses) {
    for (const m of p.marks)
      parts.push(
        diamond(
          x(m.at),
          y(m.ms),
          p.color,
          `${p.label}: ${latencyLabel(Number(m.ms.toPrecision(3)))} at insert ${m.at}`,
        ),
      );
  }

  series.forEach((s, i) => {
    const ly = MARGIN.top + 14 + i * 18;
    const lx = WIDTH - MARGIN.right - 300;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`,
      `<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`,
    );
  });
  if (markers.length) {
    const ly = MARGIN.top + 14 + series.length * 18;
    const lx = WIDTH - MARGIN.right - 300;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="#9aa0a6" stroke-dasharray="3 4"/>`,
      `<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">a PresizedMap growth starts</text>`,
    );
  }
  pauses.forEach((p, i) => {
    const ly = MARGIN.top + 14 + (series.length + (markers.length ? 1 : 0) + i) * 18;
    const lx = WIDTH - MARGIN.right - 300;
    parts.push(
      diamond(lx + 12, ly, p.color, p.label),
      `<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(p.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
