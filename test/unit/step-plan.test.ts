import { agentHoursAt, type WeeklyHours } from '../../lambdas/domain/agent-hours';
import { resolvedSteps, type Step } from '../../lambdas/domain/cadence-config';
import type { ConsentEntry, ConsentKey, Contact } from '../../lambdas/domain/contact';
import { newEnrollment, nextCursor, type Cursor, type Enrollment } from '../../lambdas/domain/enrollment';
import { sendWindowConfigSchema } from '../../lambdas/domain/send-window-rules';
import { cadenceOutlook } from '../../lambdas/domain/cadence-outlook';
import {
  capAllows,
  hasConsent,
  localDate,
  planStep,
  type KnownNumber,
  type PlannedCadence,
  type StepDecision,
  type StepSituation,
} from '../../lambdas/domain/step-plan';

// Chicago in June is CDT (UTC-5): 08:00 local = 13:00Z, 21:00 local = 02:00Z the next day.
// 2026-06-01 is a Monday.
const ROUND_START = '2026-06-01T15:00:00.000Z'; // Mon 10:00 CDT

const STEPS: Step[] = [
  { id: 'postcard', channel: 'postcard', purpose: 'care', day: 0, template: 'card' },
  { id: 'text', channel: 'sms', purpose: 'care', afterPreviousDays: 2, template: 'sms-intro' },
  { id: 'voicemail', channel: 'voicemail', purpose: 'care', day: 5, template: 'vm-intro' },
  { id: 'call', channel: 'call', purpose: 'care', day: 9, template: 'call-script' },
];
const [POSTCARD, SMS, VOICEMAIL, CALL] = [0, 1, 2, 3];

const cadence: PlannedCadence = { name: 'care-gap', rounds: 2, roundIntervalDays: 30, steps: resolvedSteps({ steps: STEPS }) };
const step = (index: number) => cadence.steps[index]!;

/** The first instant each step of round 1 is due, and an hour later (Chicago: 10:00 and 11:00 CDT). */
const DUE = {
  [SMS]: '2026-06-03T15:00:00.000Z', // Wed
  [VOICEMAIL]: '2026-06-06T15:00:00.000Z', // Sat
  [CALL]: '2026-06-10T15:00:00.000Z', // Wed
} as Record<number, string>;

const MOBILE = '+13125550101';
const LANDLINE = '+13125550102';
const numbers: KnownNumber[] = [
  { e164: MOBILE, phoneType: 'MOBILE' },
  { e164: LANDLINE, phoneType: 'LANDLINE' },
];

const granted = (at = '2026-05-01T00:00:00.000Z'): ConsentEntry => ({ granted: true, source: 'import:imp_1:line 2', at });
const refused = (at = '2026-05-01T00:00:00.000Z'): ConsentEntry => ({ granted: false, source: 'import:imp_1:line 2', at });

const CHICAGO_ADDRESS = { line1: '400 N Michigan Ave', city: 'Chicago', state: 'IL', zip: '60611' };

function contact(over: Partial<Contact> = {}): Contact {
  return {
    practiceId: 'sunrise-family',
    contactId: 'c_1',
    firstName: 'Ana',
    lastName: 'Lopez',
    nameKey: 'ana|lopez',
    phones: [
      { e164: MOBILE, label: 'mobile', addedBy: 'imp_1' },
      { e164: LANDLINE, label: 'home', addedBy: 'imp_1' },
    ],
    unusablePhones: [],
    address: CHICAGO_ADDRESS,
    tags: [],
    attributes: {},
    consent: { 'sms:care': granted(), 'voice:care': granted() },
    optedOut: {},
    createdAt: '2026-05-01T00:00:00.000Z',
    updatedAt: '2026-05-01T00:00:00.000Z',
    lastImport: { importId: 'imp_1', line: 2, outcome: 'created' },
    seenRows: [],
    ...over,
  };
}

function enrollment(cursor: Cursor, over: Partial<Enrollment> = {}): Enrollment {
  return { ...newEnrollment(contact(), 'care-gap', 'imp_1', ROUND_START), cursor, ...over };
}

/** Agents Monday to Friday 09:00–17:00 Chicago time. */
const WEEKDAY_HOURS: WeeklyHours = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, { open: '09:00', close: '17:00' }]));

interface Setup extends Partial<Omit<StepSituation, 'now' | 'enrollment'>> {
  readonly now?: string;
  readonly at?: number;
  readonly round?: number;
  readonly enrollment?: Enrollment;
}

