/**
 * The cadence workflow, branch by branch: statemachines/cadence.asl.json run locally
 * (aws-local-stepfunctions) with the real handlers against dynalite, s3rver and the
 * telephony sandbox; each person's month of outreach on a virtual clock. Rounds start on
 * pinned instants so the outcome does not depend on when the test runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { CADENCE_WORKFLOW } from '../../local/cadence-runner';
import { loadDefinition } from '../../local/workflow-runner';
import { now } from '../../lambdas/adapters/clock';
import { dependencies, type CadenceState } from '../../lambdas/handlers/cadence-support';
import {
  attemptOf,
  attemptSummary,
  cadenceTestConfig,
  enrollPeople,
  inputOf,
  LAKESIDE,
  LAKESIDE_SMS,
  MONDAY_10AM_SEATTLE,
  phoneNumber,
  reached,
  runEnrollment,
  SUNRISE,
  SUNRISE_SMS,
  SUNRISE_VOICE,
  type Enrolled,
  type Person,
  type PersonRun,
  type TaskCall,
} from '../integration/cadence-fixtures';

// asl-validator ships no types.
type AslValidator = (definition: object, options?: { checkArn?: boolean; checkPaths?: boolean }) => { isValid: boolean; errorsText(separator?: string): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as AslValidator;

const DAY_MS = 86_400_000;
const SEATTLE = 'America/Los_Angeles';

interface AslState {
  readonly Type: string;
  readonly TimeoutSeconds?: number;
  readonly Retry?: ReadonlyArray<{ ErrorEquals: string[] }>;
  readonly Catch?: ReadonlyArray<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
}

const PEOPLE = {
  mobile: { id: 'mobile-1', mobile: phoneNumber(1, 'MOBILE') },
  landline: { id: 'landline-1', home: phoneNumber(2, 'LANDLINE') },
  invalid: { id: 'invalid-1', mobile: phoneNumber(3, 'INVALID') },
  noConsent: { id: 'no-consent-1', mobile: phoneNumber(4, 'MOBILE'), smsConsent: 'N', callConsent: 'N', marketingConsent: 'N' },
  noAddress: { id: 'no-address-1', mobile: phoneNumber(5, 'MOBILE'), address: null },
  optsOut: { id: 'opts-out-1', mobile: phoneNumber(6, 'MOBILE'), home: phoneNumber(7, 'LANDLINE') },
  books: { id: 'books-1', mobile: phoneNumber(8, 'MOBILE'), home: phoneNumber(9, 'LANDLINE') },
  night: { id: 'night-1', mobile: phoneNumber(10, 'MOBILE') },
  capped: { id: 'capped-1', mobile: phoneNumber(11, 'MOBILE') },
  fails: { id: 'fails-1', mobile: phoneNumber(12, 'MOBILE') },
  failsTwice: { id: 'fails-2', mobile: phoneNumber(13, 'MOBILE') },
  unknown: { id: 'unknown-1', mobile: phoneNumber(14, 'MOBILE') },
  paced: { id: 'paced-1', mobile: phoneNumber(15, 'MOBILE') },
} satisfies Record<string, Person>;
const LAKESIDE_PERSON: Person = { id: 'lakeside-1', mobile: phoneNumber(16, 'MOBILE') };

const decisions = (trace: readonly TaskCall[], state = 'PlanStep') => trace.filter((t) => t.state === state).map((t) => t.output ?? {});
/** The channel tasks that sent something, in order. */
const sentBy = (trace: readonly TaskCall[]) => trace.filter((t) => t.output?.action === 'sent').map((t) => t.state);
const localTime = (iso: string) => DateTime.fromISO(iso, { zone: SEATTLE });
const taskState = (payload: unknown) => (payload as { state: CadenceState }).state;

