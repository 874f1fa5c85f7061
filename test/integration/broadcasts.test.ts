/**
 * Segments, broadcasts and date-relative campaigns through the real handlers and the real
 * run workflow (statemachines/run.asl.json) against the local engines: the roster the
 * import writes, dry-run counts against what a run does, window staggering across time
 * zones, the cap and the urgent bypass, cancellation mid-run, a campaign whose date moves,
 * and duplicate triggers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withClock } from '../../lambdas/adapters/clock';
import type { Run } from '../../lambdas/adapters/run-ledger';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { handler as startRuns } from '../../lambdas/handlers/run-start';
import { handler as staffApi } from '../../lambdas/handlers/staff-api';
import { cancelRun, countMembers, runDependencies, segmentContext, type StartAnswer } from '../../lambdas/handlers/run-support';
import { findPractice } from '../../lambdas/domain/stage-config';
import { VirtualClock } from '../../local/cadence-runner';
import { importFile, startLocalStack, type LocalStack } from '../../local/local-stack';
import { runRun, startedRuns } from '../../local/run-runner';
import { cadenceTestConfig, phoneNumber, SUNRISE } from './cadence-fixtures';
import { ROSTER_SHARDS } from '../../lambdas/adapters/roster';

interface Row {
  readonly id: string;
  readonly mobile?: string;
  readonly home?: string;
  readonly zip?: string;
  readonly state?: string;
  readonly tags?: string;
  readonly lastVisit?: string;
  readonly birth?: string;
  readonly smsConsent?: 'Y' | 'N';
  readonly callConsent?: 'Y' | 'N';
}

const HEADER = 'External ID,First Name,Last Name,Mobile,Home Phone,Address,City,State,ZIP,Language,SMS Consent,Call Consent,Tags,Last Visit,Date of Birth';

function writeRows(dir: string, name: string, rows: readonly Row[]): string {
  const lines = rows.map((r) =>
    [r.id, `Pat-${r.id}`, 'Doe', r.mobile ?? '', r.home ?? '', '100 Main St', 'Town', r.state ?? 'WA', r.zip ?? '98122', 'en', r.smsConsent ?? 'Y', r.callConsent ?? 'Y', r.tags ?? '', r.lastVisit ?? '', r.birth ?? ''].join(','),
  );
  const path = join(dir, name);
  writeFileSync(path, [HEADER, ...lines].join('\r\n') + '\r\n');
  return path;
}

/** Tuesday 2 March 2027, 09:00 Eastern = 06:00 in Seattle (before its 08:00 window). */
const NINE_EASTERN = '2027-03-02T14:00:00Z';

