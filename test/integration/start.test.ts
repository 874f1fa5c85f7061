/**
 * `npm start` as ops and staff run it: the sample file imported, every enrollment run
 * through its cadence on virtual clocks, and the report's cadence figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

const ROOT = resolve(__dirname, '../..');

function start(args: string[], logLevel?: string): { status: number | null; stdout: string; stderr: string } {
  // Without the test setup's POWERTOOLS_LOG_LEVEL, as people run it: the command decides what the handlers log (unless given).
  const { POWERTOOLS_LOG_LEVEL: _testLevel, ...env } = process.env;
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli.ts', '--quiet', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...env, CI: 'true', ...(logLevel ? { POWERTOOLS_LOG_LEVEL: logLevel } : {}) },
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** Lines of the handlers' structured (JSON) logs. */
const logLines = (text: string) => text.split('\n').filter((line) => line.startsWith('{"level":'));

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-start-'));
  const state = join(dir, 'state');

  it('imports the sample, runs the cadence for everyone it enrolled, and reports sends, skips, no window violations and no duplicate sends', () => {
    const report = join(dir, 'first.json');
    const run = start(['--state', state, '--report', report, '--timeline', 'P-1020']);

    expect(run.status).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.enrolled).toBe(21);
    expect(r.windowViolations).toBe(0);
    expect(r.duplicateSends).toBe(0);
    expect(r.sent.postcard).toBeGreaterThan(0);
    expect(r.sent.sms).toBeGreaterThan(0);
    expect(r.sent.voicemail).toBeGreaterThan(0);
    expect(r.sent.call).toBeGreaterThan(0);
    // Prospects without written consent get mail only: the outreach texts and calls skip them, with the reason.
    expect(r.skipped['no-consent']).toBeGreaterThan(0);
    // Four people booked on a call, one texted STOP (their outreach stopped); the two follow-ups and the new try after a refusal ran too.
    expect(r.cadence.enrollmentStatus).toEqual({ finished: 19, stopped: 5 });
    expect(r.cadence.stopReasons).toEqual({ booked: 4, 'opted-out': 1 });
    expect(r.cadence.failedExecutions).toBe(0);
    expect(r.cadence.postcardManifests.length).toBeGreaterThan(0);
    expect(readFileSync(r.cadence.postcardManifests[0], 'utf8')).toContain('return code');
    expect(run.stdout).toMatch(/Timeline of c_[0-9a-f]{24}/);
    expect(run.stdout).toMatch(/community-outreach round 1 sms \[sms\]: sent/);
    // The handlers' logs are for CloudWatch: the summary says what happened, with no JSON lines among it.
    expect({ stdout: logLines(run.stdout), stderr: logLines(run.stderr) }).toEqual({ stdout: [], stderr: [] });
  });

  it('runs the month the scenario scripts: calls dispositioned, appointments booked, reminded at their local times, a no-show followed up, a visit seen and reviewed', () => {
    const r = JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8'));
    expect(r.dispositions).toEqual({ 'appointment-booked': 4, 'call-back-later': 1, 'not-interested': 1, 'wrong-number': 1, 'do-not-call': 1, 'language-barrier': 1, 'no-answer': 2 });
    expect(r.appointments).toMatchObject({ booked: 4, confirmed: 3, noShow: 1, seen: 2, cancelled: 1, reviewRequests: 1 });
    expect(r.appointments.reminded).toBeGreaterThanOrEqual(2);
    // Every reminder fires at 10:00 (7 and 2 days before) or 08:00 (the same day) Seattle time.
    const reminders = r.month.schedulesFired.filter((f: { name: string }) => /^appt-.*-(7d|2d|same-day)$/.test(f.name));
    expect(reminders.length).toBeGreaterThanOrEqual(4);
    for (const f of reminders) {
      const local = new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(f.at));
      expect({ name: f.name, local }).toEqual({ name: f.name, local: f.name.endsWith('same-day') ? '08:00' : '10:00' });
    }
    expect(r.month.visitsReported.map((v: { change: string }) => v.change).sort()).toEqual(['cancel', 'no-show', 'seen', 'seen']);
    // The review request is due at 10:00 the morning after a visit seen (held to a later day when the week's cap is used up).
    const reviews = r.month.schedulesFired.filter((f: { name: string }) => f.name.endsWith('-review'));
    expect(reviews.length).toBe(2);
    const seen = r.month.visitsReported.filter((v: { change: string }) => v.change === 'seen').map((v: { at: string }) => Date.parse(v.at));
    for (const f of reviews) expect(seen.some((at: number) => Date.parse(f.at) - at > 0 && Date.parse(f.at) - at < 36 * 3_600_000)).toBe(true);
    // The call-back the person asked for was placed, and the new try after "not interested" started.
    expect(r.month.schedulesFired.map((f: { job: string; outcome: string }) => `${f.job}:${f.outcome}`)).toEqual(expect.arrayContaining(['placeCallback:sent', 'resumeOutreach:enrolled']));
    expect(r.month.handOffFiles.length).toBeGreaterThan(0);
    expect(readFileSync(r.month.handOffFiles[0], 'utf8')).toMatch(/^\uFEFFchange,appointment id,/);
    // Copied out at their object keys: a hand-off file and a postcard manifest of one day never overwrite each other.
    for (const f of r.month.handOffFiles) expect(f).toMatch(/\/handoffs\/sunrise-family\/\d{4}-\d{2}-\d{2}\.csv$/);
    for (const f of r.cadence.postcardManifests) expect(f).toMatch(/\/postcards\/sunrise-family\/\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('reads the scripted replies: HELP answered, STOP taking effect mid-cadence with nothing sent after it, a confirmation, an unexpected reply flagged; and every text\'s delivery', () => {
    const r = JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8'));
    expect(r.repliesByKind).toEqual({ help: 1, 'opt-out': 1, confirm: 1, other: 1 });
    expect(r.optOuts).toEqual({ sms: 1 });
    expect(r.messagesAfterOptOut).toBe(0);
    expect(r.flaggedReplies).toBe(1);
    expect(r.appointments.texts).toMatchObject({ 'help sent': 1, 'optOutConfirmation sent': 1 });
    expect(r.deliveryByStatus.unreachable).toBe(1);
    expect(r.deliveryByStatus.delivered).toBeGreaterThan(10);
  });

  it('runs the sample broadcast and the birthday campaign: sends plus skips equal the members, nothing left queued', () => {
    const r = JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8'));
    const total = (t: { sent: number; failed: number; queued: number; skipped: Record<string, number> }) => t.sent + t.failed + t.queued + Object.values(t.skipped).reduce((a, b) => a + b, 0);
    const flu = r.broadcasts['flu-shot-drive'];
    expect(flu.runs).toBe(1);
    expect(flu.sent).toBeGreaterThan(0);
    expect(flu.queued).toBe(0);
    expect(total(flu)).toBe(flu.members);
    // Outreach needs written consent: prospects without it are skipped, with the reason.
    expect(flu.skipped['no-consent']).toBeGreaterThan(0);
    const birthdays = r.campaigns['birthday-greeting'];
    expect(birthdays.sent).toBeGreaterThan(0);
    expect(total(birthdays)).toBe(birthdays.members);
    expect(r.failedRuns).toBe(0);
    // The outreach report the deployed system writes, copied out: charts inline, no script.
    const html = readFileSync(r.htmlReport, 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script|src="http/);
    // Broadcast and campaign sends are in the report's checks too.
    expect(r.windowViolations).toBe(0);
    expect(r.duplicateSends).toBe(0);
    expect(r.messagesAfterOptOut).toBe(0);
  });

  it('enrolls nobody again when the same file is dropped a second time, and sends no campaign message twice', () => {
    const report = join(dir, 'second.json');
    const run = start(['--state', state, '--report', report, '--broadcast', 'flu-shot-drive']);

    expect(run.status).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.created).toBe(0);
    expect(r.enrolled).toBe(0);
    expect(r.sent).toBeUndefined();
    expect(Object.keys(r.broadcasts)).toEqual(['flu-shot-drive']);
    const first = JSON.parse(readFileSync(join(dir, 'first.json'), 'utf8'));
    // The same days' campaign runs: found, not run again.
    expect(r.campaigns['birthday-greeting'].sent).toBe(first.campaigns['birthday-greeting'].sent);
    expect(r.failedRuns).toBe(0);
  });
});

