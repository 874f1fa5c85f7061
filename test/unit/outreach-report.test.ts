/**
 * The outreach report's counts (lambdas/domain/outreach-report.ts), on people built by hand:
 * rates with their Wilson intervals and the two-proportion test against published values,
 * how the funnel attributes a response or a booking to a round, the per-step counts and the
 * period's bounds, A/B variants, dispositions, opt-outs, flags by age and imports.
 */
import { buildReport, rate, twoProportionPValue, type AttemptFact, type FlagFact, type ImportFact, type PersonActivity, type ReportPeriod } from '../../lambdas/domain/outreach-report';

const PERIOD: ReportPeriod = { from: '2027-03-01T00:00:00.000Z', to: '2027-04-01T00:00:00.000Z' };
const NOW = new Date('2027-04-01T06:30:00.000Z');
const CADENCE = 'community-outreach';
const ADDRESS = { line1: '1420 E Pine St', city: 'Seattle', state: 'WA', zip: '98122' };

type Contact = PersonActivity['contact'];
let seq = 0;

function person(patch: Partial<Omit<PersonActivity, 'contact'>> & { contact?: Partial<Contact> } = {}): PersonActivity {
  const contactId = `c_${String(++seq).padStart(4, '0')}`;
  const { contact, ...rest } = patch;
  return {
    contact: { contactId, phones: [{ e164: '+12065550100', label: 'mobile', addedBy: 'imp_1' }] as unknown as Contact['phones'], createdAt: '2027-02-01T00:00:00.000Z', ...contact },
    enrollments: [{ cadence: CADENCE, enrolledAt: '2027-02-28T00:00:00.000Z' }],
    attempts: [],
    appointments: [],
    replies: [],
    history: [],
    ...rest,
  };
}

/** A text of the cadence's round `round`, sent at `at` unless the patch says otherwise. */
function attempt(round: number, stepId: string, at: string, patch: Partial<AttemptFact> = {}): AttemptFact {
  return { cadence: CADENCE, round, stepId, channel: 'sms', status: 'sent', at, sentAt: at, ...patch };
}

const disposition = (at: string, code: string, agent?: string) => ({ at, kind: 'disposition', detail: { code, connectContactId: `cc-${at}`, ...(agent ? { agent } : {}) } });
const report = (people: PersonActivity[], flags: FlagFact[] = [], imports: ImportFact[] = [], period: ReportPeriod = PERIOD) => buildReport('sunrise-family', period, people, flags, imports, NOW);
const funnelRow = (people: PersonActivity[], round: number) => report(people).funnel.find((f) => f.cadence === CADENCE && f.round === round);

const ROUND_1 = '2027-03-02T18:00:00.000Z';
const ROUND_2 = '2027-03-20T18:00:00.000Z';
/** Texted in round 1 and in round 2. */
const twoRounds = (extra: Partial<Omit<PersonActivity, 'contact'>> = {}) => person({ attempts: [attempt(1, 'sms', ROUND_1), attempt(2, 'sms', ROUND_2)], ...extra });

describe('rate: a proportion with its 95% Wilson score interval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I (method 3), and the textbook values.
  it.each([
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
    [50, 100, 0.4038, 0.5962],
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (count, of, low, high) => {
    const r = rate(count, of);
    expect(r.count).toBe(count);
    expect(r.of).toBe(of);
    expect(r.rate).toBeCloseTo(count / of, 10);
    expect(r.low).toBeCloseTo(low, 4);
    expect(r.high).toBeCloseTo(high, 4);
  });

  it('is 0 with an empty interval when nothing was sent', () => {
    expect(rate(0, 0)).toEqual({ count: 0, of: 0, rate: 0, low: 0, high: 0 });
  });
});

