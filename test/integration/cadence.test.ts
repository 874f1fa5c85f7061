/**
 * Exactly once and pacing of the cadence's sends against the telephony sandbox: injected
 * throttling and faults, duplicate invocations, re-driven executions, a second import of
 * the same file, many sends on one origination identity, and a do-not-call list file.
 * The real cadence ASL runs locally with the real handlers, dynalite, s3rver and the sandbox.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_NAMES, objectCreatedEventFor, runImport, startLocalStack, type LocalStack } from '../../local/local-stack';
import { runCadence, runCadences, startedExecutions } from '../../local/cadence-runner';
import { handler as importDoNotCallList } from '../../lambdas/handlers/dnc-import';
import { withClock } from '../../lambdas/adapters/clock';
import { deliver, dependencies, type CadenceState } from '../../lambdas/handlers/cadence-support';
import { sendOneOff, type OneOffChannel } from '../../lambdas/handlers/message-support';
import { captureEmf, type EmfCount } from '../support/emf';
import {
  attemptOf,
  attemptSummary,
  cadenceTestConfig,
  enrollPeople,
  inputOf,
  LAKESIDE,
  LAKESIDE_SMS,
  MONDAY_10AM_SEATTLE,
  outcomeOf,
  perAttemptKey,
  phoneNumber,
  pinRoundStart,
  practiceOf,
  reached,
  runEnrollment,
  SUNRISE,
  SUNRISE_SMS,
  traceCadence,
  type Enrolled,
  type Person,
  type TaskCall,
} from './cadence-fixtures';

/** A one-step cadence (a care text on day 0, one round): what these tests need, fast. */
const TEXT_ONCE = 'text-once';