describe('segments, broadcasts and campaigns', () => {
  let stack: LocalStack;
  let dir: string;
  let runSeq = 0;
  const people = {
    seattle: { id: 'b-seattle', mobile: phoneNumber(1, 'MOBILE', 620), tags: 'patient' },
    newYork: { id: 'b-new-york', mobile: '+12127340020', zip: '10001', state: 'NY', tags: 'patient' },
    landline: { id: 'b-landline', home: phoneNumber(3, 'LANDLINE', 620), tags: 'patient' },
    noConsent: { id: 'b-no-consent', mobile: phoneNumber(4, 'MOBILE', 620), tags: 'patient', smsConsent: 'N', callConsent: 'N' },
    optedOut: { id: 'b-opted-out', mobile: phoneNumber(5, 'MOBILE', 620), tags: 'patient' },
    staff: { id: 'b-staff', mobile: phoneNumber(6, 'MOBILE', 620), tags: 'staff' },
    visitor: { id: 'b-visitor', mobile: phoneNumber(7, 'MOBILE', 620), tags: 'prospect', lastVisit: '2026-03-02' },
    birthday: { id: 'b-birthday', mobile: phoneNumber(8, 'MOBILE', 620), tags: 'prospect', birth: '1980-03-02' },
  } satisfies Record<string, Row>;
  const contactIds: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'broadcasts-'));
    const configPath = cadenceTestConfig(dir, (config) => {
      for (const p of config.practices) p.enrollment = { byPrefix: {} };
      // Five texts a second: the 31-person run below lasts long enough to be cancelled in the middle.
      for (const p of config.practices) p.sms = { ...p.sms, messagesPerSecond: 5 };
      config.segments = [
        { name: 'patients', practice: SUNRISE, filter: { tags: { anyOf: ['patient'] } } },
        { name: 'staff', practice: SUNRISE, filter: { tags: { anyOf: ['staff'] } } },
        { name: 'landlines', practice: SUNRISE, filter: { phoneTypes: ['LANDLINE'] } },
        { name: 'prospects', practice: SUNRISE, filter: { tags: { anyOf: ['prospect'] } } },
      ];
      config.broadcasts = [
        { name: 'flu-drive', practice: SUNRISE, segment: 'patients', templates: { sms: 'sms-care-gap', voicemail: 'voicemail-care-gap' } },
        { name: 'closure', practice: SUNRISE, segment: 'patients', templates: { sms: 'sms-care-gap' }, urgent: true },
        { name: 'staff-note', practice: SUNRISE, segment: 'staff', templates: { sms: 'sms-care-gap' } },
      ];
      config.campaigns = [
        { name: 'annual-physical', practice: SUNRISE, segment: 'prospects', date: { field: 'lastVisitDate', offsetDays: 365 }, at: '10:00', templates: { sms: 'sms-care-gap' } },
        { name: 'birthday', practice: SUNRISE, date: { field: 'dateOfBirth', yearly: true }, at: '10:00', graceDays: 0, templates: { sms: 'sms-care-gap' } },
      ];
      config.broadcasting = { confirmAbove: 4, sendsPerTask: 500 };
    });
    stack = await startLocalStack({ inMemory: true, configPath });
    const outcome = await importFile(stack, writeRows(dir, 'people.csv', Object.values(people)), { practiceId: SUNRISE });
    expect(outcome.execution.status).toBe('SUCCEEDED');
    const claims = await dependencies().tracker.getClaims(SUNRISE, Object.values(people).map((p) => `ext:${p.id}`));
    for (const [k, p] of Object.entries(people)) contactIds[k] = claims.get(`ext:${p.id}`)!;
    await dependencies().tracker.recordOptOut(SUNRISE, contactIds.optedOut!, 'all', 'test', '2027-01-01T00:00:00Z');
  });
  afterAll(() => stack?.stop());

  const at = <T>(instant: string, fn: () => Promise<T>) => withClock(new VirtualClock(new Date(instant)), fn);
  const practice = () => findPractice(runDependencies().config, SUNRISE)!;
  const getRun = async (runId: string) => (await runDependencies().runs.getRun(SUNRISE, runId))!;
  const textsTo = async (number: string) => (await stack.engines.sandbox!.records<{ DestinationPhoneNumber: string; Context?: Record<string, string> }>('texts', { limit: 10_000 })).filter((r) => r.data.DestinationPhoneNumber === number);
  const attempt = (person: keyof typeof people, key: string) => dependencies().ledger.getAttempt(SUNRISE, contactIds[person]!, key);

  /** Starts through the run-start handler at `instant`, then runs every execution it started to the end. */
  async function startAndRun(instant: string, request: Record<string, unknown>): Promise<{ answers: StartAnswer[]; runs: Run[] }> {
    const answers = await at(instant, () => startRuns(request));
    const { runs: started, last } = await startedRuns(stack, runSeq);
    runSeq = last;
    for (const s of started) {
      const result = await runRun(s.input, new Date(instant), s.name);
      expect(result.result.status).toBe('SUCCEEDED');
    }
    const runs = await Promise.all(answers.filter((a) => 'run' in a).map((a) => getRun((a as { run: Run }).run.runId)));
    return { answers, runs };
  }

  it('keeps a roster card per person that segments read: tags, consent, opt-outs and number types', async () => {
    const { roster } = runDependencies();
    const card = await roster.card(SUNRISE, contactIds.landline!);
    expect(card).toMatchObject({ tags: ['patient'], phoneTypes: ['LANDLINE'], status: 'open', zip: '98122' });
    expect((await roster.card(SUNRISE, contactIds.optedOut!))!.optedOut).toEqual(['all']);
    const ctx = segmentContext(practice(), new Date(NINE_EASTERN));
    expect((await countMembers(practice(), [{ phoneTypes: ['LANDLINE'] }], ctx)).members).toBe(1);
    expect((await countMembers(practice(), [{ tags: { anyOf: ['patient'] } }, { consent: { notOptedOut: ['sms'] } }], ctx)).members).toBe(4);
  });

  it('asks for confirmation above the limit and says how many it would reach', async () => {
    // A schedule has no one to ask: the start fails (its dead-letter queue sees it) and says what to set.
    await expect(at(NINE_EASTERN, () => startRuns({ start: 'broadcast', practiceId: SUNRISE, name: 'flu-drive', trigger: NINE_EASTERN }))).rejects.toThrow('5 people are more than 4: set "confirmed": true');
    expect(await runDependencies().runs.runs(SUNRISE)).toEqual([]);
  });

  it('sends to the segment so that sends plus skips equal the dry-run count, each person once, in their own window', async () => {
    const dry = await countMembers(practice(), [{ tags: { anyOf: ['patient'] } }], segmentContext(practice(), new Date(NINE_EASTERN)));
    const { answers, runs } = await startAndRun(NINE_EASTERN, { start: 'broadcast', practiceId: SUNRISE, name: 'flu-drive', confirm: true, trigger: 'flu-1' });
    expect(answers[0]!.status).toBe('started');
    const run = runs[0]!;
    expect(run).toMatchObject({ status: 'done', members: dry.members, queued: 0, sent: 3, failed: 0 });
    expect(run.skipped).toEqual({ 'no-consent': 1, 'opted-out': 1 });
    expect(run.sent + run.failed + Object.values(run.skipped).reduce((a, b) => a + b, 0)).toBe(dry.members);
    // New York's window is open at 09:00 Eastern; Seattle's opens at 08:00 Pacific, three hours later.
    const ny = await attempt('newYork', run.runId);
    const seattle = await attempt('seattle', run.runId);
    expect(Date.parse(ny!.sentAt!) - Date.parse(NINE_EASTERN)).toBeLessThan(60_000);
    expect(seattle!.sentAt! >= '2027-03-02T16:00:00.000Z').toBe(true);
    expect(seattle!.sentAt! < '2027-03-02T16:05:00.000Z').toBe(true);
    // The landline got the voicemail; nobody outside the segment got anything.
    expect(await attempt('landline', run.runId)).toMatchObject({ channel: 'voicemail', status: 'sent' });
    expect(await textsTo(people.staff.mobile)).toHaveLength(0);
    expect(await textsTo(people.seattle.mobile)).toHaveLength(1);
  });

  it('sends nothing twice when the same trigger comes again, and a retried run counts nothing twice', async () => {
    const again = await startAndRun(NINE_EASTERN, { start: 'broadcast', practiceId: SUNRISE, name: 'flu-drive', confirm: true, trigger: 'flu-1' });
    expect(again.answers[0]!.status).toBe('already-started');
    const run = again.runs[0]!;
    // The execution of that name ran already: a re-run of it finds nothing queued and nothing to count.
    const rerun = await runRun({ practiceId: SUNRISE, runId: run.runId, startAt: run.startAt, shard: 0 }, new Date(NINE_EASTERN), 'rerun');
    expect(rerun.result.status).toBe('SUCCEEDED');
    expect(await getRun(run.runId)).toMatchObject({ members: 5, sent: 3 });
    expect(await textsTo(people.seattle.mobile)).toHaveLength(1);
    expect(await textsTo(people.newYork.mobile)).toHaveLength(1);
  });

  it('sends each person one message when two executions of the same run send at once', async () => {
    const answers = await at('2027-03-09T17:00:00Z', () => startRuns({ start: 'broadcast', practiceId: SUNRISE, name: 'flu-drive', confirm: true, trigger: 'flu-twice' }));
    const run = (answers[0] as { run: Run }).run;
    const { runs: started, last } = await startedRuns(stack, runSeq);
    runSeq = last;
    const input = started[0]!.input;
    const [a, b] = await Promise.all([runRun(input, new Date('2027-03-09T17:00:00Z'), 'twice-a'), runRun(input, new Date('2027-03-09T17:00:00Z'), 'twice-b')]);
    expect([a.result.status, b.result.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await getRun(run.runId)).toMatchObject({ members: 5, sent: 3, queued: 0 });
    for (const person of ['seattle', 'newYork'] as const) {
      const texts = (await textsTo(people[person].mobile)).filter((t) => t.data.Context?.attempt === run.runId);
      expect({ person, texts: texts.length }).toEqual({ person, texts: 1 });
    }
  });

  it('serves segments, dry runs, starts, progress and cancellation through the staff API', async () => {
    const call = (method: string, resource: string, pathParameters: Record<string, string>, body?: object) =>
      at('2027-03-10T17:00:00Z', () =>
        staffApi({ httpMethod: method, resource, pathParameters: { practiceId: SUNRISE, ...pathParameters }, body: body ? JSON.stringify(body) : null, requestContext: { identity: { userArn: 'arn:aws:sts::000000000000:assumed-role/front-desk/maria' } } }),
      );
    const saved = await call('PUT', '/practices/{practiceId}/segments/{name}', { name: 'spanish-speakers' }, { filter: { languages: ['es'] } });
    expect(saved.statusCode).toBe(200);
    const bad = await call('PUT', '/practices/{practiceId}/segments/{name}', { name: 'bad' }, { filter: { zips: ['9'] } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/zips\.0: a ZIP code/);
    const badName = await call('PUT', '/practices/{practiceId}/segments/{name}', { name: 'Bad_Name' }, { filter: { languages: ['es'] } });
    expect({ status: badName.statusCode, message: JSON.parse(badName.body).message }).toEqual({ status: 400, message: expect.stringMatching(/name: segment name: lower-case letters, digits and dashes/) });
    const list = JSON.parse((await call('GET', '/practices/{practiceId}/segments', {})).body) as { segments: { name: string; source: string }[] };
    expect(list.segments.map((x) => `${x.name}:${x.source}`)).toEqual(expect.arrayContaining(['patients:config', 'spanish-speakers:saved']));
    const count = JSON.parse((await call('GET', '/practices/{practiceId}/segments/{name}/count', { name: 'patients' })).body);
    expect(count).toMatchObject({ segment: 'patients', members: 5 });
    expect(count.cards).toBeGreaterThanOrEqual(8);

    const refused = await call('POST', '/practices/{practiceId}/broadcasts/{name}/start', { name: 'flu-drive' }, { requestId: 'req-00000001' });
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toEqual({ status: 'needs-confirmation', members: 5, confirmAbove: 4 });
    const started = await call('POST', '/practices/{practiceId}/broadcasts/{name}/start', { name: 'flu-drive' }, { requestId: 'req-00000002', confirm: true, at: '2027-03-11T17:00:00Z' });
    expect(started.statusCode).toBe(201);
    const runId = JSON.parse(started.body).run.runId as string;
    const again = await call('POST', '/practices/{practiceId}/broadcasts/{name}/start', { name: 'flu-drive' }, { requestId: 'req-00000002', confirm: true, at: '2027-03-11T17:00:00Z' });
    expect(again.statusCode).toBe(200);
    expect(JSON.parse((await call('GET', '/practices/{practiceId}/runs/{runId}', { runId: encodeURIComponent(runId) })).body)).toMatchObject({ runId, status: 'queued', sent: 0 });
    expect((await call('POST', '/practices/{practiceId}/runs/{runId}/cancel', { runId: encodeURIComponent(runId) })).statusCode).toBe(200);
    expect((await call('POST', '/practices/{practiceId}/runs/{runId}/cancel', { runId: encodeURIComponent(runId) })).statusCode).toBe(409);
    // The schedule's trigger is its "at" as written; a staff request for the same instant, written otherwise, is the same run.
    const scheduled = await at('2027-03-10T17:00:00Z', () => startRuns({ start: 'broadcast', practiceId: SUNRISE, name: 'flu-drive', trigger: '2027-03-12T09:00:00-08:00', confirm: true }));
    expect(scheduled[0]!.status).toBe('started');
    const same = await call('POST', '/practices/{practiceId}/broadcasts/{name}/start', { name: 'flu-drive' }, { at: '2027-03-12T17:00:00Z', confirm: true });
    expect(same.statusCode).toBe(200);
    expect(JSON.parse(same.body)).toMatchObject({ status: 'already-started', run: { runId: 'broadcast:flu-drive:2027-03-12T17:00:00.000Z' } });
    expect((await call('POST', '/practices/{practiceId}/broadcasts/{name}/start', { name: 'flu-drive' }, { confirm: true })).statusCode).toBe(400);
    await cancelRun(SUNRISE, 'broadcast:flu-drive:2027-03-12T17:00:00.000Z', 'test');
    // The cancelled run's execution starts at its time and sends nothing.
    const { runs: executions, last } = await startedRuns(stack, runSeq);
    runSeq = last;
    expect(executions).toHaveLength(2);
    for (const e of executions) expect((await runRun(e.input, new Date('2027-03-10T17:00:00Z'), e.name)).result.status).toBe('SUCCEEDED');
    expect(await getRun(runId)).toMatchObject({ status: 'cancelled', sent: 0, members: 0 });
  });

  it('holds a second message that day for the cap, unless the notice is urgent', async () => {
    const { runs } = await startAndRun('2027-03-02T20:00:00Z', { start: 'broadcast', practiceId: SUNRISE, name: 'closure', confirm: true, trigger: 'closure-1' });
    expect(runs[0]).toMatchObject({ status: 'done', sent: 2 });
    const urgent = await attempt('seattle', runs[0]!.runId);
    expect(urgent!.capDate).toBe('2027-03-02');

    // The staff note is not urgent: the staff member had nothing today, so it goes; sent again the same day, a new run is held to tomorrow.
    const first = await startAndRun('2027-03-02T20:00:00Z', { start: 'broadcast', practiceId: SUNRISE, name: 'staff-note', trigger: 'note-1' });
    expect(first.runs[0]).toMatchObject({ sent: 1 });
    const second = await startAndRun('2027-03-02T21:00:00Z', { start: 'broadcast', practiceId: SUNRISE, name: 'staff-note', trigger: 'note-2' });
    const held = await attempt('staff', second.runs[0]!.runId);
    expect(held!.capDate).toBe('2027-03-03');
  });

  it('stops within seconds when cancelled mid-run and counts whoever was left', async () => {
    // Thirty more staff.
    const extra = Array.from({ length: 30 }, (_, i) => ({ id: `b-extra-${i}`, mobile: phoneNumber(100 + i, 'MOBILE', 620), tags: 'staff' }));
    const outcome = await importFile(stack, writeRows(dir, 'extra.csv', extra), { practiceId: SUNRISE });
    expect(outcome.execution.status).toBe('SUCCEEDED');
    expect((await countMembers(practice(), [{ tags: { anyOf: ['staff'] } }], segmentContext(practice(), new Date()))).members).toBe(31);

    const answers = await at('2027-03-04T18:00:00Z', () => startRuns({ start: 'broadcast', practiceId: SUNRISE, name: 'staff-note', confirm: true, trigger: 'note-cancel' }));
    const runId = (answers[0] as { run: Run }).run.runId;
    const { runs: started, last } = await startedRuns(stack, runSeq);
    runSeq = last;
    const running = runRun(started[0]!.input, new Date('2027-03-04T18:00:00Z'), started[0]!.name);
    // At five texts a second: cancel once a few went out.
    let sentBefore = 0;
    for (let i = 0; i < 200 && sentBefore < 3; i++) {
      await new Promise((r) => setTimeout(r, 25));
      sentBefore = (await getRun(runId)).sent;
    }
    // Mid-run: some texts went before the cancel (else the checks below would hold for a run that sent nothing).
    expect(sentBefore).toBeGreaterThanOrEqual(3);
    expect(await cancelRun(SUNRISE, runId, 'test')).toBe(true);
    const cancelledAt = Date.now();
    const result = await running;
    expect(result.result.status).toBe('SUCCEEDED');
    const run = await getRun(runId);
    expect(run.status).toBe('cancelled');
    expect(run.sent).toBeLessThan(31);
    expect(run.sent + (run.skipped.cancelled ?? 0) + Object.entries(run.skipped).filter(([k]) => k !== 'cancelled').reduce((a, [, n]) => a + n, 0)).toBe(31);
    expect(run.skipped.cancelled).toBeGreaterThan(0);
    const texts = (await stack.engines.sandbox!.records<{ Context?: Record<string, string> }>('texts', { limit: 10_000 })).filter((r) => r.data.Context?.attempt === runId);
    expect(texts).toHaveLength(run.sent);
    expect(texts.length).toBeGreaterThanOrEqual(sentBefore);
    expect(Math.max(...texts.map((t) => Date.parse(t.at))) - cancelledAt).toBeLessThan(2000);
  });

  it('sends a date-relative campaign on its day, once, and drops a queued send whose date moved', async () => {
    // 2 March 2027 is a year after the visitor's last visit and the birthday person's birthday.
    const day = await startAndRun('2027-03-02T15:00:00Z', { start: 'campaigns', only: 'birthday' });
    expect(day.runs[0]).toMatchObject({ kind: 'campaign', members: 1, sent: 1 });
    const birthdayKey = 'campaign:birthday:1980-03-02@2027';
    expect(await attempt('birthday', birthdayKey)).toMatchObject({ status: 'sent' });
    const sentAt = (await attempt('birthday', birthdayKey))!.sentAt!;
    expect(sentAt >= '2027-03-02T18:00:00.000Z' && sentAt < '2027-03-02T18:05:00.000Z').toBe(true); // 10:00 in Seattle

    // A duplicate daily trigger: the same run, nothing new.
    const dup = await startAndRun('2027-03-02T15:30:00Z', { start: 'campaigns', only: 'birthday' });
    expect(dup.answers[0]!.status).toBe('already-started');
    expect(await textsTo(people.birthday.mobile)).toHaveLength(1);

    // The annual physical is queued for 10:00; a new visit is imported before it goes.
    const answers = await at('2027-03-02T15:00:00Z', () => startRuns({ start: 'campaigns', only: 'annual-physical' }));
    const runId = (answers[0] as { run: Run }).run.runId;
    const { runs: started, last } = await startedRuns(stack, runSeq);
    runSeq = last;
    const input = started[0]!.input;
    // Plan only (no send yet): run the shards by hand as the workflow would.
    const { handler: planShard } = await import('../../lambdas/handlers/run-plan');
    let state = input;
    while (state.shard < ROSTER_SHARDS) state = await at('2027-03-02T15:00:00Z', () => planShard(state));
    expect((await getRun(runId)).queued).toBe(1);
    // (A visit before the real today: the import reads the file on the real clock, and a visit after it would be a typo.)
    const moved = await importFile(stack, writeRows(dir, 'visit.csv', [{ ...people.visitor, lastVisit: '2026-11-20' }]), { practiceId: SUNRISE });
    expect(moved.execution.status).toBe('SUCCEEDED');
    const result = await runRun(state, new Date('2027-03-02T15:00:00Z'), 'annual-after-visit');
    expect(result.result.status).toBe('SUCCEEDED');
    expect(await getRun(runId)).toMatchObject({ sent: 0, skipped: { 'date-changed': 1 } });
    expect(await textsTo(people.visitor.mobile)).toHaveLength(0);

    // A year after the new visit, the new occurrence goes.
    const later = await startAndRun('2027-11-20T15:00:00Z', { start: 'campaigns', only: 'annual-physical' });
    expect(later.runs[0]).toMatchObject({ sent: 1 });
    expect(await attempt('visitor', 'campaign:annual-physical:2026-11-20')).toMatchObject({ status: 'sent' });
  });
});