describe('twoProportionPValue: the pooled two-proportion z-test, two-sided', () => {
  it('30 of 100 against 50 of 100: z = 2.887, p = 0.0039', () => {
    // pooled p = 0.4, SE = sqrt(0.4 · 0.6 · (1/100 + 1/100)) = 0.0693, z = 0.2 / 0.0693 = 2.8868; 2·(1 − Φ(z)) = 0.003892.
    expect(twoProportionPValue(rate(30, 100), rate(50, 100))).toBeCloseTo(0.003892, 5);
  });

  it('is symmetric, 1 for equal rates, and 1 when either side has nothing to compare', () => {
    expect(twoProportionPValue(rate(50, 100), rate(30, 100))).toBeCloseTo(twoProportionPValue(rate(30, 100), rate(50, 100)), 12);
    expect(twoProportionPValue(rate(20, 100), rate(20, 100))).toBeCloseTo(1, 6);
    expect(twoProportionPValue(rate(0, 0), rate(5, 10))).toBe(1);
    expect(twoProportionPValue(rate(0, 10), rate(0, 10))).toBe(1);
  });
});

describe('the funnel, by cadence round', () => {
  it('counts a person in each round they were planned in, as reachable and contacted', () => {
    expect(report([twoRounds()]).funnel).toEqual([
      { cadence: CADENCE, round: 1, enrolled: 1, reachable: 1, contacted: 1, responded: 0, booked: 0, seen: 0 },
      { cadence: CADENCE, round: 2, enrolled: 1, reachable: 1, contacted: 1, responded: 0, booked: 0, seen: 0 },
    ]);
  });

  it('gives a response after round 2\'s first send to round 2, not round 1', () => {
    const p = twoRounds({ replies: [{ at: '2027-03-21T17:00:00.000Z', kind: 'other' }] });
    expect(funnelRow([p], 1)).toMatchObject({ contacted: 1, responded: 0 });
    expect(funnelRow([p], 2)).toMatchObject({ contacted: 1, responded: 1 });
  });

  it('gives a response between the rounds to round 1', () => {
    const p = twoRounds({ replies: [{ at: '2027-03-05T17:00:00.000Z', kind: 'confirm' }] });
    expect(funnelRow([p], 1)).toMatchObject({ responded: 1 });
    expect(funnelRow([p], 2)).toMatchObject({ responded: 0 });
  });

  it('counts a response from the round\'s first send of any step (a later step of the round does not move it)', () => {
    const p = person({
      attempts: [attempt(1, 'sms', ROUND_1), attempt(1, 'voicemail', '2027-03-09T18:00:00.000Z', { channel: 'voicemail' })],
      replies: [{ at: '2027-03-04T17:00:00.000Z', kind: 'other' }],
    });
    expect(funnelRow([p], 1)).toMatchObject({ contacted: 1, responded: 1 });
  });

  it('does not count a reply before anything was sent', () => {
    const p = twoRounds({ replies: [{ at: '2027-03-01T17:00:00.000Z', kind: 'other' }] });
    expect(report([p]).funnel.map((f) => f.responded)).toEqual([0, 0]);
  });

  it('does not count an opt-out reply as a response', () => {
    const p = twoRounds({ replies: [{ at: '2027-03-03T17:00:00.000Z', kind: 'opt-out' }] });
    expect(report([p]).funnel.map((f) => f.responded)).toEqual([0, 0]);
  });

  it.each(['no-answer', 'busy', 'left-voicemail', 'machine-detected'])('does not count an automated "%s" disposition as a response', (code) => {
    const p = twoRounds({ history: [disposition('2027-03-03T17:00:00.000Z', code)] });
    expect(report([p]).funnel.map((f) => f.responded)).toEqual([0, 0]);
  });

  it('counts a call a person answered (any other disposition) as a response', () => {
    const p = twoRounds({ history: [disposition('2027-03-03T17:00:00.000Z', 'call-back-later', 'a-1')] });
    expect(funnelRow([p], 1)).toMatchObject({ responded: 1, booked: 0 });
  });

  it('counts an appointment booked after the round\'s send as booked (and responded), and seen once the visit was seen', () => {
    const booked = twoRounds({ history: [disposition('2027-03-22T17:00:00.000Z', 'appointment-booked', 'a-1')], appointments: [{ appointmentId: 'a1', status: 'booked', at: '2027-04-10T17:00:00.000Z' }] });
    const seen = twoRounds({ history: [disposition('2027-03-22T17:00:00.000Z', 'appointment-booked', 'a-2')], appointments: [{ appointmentId: 'a2', status: 'seen', at: '2027-03-29T17:00:00.000Z' }] });
    expect(funnelRow([booked, seen], 1)).toMatchObject({ enrolled: 2, contacted: 2, responded: 0, booked: 0, seen: 0 });
    expect(funnelRow([booked, seen], 2)).toMatchObject({ enrolled: 2, contacted: 2, responded: 2, booked: 2, seen: 1 });
  });

  it('does not count a seen visit of someone who did not book through the outreach', () => {
    const p = twoRounds({ appointments: [{ appointmentId: 'a3', status: 'seen', at: '2027-03-29T17:00:00.000Z' }] });
    expect(report([p]).funnel.map((f) => [f.booked, f.seen])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('counts as contacted only rounds with a message sent, and as reachable only people with a usable number or a complete address', () => {
    const skippedOnly = person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'skipped', reason: 'no-consent', sentAt: undefined })] });
    const wrongNumberNoAddress = person({ contact: { phones: [{ e164: '+12065550101' }] as unknown as Contact['phones'], wrongNumbers: { '+12065550101': '2027-02-02T00:00:00Z' } }, attempts: [attempt(1, 'sms', ROUND_1)] });
    const undeliverableWithAddress = person({
      contact: { phones: [{ e164: '+12065550102' }] as unknown as Contact['phones'], undeliverable: { '+12065550102': { channel: 'all', at: '2027-02-02T00:00:00Z' } }, address: ADDRESS as Contact['address'] },
      attempts: [attempt(1, 'postcard', ROUND_1, { channel: 'postcard' })],
    });
    const textsOnlyUndeliverable = person({ contact: { phones: [{ e164: '+12065550103' }] as unknown as Contact['phones'], undeliverable: { '+12065550103': { channel: 'sms', at: '2027-02-02T00:00:00Z' } } }, attempts: [attempt(1, 'sms', ROUND_1)] });
    expect(funnelRow([skippedOnly, wrongNumberNoAddress, undeliverableWithAddress, textsOnlyUndeliverable], 1)).toEqual({ cadence: CADENCE, round: 1, enrolled: 4, reachable: 3, contacted: 3, responded: 0, booked: 0, seen: 0 });
  });

  it('leaves out rounds outside the period, one-off messages (round 0) and cadences the person is not enrolled in', () => {
    const p = person({
      attempts: [
        attempt(1, 'sms', '2027-02-20T18:00:00.000Z'),
        attempt(2, 'sms', ROUND_2),
        attempt(0, 'confirmation', ROUND_2, { cadence: 'one-off' }),
        attempt(1, 'sms', ROUND_1, { cadence: 'care-gap' }),
      ],
    });
    expect(report([p]).funnel.map((f) => `${f.cadence} r${f.round}`)).toEqual([`${CADENCE} r2`]);
  });
});