const people = (prefix: string, count: number, first: number, extra: Partial<Person> = {}): Person[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i + 1}`, mobile: phoneNumber(first + i, 'MOBILE', 400), cadence: TEXT_ONCE, ...extra }));

type SendResult = CadenceState & { decision: { action: string } };
const taskState = (payload: unknown) => (payload as { state: CadenceState }).state;

describe('cadence sends against the telephony sandbox', () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cadence-int-'));
    const configPath = cadenceTestConfig(dir, (config) => {
      config.cadences = [
        ...(config.cadences ?? []),
        { name: TEXT_ONCE, description: 'One care text.', rounds: 1, steps: [{ id: 'sms', channel: 'sms', purpose: 'care', day: 0, template: 'sms-care-gap' }] },
      ];
      // The pacing test's practice: an SMS identity registered for 2 messages a second.
      const lakeside = practiceOf(config, LAKESIDE);
      lakeside.sms = { ...lakeside.sms, messagesPerSecond: 2 };
    });
    stack = await startLocalStack({ inMemory: true, sandbox: { latencyMs: 2 }, configPath });
  });
  afterAll(() => stack?.stop());
  afterEach(() => stack.engines.sandbox!.configure({ throttle: [], faults: [] }));

  it('delivers each text exactly once through injected throttling and 5xx faults, and records every attempt as sent', async () => {
    const group = people('flaky', 6, 1);
    const { executions } = await enrollPeople(stack, dir, SUNRISE, 'flaky.csv', group);
    await Promise.all(executions.map((e) => pinRoundStart(e, MONDAY_10AM_SEATTLE)));
    const sandbox = stack.engines.sandbox!;
    const before = (await sandbox.stats()).operations.SendTextMessage;
    await sandbox.configure({ throttle: [{ operation: 'SendTextMessage', firstN: 2 }], faults: [{ operation: 'SendTextMessage', every: 3, status: 503 }] });

    const runs = await Promise.all(executions.map((e) => traceCadence(e, { start: MONDAY_10AM_SEATTLE })));
    const texts = (await reached(stack, group.map((p) => p.mobile!))).texts;
    const outcomes = await Promise.all(executions.map((e) => outcomeOf(stack, e)));
    const stats = (await sandbox.stats()).operations.SendTextMessage!;
    const retried = runs.flatMap((r) => r.trace).filter((t) => t.state === 'SendSms' && t.error);

    // Calls 1 and 2 throttled, every third a 503: six texts take calls 1–11, faults on 3, 6 and 9.
    expect(stats.injectedThrottles - (before?.injectedThrottles ?? 0)).toBe(2);
    expect(stats.injectedFaults - (before?.injectedFaults ?? 0)).toBe(3);
    expect(retried.map((t) => t.error)).toEqual(['TransientSendError', 'TransientSendError', 'TransientSendError', 'TransientSendError', 'TransientSendError']);
    expect(texts).toHaveLength(6);
    expect([...perAttemptKey(texts).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    for (const { attempts, enrollment } of outcomes) {
      const sms = attemptOf(attempts, 1, 'sms')!;
      expect(sms).toMatchObject({ status: 'sent', providerMessageId: texts.find((t) => t.data.Context?.attempt === sms.attemptKey)!.data.MessageId });
      expect(enrollment.status).toBe('finished');
    }
    expect(runs.map((r) => r.run.result.status)).toEqual(runs.map(() => 'SUCCEEDED'));
  });

  describe('duplicate invocations of a send', () => {
    const group = people('dup', 5, 20);
    let enrolled: Awaited<ReturnType<typeof enrollPeople>>;
    beforeAll(async () => {
      enrolled = await enrollPeople(stack, dir, SUNRISE, 'duplicates.csv', group);
    });

    it('sends one text when send-sms is invoked twice at once with the same payload', async () => {
      const results: SendResult[] = [];
      const run = await runEnrollment(stack, enrolled.execution('dup-1'), {
        roundStartedAt: MONDAY_10AM_SEATTLE,
        wrap: (real) => ({
          SendSms: async (payload, context) => {
            const both = (await Promise.all([real.SendSms!(payload, context), real.SendSms!(payload, context)])) as SendResult[];
            results.push(...both);
            return both.find((r) => r.decision.action === 'sent') ?? both[0];
          },
        }),
      });

      expect(run.texts).toHaveLength(1);
      expect(results.map((r) => r.decision.action).sort()).toEqual(['duplicate', 'sent']);
      // The loser found the winner's claim and moved on; the winner's outcome is what is recorded.
      expect(attemptOf(run.attempts, 1, 'sms')).toEqual(expect.objectContaining({ status: 'sent', providerMessageId: run.texts[0]!.data.MessageId }));
      expect(attemptOf(run.attempts, 1, 'sms')!.reason).toBeUndefined();
      expect(run.trace.filter((t) => t.state === 'SendSms' && t.error)).toEqual([]);
      expect(run.enrollment.status).toBe('finished');
    });

    it('sends one text when send-sms is invoked again with the same payload after it returned', async () => {
      const results: SendResult[] = [];
      const run = await runEnrollment(stack, enrolled.execution('dup-2'), {
        roundStartedAt: MONDAY_10AM_SEATTLE,
        wrap: (real) => ({
          SendSms: async (payload, context) => {
            results.push((await real.SendSms!(payload, context)) as SendResult);
            results.push((await real.SendSms!(payload, context)) as SendResult);
            return results.at(-1);
          },
        }),
      });

      expect(run.texts).toHaveLength(1);
      // The first moved the enrollment past the step: the second finds nothing to send there.
      expect(results.map((r) => r.decision.action)).toEqual(['sent', 'replan']);
      expect(attemptOf(run.attempts, 1, 'sms')).toMatchObject({ status: 'sent', providerMessageId: run.texts[0]!.data.MessageId });
      expect(run.run.result.status).toBe('SUCCEEDED');
    });

    it('sends one text when the Lambda response is lost after the send and the workflow retries the task', async () => {
      let lost = false;
      const run = await runEnrollment(stack, enrolled.execution('dup-3'), {
        roundStartedAt: MONDAY_10AM_SEATTLE,
        wrap: (real) => ({
          SendSms: async (payload, context) => {
            const out = await real.SendSms!(payload, context);
            if (lost) return out;
            lost = true;
            throw Object.assign(new Error('the function response was lost'), { name: 'Lambda.Unknown' });
          },
        }),
      });

      expect(run.trace.filter((t) => t.state === 'SendSms').map((t) => t.error ?? t.output?.action)).toEqual(['Lambda.Unknown', 'replan']);
      expect(run.texts).toHaveLength(1);
      expect(attemptOf(run.attempts, 1, 'sms')!.status).toBe('sent');
      expect(run.run.result.status).toBe('SUCCEEDED');
    });

    it('never sends a text again when recording its outcome fails after the provider accepted it', async () => {
      const { ledger } = dependencies();
      const record = jest.spyOn(ledger, 'completeAttempt').mockImplementationOnce(async () => {
        throw Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), { name: 'ProvisionedThroughputExceededException' });
      });
      try {
        const run = await runEnrollment(stack, enrolled.execution('dup-5'), { roundStartedAt: MONDAY_10AM_SEATTLE });

        expect(record).toHaveBeenCalledWith(expect.objectContaining({ stepId: 'sms' }), expect.objectContaining({ status: 'sent' }));
        expect(run.texts).toHaveLength(1);
        expect(run.trace.filter((t) => t.state === 'SendSms').map((t) => t.error ?? t.output?.action)).toEqual(['ProvisionedThroughputExceededException']);
        expect(run.run.result).toMatchObject({ status: 'FAILED', error: 'ProvisionedThroughputExceededException' });
        expect(run.enrollment).toMatchObject({ status: 'failed', failure: { error: 'ProvisionedThroughputExceededException' } });
      } finally {
        record.mockRestore();
      }
    });

    it('sends nothing new when a finished execution is re-driven with the same input', async () => {
      const execution = enrolled.execution('dup-4');
      const first = await runEnrollment(stack, execution, { roundStartedAt: MONDAY_10AM_SEATTLE });
      const again = await runCadence(execution.input, new Date(MONDAY_10AM_SEATTLE.getTime() + 3_600_000), execution.name);
      const after = await outcomeOf(stack, execution);

      expect(first.texts).toHaveLength(1);
      expect(again.result).toMatchObject({ status: 'SUCCEEDED', output: expect.objectContaining({ decision: { action: 'stop', reason: 'finished' } }) });
      expect(after.texts).toHaveLength(1);
      expect(after.attempts).toEqual(first.attempts);
    });

    it('does not text again when an execution that failed right after the text is re-driven', async () => {
      const [person] = people('redrive', 1, 30);
      const { executions } = await enrollPeople(stack, dir, SUNRISE, 'redrive.csv', [person!]);
      const execution = executions[0]!;
      // The text goes out, then the task fails for good and RecordFailure cannot record it: the enrollment stays active.
      const failed = await runEnrollment(stack, execution, {
        roundStartedAt: MONDAY_10AM_SEATTLE,
        wrap: (real) => ({
          SendSms: async (payload, context) => {
            await real.SendSms!(payload, context);
            throw Object.assign(new Error('host crashed'), { name: 'HostCrashed' });
          },
          RecordFailure: async () => {
            throw Object.assign(new Error('tracker unavailable'), { name: 'TrackerUnavailable' });
          },
        }),
      });
      const redriven = await runEnrollment(stack, execution);

      expect(failed.run.result).toMatchObject({ status: 'FAILED', error: 'HostCrashed' });
      expect(failed.texts).toHaveLength(1);
      expect(redriven.run.result.status).toBe('SUCCEEDED');
      expect(redriven.trace.map((t) => t.state)).toEqual(['PlanStep']);
      expect(redriven.texts).toHaveLength(1);
      expect(redriven.enrollment.status).toBe('finished');
    });
  });

  describe('the same file again', () => {
    const group = people('again', 3, 40);
    let first: Enrolled;
    beforeAll(async () => {
      first = await enrollPeople(stack, dir, SUNRISE, 'again.csv', group);
    });

    it('enrolls nobody new and starts no execution when the same file is uploaded again', async () => {
      const { last } = await startedExecutions(stack);
      // A new upload is a new object version; locally (no bucket versioning) that is a new ETag@Last-Modified second.
      await new Promise((r) => setTimeout(r, 1_100));

      const second = await enrollPeople(stack, dir, SUNRISE, 'again.csv', group);

      expect(first.outcome.summary).toMatchObject({ enrolled: 3 });
      expect(second.outcome.importId).not.toBe(first.outcome.importId);
      expect(second.outcome.summary).toMatchObject({ unchanged: 3, enrolled: 0, notEnrolled: { 'already-enrolled': 3 } });
      expect(second.executions).toHaveLength(0);
      expect((await startedExecutions(stack, last)).executions).toHaveLength(0);
    });

    it('starts nothing when the event of an upload already imported is delivered again', async () => {
      const { last } = await startedExecutions(stack);

      const again = await runImport(stack, await objectCreatedEventFor(stack, 'inbox/sunrise-family/again.csv'));

      expect(again.skipped).toBe('already imported');
      expect((await startedExecutions(stack, last)).executions).toHaveLength(0);
    });
  });

  it('keeps 30 texts enrolled at once under the identity rate (2 a second) with no limit in the sandbox, and sends all 30', async () => {
    const group = people('paced', 30, 100);
    const { executions } = await enrollPeople(stack, dir, LAKESIDE, 'paced.csv', group);
    await Promise.all(executions.map((e) => pinRoundStart(e, MONDAY_10AM_SEATTLE)));
    const sandbox = stack.engines.sandbox!;

    expect((await sandbox.config()).identityRateLimits ?? {}).toEqual({});
    const runs = await runCadences(executions.map((e) => ({ ...e, startDate: MONDAY_10AM_SEATTLE.toISOString() })));
    const identity = (await sandbox.stats()).identities[LAKESIDE_SMS]!;
    const texts = (await reached(stack, group.map((p) => p.mobile!))).texts;

    expect(executions).toHaveLength(30);
    expect(identity).toMatchObject({ messages: 30, throttled: 0 });
    expect(identity.maxPerSecond).toBeLessThanOrEqual(2);
    // They did queue: 30 texts at 2 a second take about 15 seconds, whatever order the executions ran in.
    expect(Date.parse(texts.at(-1)!.at) - Date.parse(texts[0]!.at)).toBeGreaterThanOrEqual(14_000);
    expect(new Set(texts.map((t) => t.data.Context?.attempt)).size).toBe(30);
    expect(runs.map((r) => r.result.status)).toEqual(runs.map(() => 'SUCCEEDED'));
  });

  it('sends nothing when the person texts STOP while the text waits for its paced send time', async () => {
    const person: Person = { id: 'stop-while-paced-1', mobile: phoneNumber(60, 'MOBILE', 400), cadence: TEXT_ONCE };
    const enrolled = await enrollPeople(stack, dir, SUNRISE, 'stop-while-paced.csv', [person]);
    const { pacer, tracker } = dependencies();
    const results: SendResult[] = [];
    const run = await runEnrollment(stack, enrolled.execution(person.id), {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      wrap: (real) => ({
        SendSms: async (payload, context) => {
          if (results.length === 0) {
            // Other senders hold the identity's next 2 seconds (40 slots at 20/s): this text waits in the Lambda.
            for (let i = 0; i < 40; i++) await pacer.reserve(SUNRISE_SMS, 20);
            const { practiceId, contactId } = taskState(payload);
            setTimeout(() => void tracker.recordOptOut(practiceId, contactId, 'sms', 'sms-keyword:STOP', new Date().toISOString()), 500);
          }
          const out = (await real.SendSms!(payload, context)) as SendResult;
          results.push(out);
          return out;
        },
      }),
    });

    expect(results[0]!.decision.action).toBe('replan');
    expect(run.texts).toHaveLength(0);
    expect(attemptOf(run.attempts, 1, 'sms')).toBeUndefined();
    expect(run.enrollment).toMatchObject({ status: 'stopped' });
    expect([...(await dependencies().ledger.capLedger(SUNRISE, run.contact.contactId)).sent.values()].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('takes the frequency cap atomically: of two senders that read the same counts, only one takes the week\'s third message', async () => {
    const { ledger } = dependencies();
    const [practice, contact] = [SUNRISE, 'cap-race-1'];
    expect(await ledger.takeCap(practice, contact, '2026-11-16', await ledger.capLedger(practice, contact))).toBe(true);
    expect(await ledger.takeCap(practice, contact, '2026-11-17', await ledger.capLedger(practice, contact))).toBe(true);
    const seen = await ledger.capLedger(practice, contact);

    // Different days, so a per-day counter alone would let both through: 4 in a week.
    const taken = await Promise.all([ledger.takeCap(practice, contact, '2026-11-18', seen), ledger.takeCap(practice, contact, '2026-11-19', seen)]);

    expect(taken.sort()).toEqual([false, true]);
    const after = await ledger.capLedger(practice, contact);
    expect([...after.sent.values()].reduce((a, b) => a + b, 0)).toBe(3);
    expect(after.version).toBe(seen.version + 1);
  });

  it('gives a taken message back on its date only, and drops dates older than a week as it counts', async () => {
    const { ledger } = dependencies();
    const [practice, contact] = [SUNRISE, 'cap-give-back-1'];
    await ledger.takeCap(practice, contact, '2026-11-01', await ledger.capLedger(practice, contact));
    await ledger.takeCap(practice, contact, '2026-11-20', await ledger.capLedger(practice, contact));
    await ledger.takeCap(practice, contact, '2026-11-21', await ledger.capLedger(practice, contact));

    await ledger.giveBackCap(practice, contact, '2026-11-21');
    await ledger.giveBackCap(practice, contact, '2026-11-21');

    expect(Object.fromEntries((await ledger.capLedger(practice, contact)).sent)).toEqual({ '2026-11-20': 1, '2026-11-21': 0 });
  });

  it('drops no voicemail and places no call to a landline on the practice do-not-call list file', async () => {
    const listed: Person = { id: 'dnc-listed', home: phoneNumber(200, 'LANDLINE', 400) };
    const control: Person = { id: 'dnc-control', home: phoneNumber(201, 'LANDLINE', 400) };
    const enrolled = await enrollPeople(stack, dir, SUNRISE, 'landlines.csv', [listed, control]);
    const key = 'do-not-call/sunrise-family/practice-dnc.csv';
    const national = listed.home!.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3');
    await stack.s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.importBucket, Key: key, Body: `phone,name\n"${national}",Listed Person\n` }));

    const imported = await importDoNotCallList(await objectCreatedEventFor(stack, key));
    const [onList, notOnList] = await Promise.all([
      runEnrollment(stack, enrolled.execution(listed.id), { roundStartedAt: MONDAY_10AM_SEATTLE }),
      runEnrollment(stack, enrolled.execution(control.id), { roundStartedAt: MONDAY_10AM_SEATTLE }),
    ]);

    expect(imported).toEqual({ scope: SUNRISE, listed: 1, unreadable: 0 });
    expect(attemptSummary(onList.attempts)).toMatchObject({
      'r01#voicemail': 'skipped:do-not-call-list',
      'r01#call': 'skipped:do-not-call-list',
      'r02#voicemail': 'skipped:do-not-call-list',
      'r02#call': 'skipped:do-not-call-list',
    });
    expect([onList.voiceMessages.length, onList.calls.length]).toEqual([0, 0]);
    expect(onList.trace.map((t: TaskCall) => t.state)).not.toEqual(expect.arrayContaining(['DropVoicemail']));
    expect(attemptSummary(notOnList.attempts)).toMatchObject({ 'r01#voicemail': 'sent', 'r01#call': 'sent' });
    expect(notOnList.voiceMessages).toHaveLength(2);
  });
  describe('what the send paths count for the dashboard and alarms', () => {
    // Monday 1 March 2027 in Seattle (PST, UTC-8): the window closes at 21:00 = 05:00Z the next day.
    const BEFORE_CLOSING = new Date('2027-03-02T04:59:00Z');
    const AFTER_CLOSING = new Date('2027-03-02T05:00:30Z');
    const NEXT_MORNING = new Date('2027-03-02T18:00:00Z');
    const OPENS = '2027-03-02T16:00:00.000Z';
    let enrolled: Enrolled;
    const group = people('counted', 3, 80);
    beforeAll(async () => {
      enrolled = await enrollPeople(stack, dir, SUNRISE, 'counted.csv', group);
    });
    const counted = (counts: readonly EmfCount[], name: string) => counts.filter((c) => c.name === name).map((c) => ({ ...c.dimensions, value: c.value }));
    /** A clock the test moves, e.g. from inside an effect: between the plan and the provider call. */
    const clock = { at: BEFORE_CLOSING, now() { return this.at; } };

    it('counts a text the provider accepted as MessagesSent {practice, channel}, once', async () => {
      const { result: run, counts } = await captureEmf(() => runEnrollment(stack, enrolled.execution('counted-1'), { roundStartedAt: MONDAY_10AM_SEATTLE }));

      expect(run.texts).toHaveLength(1);
      expect(counted(counts, 'MessagesSent')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms', value: 1 }]);
      expect(counted(counts, 'SendOutsideWindow')).toEqual([]);
      expect(counts.every((c) => c.namespace === 'PatientOutreach/dev')).toBe(true);
    });

    it('sends nothing from the cadence when the window closes between the plan and the provider call: the claim and the cap go back, SendOutsideWindow is counted, and the text goes next morning', async () => {
      const execution = enrolled.execution('counted-2');
      await pinRoundStart(execution, MONDAY_10AM_SEATTLE);
      const input = { state: inputOf(execution) as CadenceState, executionId: 'window-test' };
      const sent: string[] = [];
      let key = '';
      clock.at = BEFORE_CLOSING;
      const { result: closed, counts } = await captureEmf(() =>
        withClock(clock, () =>
          deliver(input, undefined, async (plan, attempt) => {
            key = attempt.attemptKey;
            clock.at = AFTER_CLOSING; // the slow part: rendering, a paced wait
            return async () => (sent.push(plan.to!), 'm-window-test');
          }),
        ),
      );

      expect(closed.decision).toEqual({ action: 'replan' });
      expect(sent).toEqual([]);
      expect(await dependencies().ledger.getAttempt(SUNRISE, input.state.contactId, key)).toBeUndefined();
      expect([...(await dependencies().ledger.capLedger(SUNRISE, input.state.contactId)).sent.values()].reduce((a, b) => a + b, 0)).toBe(0);
      expect(counted(counts, 'SendOutsideWindow')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms', value: 1 }]);
      expect(counted(counts, 'MessagesSent')).toEqual([]);

      clock.at = NEXT_MORNING;
      const { result: morning, counts: later } = await captureEmf(() => withClock(clock, () => deliver(input, undefined, async (plan) => async () => (sent.push(plan.to!), 'm-window-test'))));
      expect(morning.decision).toMatchObject({ action: 'sent', channel: 'sms' });
      expect(sent).toEqual([group[1]!.mobile]);
      expect(counted(later, 'MessagesSent')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms', value: 1 }]);
      expect(counted(later, 'SendOutsideWindow')).toEqual([]);
    });

    it('sends nothing as a one-off either when the window closes before the provider call: it answers "later" at the opening, and then sends and counts MessagesSent', async () => {
      const { config, tracker } = dependencies();
      const practice = config.practices.find((p) => p.id === SUNRISE)!;
      const contact = (await tracker.getContact(SUNRISE, enrolled.contactId('counted-3')))!;
      const sent: string[] = [];
      const request = { practice, contact, key: 'window-test#note', kind: 'note', about: 'test:window', owner: 'window-test' };
      const channel = (closeMeanwhile: boolean): OneOffChannel => ({
        step: { id: 'note', channel: 'sms', purpose: 'care', phoneTypes: ['MOBILE'], day: 0 },
        pacing: { identity: SUNRISE_SMS, messagesPerSecond: 20 },
        prepare: async (plan) => {
          if (closeMeanwhile) clock.at = AFTER_CLOSING;
          return async () => (sent.push(plan.to!), 'm-one-off');
        },
      });

      clock.at = BEFORE_CLOSING;
      const { result: closed, counts } = await captureEmf(() => withClock(clock, () => sendOneOff(request, channel(true))));
      expect(closed).toEqual({ status: 'later', at: OPENS });
      expect(sent).toEqual([]);
      expect(await dependencies().ledger.getAttempt(SUNRISE, contact.contactId, request.key)).toBeUndefined();
      expect(counted(counts, 'SendOutsideWindow')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms', value: 1 }]);
      expect(counted(counts, 'MessagesSent')).toEqual([]);

      clock.at = NEXT_MORNING;
      const { result: morning, counts: later } = await captureEmf(() => withClock(clock, () => sendOneOff(request, channel(false))));
      expect(morning).toEqual({ status: 'sent' });
      expect(sent).toEqual([group[2]!.mobile]);
      expect(counted(later, 'MessagesSent')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms', value: 1 }]);
    });
  });
});