describe('npm start with every handler log on (DEBUG)', () => {
  /** What the sample file and the scripted replies say about people: none of it may reach a log line. */
  function personalData(): string[] {
    const rows = parse(readFileSync(join(ROOT, 'samples', 'prospects.csv')), { bom: true, columns: true, relax_column_count: true }) as Record<string, string>[];
    const scenario = JSON.parse(readFileSync(join(ROOT, 'samples', 'scenario.json'), 'utf8')) as { replies: Record<string, { text: string }[]> };
    const values = rows.flatMap((r) => {
      const phones = [r['Mobile Phone'], r['Home Phone']].map((p) => (p ?? '').replace(/\D/g, '').slice(-10)).filter((d) => d.length === 10);
      return [r['First Name'], r['Last Name'], r.Address, r.Email, ...phones, ...phones.map((d) => `+1${d}`)];
    });
    const replies = Object.values(scenario.replies).flatMap((list) => list.map((r) => r.text)).filter((t) => t.length > 4);
    // Words every sent text carries: a rendered message in a log would carry them.
    return [...new Set([...values, ...replies, 'Reply STOP', 'STOP to opt out', 'PARAR para salir'].map((v) => (v ?? '').trim()).filter((v) => v.length >= 3))];
  }

  it('writes ids and counts only: no name, number, street, e-mail or message text of anyone in any log line', () => {
    const run = start(['--state', join(mkdtempSync(join(tmpdir(), 'outreach-start-logs-')), 'state')], 'DEBUG');
    expect(run.status).toBe(0);
    const lines = [...logLines(run.stdout), ...logLines(run.stderr)];
    // The whole month logs (imports, cadences, calls, replies, deliveries, runs, reports): the check is not empty.
    expect(lines.length).toBeGreaterThan(200);
    const leaks = personalData().flatMap((value) => lines.filter((line) => line.includes(value)).map((line) => ({ value, line: line.slice(0, 300) })));
    expect(leaks).toEqual([]);
  });
});