describe('by channel and step', () => {
  it('counts sent, delivered, failed and skipped by reason per cadence, step and channel', () => {
    const people = [
      person({ attempts: [attempt(1, 'sms', ROUND_1, { delivery: { status: 'delivered' } }), attempt(1, 'call', ROUND_1, { channel: 'call', delivery: { status: 'completed' } })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { delivery: { status: 'invalid-number', failure: 'permanent' } })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1)] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'failed', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', sentAt: undefined })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'skipped', reason: 'no-consent', sentAt: undefined })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'skipped', reason: 'no-consent', sentAt: undefined })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'skipped', reason: 'no-number-for-step', sentAt: undefined })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'skipped', sentAt: undefined })] }),
      person({ attempts: [attempt(1, 'sms', ROUND_1, { status: 'claimed', sentAt: undefined })] }),
      person({ attempts: [attempt(0, 'optOutConfirmation', ROUND_1, { cadence: 'one-off', delivery: { status: 'delivered' } })] }),
    ];
    expect(report(people).steps).toEqual([
      { cadence: CADENCE, step: 'call', channel: 'call', sent: 1, delivered: 1, failed: 0, skipped: {} },
      { cadence: CADENCE, step: 'sms', channel: 'sms', sent: 3, delivered: 1, failed: 2, skipped: { 'no-consent': 2, 'no-number-for-step': 1, unknown: 1 } },
      { cadence: 'one-off', step: 'optOutConfirmation', channel: 'sms', sent: 1, delivered: 1, failed: 0, skipped: {} },
    ]);
  });

  it('includes the period\'s first instant and excludes its end', () => {
    const p = person({
      attempts: [
        attempt(1, 'at-start', PERIOD.from),
        attempt(1, 'just-before-end', '2027-03-31T23:59:59.999Z'),
        attempt(1, 'at-end', PERIOD.to),
        attempt(1, 'before-start', '2027-02-28T23:59:59.999Z'),
      ],
    });
    expect(report([p]).steps.map((s) => s.step)).toEqual(['at-start', 'just-before-end']);
  });

  it('counts an attempt claimed before the period but sent in it', () => {
    const p = person({ attempts: [attempt(1, 'sms', '2027-02-28T23:59:00.000Z', { sentAt: '2027-03-01T00:00:05.000Z' })] });
    expect(report([p]).steps).toEqual([{ cadence: CADENCE, step: 'sms', channel: 'sms', sent: 1, delivered: 0, failed: 0, skipped: {} }]);
  });
});

