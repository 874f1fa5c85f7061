/**
 * An outreach report as people read it: a CSV for spreadsheets (sections one after the
 * other, every cell neutralised against formula injection) and a self-contained HTML page
 * whose charts are SVG drawn here by Apache ECharts' server-side renderer, so opening the
 * page fetches no script, font or image.
 */
import * as echarts from 'echarts';
import { csvLine } from './csv';
import type { OutreachReport, Rate } from './outreach-report';

type Cell = string | number | boolean | undefined;

/** The report as one CSV: a titled section per table. */
export function reportCsv(r: OutreachReport): string {
  const out: string[] = ['\uFEFF' + csvLine(['practice', r.practiceId, 'from', r.period.from, 'to', r.period.to, 'generated', r.generatedAt, 'people', r.people])];
  const section = (title: string, header: readonly string[], rows: readonly (readonly Cell[])[]) => {
    out.push('\r\n', csvLine([title]), csvLine(header), ...rows.map((row) => csvLine(row)));
  };
  section('funnel', ['cadence', 'round', 'enrolled', 'reachable', 'contacted', 'responded', 'booked', 'seen'], r.funnel.map((f) => [f.cadence, f.round, f.enrolled, f.reachable, f.contacted, f.responded, f.booked, f.seen]));
  section('by channel and step', ['cadence', 'step', 'channel', 'sent', 'delivered', 'failed', 'skipped', 'skipped by reason'], r.steps.map((s) => [s.cadence, s.step, s.channel, s.sent, s.delivered, s.failed, total(s.skipped), reasons(s.skipped)]));
  section(
    'A/B variants',
    ['cadence', 'step', 'variant', 'sent', 'responded', 'response rate', 'response 95% low', 'response 95% high', 'booked', 'booking rate', 'booking 95% low', 'booking 95% high'],
    r.variants.map((v) => [v.cadence, v.step, v.variant, v.sent, ...rateCells(v.responded), ...rateCells(v.booked)]),
  );
  section('A/B tests', ['cadence', 'step', 'variant a', 'variant b', 'measure', 'p-value', 'significant at 5%'], r.variantTests.map((t) => [t.cadence, t.step, t.a, t.b, t.measure, t.pValue.toFixed(4), t.significant ? 'yes' : 'no']));
  section('dispositions by code', ['code', 'count'], Object.entries(r.dispositions.byCode).map(([code, n]) => [code, n]));
  section('dispositions by agent', ['agent', 'code', 'count'], Object.entries(r.dispositions.byAgent).flatMap(([agent, codes]) => Object.entries(codes).map(([code, n]) => [agent, code, n])));
  section('opt-outs', ['channel', 'count'], Object.entries(r.optOuts).map(([channel, n]) => [channel, n]));
  section('flagged for staff (unhandled)', ['kind', 'count'], [...Object.entries(r.flags.byKind).map(([kind, n]): Cell[] => [kind, n]), ['oldest (hours)', r.flags.oldestHours]]);
  section('imports', ['import', 'file', 'started', 'rows read', 'created', 'rejected', 'status'], r.imports.map((i) => [i.importId, i.key, i.startedAt, i.rowsRead, i.created, i.rejected, i.status]));
  return out.join('');
}

/** The report as one HTML page with its charts inline (SVG) and its styles in the page. */
export function reportHtml(r: OutreachReport, practiceName: string): string {
  const charts = [
    figure('The funnel, by round', funnelChart(r)),
    figure('Messages by channel and step', stepsChart(r)),
    figure('Dispositions', barChart(Object.entries(r.dispositions.byCode), '#7b5ea7')),
    figure('Flagged replies and dispositions not yet handled, by age', barChart(Object.entries(r.flags.byAge), '#c0392b')),
  ];
  const table = (header: readonly string[], rows: readonly (readonly Cell[])[]) =>
    `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(practiceName)}: outreach ${esc(periodText(r, (at) => at.slice(0, 10)))}</title>
<style>body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.25rem}.muted{color:#666}</style></head>
<body>
<h1>${esc(practiceName)}: what the outreach achieved</h1>
<p class="muted">${esc(periodText(r, (at) => at))} · ${r.people} people · generated ${esc(r.generatedAt)}</p>
${charts.join('\n')}
<h2>Funnel</h2>${table(['cadence', 'round', 'enrolled', 'reachable', 'contacted', 'responded', 'booked', 'seen'], r.funnel.map((f) => [f.cadence, f.round, f.enrolled, f.reachable, f.contacted, f.responded, f.booked, f.seen]))}
<h2>By channel and step</h2>${table(['cadence', 'step', 'channel', 'sent', 'delivered', 'failed', 'skipped (why)'], r.steps.map((s) => [s.cadence, s.step, s.channel, s.sent, s.delivered, s.failed, reasons(s.skipped) || '—']))}
<h2>A/B variants</h2>${r.variants.length ? table(['cadence', 'step', 'variant', 'sent', 'responded (95% CI)', 'booked (95% CI)'], r.variants.map((v) => [v.cadence, v.step, v.variant, v.sent, interval(v.responded), interval(v.booked)])) : '<p class="muted">No variants sent in this period.</p>'}
${r.variantTests.length ? table(['cadence', 'step', 'a', 'b', 'measure', 'p-value', 'significant at 5%'], r.variantTests.map((t) => [t.cadence, t.step, t.a, t.b, t.measure, t.pValue.toFixed(4), t.significant ? 'yes' : 'no'])) : ''}
<h2>Dispositions by agent</h2>${table(['agent', 'code', 'count'], Object.entries(r.dispositions.byAgent).flatMap(([agent, codes]) => Object.entries(codes).map(([code, n]) => [agent, code, n])))}
<h2>Opt-outs</h2>${table(['channel', 'count'], Object.entries(r.optOuts))}
<h2>Flagged for staff</h2><p>${r.flags.unhandled} not yet handled; the oldest is ${r.flags.oldestHours} hours old.</p>${table(['kind', 'count'], Object.entries(r.flags.byKind))}
<h2>Imports</h2>${table(['file', 'started', 'rows read', 'created', 'rejected', 'status'], r.imports.map((i) => [i.key, i.startedAt, i.rowsRead, i.created, i.rejected, i.status]))}
</body></html>
`;
}

