/**
 * `npm start` as ops and staff run it: the sample file imported, every enrollment run
 * through its cadence on virtual clocks, and the report's cadence figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function start(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['--import', 'tsx', 'local/cli.ts', '--quiet', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, CI: 'true' } });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-start-'));
  const state = join(dir, 'state');

  it('imports the sample, runs the cadence for everyone it enrolled, and reports sends, skips, no window violations and no duplicate sends', () => {
    const report = join(dir, 'first.json');
    const run = start(['--state', state, '--report', report, '--timeline', 'P-1020']);

    expect(run.status).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.enrolled).toBe(20);
    expect(r.windowViolations).toBe(0);
    expect(r.duplicateSends).toBe(0);
    expect(r.sent.postcard).toBeGreaterThan(0);
    expect(r.sent.sms).toBeGreaterThan(0);
    expect(r.sent.voicemail).toBeGreaterThan(0);
    expect(r.sent.call).toBeGreaterThan(0);
    // Prospects without written consent get mail only: the outreach texts and calls skip them, with the reason.
    expect(r.skipped['no-consent']).toBeGreaterThan(0);
    expect(r.cadence.enrollmentStatus).toEqual({ finished: 20 });
    expect(r.cadence.failedExecutions).toBe(0);
    expect(r.cadence.postcardManifests.length).toBeGreaterThan(0);
    expect(readFileSync(r.cadence.postcardManifests[0], 'utf8')).toContain('return code');
    expect(run.stdout).toMatch(/Timeline of c_[0-9a-f]{24}/);
    expect(run.stdout).toMatch(/community-outreach round 1 sms \[sms\]: sent/);
  });

  it('enrolls nobody again when the same file is dropped a second time', () => {
    const report = join(dir, 'second.json');
    const run = start(['--state', state, '--report', report]);

    expect(run.status).toBe(0);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.created).toBe(0);
    expect(r.enrolled).toBe(0);
    expect(r.sent).toBeUndefined();
  });
});