describe('A/B variants', () => {
  /** `n` people sent variant `v`, the first `responded` of them replying and the first `booked` booking. */
  const sentVariant = (v: string, n: number, responded: number, booked: number) =>
    Array.from({ length: n }, (_, i) =>
      person({
        attempts: [attempt(1, 'sms', ROUND_1, { variant: v })],
        replies: i < responded ? [{ at: '2027-03-03T17:00:00.000Z', kind: 'other' }] : [],
        history: i < booked ? [disposition('2027-03-04T17:00:00.000Z', 'appointment-booked', 'a-1')] : [],
      }),
    );

  it('gives each variant its response and booking rates with Wilson intervals, and tests the difference', () => {
    const r = report([...sentVariant('A', 20, 2, 1), ...sentVariant('B', 20, 12, 2)]);
    // A booking by disposition is a call the person answered: it is a response too.
    expect(r.variants).toEqual([
      { cadence: CADENCE, step: 'sms', variant: 'A', sent: 20, responded: rate(2, 20), booked: rate(1, 20) },
      { cadence: CADENCE, step: 'sms', variant: 'B', sent: 20, responded: rate(12, 20), booked: rate(2, 20) },
    ]);
    expect(r.variantTests).toEqual([
      { cadence: CADENCE, step: 'sms', a: 'A', b: 'B', measure: 'responded', pValue: twoProportionPValue(rate(2, 20), rate(12, 20)), significant: true },
      { cadence: CADENCE, step: 'sms', a: 'A', b: 'B', measure: 'booked', pValue: twoProportionPValue(rate(1, 20), rate(2, 20)), significant: false },
    ]);
    expect(r.variantTests[0]!.pValue).toBeLessThan(0.01);
    expect(r.variantTests[1]!.pValue).toBeGreaterThan(0.5);
  });

  it('counts only sent messages, and a response only for the round it answers (of the same cadence)', () => {
    const later = person({
      attempts: [attempt(1, 'sms', ROUND_1, { variant: 'A' }), attempt(2, 'sms', ROUND_2, { variant: 'B' })],
      replies: [{ at: '2027-03-21T17:00:00.000Z', kind: 'other' }],
    });
    const otherCadence = person({
      enrollments: [
        { cadence: CADENCE, enrolledAt: '2027-02-28T00:00:00.000Z' },
        { cadence: 'care-gap', enrolledAt: '2027-03-10T00:00:00.000Z' },
      ],
      attempts: [attempt(1, 'sms', ROUND_1, { variant: 'A' }), attempt(1, 'sms', '2027-03-10T18:00:00.000Z', { cadence: 'care-gap' })],
      replies: [{ at: '2027-03-11T17:00:00.000Z', kind: 'other' }],
    });
    const skipped = person({ attempts: [attempt(1, 'sms', ROUND_1, { variant: 'B', status: 'skipped', reason: 'no-consent', sentAt: undefined })] });
    const r = report([later, otherCadence, skipped]);
    expect(r.variants.map((v) => [v.variant, v.sent, v.responded.count])).toEqual([
      ['A', 2, 0],
      ['B', 1, 1],
    ]);
  });

  it('has no tests with a single variant', () => {
    expect(report(sentVariant('A', 5, 1, 0)).variantTests).toEqual([]);
  });
});

