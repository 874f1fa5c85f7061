/**
 * The ops CLI (`npx outreach`, local/ops-cli.ts) against the local engines (--local) on one
 * state directory: upload and follow an import, show it with its rejects, a person's
 * timeline with what comes next, pause and resume (the cadence's planner sees it), the
 * latest reports, --help, and errors that say what to do; and the `npx outreach` shim
 * (local/bin/outreach.js) run from outside the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../local/ops-cli';
import { startLocalStack } from '../../local/local-stack';

const ROOT = resolve(__dirname, '../..');

describe('npx outreach --local', () => {
  const state = mkdtempSync(join(tmpdir(), 'ops-cli-'));
  let out: string[] = [];
  let err: string[] = [];
  const cli = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    out = [];
    err = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    try {
      const code = await main(['--local', '--state', state, ...args]);
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
      write.mockRestore();
      writeErr.mockRestore();
    }
  };
  let importId = '';

  it('uploads a file and follows its import to the end', async () => {
    const r = await cli('upload', join(ROOT, 'samples', 'prospects.csv'), '--practice', 'sunrise-family');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Import imp_[0-9a-f]{24} \(sunrise-family\) — done/);
    expect(r.stdout).toMatch(/rows read\s+25\s+created 21/);
    expect(r.stdout).toMatch(/enrolled\s+21/);
    importId = /Import (imp_[0-9a-f]{24})/.exec(r.stdout)![1]!;
  });

  it('shows an import with its rejected rows and why', async () => {
    const r = await cli('import', importId, '--rejects', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rejected       3');
    expect(r.stdout).toMatch(/Rejected rows \(first 2 of 3\):\n\s+line 11: no way to reach the person/);
  });

  it('shows a person’s past and what the next days hold; pause holds it and resume lets it go on', async () => {
    const before = await cli('timeline', 'P-1020', '--practice', 'sunrise-family', '--days', '40');
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/So far:\n.*created source=import:imp_/s);
    expect(before.stdout).toMatch(/community-outreach r1 sms \[sms\]: send/);

    const paused = await cli('pause', 'P-1020', '--practice', 'sunrise-family');
    expect(paused.stdout).toContain('paused community-outreach');
    const whilePaused = await cli('timeline', 'P-1020', '--practice', 'sunrise-family');
    expect(whilePaused.stdout).toContain('note: community-outreach: paused');
    expect(whilePaused.stdout).toMatch(/cadence-paused cadence=community-outreach source=ops-cli:/);

    expect((await cli('pause', 'P-1020', '--practice', 'sunrise-family')).stdout).toContain('left community-outreach as it is (paused)');
    expect((await cli('resume', 'P-1020', '--practice', 'sunrise-family')).stdout).toContain('resumed community-outreach');
    const after = await cli('timeline', 'P-1020', '--practice', 'sunrise-family');
    expect(after.stdout).not.toContain('note: community-outreach: paused');
    expect(after.stdout).toMatch(/cadence-resumed cadence=community-outreach/);
  });

  it('says what to do when there is nothing to download, or the person or import is unknown', async () => {
    const reports = await cli('reports', '--practice', 'sunrise-family', '--out', join(state, 'out'));
    expect(reports.code).toBe(2);
    expect(reports.stderr).toMatch(/No reports yet under .*: they are written every day/);
    const nobody = await cli('timeline', 'nobody', '--practice', 'sunrise-family');
    expect(nobody).toMatchObject({ code: 2, stderr: expect.stringContaining('give a contact id (c_…) or the external id') });
    expect((await cli('import', 'imp_nope')).stderr).toContain('import ids look like imp_');
    expect((await cli('timeline', 'P-1020', '--practice', 'no-such-practice')).stderr).toContain('known: sunrise-family, lakeside-pediatrics');
  });

  it('downloads the latest reports once one is written', async () => {
    const { handler } = await import('../../lambdas/handlers/outreach-report');
    const stack = await startLocalStack({ stateDir: state });
    try {
      await handler({ practiceId: 'sunrise-family', periods: ['daily'] });
    } finally {
      await stack.stop();
    }
    const r = await cli('reports', '--practice', 'sunrise-family', '--out', join(state, 'out'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/daily-\d{4}-\d{2}-\d{2}\.csv/);
    expect(r.stdout).toMatch(/daily-\d{4}-\d{2}-\d{2}\.html/);
  });

  it('exports the replies of a date range as CSV, and refuses a range it cannot read', async () => {
    const r = await cli('export-replies', '--practice', 'sunrise-family', '--from', '2026-01-01', '--to', '2030-12-31', '--out', join(state, 'out'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 replies → .*replies-2026-01-01-2030-12-31\.csv/m);
    expect((await cli('export-replies', '--practice', 'sunrise-family', '--from', '2027-02-01', '--to', '2027-01-01')).stderr).toContain('--from not after --to');
  });

  it('lists the flags staff are asked to look at, shows the person’s thread, and marks a flag handled once', async () => {
    const stack = await startLocalStack({ stateDir: state });
    try {
      const { dependencies } = await import('../../lambdas/handlers/cadence-support');
      const { handler: receiveReply } = await import('../../lambdas/handlers/receive-reply');
      const { tracker, config } = dependencies();
      const contactId = (await tracker.getClaims('sunrise-family', ['ext:p-1020'])).get('ext:p-1020')!;
      const mobile = (await tracker.getContact('sunrise-family', contactId))!.phones.find((p) => p.label === 'mobile')!.e164;
      const practiceNumber = config.practices.find((p) => p.id === 'sunrise-family')!.sms.originationIdentity!;
      const sms = { originationNumber: mobile, destinationNumber: practiceNumber, messageBody: 'Can I bring my mother too?', inboundMessageId: 'ops-cli-question' };
      await receiveReply({ Records: [{ Sns: { Message: JSON.stringify(sms) } }] });
    } finally {
      await stack.stop();
    }

    const listed = await cli('flags', '--practice', 'sunrise-family', '--kind', 'reply');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^1 open flag for sunrise-family \(oldest first\):/);
    expect(listed.stdout).toMatch(/reply, 0 h old: .+ person c_[0-9a-f]{24}/);
    const flagId = listed.stdout.split('\n')[1]!.trim();

    const shown = await cli('thread', 'P-1020', '--practice', 'sunrise-family');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/← Can I bring my mother too\?  \[other\]/);

    const handled = await cli('handle', flagId, '--practice', 'sunrise-family');
    expect(handled.stdout).toContain(`${flagId} handled (by ops-cli:`);
    expect((await cli('flags', '--practice', 'sunrise-family', '--kind', 'reply')).stdout).toMatch(/^0 open flags for sunrise-family\./);
    expect((await cli('flags', '--practice', 'sunrise-family', '--kind', 'reply', '--all')).stdout).toMatch(/handled \S+ by ops-cli:/);
    const unknown = await cli('handle', 'no-such-flag', '--practice', 'sunrise-family');
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('outreach flags --practice sunrise-family` lists them') });
  });

  it('has --help on every command and refuses a missing option with a pointer to it', async () => {
    for (const command of ['upload', 'import', 'timeline', 'pause', 'resume', 'reports', 'export-replies', 'flags', 'handle', 'thread']) {
      const r = await cli(command, '--help');
      expect({ command, code: r.code, usage: r.stdout.includes(`Usage: outreach ${command}`) }).toEqual({ command, code: 0, usage: true });
    }
    const missing = await cli('timeline', 'P-1020');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--practice <id>' not specified");
    expect((await main(['timeline', 'P-1020', '--practice', 'x'])).valueOf()).toBe(2);
  });
});

describe('npx outreach (the shim, local/bin/outreach.js)', () => {
  it('runs from a directory outside the repository: tsx is found from the shim, not from the working directory', () => {
    const outside = mkdtempSync(join(tmpdir(), 'ops-cli-cwd-'));
    const r = spawnSync(process.execPath, [join(ROOT, 'local', 'bin', 'outreach.js'), '--help'], { cwd: outside, encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toContain('Usage: outreach [options] [command]');
  });
});
