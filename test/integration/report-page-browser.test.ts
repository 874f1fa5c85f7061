/**
 * The HTML report as a person opens it: written by reportHtml (lambdas/domain/report-page.ts)
 * to a file and opened from its file:// URL in Debian's Chromium (/usr/bin/chromium; .ci/run
 * installs it when missing), headless, driven by puppeteer-core. Checks that the four charts
 * are drawn and that opening the page made no network request: every request the page makes
 * is recorded (and anything but the page itself aborted), with the page's own CSP bypassed so
 * that an attempt to fetch something would show as a request instead of being refused silently.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { rate, type OutreachReport } from '../../lambdas/domain/outreach-report';
import { reportHtml } from '../../lambdas/domain/report-page';

const CHROMIUM = '/usr/bin/chromium';

const REPORT: OutreachReport = {
  practiceId: 'sunrise-family',
  period: { from: '2027-03-01T08:00:00.000Z', to: '2027-04-01T07:00:00.000Z' },
  generatedAt: '2027-04-01T13:30:00.000Z',
  people: 120,
  funnel: [
    { cadence: 'community-outreach', round: 1, enrolled: 120, reachable: 104, contacted: 98, responded: 31, booked: 12, seen: 7 },
    { cadence: 'community-outreach', round: 2, enrolled: 80, reachable: 70, contacted: 66, responded: 14, booked: 5, seen: 2 },
  ],
  steps: [
    { cadence: 'community-outreach', step: 'postcard', channel: 'postcard', sent: 104, delivered: 0, failed: 0, skipped: { 'no-address': 16 } },
    { cadence: 'community-outreach', step: 'sms', channel: 'sms', sent: 61, delivered: 55, failed: 3, skipped: { 'no-consent': 20, 'no-number-for-step': 39 } },
    { cadence: 'community-outreach', step: 'voicemail', channel: 'voicemail', sent: 22, delivered: 18, failed: 1, skipped: { 'no-number-for-step': 98 } },
    { cadence: 'community-outreach', step: 'call', channel: 'call', sent: 40, delivered: 31, failed: 2, skipped: { 'outside-agent-hours': 4 } },
  ],
  variants: [
    { cadence: 'community-outreach', step: 'sms', variant: 'A', sent: 30, responded: rate(6, 30), booked: rate(2, 30) },
    { cadence: 'community-outreach', step: 'sms', variant: 'B', sent: 31, responded: rate(12, 31), booked: rate(5, 31) },
  ],
  variantTests: [{ cadence: 'community-outreach', step: 'sms', a: 'A', b: 'B', measure: 'responded', pValue: 0.11, significant: false }],
  dispositions: { byCode: { 'appointment-booked': 12, 'not-interested': 9, 'no-answer': 14, 'call-back-later': 3 }, byAgent: { 'a-1': { 'appointment-booked': 7 }, 'a-2': { 'appointment-booked': 5, 'not-interested': 9 } } },
  optOuts: { sms: 4, all: 1 },
  flags: { unhandled: 5, byKind: { reply: 4, disposition: 1 }, oldestHours: 80.5, byAge: { 'under 1 day': 2, '1–3 days': 2, 'over 3 days': 1 } },
  imports: [{ importId: 'imp_1', key: 'inbox/sunrise-family/march.csv', startedAt: '2027-03-01T10:00:00.000Z', rowsRead: 125, created: 120, rejected: 5, status: 'done' }],
};

describe('the HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: this test opens the report in Debian's Chromium. Install it with "apt-get install -y --no-install-recommends chromium" (.ci/run does when it is missing).`);
    }
    dir = mkdtempSync(join(tmpdir(), 'report-browser-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, reportHtml(REPORT, 'Sunrise Family Health'));
    url = pathToFileURL(file).href;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      // Exactly these flags (no puppeteer defaults), with a profile of its own that nothing else uses.
      ignoreDefaultArgs: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir, 'profile')}`],
      pipe: true,
      timeout: 60_000,
    });
    page = await browser.newPage();
    await page.setBypassCSP(true);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      requests.push(request.url());
      if (request.url() === url) void request.continue();
      else void request.abort('blockedbyclient');
    });
    await page.setViewport({ width: 1200, height: 900 });
    await page.goto(url, { waitUntil: 'networkidle0', timeout: 30_000 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the four charts: each figure has an SVG with shapes in it and a size on the page', async () => {
    const figures = await page.$$eval('figure', (els) =>
      els.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        return {
          caption: figure.querySelector('figcaption')?.textContent ?? '',
          svgs: figure.querySelectorAll('svg').length,
          shapes: svg ? svg.querySelectorAll('rect, path').length : 0,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    expect(figures.map((f) => f.caption)).toEqual(['The funnel, by round', 'Messages by channel and step', 'Dispositions', 'Flagged replies and dispositions not yet handled, by age']);
    for (const f of figures) {
      expect({ caption: f.caption, svgs: f.svgs }).toEqual({ caption: f.caption, svgs: 1 });
      expect({ caption: f.caption, shapes: f.shapes > 0, width: f.width > 0, height: f.height > 0 }).toEqual({ caption: f.caption, shapes: true, width: true, height: true });
    }
    expect(await page.$$eval('svg', (els) => els.length)).toBe(4);
  });

  it('draws the bars the numbers call for: a visible filled bar in every chart', async () => {
    const bars = await page.$$eval('figure svg', (svgs) =>
      svgs.map((svg) => [...svg.querySelectorAll('path, rect')].filter((el) => {
        const fill = el.getAttribute('fill');
        const box = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
        return fill && fill !== 'none' && fill !== 'transparent' && box.width > 1 && box.height > 1;
      }).length),
    );
    expect(bars).toHaveLength(4);
    for (const n of bars) expect(n).toBeGreaterThan(0);
  });

  it('shows the tables, and made no network request: the page itself was the only thing requested', async () => {
    expect(await page.$eval('h1', (h) => h.textContent)).toBe('Sunrise Family Health: what the outreach achieved');
    expect(await page.$$eval('table', (t) => t.length)).toBeGreaterThanOrEqual(7);
    expect(requests).toEqual([url]);
  });
});