describe('dispositions, opt-outs', () => {
  it('counts dispositions in the period by code and by agent (without one: "(no agent)")', () => {
    const r = report([
      person({ history: [disposition('2027-03-05T17:00:00.000Z', 'appointment-booked', 'a-1'), disposition('2027-03-06T17:00:00.000Z', 'call-back-later', 'a-1')] }),
      person({ history: [disposition('2027-03-05T17:00:00.000Z', 'appointment-booked', 'a-2'), disposition('2027-03-07T17:00:00.000Z', 'no-answer')] }),
      person({ history: [disposition('2027-02-27T17:00:00.000Z', 'not-interested', 'a-1'), disposition(PERIOD.to, 'wrong-number', 'a-2')] }),
      person({ history: [{ at: '2027-03-05T17:00:00.000Z', kind: 'disposition' }] }),
    ]);
    expect(r.dispositions).toEqual({
      byCode: { 'appointment-booked': 2, 'call-back-later': 1, 'no-answer': 1, unreadable: 1 },
      byAgent: { 'a-1': { 'appointment-booked': 1, 'call-back-later': 1 }, 'a-2': { 'appointment-booked': 1 }, '(no agent)': { 'no-answer': 1, unreadable: 1 } },
    });
  });

  it('counts opt-outs in the period by channel', () => {
    const optOut = (at: string, channel?: string) => ({ at, kind: 'opt-out', detail: channel ? { channel, source: 'reply:x' } : { source: 'staff' } });
    const r = report([
      person({ history: [optOut('2027-03-02T17:00:00.000Z', 'sms'), { at: '2027-03-03T17:00:00.000Z', kind: 'opt-in', detail: { channel: 'sms' } }] }),
      person({ history: [optOut('2027-03-02T17:00:00.000Z', 'sms'), optOut('2027-03-02T17:00:00.000Z', 'voice')] }),
      person({ history: [optOut('2027-03-09T17:00:00.000Z', 'all')] }),
      person({ history: [optOut('2027-03-09T17:00:00.000Z')] }),
      person({ history: [optOut('2027-02-09T17:00:00.000Z', 'sms'), optOut(PERIOD.to, 'sms')] }),
    ]);
    expect(r.optOuts).toEqual({ sms: 2, voice: 1, all: 2 });
  });
});

describe('flags and imports', () => {
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

  it('counts the flags not yet handled by kind and by age, with the oldest one\'s age in hours', () => {
    const flags: FlagFact[] = [
      { kind: 'reply', at: hoursAgo(2) },
      { kind: 'reply', at: hoursAgo(23.9) },
      { kind: 'disposition', at: hoursAgo(24) },
      { kind: 'reply', at: hoursAgo(71.9) },
      { kind: 'reply', at: hoursAgo(72) },
      { kind: 'disposition', at: hoursAgo(100.25) },
      { kind: 'reply', at: hoursAgo(500), handledAt: hoursAgo(400) },
    ];
    expect(report([], flags).flags).toEqual({
      unhandled: 6,
      byKind: { reply: 4, disposition: 2 },
      oldestHours: 100.3,
      byAge: { 'under 1 day': 2, '1–3 days': 2, 'over 3 days': 2 },
    });
  });

  it('has nothing waiting when every flag is handled', () => {
    expect(report([], [{ kind: 'reply', at: hoursAgo(5), handledAt: hoursAgo(1) }]).flags).toEqual({ unhandled: 0, byKind: {}, oldestHours: 0, byAge: { 'under 1 day': 0, '1–3 days': 0, 'over 3 days': 0 } });
  });

  it('lists the imports started in the period, oldest first', () => {
    const run = (importId: string, startedAt: string): ImportFact => ({ importId, key: `inbox/sunrise-family/${importId}.csv`, startedAt, rowsRead: 25, created: 21, rejected: 3, status: 'done' });
    const r = report([], [], [run('imp_late', '2027-03-20T10:00:00.000Z'), run('imp_before', '2027-02-28T23:59:59.999Z'), run('imp_first', PERIOD.from), run('imp_end', PERIOD.to)]);
    expect(r.imports.map((i) => i.importId)).toEqual(['imp_first', 'imp_late']);
  });

  it('says who and when: practice, period, the time it was made and how many people it counted', () => {
    const r = report([person(), person()]);
    expect(r).toMatchObject({ practiceId: 'sunrise-family', period: PERIOD, generatedAt: NOW.toISOString(), people: 2 });
  });
});