/** A patient in Chicago with a mobile and a landline, care consent for both channels, the shipped rules. */
function situation({ now, at = SMS, round = 1, ...over }: Setup = {}): StepSituation {
  return {
    now: new Date(now ?? DUE[at] ?? ROUND_START),
    cadence,
    enrollment: enrollment({ round, step: at }),
    contact: contact(),
    numbers,
    consentDefaults: [],
    doNotCallListed: new Set(),
    practice: { timeZone: 'America/Chicago', languages: ['en', 'es'] },
    sendWindow: sendWindowConfigSchema.parse(undefined),
    frequencyCap: { perDay: 1, perWeek: 3 },
    sentPerLocalDay: new Map(),
    agentHours: (when) => agentHoursAt(when, WEEKDAY_HOURS, 'America/Chicago'),
    ...over,
  };
}

const plan = (setup: Setup = {}): StepDecision => planStep(situation(setup));

describe('planStep', () => {
  describe('stopping and finishing', () => {
    it('stops with the stored reason when the enrollment is no longer active', () => {
      const decision = plan({ enrollment: enrollment({ round: 1, step: SMS }, { status: 'stopped', stopReason: 'booked' }) });

      expect(decision).toEqual({ action: 'stop', reason: 'booked' });
    });

    it.each(['finished', 'failed'] as const)('stops with the status when a %s enrollment has no stop reason', (status) => {
      const decision = plan({ enrollment: enrollment({ round: 1, step: SMS }, { status }) });

      expect(decision).toEqual({ action: 'stop', reason: status });
    });

    it.each([['sms'], ['voice'], ['all']] as const)('stops as opted-out after an opt-out of %s, whatever the step', (channel) => {
      const optedOut = { [channel]: '2026-06-02T10:00:00.000Z' };

      for (const at of [POSTCARD, SMS, VOICEMAIL, CALL]) {
        expect(plan({ at, contact: contact({ optedOut }) })).toEqual({ action: 'stop', reason: 'opted-out' });
      }
    });

    it.each(['booked', 'declined', 'deceased', 'wrong-number', 'already-patient'] as const)('stops with reason %s when the person is no longer open', (status) => {
      const decision = plan({ contact: contact({ status }) });

      expect(decision).toEqual({ action: 'stop', reason: status });
    });

    it('stops for an opt-out even before the step is due', () => {
      const decision = plan({ now: ROUND_START, at: CALL, contact: contact({ optedOut: { all: ROUND_START } }) });

      expect(decision).toEqual({ action: 'stop', reason: 'opted-out' });
    });

    it('finishes when the cursor is past the last round', () => {
      const decision = plan({ round: cadence.rounds + 1, at: 0 });

      expect(decision).toEqual({ action: 'finish' });
    });

    it('finishes when the cursor points past the last step', () => {
      const decision = plan({ at: cadence.steps.length });

      expect(decision).toEqual({ action: 'finish' });
    });

    it('still plans the last round itself', () => {
      const decision = plan({ round: cadence.rounds, at: POSTCARD, now: ROUND_START });

      expect(decision).toMatchObject({ action: 'send', channel: 'postcard' });
    });
  });

  describe('when the step is due', () => {
    it('waits until the round start plus the step day, to the millisecond', () => {
      const decision = plan({ at: VOICEMAIL, now: '2026-06-03T15:00:00.000Z' });

      expect(decision).toEqual({ action: 'wait', reason: 'step-due', until: '2026-06-06T15:00:00.000Z' });
    });

    it('counts an afterPreviousDays step from the previous step day', () => {
      const decision = plan({ at: SMS, now: ROUND_START });

      expect(decision).toEqual({ action: 'wait', reason: 'step-due', until: '2026-06-03T15:00:00.000Z' });
    });

    it('waits one millisecond before the due instant and acts at it', () => {
      const early = plan({ at: SMS, now: '2026-06-03T14:59:59.999Z' });
      const onTime = plan({ at: SMS, now: '2026-06-03T15:00:00.000Z' });

      expect(early).toEqual({ action: 'wait', reason: 'step-due', until: '2026-06-03T15:00:00.000Z' });
      expect(onTime).toMatchObject({ action: 'send', channel: 'sms' });
    });

    it("counts a later round's steps from that round's start", () => {
      const secondRound = nextCursor(cadence, { round: 1, step: CALL }, ROUND_START);

      const decision = plan({ now: '2026-06-20T15:00:00.000Z', enrollment: enrollment(secondRound.cursor, { roundStartedAt: secondRound.roundStartedAt }) });

      expect(secondRound).toEqual({ cursor: { round: 2, step: POSTCARD }, roundStartedAt: '2026-07-01T15:00:00.000Z' });
      expect(decision).toEqual({ action: 'wait', reason: 'step-due', until: '2026-07-01T15:00:00.000Z' });
    });
  });

  describe('postcards', () => {
    it('mails a postcard to a complete address, in the contact language', () => {
      const decision = plan({ at: POSTCARD, contact: contact({ language: 'es' }) });

      expect(decision).toEqual({ action: 'send', step: step(POSTCARD), channel: 'postcard', language: 'es' });
    });

    it('skips the postcard when there is no address', () => {
      const decision = plan({ at: POSTCARD, contact: contact({ address: undefined }) });

      expect(decision).toEqual({ action: 'skip', reason: 'no-mailing-address', step: step(POSTCARD) });
    });

    it.each(['line1', 'city', 'state', 'zip'] as const)('skips the postcard when the address has no %s', (field) => {
      const decision = plan({ at: POSTCARD, contact: contact({ address: { ...CHICAGO_ADDRESS, [field]: undefined } }) });

      expect(decision).toEqual({ action: 'skip', reason: 'no-mailing-address', step: step(POSTCARD) });
    });

    it('mails at night and past the frequency cap: a postcard is not a message to a phone', () => {
      const decision = plan({
        at: POSTCARD,
        now: '2026-06-01T08:00:00.000Z', // 03:00 CDT
        sentPerLocalDay: new Map([['2026-06-01', 1], ['2026-05-31', 1], ['2026-05-30', 1]]),
        enrollment: enrollment({ round: 1, step: POSTCARD }, { roundStartedAt: '2026-06-01T05:00:00.000Z' }),
      });

      expect(decision).toMatchObject({ action: 'send', channel: 'postcard' });
    });

    it('needs no consent and ignores do-not-call', () => {
      const decision = plan({ at: POSTCARD, now: ROUND_START, contact: contact({ consent: {}, doNotCall: '2026-05-02T00:00:00.000Z' }) });

      expect(decision).toMatchObject({ action: 'send', channel: 'postcard' });
    });
  });

  describe('language', () => {
    it("uses the contact's language when the practice offers it", () => {
      expect(plan({ contact: contact({ language: 'es' }) })).toMatchObject({ action: 'send', language: 'es' });
    });

    it("uses the practice's first language when it does not offer the contact's", () => {
      expect(plan({ contact: contact({ language: 'fr' }) })).toMatchObject({ action: 'send', language: 'en' });
    });

    it("uses the practice's first language when the contact has none", () => {
      const decision = plan({ contact: contact({ language: undefined }), practice: { timeZone: 'America/Chicago', languages: ['es', 'en'] } });

      expect(decision).toMatchObject({ action: 'send', language: 'es' });
    });
  });

  describe('consent', () => {
    it('texts with recorded care consent and no defaults', () => {
      const decision = plan({ consentDefaults: [] });

      expect(decision).toEqual({ action: 'send', step: step(SMS), channel: 'sms', to: MOBILE, phoneType: 'MOBILE', language: 'en', capDate: '2026-06-03' });
    });

    it("texts on the practice's default care consent when nothing is recorded", () => {
      const decision = plan({ contact: contact({ consent: {} }), consentDefaults: ['sms:care'] });

      expect(decision).toMatchObject({ action: 'send', channel: 'sms', to: MOBILE });
    });

    it('skips with no-consent when nothing is recorded and the defaults do not cover the channel', () => {
      const decision = plan({ contact: contact({ consent: {} }), consentDefaults: ['voice:care'] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: step(SMS) });
    });

    it('lets a recorded refusal win over the practice defaults', () => {
      const decision = plan({ contact: contact({ consent: { 'sms:care': refused() } }), consentDefaults: ['sms:care'] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: step(SMS) });
    });

    it('needs voice consent for a voicemail even when texts are allowed', () => {
      const decision = plan({ at: VOICEMAIL, contact: contact({ consent: { 'sms:care': granted() } }) });

      expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: step(VOICEMAIL) });
    });

    it('needs voice consent for an agent call', () => {
      const decision = plan({ at: CALL, contact: contact({ consent: { 'sms:care': granted(), 'voice:care': refused() } }) });

      expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: step(CALL) });
    });

    describe('outreach', () => {
      const outreach: PlannedCadence = {
        ...cadence,
        name: 'community-outreach',
        steps: resolvedSteps({ steps: STEPS.map((s) => ({ ...s, purpose: 'outreach' })) }),
      };

      it('skips an outreach text when only care consent is recorded and defaulted', () => {
        const decision = plan({ cadence: outreach, consentDefaults: ['sms:care', 'voice:care'] });

        expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: outreach.steps[SMS] });
      });

      it('texts outreach with recorded written consent', () => {
        const decision = plan({ cadence: outreach, contact: contact({ consent: { 'sms:outreach': granted() } }) });

        expect(decision).toMatchObject({ action: 'send', channel: 'sms', to: MOBILE });
      });

      it('skips outreach when the person refused it, even with care consent', () => {
        const decision = plan({ cadence: outreach, contact: contact({ consent: { 'sms:care': granted(), 'sms:outreach': refused() } }) });

        expect(decision).toEqual({ action: 'skip', reason: 'no-consent', step: outreach.steps[SMS] });
      });
    });
  });

  describe('do-not-call', () => {
    const doNotCall = '2026-05-20T00:00:00.000Z';

    it.each([
      ['voicemail', VOICEMAIL],
      ['call', CALL],
    ])('skips a %s for a person who asked not to be called', (_name, at) => {
      const decision = plan({ at, contact: contact({ doNotCall }) });

      expect(decision).toEqual({ action: 'skip', reason: 'do-not-call', step: step(at) });
    });

    it('still texts a person who asked not to be called', () => {
      const decision = plan({ at: SMS, contact: contact({ doNotCall }) });

      expect(decision).toMatchObject({ action: 'send', channel: 'sms', to: MOBILE });
    });

    it('leaves a voicemail on the next landline when the first is on a do-not-call list', () => {
      const other = '+13125550103';
      const decision = plan({
        at: VOICEMAIL,
        numbers: [...numbers, { e164: other, phoneType: 'LANDLINE' }],
        doNotCallListed: new Set([LANDLINE]),
      });

      expect(decision).toMatchObject({ action: 'send', channel: 'voicemail', to: other, phoneType: 'LANDLINE' });
    });

    it('calls the landline when the mobile is on a do-not-call list', () => {
      const decision = plan({ at: CALL, doNotCallListed: new Set([MOBILE]) });

      expect(decision).toMatchObject({ action: 'send', channel: 'call', to: LANDLINE });
    });

    it('skips with do-not-call-list when every fitting number is listed', () => {
      const decision = plan({ at: CALL, doNotCallListed: new Set([MOBILE, LANDLINE]) });

      expect(decision).toEqual({ action: 'skip', reason: 'do-not-call-list', step: step(CALL) });
    });

    it('does not send an outreach text to a number on a do-not-call list (the registry covers texts), but still sends a care text', () => {
      const outreach: PlannedCadence = { ...cadence, steps: resolvedSteps({ steps: STEPS.map((s) => ({ ...s, purpose: 'outreach' })) }) };
      const consent = { 'sms:outreach': granted(), 'sms:care': granted() };

      const marketing = plan({ at: SMS, cadence: outreach, contact: contact({ consent }), doNotCallListed: new Set([MOBILE]) });
      const care = plan({ at: SMS, contact: contact({ consent }), doNotCallListed: new Set([MOBILE]) });

      expect(marketing).toEqual({ action: 'skip', reason: 'do-not-call-list', step: outreach.steps[SMS] });
      expect(care).toMatchObject({ action: 'send', channel: 'sms', to: MOBILE });
    });
  });

  describe('which number', () => {
    it('texts the mobile and leaves voicemail on the landline for a person with both, whatever the file order', () => {
      const landlineFirst = [numbers[1]!, numbers[0]!];

      const text = plan({ at: SMS, numbers: landlineFirst });
      const voicemail = plan({ at: VOICEMAIL, numbers: landlineFirst });

      expect(text).toMatchObject({ action: 'send', to: MOBILE, phoneType: 'MOBILE' });
      expect(voicemail).toMatchObject({ action: 'send', to: LANDLINE, phoneType: 'LANDLINE' });
    });

    it('calls the first number in file order that the call step takes', () => {
      const landlineFirst = [numbers[1]!, numbers[0]!];

      expect(plan({ at: CALL, numbers })).toMatchObject({ action: 'send', to: MOBILE });
      expect(plan({ at: CALL, numbers: landlineFirst })).toMatchObject({ action: 'send', to: LANDLINE });
    });

    it('skips a text with no-number-for-step when the person has only a landline', () => {
      const decision = plan({ at: SMS, numbers: [numbers[1]!] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-number-for-step', step: step(SMS) });
    });

    it('skips a voicemail with no-number-for-step when the person has only a mobile', () => {
      const decision = plan({ at: VOICEMAIL, numbers: [numbers[0]!] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-number-for-step', step: step(VOICEMAIL) });
    });

    it('skips with no-number-for-step when the person has no number at all', () => {
      const decision = plan({ at: SMS, numbers: [] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-number-for-step', step: step(SMS) });
    });

    it('skips with number-not-validated while a number has no type yet', () => {
      const decision = plan({ at: SMS, numbers: [{ e164: MOBILE }] });

      expect(decision).toEqual({ action: 'skip', reason: 'number-not-validated', step: step(SMS) });
    });

    it('uses a validated fitting number even when another is not validated yet', () => {
      const decision = plan({ at: SMS, numbers: [{ e164: LANDLINE }, { e164: MOBILE, phoneType: 'MOBILE' }] });

      expect(decision).toMatchObject({ action: 'send', to: MOBILE });
    });

    it('skips with invalid-number when every number is invalid', () => {
      const decision = plan({ at: CALL, numbers: [{ e164: MOBILE, phoneType: 'INVALID' }, { e164: LANDLINE, phoneType: 'INVALID' }] });

      expect(decision).toEqual({ action: 'skip', reason: 'invalid-number', step: step(CALL) });
    });

    it('skips with no-number-for-step when only some numbers are invalid and none fits', () => {
      const decision = plan({ at: SMS, numbers: [{ e164: MOBILE, phoneType: 'INVALID' }, numbers[1]!] });

      expect(decision).toEqual({ action: 'skip', reason: 'no-number-for-step', step: step(SMS) });
    });

    it("follows the step's own phone types", () => {
      const voipOnly: PlannedCadence = { ...cadence, steps: cadence.steps.map((s) => (s.channel === 'call' ? { ...s, phoneTypes: ['VOIP'] } : s)) };
      const voip = '+13125550109';

      const decision = plan({ at: CALL, cadence: voipOnly, numbers: [...numbers, { e164: voip, phoneType: 'VOIP' }] });

      expect(decision).toMatchObject({ action: 'send', to: voip, phoneType: 'VOIP' });
    });
  });

  describe('agent calls', () => {
    it('skips with no-contact-center when the practice has none', () => {
      const decision = plan({ at: CALL, agentHours: undefined });

      expect(decision).toEqual({ action: 'skip', reason: 'no-contact-center', step: step(CALL) });
    });

    it('skips with no-contact-center when agents are never there', () => {
      const decision = plan({ at: CALL, agentHours: () => ({ open: false, opensAt: null }) });

      expect(decision).toEqual({ action: 'skip', reason: 'no-contact-center', step: step(CALL) });
    });

    it('queues the call while agents are in and the window is open', () => {
      const decision = plan({ at: CALL });

      expect(decision).toEqual({ action: 'send', step: step(CALL), channel: 'call', to: MOBILE, phoneType: 'MOBILE', language: 'en', capDate: '2026-06-10' });
    });

    it("waits for the agents when the recipient's window is open but they are not in", () => {
      const decision = plan({ at: CALL, now: '2026-06-11T13:30:00.000Z' }); // Thu 08:30 CDT, agents from 09:00

      expect(decision).toEqual({ action: 'wait', reason: 'agents-closed', until: '2026-06-11T14:00:00.000Z' });
    });

    it('waits for the next weekday when agents have left for the weekend', () => {
      const decision = plan({
        at: CALL,
        now: '2026-06-12T23:00:00.000Z', // Fri 18:00 CDT, window open until 21:00
      });

      expect(decision).toEqual({ action: 'wait', reason: 'agents-closed', until: '2026-06-15T14:00:00.000Z' }); // Mon 09:00 CDT
    });

    it('waits for the later of the window and the agents when agents come in after the window opens', () => {
      const decision = plan({ at: CALL, now: '2026-06-11T11:00:00.000Z' }); // Thu 06:00 CDT: window at 08:00, agents at 09:00

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-11T14:00:00.000Z' });
    });

    it('waits for the later of the window and the agents when the window opens after the agents come in', () => {
      // A Honolulu patient of a Chicago practice: agents at 09:00 CDT are 04:00 HST; the window opens 08:00 HST (13:00 CDT).
      const decision = plan({ at: CALL, now: '2026-06-11T14:30:00.000Z', contact: contact({ address: { line1: '1 Ala Moana', city: 'Honolulu', state: 'HI', zip: '96813' } }) });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-11T18:00:00.000Z' });
    });

    it("moves to the agents' next day when they leave before the recipient's window closes elsewhere and come back when it is closed", () => {
      // A New York patient of a Los Angeles practice: agents 09:00–17:00 PDT are 12:00–20:00 EDT.
      const decision = plan({
        at: CALL,
        now: '2026-06-11T00:30:00.000Z', // Wed 20:30 EDT, 17:30 PDT
        contact: contact({ address: { line1: '350 5th Ave', city: 'New York', state: 'NY', zip: '10001' } }),
        practice: { timeZone: 'America/Los_Angeles', languages: ['en'] },
        agentHours: (when) => agentHoursAt(when, WEEKDAY_HOURS, 'America/Los_Angeles'),
      });

      expect(decision).toEqual({ action: 'wait', reason: 'agents-closed', until: '2026-06-11T16:00:00.000Z' }); // Thu 12:00 EDT
    });
  });

  describe('send window', () => {
    it('waits from 06:00 until 08:00 local with window-closed', () => {
      const decision = plan({ now: '2026-06-04T11:00:00.000Z' }); // Thu 06:00 CDT

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T13:00:00.000Z' });
    });

    it('waits from 21:00 local until 08:00 the next day', () => {
      const decision = plan({ now: '2026-06-04T02:00:00.000Z' }); // Wed 21:00 CDT

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T13:00:00.000Z' });
    });

    it('opens at 08:00 CDT on the spring-forward day (13:00Z, not 14:00Z)', () => {
      const decision = plan({
        now: '2026-03-08T07:00:00.000Z', // Sun 01:00 CST, before clocks go forward at 02:00
        enrollment: enrollment({ round: 1, step: SMS }, { roundStartedAt: '2026-03-01T07:00:00.000Z' }),
      });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-03-08T13:00:00.000Z' });
    });

    it('opens at 08:00 CST on the fall-back day (14:00Z, not 13:00Z)', () => {
      const decision = plan({
        now: '2026-11-01T06:30:00.000Z', // Sun 01:30 CDT, before clocks go back
        enrollment: enrollment({ round: 1, step: SMS }, { roundStartedAt: '2026-10-01T06:30:00.000Z' }),
      });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-11-01T14:00:00.000Z' });
    });

    it("uses the recipient's local time, not the practice's", () => {
      // 07:30 in Los Angeles is 09:30 in Chicago: closed for a Los Angeles patient.
      const decision = plan({ now: '2026-06-04T14:30:00.000Z', contact: contact({ address: { line1: '200 N Spring St', city: 'Los Angeles', state: 'CA', zip: '90012' } }) });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T15:00:00.000Z' });
    });

    it("follows a stricter state rule for outreach (Florida closes at 20:00)", () => {
      const outreach: PlannedCadence = { ...cadence, steps: resolvedSteps({ steps: STEPS.map((s) => ({ ...s, purpose: 'outreach' })) }) };
      const miami = contact({ address: { line1: '1 Biscayne Blvd', city: 'Miami', state: 'FL', zip: '33101' }, consent: { 'sms:outreach': granted() } });

      const decision = plan({ cadence: outreach, contact: miami, now: '2026-06-04T00:30:00.000Z' }); // Wed 20:30 EDT

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T12:00:00.000Z' }); // Thu 08:00 EDT
    });

    it("narrows to the practice's own window", () => {
      const decision = plan({ now: '2026-06-04T14:00:00.000Z', practice: { timeZone: 'America/Chicago', languages: ['en'], sendWindow: { start: '10:00', end: '18:00' } } });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T15:00:00.000Z' });
    });

    it('skips with no-send-window when no time of day is allowed', () => {
      const decision = plan({ practice: { timeZone: 'America/Chicago', languages: ['en'], sendWindow: { start: '12:00', end: '12:00' } } });

      expect(decision).toEqual({ action: 'skip', reason: 'no-send-window', step: step(SMS) });
    });

    it("uses the number's zone when the person has no address", () => {
      const decision = plan({
        now: '2026-06-04T13:30:00.000Z', // 08:30 CDT, 07:30 MDT
        contact: contact({ address: undefined }),
        numbers: [{ e164: MOBILE, phoneType: 'MOBILE', timeZone: 'America/Denver' }],
      });

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-04T14:00:00.000Z' });
    });
  });

  describe('frequency cap', () => {
    it('waits until the next day window opening after one message today', () => {
      const decision = plan({ now: '2026-06-03T20:00:00.000Z', sentPerLocalDay: new Map([['2026-06-03', 1]]) }); // Wed 15:00 CDT

      expect(decision).toEqual({ action: 'wait', reason: 'frequency-cap', until: '2026-06-04T13:00:00.000Z' });
    });

    it('waits after three messages in the week until the oldest drops out of the seven days', () => {
      const sent = new Map([['2026-06-01', 1], ['2026-06-02', 1], ['2026-06-03', 1]]);

      const decision = plan({ now: '2026-06-04T15:00:00.000Z', sentPerLocalDay: sent }); // Thu 10:00 CDT

      expect(decision).toEqual({ action: 'wait', reason: 'frequency-cap', until: '2026-06-08T13:00:00.000Z' }); // Mon 08:00 CDT
    });

    it('waits only until the oldest of the three drops out, the next day here', () => {
      const sent = new Map([['2026-05-29', 1], ['2026-06-01', 1], ['2026-06-03', 1]]);

      const waiting = plan({ now: '2026-06-04T15:00:00.000Z', sentPerLocalDay: sent });

      expect(waiting).toEqual({ action: 'wait', reason: 'frequency-cap', until: '2026-06-05T13:00:00.000Z' });
    });

    it('sends with two messages in the week and none today', () => {
      const sent = new Map([['2026-06-01', 1], ['2026-06-02', 1]]);

      const decision = plan({ now: '2026-06-04T15:00:00.000Z', sentPerLocalDay: sent });

      expect(decision).toMatchObject({ action: 'send', capDate: '2026-06-04' });
    });

    it('skips with frequency-cap-zero when the cap allows nothing', () => {
      expect(plan({ frequencyCap: { perDay: 0, perWeek: 3 } })).toEqual({ action: 'skip', reason: 'frequency-cap-zero', step: step(SMS) });
      expect(plan({ frequencyCap: { perDay: 1, perWeek: 0 } })).toEqual({ action: 'skip', reason: 'frequency-cap-zero', step: step(SMS) });
    });

    it("counts the send against the recipient's local date, not the UTC date", () => {
      const losAngeles = contact({ address: { line1: '200 N Spring St', city: 'Los Angeles', state: 'CA', zip: '90012' } });
      const now = '2026-06-10T03:30:00.000Z'; // Tue 20:30 PDT, already Wednesday in UTC

      const decision = plan({ now, contact: losAngeles });

      expect(decision).toMatchObject({ action: 'send', capDate: '2026-06-09' });
    });

    it("applies the cap on the recipient's local date", () => {
      const losAngeles = contact({ address: { line1: '200 N Spring St', city: 'Los Angeles', state: 'CA', zip: '90012' } });
      const now = '2026-06-10T03:30:00.000Z'; // Tue 20:30 PDT

      const utcDateTaken = plan({ now, contact: losAngeles, sentPerLocalDay: new Map([['2026-06-10', 1]]) });
      const localDateTaken = plan({ now, contact: losAngeles, sentPerLocalDay: new Map([['2026-06-09', 1]]) });

      expect(utcDateTaken).toMatchObject({ action: 'send', capDate: '2026-06-09' });
      expect(localDateTaken).toEqual({ action: 'wait', reason: 'frequency-cap', until: '2026-06-10T15:00:00.000Z' }); // Wed 08:00 PDT
    });

    it('keeps window-closed as the reason when the window opens onto a capped day', () => {
      const decision = plan({ now: '2026-06-04T11:00:00.000Z', sentPerLocalDay: new Map([['2026-06-04', 1]]) }); // 06:00 CDT, today already used

      expect(decision).toEqual({ action: 'wait', reason: 'window-closed', until: '2026-06-05T13:00:00.000Z' });
    });
  });

  describe('across a whole cadence', () => {
    it('walks both rounds step by step and then finishes', () => {
      const seen: string[] = [];
      let cursor: Cursor = { round: 1, step: 0 };
      let roundStartedAt = ROUND_START;

      for (let i = 0; i < 20; i++) {
        const current = enrollment(cursor, { roundStartedAt });
        // Asked just before the round starts, every step of it is still to come.
        const early = plan({ enrollment: current, now: new Date(Date.parse(roundStartedAt) - 1).toISOString() });
        if (early.action === 'finish') break;
        expect(early).toMatchObject({ action: 'wait', reason: 'step-due' });
        const until = (early as { until: string }).until;
        const decision = plan({ enrollment: current, now: until });
        seen.push(`${cursor.round}:${decision.action === 'send' ? decision.channel : decision.action}@${until}`);
        ({ cursor, roundStartedAt } = nextCursor(cadence, cursor, roundStartedAt));
      }

      expect(seen).toEqual([
        `1:postcard@${ROUND_START}`,
        '1:sms@2026-06-03T15:00:00.000Z',
        '1:voicemail@2026-06-06T15:00:00.000Z',
        '1:call@2026-06-10T15:00:00.000Z',
        '2:postcard@2026-07-01T15:00:00.000Z',
        '2:sms@2026-07-03T15:00:00.000Z',
        '2:voicemail@2026-07-06T15:00:00.000Z',
        '2:call@2026-07-10T15:00:00.000Z',
      ]);
      expect(cursor).toEqual({ round: 3, step: 0 });
    });
  });
});

describe('hasConsent', () => {
  const person = (consent: Contact['consent']) => contact({ consent });

  it('grants what is recorded as granted, without defaults', () => {
    expect(hasConsent(person({ 'sms:care': granted() }), 'sms:care', [])).toBe(true);
  });

  it('refuses what is recorded as refused, even when a default would grant it', () => {
    expect(hasConsent(person({ 'sms:care': refused() }), 'sms:care', ['sms:care'])).toBe(false);
  });

  it('falls back on the defaults only when nothing is recorded for the key', () => {
    const defaults: ConsentKey[] = ['sms:care'];

    expect(hasConsent(person({}), 'sms:care', defaults)).toBe(true);
    expect(hasConsent(person({}), 'voice:care', defaults)).toBe(false);
  });

  it('does not read consent for one purpose as consent for the other', () => {
    expect(hasConsent(person({ 'sms:care': granted() }), 'sms:outreach', ['sms:care'])).toBe(false);
  });
});

describe('capAllows', () => {
  const cap = { perDay: 1, perWeek: 3 };

  it('allows the first message of a day', () => {
    expect(capAllows('2026-06-04', new Map(), cap)).toBe(true);
  });

  it('refuses a second message on the same day', () => {
    expect(capAllows('2026-06-04', new Map([['2026-06-04', 1]]), cap)).toBe(false);
  });

  it('allows a third message in seven days and refuses a fourth', () => {
    const two = new Map([['2026-05-29', 1], ['2026-06-01', 1]]);
    const three = new Map([['2026-05-29', 1], ['2026-06-01', 1], ['2026-06-03', 1]]);

    expect(capAllows('2026-06-04', two, cap)).toBe(true);
    expect(capAllows('2026-06-04', three, cap)).toBe(false);
  });

  it('counts the date itself and the six days before it, no more', () => {
    const sixDaysBack = new Map([['2026-05-29', 1], ['2026-05-30', 1], ['2026-05-31', 1]]);

    expect(capAllows('2026-06-04', sixDaysBack, cap)).toBe(false); // 05-29 is six days before 06-04
    expect(capAllows('2026-06-05', sixDaysBack, cap)).toBe(true); // …and seven before 06-05
  });

  it('counts across a month and a year end', () => {
    const sent = new Map([['2026-12-29', 1], ['2026-12-31', 1], ['2027-01-02', 1]]);

    expect(capAllows('2027-01-03', sent, cap)).toBe(false);
    expect(capAllows('2027-01-05', sent, cap)).toBe(true);
  });

  it('applies a lower configured cap', () => {
    const sent = new Map([['2026-06-01', 1]]);

    expect(capAllows('2026-06-04', sent, { perDay: 1, perWeek: 1 })).toBe(false);
    expect(capAllows('2026-06-04', new Map(), { perDay: 0, perWeek: 3 })).toBe(false);
  });
});

describe('localDate', () => {
  it("gives the date in the zone, not in UTC", () => {
    const at = new Date('2026-06-10T03:30:00.000Z');

    expect(localDate(at, 'America/Los_Angeles')).toBe('2026-06-09');
    expect(localDate(at, 'America/New_York')).toBe('2026-06-09');
    expect(localDate(at, 'Europe/Berlin')).toBe('2026-06-10');
  });

  it('turns over at local midnight across a DST change', () => {
    // 2026-11-01 has 25 hours in New York: it ends at 05:00Z, not 04:00Z.
    expect(localDate(new Date('2026-11-02T04:59:59.999Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDate(new Date('2026-11-02T05:00:00.000Z'), 'America/New_York')).toBe('2026-11-02');
  });
});

describe('a paused enrollment', () => {
  it('waits, looking again in six hours, and sends nothing', () => {
    const decision = plan({ enrollment: enrollment({ round: 1, step: SMS }, { status: 'paused' }) });
    expect(decision).toEqual({ action: 'wait', until: new Date(Date.parse(DUE[SMS]!) + 6 * 3_600_000).toISOString(), reason: 'paused' });
  });

  it('still stops at once when the person opts out meanwhile', () => {
    expect(plan({ enrollment: enrollment({ round: 1, step: SMS }, { status: 'paused' }), contact: contact({ optedOut: { sms: '2026-06-02T00:00:00Z' } }) })).toEqual({ action: 'stop', reason: 'opted-out' });
  });
});

describe('cadenceOutlook: what the next days hold if nothing changes', () => {
  const outlook = (days: number, over: Setup = {}) => cadenceOutlook(situation({ now: '2026-06-02T15:00:00.000Z', ...over }), days);

  it('plans the remaining steps at their days, held into the window and the agents’ hours as the steps would be', () => {
    const { coming } = outlook(12);
    expect(coming.map((c) => [c.at, c.step, c.outcome])).toEqual([
      ['2026-06-03T15:00:00.000Z', 'text', 'send'],
      ['2026-06-06T15:00:00.000Z', 'voicemail', 'send'],
      ['2026-06-10T15:00:00.000Z', 'call', 'send'],
    ]);
  });

  it('stops at the horizon and shows skips with their reason', () => {
    const { coming } = outlook(3, { contact: contact({ consent: { 'sms:care': refused(), 'voice:care': granted() } }) });
    expect(coming.map((c) => [c.step, c.outcome])).toEqual([['text', 'skip: no-consent']]);
  });

  it('counts each planned message against the cap of the ones after it', () => {
    // A cap of one a week: the text goes, the voicemail three days later waits for the next week.
    const { coming } = outlook(12, { frequencyCap: { perDay: 1, perWeek: 1 } });
    expect(coming[0]).toMatchObject({ step: 'text', outcome: 'send' });
    expect(coming[1]).toMatchObject({ step: 'voicemail', outcome: 'send', heldBy: 'frequency-cap' });
    expect(coming[1]!.at >= '2026-06-10').toBe(true);
  });

  it('says why nothing comes for a finished or stopped enrollment, and notes a pause', () => {
    expect(outlook(30, { enrollment: enrollment({ round: 1, step: SMS }, { status: 'stopped', stopReason: 'booked' }) })).toEqual({ coming: [], note: 'the enrollment is stopped (booked)' });
    const paused = outlook(3, { enrollment: enrollment({ round: 1, step: SMS }, { status: 'paused' }) });
    expect(paused.note).toMatch(/^paused/);
    expect(paused.coming.map((c) => c.step)).toEqual(['text']);
  });
});
