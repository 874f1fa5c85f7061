/**
 * `npm run -s send-window`: the command ops and support use to ask the send-window rules a
 * question, run as they run it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerOf, npmCommand } from './npm-command';

const sendWindow = (...args: string[]) => npmCommand('send-window', ...args);

describe('npm run send-window', () => {
  it('says a care text to Seattle may go at 11:00 local and closes at 21:00', async () => {
    const run = await sendWindow('--at', '2026-07-15T18:00:00Z', '--zip', '98101');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toEqual({
      allowed: true,
      opensAt: null,
      closesAt: '2026-07-16T04:00:00.000Z',
      timeZones: ['America/Los_Angeles'],
      state: 'WA',
      reasons: [],
    });
  });

  it('says outreach to Alabama on Saturday night opens Monday at 08:00, skipping Sunday', async () => {
    const run = await sendWindow('--at', '2026-11-29T02:30:00Z', '--zip', '35203', '--purpose', 'outreach');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toEqual({
      allowed: false,
      opensAt: '2026-11-30T14:00:00.000Z',
      closesAt: null,
      timeZones: ['America/Chicago'],
      state: 'AL',
      reasons: ['at or after 20:00 in America/Chicago (AL rule)'],
    });
  });

  it("uses the config's first practice's time zone when nothing else is known", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'send-window-cli-'));
    try {
      const config = JSON.parse(readFileSync(join(__dirname, '..', '..', 'samples', 'stage.sample.json'), 'utf8')) as { practices: { timeZone: string }[] };
      config.practices[0].timeZone = 'Pacific/Honolulu';
      const path = join(dir, 'stage.json');
      writeFileSync(path, JSON.stringify(config));

      const sample = await sendWindow('--at', '2026-07-15T17:30:00Z');
      const configured = await sendWindow('--at', '2026-07-15T17:30:00Z', '--config', path);

      expect(answerOf(sample)).toMatchObject({ allowed: true, timeZones: ['America/Los_Angeles'], state: null });
      expect(answerOf(configured)).toMatchObject({ allowed: false, opensAt: '2026-07-15T18:00:00.000Z', timeZones: ['Pacific/Honolulu'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['no --at', [] as string[], /--at is required/],
    ['an --at without a zone', ['--at', '2026-07-15T18:00:00'], /not an ISO 8601 instant/],
    ['an unknown phone zone', ['--at', '2026-07-15T18:00:00Z', '--phone-tz', 'Mars/Olympus_Mons'], /--phone-tz "Mars\/Olympus_Mons" is not an IANA time zone/],
    ['an unknown practice zone', ['--at', '2026-07-15T18:00:00Z', '--practice-tz', 'Pacific/Atlantis'], /--practice-tz "Pacific\/Atlantis"/],
    ['a bad purpose', ['--at', '2026-07-15T18:00:00Z', '--purpose', 'marketing'], /--purpose "marketing" is not one of care, outreach/],
  ])('exits 2 with usage on stderr and nothing on stdout for %s', async (_label, args, message) => {
    const run = await sendWindow(...args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: npm run -s send-window');
  });
});