describe('cadence state machine definition', () => {
  const { definition } = loadDefinition(CADENCE_WORKFLOW);
  const states = (definition as { States: Record<string, AslState> }).States;
  const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

  it('passes asl-validator with its ARNs substituted', () => {
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });

    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('gives every Task a timeout, a retry for transient Lambda errors and a catch-all that records the failure', () => {
    expect(tasks.map(([name]) => name).sort()).toEqual(['AddToPostcardManifest', 'DropVoicemail', 'PlanStep', 'QueueAgentCall', 'RecordFailure', 'SendSms']);
    for (const [name, state] of tasks) {
      expect({ name, timeout: state.TimeoutSeconds! > 0 }).toEqual({ name, timeout: true });
      expect(state.Retry?.flatMap((r) => r.ErrorEquals)).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'Lambda.SdkClientException', 'Lambda.Unknown', 'States.Timeout']));
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      // RecordFailure is the catch's target itself: when it fails the workflow still fails.
      expect({ name, next: catchAll?.Next }).toEqual({ name, next: name === 'RecordFailure' ? 'Failed' : 'RecordFailure' });
    }
  });

  it('routes every decision the planner makes: wait, skip, stop, finish and a send on each channel; a paced send waits for its time', () => {
    type Rule = { Variable?: string; StringEquals?: string; And?: Rule[]; Next?: string };
    const route = states.Route as unknown as { Choices: Rule[]; Default: string };
    const after = states.AfterSend as unknown as { Choices: Rule[]; Default: string };
    const target = (rule: Rule) => [(rule.And ?? [rule]).map((r) => `${r.Variable}=${r.StringEquals}`).join(' & '), rule.Next];

    expect(Object.fromEntries(route.Choices.map(target))).toEqual({
      '$.decision.action=wait': 'WaitUntilDue',
      '$.decision.action=send & $.decision.channel=sms': 'SendSms',
      '$.decision.action=send & $.decision.channel=voicemail': 'DropVoicemail',
      '$.decision.action=send & $.decision.channel=call': 'QueueAgentCall',
      '$.decision.action=send & $.decision.channel=postcard': 'AddToPostcardManifest',
      '$.decision.action=skip': 'PlanStep',
      '$.decision.action=stop': 'Stopped',
      '$.decision.action=finish': 'Finished',
    });
    expect(route.Default).toBe('UnknownDecision');
    expect(Object.fromEntries(after.Choices.map(target))).toEqual({ '$.decision.action=pace': 'WaitForSendTime' });
    expect(after.Default).toBe('PlanStep');
  });

  it('retries a send the provider did not accept (TransientSendError) in every task that sends', () => {
    for (const name of ['PlanStep', 'SendSms', 'DropVoicemail', 'QueueAgentCall', 'AddToPostcardManifest']) {
      expect({ name, retried: states[name]!.Retry!.some((r) => r.ErrorEquals.includes('TransientSendError')) }).toEqual({ name, retried: true });
    }
  });
});