/** "from … to …", or "until …" for a report of everything so far. */
function periodText(r: OutreachReport, show: (at: string) => string): string {
  return r.period.from.startsWith('0000') ? `everything until ${show(r.period.to)}` : `${show(r.period.from)} to ${show(r.period.to)}`;
}

function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${esc(caption)}</figcaption>${svg}</figure>`;
}

const CHART_WIDTH = 900;
const FONT_FAMILY = 'system-ui, sans-serif';

/** An ECharts option drawn to an SVG string, server-side; no animation, no interaction. */
function svgOf(option: echarts.EChartsCoreOption, height = 280): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT_FAMILY }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const STAGES = ['enrolled', 'reachable', 'contacted', 'responded', 'booked', 'seen'] as const;

/**
 * The funnel's legend: one name per cadence and round, as many as the stage has. The page is
 * a static SVG (no script), so a scrolling legend would hide names behind arrows nobody can
 * press: it wraps onto as many rows as the names need, and the plot starts below the last.
 * Its sizes are stated (ECharts' defaults, and a width to wrap at) because legendHeight counts with them.
 */
const FUNNEL_LEGEND = { type: 'plain', orient: 'horizontal', left: 'center', top: 0, width: CHART_WIDTH - 40, padding: 5, itemGap: 10, itemWidth: 25, itemHeight: 14, textStyle: { fontSize: 12 } } as const;
/** ECharts puts a legend item's name this far right of its icon. */
const LEGEND_NAME_OFFSET = 5;
/** The funnel's plot keeps this height however many rows its legend takes. */
const FUNNEL_PLOT_HEIGHT = 210;

/**
 * The height FUNNEL_LEGEND takes for these names, wrapped as ECharts wraps it: an item that
 * would cross the legend's width starts a new row. Names are measured with ECharts' own text
 * measure (the one its server-side layout uses), so the rows counted are the rows drawn.
 */
function legendHeight(names: readonly string[]): number {
  const l = FUNNEL_LEGEND;
  // ECharts wraps at the width given (the padding lies outside it).
  const rowWidth = l.width;
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const width = l.itemWidth + LEGEND_NAME_OFFSET + echarts.format.getTextRect(name, `${l.textStyle.fontSize}px ${FONT_FAMILY}`).width;
    if (x > 0 && x + width > rowWidth) {
      rows += 1;
      x = 0;
    }
    x += width + l.itemGap;
  }
  return 2 * l.padding + rows * l.itemHeight + (rows - 1) * l.itemGap;
}

function funnelChart(r: OutreachReport): string {
  const series = r.funnel.map((f) => ({ type: 'bar', name: `${f.cadence} r${f.round}`, data: STAGES.map((s) => f[s]) }));
  const top = legendHeight(series.map((s) => s.name)) + 16;
  const bottom = 30;
  return svgOf(
    {
      legend: FUNNEL_LEGEND,
      grid: { left: 60, right: 20, top, bottom },
      xAxis: { type: 'category', data: [...STAGES] },
      yAxis: { type: 'value', minInterval: 1 },
      series,
    },
    top + FUNNEL_PLOT_HEIGHT + bottom,
  );
}

function stepsChart(r: OutreachReport): string {
  // One row per cadence, step and channel: the channel is named where the step id does not say it (a broadcast texts and leaves voicemails).
  const labels = r.steps.map((s) => (s.step === s.channel ? `${s.cadence}/${s.step}` : `${s.cadence}/${s.step} (${s.channel})`));
  const series = (name: string, color: string, values: number[]) => ({ type: 'bar', stack: 'all', name, itemStyle: { color }, data: values });
  return svgOf(
    {
      legend: { top: 0 },
      grid: { left: 200, right: 20, top: 40, bottom: 30 },
      yAxis: { type: 'category', data: labels },
      xAxis: { type: 'value', minInterval: 1 },
      series: [
        series('delivered', '#2e8b57', r.steps.map((s) => s.delivered)),
        series('sent, not confirmed delivered', '#8fbc8f', r.steps.map((s) => Math.max(0, s.sent - s.delivered - s.failed))),
        series('failed', '#c0392b', r.steps.map((s) => s.failed)),
        series('skipped', '#bbbbbb', r.steps.map((s) => total(s.skipped))),
      ],
    },
    Math.max(200, 40 + 26 * labels.length),
  );
}

function barChart(entries: ReadonlyArray<readonly [string, number]>, color: string): string {
  return svgOf({
    grid: { left: 60, right: 20, top: 20, bottom: 60 },
    xAxis: { type: 'category', data: entries.map(([k]) => k), axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', itemStyle: { color }, data: entries.map(([, n]) => n), label: { show: true, position: 'top' } }],
  });
}

function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function reasons(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join('; ');
}

function rateCells(r: Rate): Cell[] {
  return [r.count, r.rate.toFixed(3), r.low.toFixed(3), r.high.toFixed(3)];
}

function interval(r: Rate): string {
  return `${r.count}/${r.of} = ${(r.rate * 100).toFixed(1)}% (${(r.low * 100).toFixed(1)}–${(r.high * 100).toFixed(1)}%)`;
}

function esc(value: Cell): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