describe('cadence workflow run locally', () => {
  let stack: LocalStack;
  let dir: string;
  let sunrise: Enrolled;
  let lakeside: Enrolled;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cadence-sm-'));
    stack = await startLocalStack({ inMemory: true, sandbox: { latencyMs: 2 }, configPath: cadenceTestConfig(dir) });
    sunrise = await enrollPeople(stack, dir, SUNRISE, 'community.csv', Object.values(PEOPLE));
    lakeside = await enrollPeople(stack, dir, LAKESIDE, 'community.csv', [LAKESIDE_PERSON]);
  });
  afterAll(() => stack?.stop());

  it('starts one execution per person the import enrolled, in the practice default cadence', () => {
    expect(sunrise.outcome.summary).toMatchObject({ enrolled: Object.keys(PEOPLE).length });
    expect(sunrise.executions.map((e) => inputOf(e).cadence)).toEqual(Object.values(PEOPLE).map(() => 'community-outreach'));
    expect(lakeside.executions).toHaveLength(1);
  });

  describe('a mobile number that never answers', () => {
    let run: PersonRun;
    beforeAll(async () => {
      run = await runEnrollment(stack, sunrise.execution(PEOPLE.mobile.id), { roundStartedAt: MONDAY_10AM_SEATTLE });
    });

    it('texts it once per round from the practice SMS identity and records the attempt as sent with the provider id and the A/B variant', () => {
      const first = attemptOf(run.attempts, 1, 'sms')!;
      const text = run.texts.find((t) => t.data.Context?.attempt === first.attemptKey)!;

      expect(run.texts).toHaveLength(2);
      expect(run.texts.map((t) => t.data.OriginationIdentity)).toEqual([SUNRISE_SMS, SUNRISE_SMS]);
      expect(first).toMatchObject({ status: 'sent', channel: 'sms', to: PEOPLE.mobile.mobile, providerMessageId: text.data.MessageId });
      expect(['A', 'B']).toContain(first.variant);
      expect(first.template).toBe(first.variant === 'A' ? 'sms-intro-a' : 'sms-intro-b');
      expect(text.data.MessageBody).toMatch(first.variant === 'A' ? /^Sunrise Family Health: Hi Pat-mobile-1! We welcome new patients/ : /^New patients are welcome at Sunrise Family Health/);
      // The A/B assignment is the person's: round 2 sends the same variant.
      expect(attemptOf(run.attempts, 2, 'sms')!.variant).toBe(first.variant);
      expect(sentBy(run.trace)).toEqual(['AddToPostcardManifest', 'SendSms', 'QueueAgentCall', 'AddToPostcardManifest', 'SendSms', 'QueueAgentCall']);
    });

    it('adds the postcard to the day manifest and drops no voicemail on a mobile', async () => {
      const postcard = attemptOf(run.attempts, 1, 'postcard')!;
      const lines = [];
      for await (const line of dependencies().ledger.postcards(SUNRISE, '2027-03-01')) lines.push(line);

      expect(postcard).toMatchObject({ status: 'sent', providerMessageId: `manifest:${SUNRISE}:2027-03-01` });
      expect(lines.filter((l) => l.attemptKey === postcard.attemptKey)).toEqual([expect.objectContaining({ contactId: run.contact.contactId, address: expect.objectContaining({ zip: '98122' }) })]);
      expect(run.voiceMessages).toHaveLength(0);
      expect(attemptOf(run.attempts, 1, 'voicemail')).toMatchObject({ status: 'skipped', reason: 'no-number-for-step' });
    });

    it('runs round 2 for a person who did not respond (#r01# and #r02# attempts), then ends in Finished with the enrollment finished', () => {
      expect(attemptSummary(run.attempts)).toEqual({
        'r01#call': 'sent',
        'r01#postcard': 'sent',
        'r01#sms': 'sent',
        'r01#voicemail': 'skipped:no-number-for-step',
        'r02#call': 'sent',
        'r02#postcard': 'sent',
        'r02#sms': 'sent',
        'r02#voicemail': 'skipped:no-number-for-step',
      });
      expect(run.attempts.map((a) => a.attemptKey.split('#')[1]).sort()).toEqual(['r01', 'r01', 'r01', 'r01', 'r02', 'r02', 'r02', 'r02']);
      // Round 2 starts roundIntervalDays (30) after round 1.
      expect(Date.parse(attemptOf(run.attempts, 2, 'postcard')!.sentAt!)).toBeGreaterThanOrEqual(MONDAY_10AM_SEATTLE.getTime() + 30 * DAY_MS);
      expect(Date.parse(attemptOf(run.attempts, 2, 'postcard')!.sentAt!)).toBeLessThan(MONDAY_10AM_SEATTLE.getTime() + 31 * DAY_MS);
      expect(run.calls).toHaveLength(2);
      expect(run.run.result).toMatchObject({ status: 'SUCCEEDED', output: expect.objectContaining({ decision: { action: 'finish' } }) });
      expect(run.enrollment).toMatchObject({ status: 'finished', cursor: { round: 3, step: 0 } });
    });
  });

  it('drops a voicemail on a landline from the practice VOICE identity as SSML, and skips the text', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.landline.id), { roundStartedAt: MONDAY_10AM_SEATTLE });
    const first = attemptOf(run.attempts, 1, 'voicemail')!;
    const message = run.voiceMessages.find((v) => v.data.Context?.attempt === first.attemptKey)!;

    expect(run.voiceMessages).toHaveLength(2);
    expect(message.data).toMatchObject({ OriginationIdentity: SUNRISE_VOICE, DestinationPhoneNumber: PEOPLE.landline.home, MessageBodyTextType: 'SSML', VoiceId: 'JOANNA' });
    expect(message.data.MessageBody).toMatch(/^<speak>[\s\S]*Sunrise Family Health[\s\S]*<\/speak>$/);
    expect(first).toMatchObject({ status: 'sent', channel: 'voicemail', providerMessageId: message.data.MessageId });
    expect(run.texts).toHaveLength(0);
    expect(attemptOf(run.attempts, 1, 'sms')).toMatchObject({ status: 'skipped', reason: 'no-number-for-step' });
    expect(sentBy(run.trace)).toEqual(['AddToPostcardManifest', 'DropVoicemail', 'QueueAgentCall', 'AddToPostcardManifest', 'DropVoicemail', 'QueueAgentCall']);
    expect(run.run.result.status).toBe('SUCCEEDED');
  });

  it('skips every phone step of an invalid number as invalid-number while the postcard still goes', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.invalid.id), { roundStartedAt: MONDAY_10AM_SEATTLE });

    expect(attemptSummary(run.attempts)).toMatchObject({
      'r01#postcard': 'sent',
      'r01#sms': 'skipped:invalid-number',
      'r01#voicemail': 'skipped:invalid-number',
      'r01#call': 'skipped:invalid-number',
    });
    expect([run.texts.length, run.voiceMessages.length, run.calls.length]).toEqual([0, 0, 0]);
    expect(run.trace.map((t) => t.state)).not.toEqual(expect.arrayContaining(['SendSms']));
    expect(run.enrollment.status).toBe('finished');
  });

  it('skips texts, voicemails and calls as no-consent for a person who gave no consent, and still mails the postcard', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.noConsent.id), { roundStartedAt: MONDAY_10AM_SEATTLE });

    expect(attemptSummary(run.attempts)).toMatchObject({
      'r01#postcard': 'sent',
      'r01#sms': 'skipped:no-consent',
      'r01#voicemail': 'skipped:no-consent',
      'r01#call': 'skipped:no-consent',
    });
    expect([run.texts.length, run.voiceMessages.length, run.calls.length]).toEqual([0, 0, 0]);
  });

  it('skips the postcard as no-mailing-address for a person without an address and still texts', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.noAddress.id), { roundStartedAt: MONDAY_10AM_SEATTLE });

    expect(attemptSummary(run.attempts)).toMatchObject({ 'r01#postcard': 'skipped:no-mailing-address', 'r01#sms': 'sent' });
    expect(run.texts).toHaveLength(2);
    expect(run.trace.map((t) => t.state)).not.toContain('AddToPostcardManifest');
  });

  it('skips the call as no-contact-center for a practice without a contact center, and texts from that practice identity', async () => {
    const run = await runEnrollment(stack, lakeside.execution(LAKESIDE_PERSON.id), { roundStartedAt: MONDAY_10AM_SEATTLE });

    expect(attemptSummary(run.attempts)).toMatchObject({ 'r01#call': 'skipped:no-contact-center', 'r02#call': 'skipped:no-contact-center', 'r01#sms': 'sent' });
    expect(run.calls).toHaveLength(0);
    expect(run.texts.map((t) => t.data.OriginationIdentity)).toEqual([LAKESIDE_SMS, LAKESIDE_SMS]);
  });

  it('stops with opted-out when the person texts STOP after the postcard, before the text goes: nothing is sent after', async () => {
    const execution = sunrise.execution(PEOPLE.optsOut.id);
    const { practiceId, contactId } = inputOf(execution);
    const run = await runEnrollment(stack, execution, {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      // The STOP arrives after PlanStep chose the text and before SendSms runs: the send path re-plans.
      wrap: (real) => ({
        SendSms: async (payload, context) => {
          await dependencies().tracker.recordOptOut(practiceId, contactId, 'sms', 'sms-keyword:STOP', now().toISOString());
          return real.SendSms!(payload, context);
        },
      }),
    });

    expect(decisions(run.trace, 'SendSms')).toEqual([{ action: 'replan' }]);
    // PlanStep Route AddToPostcardManifest AfterSend, PlanStep Route WaitUntilDue, PlanStep Route SendSms AfterSend, PlanStep Route Stopped.
    expect(run.run.result.transitions).toBe(14);
    expect(decisions(run.trace).at(-1)).toEqual({ action: 'stop', reason: 'opted-out' });
    expect(run.run.result).toMatchObject({ status: 'SUCCEEDED', output: expect.objectContaining({ decision: { action: 'stop', reason: 'opted-out' } }) });
    expect(run.enrollment).toMatchObject({ status: 'stopped', stopReason: 'opted-out' });
    expect([run.texts.length, run.voiceMessages.length, run.calls.length]).toEqual([0, 0, 0]);
    expect(attemptSummary(run.attempts)).toEqual({ 'r01#postcard': 'sent' });
  });

  it('stops with booked when the person books after the postcard: no text, voicemail or call after', async () => {
    const execution = sunrise.execution(PEOPLE.books.id);
    const { practiceId, contactId } = inputOf(execution);
    const run = await runEnrollment(stack, execution, {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      wrap: (real) => ({
        PlanStep: async (payload, context) => {
          const decision = taskState(payload).decision;
          if (decision?.action === 'sent' && decision.channel === 'postcard') {
            await dependencies().tracker.setContactStatus(practiceId, contactId, 'booked', 'agent-disposition', now().toISOString());
          }
          return real.PlanStep!(payload, context);
        },
      }),
    });

    expect(run.run.result).toMatchObject({ status: 'SUCCEEDED', output: expect.objectContaining({ decision: { action: 'stop', reason: 'booked' } }) });
    expect(run.enrollment).toMatchObject({ status: 'stopped', stopReason: 'booked' });
    // PlanStep Route AddToPostcardManifest AfterSend, PlanStep Route Stopped.
    expect(run.run.result.transitions).toBe(7);
    expect([run.texts.length, run.voiceMessages.length, run.calls.length]).toEqual([0, 0, 0]);
    expect(attemptSummary(run.attempts)).toEqual({ 'r01#postcard': 'sent' });
    expect(run.trace.map((t) => t.state)).not.toEqual(expect.arrayContaining(['SendSms']));
  });

  it('waits (window-closed) when a text falls due at night for the recipient and sends it inside 08:00–21:00 local time', async () => {
    // Day 0 at 23:30 in Seattle: the day-7 text falls due at 23:30.
    const lateEvening = new Date('2027-03-02T07:30:00Z');
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.night.id), { roundStartedAt: lateEvening });
    const text = attemptOf(run.attempts, 1, 'sms')!;
    const waits = decisions(run.trace).filter((d) => d.reason === 'window-closed');

    expect(localTime(new Date(lateEvening.getTime() + 7 * DAY_MS).toISOString()).toFormat('ccc HH:mm')).toBe('Mon 23:30');
    expect(waits[0]).toEqual({ action: 'wait', reason: 'window-closed', until: '2027-03-09T16:00:00.000Z' });
    expect(text.status).toBe('sent');
    expect(localTime(text.sentAt!).toFormat('yyyy-MM-dd')).toBe('2027-03-09');
    for (const a of run.attempts.filter((x) => x.channel !== 'postcard' && x.status === 'sent')) {
      const hour = localTime(a.sentAt!).hour;
      expect({ key: a.attemptKey, inWindow: hour >= 8 && hour < 21 }).toEqual({ key: a.attemptKey, inWindow: true });
    }
    expect(run.texts).toHaveLength(2);
  });

  it('holds the second of two sends due the same day (frequency-cap) to a later local day: never two messages on one day', async () => {
    // The same person in a second cadence (files under patients/ go to care-gap, a text on day 0).
    const patients = await enrollPeople(stack, dir, SUNRISE, 'patients.csv', [PEOPLE.capped], 'patients/capped.csv');
    const careGap = patients.execution(PEOPLE.capped.id, 'care-gap');
    const outreach = sunrise.execution(PEOPLE.capped.id);
    // Outreach's day-7 text and care-gap's day-0 text both fall due on Monday 10:00.
    const [a, b] = await Promise.all([
      runEnrollment(stack, outreach, { roundStartedAt: new Date(MONDAY_10AM_SEATTLE.getTime() - 7 * DAY_MS) }),
      runEnrollment(stack, careGap, { roundStartedAt: MONDAY_10AM_SEATTLE }),
    ]);
    const texts = [attemptOf(a.attempts, 1, 'sms')!, attemptOf(b.attempts, 1, 'sms')!];
    const sentToPhone = [...a.attempts, ...b.attempts].filter((x) => x.channel !== 'postcard' && x.status === 'sent');
    const sentDays = sentToPhone.map((x) => localTime(x.sentAt!).toISODate());

    expect([...decisions(a.trace), ...decisions(b.trace)]).toContainEqual(expect.objectContaining({ action: 'wait', reason: 'frequency-cap' }));
    expect(texts.map((t) => t.status)).toEqual(['sent', 'sent']);
    expect(texts.map((t) => localTime(t.sentAt!).toISODate()).sort()).toEqual(['2027-03-01', '2027-03-02']);
    expect(texts.map((t) => t.capDate).sort()).toEqual(['2027-03-01', '2027-03-02']);
    expect(new Set(sentDays).size).toBe(sentDays.length);
    expect(new Set(sentToPhone.map((x) => x.capDate)).size).toBe(sentToPhone.length);
    // Both cadences' texts reached the number: outreach rounds 1 and 2, care-gap once.
    expect((await reached(stack, [PEOPLE.capped.mobile])).texts).toHaveLength(3);
    expect([a.run.result.status, b.run.result.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('catches a task failure that is not retryable: RecordFailure marks the enrollment failed with the error and the execution fails', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.fails.id), {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      wrap: () => ({
        SendSms: async () => {
          throw Object.assign(new Error('template sms-intro-a cannot be rendered'), { name: 'TemplateRenderError' });
        },
      }),
    });

    expect(run.run.result).toMatchObject({ status: 'FAILED', error: 'TemplateRenderError', cause: 'template sms-intro-a cannot be rendered' });
    expect(run.trace.map((t) => t.state).slice(-2)).toEqual(['SendSms', 'RecordFailure']);
    // PlanStep Route AddToPostcardManifest AfterSend, PlanStep Route WaitUntilDue, PlanStep Route SendSms, RecordFailure Failed.
    expect(run.run.result.transitions).toBe(12);
    expect(run.trace.filter((t) => t.state === 'SendSms')).toHaveLength(1);
    expect(run.enrollment).toMatchObject({ status: 'failed', failure: { error: 'TemplateRenderError', cause: 'template sms-intro-a cannot be rendered' } });
    expect(run.texts).toHaveLength(0);
    expect(attemptSummary(run.attempts)).toEqual({ 'r01#postcard': 'sent' });
  });

  it('still fails the execution with the step error when RecordFailure itself fails', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.failsTwice.id), {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      wrap: () => ({
        SendSms: async () => {
          throw Object.assign(new Error('no template'), { name: 'TemplateRenderError' });
        },
        RecordFailure: async () => {
          throw Object.assign(new Error('tracker unavailable'), { name: 'TrackerUnavailable' });
        },
      }),
    });

    expect(run.run.result).toMatchObject({ status: 'FAILED', error: 'TemplateRenderError' });
    expect(run.trace.filter((t) => t.state === 'RecordFailure')).toEqual([expect.objectContaining({ error: 'TrackerUnavailable' })]);
    expect(run.enrollment.status).toBe('active');
  });

  it('fails with UnknownDecision when the planner answers something the workflow does not know', async () => {
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.unknown.id), {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      wrap: () => ({ PlanStep: async (payload) => ({ ...taskState(payload), decision: { action: 'teleport' } }) }),
    });

    expect(run.run.result).toMatchObject({ status: 'FAILED', error: 'UnknownDecision' });
    expect([run.texts.length, run.attempts.length]).toEqual([0, 0]);
  });

  it('waits in WaitForSendTime for a send time reserved far ahead, then re-plans and sends at that time', async () => {
    let reservedAtMs = 0;
    const run = await runEnrollment(stack, sunrise.execution(PEOPLE.paced.id), {
      roundStartedAt: MONDAY_10AM_SEATTLE,
      // The first SendSms answers as deliver does when the identity's queue is long ("pace");
      // a real reservation that far ahead would take half a minute of real time.
      wrap: (real) => ({
        SendSms: async (payload, context) => {
          const state = taskState(payload);
          if (reservedAtMs) return real.SendSms!(payload, context);
          reservedAtMs = Date.now() + 700;
          return { ...state, pacing: { atMs: reservedAtMs }, decision: { action: 'pace', until: new Date(reservedAtMs - 400).toISOString(), cursor: state.decision!.cursor } };
        },
      }),
    });
    const sms = run.trace.filter((t) => t.state === 'SendSms');
    const first = run.texts.find((t) => t.data.Context?.attempt === attemptOf(run.attempts, 1, 'sms')!.attemptKey)!;

    // (A send that wakes late re-plans: 'replan' may come between.)
    expect(sms.map((t) => t.output?.action).filter((a) => a !== 'replan')).toEqual(['pace', 'sent', 'sent']);
    // The PlanStep after the wait sees the pace decision and keeps the reservation for the send.
    expect(run.trace[run.trace.indexOf(sms[0]!) + 1]).toMatchObject({ state: 'PlanStep', input: { action: 'pace' }, output: { action: 'send', channel: 'sms' } });
    expect(Date.parse(first.at)).toBeGreaterThanOrEqual(reservedAtMs - 5);
    expect(attemptOf(run.attempts, 1, 'sms')!.status).toBe('sent');
  });
});
