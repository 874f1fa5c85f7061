import { consentDefaultsFor } from '../../lambdas/domain/cadence-config';
import type { ConsentKey } from '../../lambdas/domain/contact';
import {
  ageOn,
  dateHolds,
  dateOf,
  daysBetween,
  inSegment,
  profileCardOf,
  segmentFilterSchema,
  segmentSchema,
  type SegmentCard,
  type SegmentContext,
} from '../../lambdas/domain/segment';
import { CONTACT_TIME, testContact } from '../support/contact';

const TODAY = '2026-06-15';
const NOW = CONTACT_TIME;

/** A card with nothing to filter on but an open status: the "anyone" of these tests. */
function card(over: Partial<SegmentCard> = {}): SegmentCard {
  return { contactId: 'c_1', tags: [], status: 'open', consent: {}, optedOut: [], doNotCall: false, dates: {}, ...over };
}

/** The sample practices' consent defaults: patients' care texts and calls. */
const practiceDefaults = { consentDefaults: [{ tag: 'patient', grant: ['sms:care', 'voice:care'] as ConsentKey[] }] };

const ctx: SegmentContext = { today: TODAY, consentDefaults: (tags) => consentDefaultsFor(practiceDefaults, tags) };
const noDefaults: SegmentContext = { today: TODAY, consentDefaults: () => [] };

/** Filters go through the schema, as they do from the config or the staff API (tags are normalised there). */
const filter = (input: unknown) => segmentFilterSchema.parse(input);
const matches = (c: SegmentCard, input: unknown, context: SegmentContext = ctx) => inSegment(c, filter(input), context);

function issuesOf(input: unknown): { path: string; message: string }[] {
  const result = segmentFilterSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

const contact = testContact;

describe('inSegment: the empty filter', () => {
  it('matches everyone, even a card with nothing on it', () => {
    expect(matches(card(), {})).toBe(true);
    expect(matches(card({ status: 'deceased', optedOut: ['all'], doNotCall: true, tags: ['staff'] }), {})).toBe(true);
  });
});

describe('inSegment: tags', () => {
  const staffPatient = card({ tags: ['staff', 'patient'] });
  const patient = card({ tags: ['patient'] });
  const untagged = card();

  it('anyOf: matches a card carrying one of the tags, not one carrying none', () => {
    const anyOf = { tags: { anyOf: ['staff', 'volunteer'] } };
    expect(matches(staffPatient, anyOf)).toBe(true);
    expect(matches(patient, anyOf)).toBe(false);
    expect(matches(untagged, anyOf)).toBe(false);
  });

  it('allOf: matches a card carrying every tag, not one carrying only some', () => {
    const allOf = { tags: { allOf: ['staff', 'patient'] } };
    expect(matches(staffPatient, allOf)).toBe(true);
    expect(matches(patient, allOf)).toBe(false);
  });

  it('noneOf: matches a card carrying none of the tags, not one carrying any', () => {
    const noneOf = { tags: { noneOf: ['staff', 'volunteer'] } };
    expect(matches(patient, noneOf)).toBe(true);
    expect(matches(untagged, noneOf)).toBe(true);
    expect(matches(staffPatient, noneOf)).toBe(false);
  });

  it('holds anyOf, allOf and noneOf together', () => {
    const all = { tags: { anyOf: ['patient'], allOf: ['patient', 'diabetes'], noneOf: ['staff'] } };
    expect(matches(card({ tags: ['patient', 'diabetes'] }), all)).toBe(true);
    expect(matches(card({ tags: ['patient'] }), all)).toBe(false);
    expect(matches(card({ tags: ['patient', 'diabetes', 'staff'] }), all)).toBe(false);
  });

  it('normalises filter tags as import tags are: trimmed, spaces collapsed, lower-case', () => {
    expect(filter({ tags: { anyOf: [' Staff ', 'Spanish   Speakers'] } }).tags!.anyOf).toEqual(['staff', 'spanish speakers']);
    expect(matches(card({ tags: ['staff'] }), { tags: { anyOf: [' Staff '] } })).toBe(true);
    expect(matches(card({ tags: ['staff'] }), { tags: { noneOf: [' STAFF'] } })).toBe(false);
    expect(matches(card({ tags: ['spanish speakers', 'patient'] }), { tags: { allOf: ['Spanish Speakers', 'PATIENT'] } })).toBe(true);
  });
});

describe('inSegment: languages', () => {
  it('matches a card in one of the languages, not one in another', () => {
    expect(matches(card({ language: 'es' }), { languages: ['es', 'vi'] })).toBe(true);
    expect(matches(card({ language: 'en' }), { languages: ['es', 'vi'] })).toBe(false);
  });

  it('"unknown" matches a card without a language, and only such a card', () => {
    expect(matches(card(), { languages: ['unknown'] })).toBe(true);
    expect(matches(card({ language: 'en' }), { languages: ['unknown'] })).toBe(false);
  });

  it('a card without a language is outside a filter that does not list "unknown"', () => {
    expect(matches(card(), { languages: ['en'] })).toBe(false);
    expect(matches(card(), { languages: ['en', 'unknown'] })).toBe(true);
  });
});

describe('inSegment: phoneTypes', () => {
  it('matches a card with at least one number of the types', () => {
    expect(matches(card({ phoneTypes: ['LANDLINE', 'MOBILE'] }), { phoneTypes: ['MOBILE'] })).toBe(true);
    expect(matches(card({ phoneTypes: ['VOIP'] }), { phoneTypes: ['MOBILE', 'VOIP'] })).toBe(true);
  });

  it('does not match a card whose numbers are all of other types', () => {
    expect(matches(card({ phoneTypes: ['LANDLINE'] }), { phoneTypes: ['MOBILE'] })).toBe(false);
    expect(matches(card({ phoneTypes: [] }), { phoneTypes: ['MOBILE'] })).toBe(false);
  });

  it('never matches a card without phone types (numbers not validated yet)', () => {
    for (const type of ['MOBILE', 'LANDLINE', 'VOIP', 'PREPAID', 'INVALID', 'OTHER'] as const) {
      expect(matches(card(), { phoneTypes: [type] })).toBe(false);
    }
  });
});

describe('inSegment: statuses', () => {
  it('matches a card in one of the statuses, not one in another', () => {
    expect(matches(card({ status: 'booked' }), { statuses: ['booked', 'already-patient'] })).toBe(true);
    expect(matches(card({ status: 'open' }), { statuses: ['booked', 'already-patient'] })).toBe(false);
    expect(matches(card({ status: 'open' }), { statuses: ['open'] })).toBe(true);
    expect(matches(card({ status: 'deceased' }), { statuses: ['open'] })).toBe(false);
  });
});

describe('inSegment: consent.granted', () => {
  it('matches a card with the consent recorded as granted, not one without it', () => {
    const needsOutreach = { consent: { granted: ['sms:outreach'] } };
    expect(matches(card({ consent: { 'sms:outreach': true } }), needsOutreach)).toBe(true);
    expect(matches(card(), needsOutreach)).toBe(false);
    expect(matches(card({ consent: { 'voice:outreach': true } }), needsOutreach)).toBe(false);
  });

  it("takes the practice's defaults where nothing is recorded", () => {
    const needsCareTexts = { consent: { granted: ['sms:care'] } };
    expect(matches(card({ tags: ['patient'] }), needsCareTexts)).toBe(true);
    expect(matches(card({ tags: ['patient'] }), { consent: { granted: ['sms:care', 'voice:care'] } })).toBe(true);
    // The default is for patients only, and never gives outreach consent.
    expect(matches(card({ tags: ['prospect'] }), needsCareTexts)).toBe(false);
    expect(matches(card({ tags: ['patient'] }), { consent: { granted: ['sms:outreach'] } })).toBe(false);
    // Without defaults, an unrecorded key is not consent.
    expect(matches(card({ tags: ['patient'] }), needsCareTexts, noDefaults)).toBe(false);
  });

  it('asks for the defaults with the card\'s own tags', () => {
    const asked: (readonly string[])[] = [];
    const spying: SegmentContext = { today: TODAY, consentDefaults: (tags) => (asked.push(tags), ['sms:care']) };
    expect(matches(card({ tags: ['patient', 'diabetes'] }), { consent: { granted: ['sms:care'] } }, spying)).toBe(true);
    expect(asked).toEqual([['patient', 'diabetes']]);
  });

  it('a recorded refusal overrides the default', () => {
    const refused = card({ tags: ['patient'], consent: { 'sms:care': false } });
    expect(matches(refused, { consent: { granted: ['sms:care'] } })).toBe(false);
    // The other default still stands.
    expect(matches(refused, { consent: { granted: ['voice:care'] } })).toBe(true);
  });

  it('needs every key listed', () => {
    const smsOnly = card({ consent: { 'sms:outreach': true } });
    expect(matches(smsOnly, { consent: { granted: ['sms:outreach', 'voice:outreach'] } })).toBe(false);
    expect(matches(card({ consent: { 'sms:outreach': true, 'voice:outreach': true } }), { consent: { granted: ['sms:outreach', 'voice:outreach'] } })).toBe(true);
  });
});

describe('inSegment: consent.notOptedOut and notDoNotCall', () => {
  it('excludes a card opted out of a listed channel, not one opted out of another', () => {
    expect(matches(card({ optedOut: ['sms'] }), { consent: { notOptedOut: ['sms'] } })).toBe(false);
    expect(matches(card({ optedOut: ['voice'] }), { consent: { notOptedOut: ['sms'] } })).toBe(true);
    expect(matches(card(), { consent: { notOptedOut: ['sms', 'voice'] } })).toBe(true);
    expect(matches(card({ optedOut: ['voice'] }), { consent: { notOptedOut: ['sms', 'voice'] } })).toBe(false);
  });

  it("an 'all' opt-out excludes the card whatever channel is listed", () => {
    expect(matches(card({ optedOut: ['all'] }), { consent: { notOptedOut: ['sms'] } })).toBe(false);
    expect(matches(card({ optedOut: ['all'] }), { consent: { notOptedOut: ['voice'] } })).toBe(false);
  });

  it('notDoNotCall excludes a card with a do-not-call request, not one without', () => {
    expect(matches(card({ doNotCall: true }), { consent: { notDoNotCall: true } })).toBe(false);
    expect(matches(card({ doNotCall: false }), { consent: { notDoNotCall: true } })).toBe(true);
    // notDoNotCall: false asks for nothing.
    expect(matches(card({ doNotCall: true }), { consent: { notDoNotCall: false } })).toBe(true);
  });
});

describe('inSegment: zips and states', () => {
  it('matches a ZIP by a prefix or in full', () => {
    expect(matches(card({ zip: '98101' }), { zips: ['981'] })).toBe(true);
    expect(matches(card({ zip: '98101' }), { zips: ['9810'] })).toBe(true);
    expect(matches(card({ zip: '98101' }), { zips: ['97201', '98101'] })).toBe(true);
  });

  it('does not match a ZIP outside every prefix, nor a card without a ZIP', () => {
    expect(matches(card({ zip: '97201' }), { zips: ['981'] })).toBe(false);
    expect(matches(card({ zip: '98101' }), { zips: ['98102'] })).toBe(false);
    expect(matches(card(), { zips: ['981'] })).toBe(false);
  });

  it('matches a card in one of the states, not one elsewhere or without a state', () => {
    expect(matches(card({ state: 'WA' }), { states: ['WA', 'OR'] })).toBe(true);
    expect(matches(card({ state: 'CA' }), { states: ['WA', 'OR'] })).toBe(false);
    expect(matches(card(), { states: ['WA'] })).toBe(false);
  });
});

describe('inSegment: dates', () => {
  const visited = (lastVisitDate: string) => card({ dates: { lastVisitDate } });

  it('present: true matches a card with the date, not one without', () => {
    expect(matches(visited('2025-01-01'), { dates: { lastVisitDate: { present: true } } })).toBe(true);
    expect(matches(card(), { dates: { lastVisitDate: { present: true } } })).toBe(false);
  });

  it('present: false matches a card without the date, not one with it', () => {
    expect(matches(card(), { dates: { lastVisitDate: { present: false } } })).toBe(true);
    expect(matches(visited('2025-01-01'), { dates: { lastVisitDate: { present: false } } })).toBe(false);
  });

  it('a bound never matches a card without the date', () => {
    expect(matches(card(), { dates: { lastVisitDate: { before: '2030-01-01' } } })).toBe(false);
    expect(matches(card(), { dates: { lastVisitDate: { daysAgo: { min: 0 } } } })).toBe(false);
  });

  it('onOrAfter includes the day itself and excludes the day before', () => {
    const f = { dates: { lastVisitDate: { onOrAfter: '2025-03-10' } } };
    expect(matches(visited('2025-03-10'), f)).toBe(true);
    expect(matches(visited('2025-12-31'), f)).toBe(true);
    expect(matches(visited('2025-03-09'), f)).toBe(false);
  });

  it('before excludes the day itself and includes the day before', () => {
    const f = { dates: { lastVisitDate: { before: '2025-03-10' } } };
    expect(matches(visited('2025-03-09'), f)).toBe(true);
    expect(matches(visited('2025-03-10'), f)).toBe(false);
    expect(matches(visited('2025-03-11'), f)).toBe(false);
  });

  it('onOrAfter and before together make a half-open range', () => {
    const march = { dates: { lastVisitDate: { onOrAfter: '2025-03-01', before: '2025-04-01' } } };
    expect(['2025-02-28', '2025-03-01', '2025-03-31', '2025-04-01'].map((d) => matches(visited(d), march))).toEqual([false, true, true, false]);
  });

  it('daysAgo.min: at least that many days ago (inclusive)', () => {
    const f = { dates: { lastVisitDate: { daysAgo: { min: 365 } } } };
    expect(matches(visited('2025-06-15'), f)).toBe(true); // 365 days before 2026-06-15
    expect(matches(visited('2025-06-14'), f)).toBe(true);
    expect(matches(visited('2025-06-16'), f)).toBe(false); // 364 days
  });

  it('daysAgo.max: at most that many days ago (inclusive), never in the future', () => {
    const f = { dates: { lastVisitDate: { daysAgo: { max: 30 } } } };
    expect(matches(visited('2026-05-16'), f)).toBe(true); // 30 days
    expect(matches(visited(TODAY), f)).toBe(true); // 0 days
    expect(matches(visited('2026-05-15'), f)).toBe(false); // 31 days
    expect(matches(visited('2026-06-16'), f)).toBe(false); // tomorrow
  });

  it('daysAgo min and max together', () => {
    const f = { dates: { lastVisitDate: { daysAgo: { min: 10, max: 20 } } } };
    expect(['2026-06-06', '2026-06-05', '2026-05-26', '2026-05-25'].map((d) => matches(visited(d), f))).toEqual([false, true, true, false]);
  });

  it('daysAhead.min and max: how soon the date comes (inclusive), never in the past', () => {
    const appointment = (appointmentDate: string) => card({ appointmentDate });
    const f = { dates: { appointmentDate: { daysAhead: { min: 2, max: 7 } } } };
    expect(matches(appointment('2026-06-16'), f)).toBe(false); // 1 day
    expect(matches(appointment('2026-06-17'), f)).toBe(true); // 2 days
    expect(matches(appointment('2026-06-22'), f)).toBe(true); // 7 days
    expect(matches(appointment('2026-06-23'), f)).toBe(false); // 8 days
    expect(matches(appointment('2026-06-10'), { dates: { appointmentDate: { daysAhead: { max: 7 } } } })).toBe(false); // past
    expect(matches(appointment(TODAY), { dates: { appointmentDate: { daysAhead: { max: 7 } } } })).toBe(true);
  });

  it("reads appointmentDate from the card's appointment, not from its dates", () => {
    const f = { dates: { appointmentDate: { present: true } } };
    expect(matches(card({ appointmentDate: '2026-06-20' }), f)).toBe(true);
    expect(matches(card({ dates: { appointmentDate: '2026-06-20' } }), f)).toBe(false);
  });

  it('filters on an import column holding dates (recallDate)', () => {
    const dueForRecall = { dates: { recallDate: { daysAhead: { max: 30 } } } };
    expect(matches(card({ dates: { recallDate: '2026-07-01' } }), dueForRecall)).toBe(true);
    expect(matches(card({ dates: { recallDate: '2026-08-01' } }), dueForRecall)).toBe(false);
    expect(matches(card({ dates: { lastVisitDate: '2026-07-01' } }), dueForRecall)).toBe(false);
  });

  it('holds every date condition given', () => {
    const f = { dates: { lastVisitDate: { daysAgo: { min: 365 } }, recallDate: { present: false } } };
    expect(matches(card({ dates: { lastVisitDate: '2024-01-01' } }), f)).toBe(true);
    expect(matches(card({ dates: { lastVisitDate: '2024-01-01', recallDate: '2026-09-01' } }), f)).toBe(false);
    expect(matches(card({ dates: { lastVisitDate: '2026-06-01' } }), f)).toBe(false);
  });

  it("treats a field named like an object's own method as absent", () => {
    expect(matches(card(), { dates: { constructor: { present: false } } })).toBe(true);
    expect(matches(card(), { dates: { toString: { present: true } } })).toBe(false);
    expect(dateOf(card(), 'valueOf')).toBeUndefined();
  });
});

describe('inSegment: age', () => {
  const born = (dateOfBirth: string) => card({ dates: { dateOfBirth } });

  it('age.min counts the birthday itself, not the day before', () => {
    const adults = { dates: { dateOfBirth: { age: { min: 18 } } } };
    expect(matches(born('2008-06-15'), adults)).toBe(true); // 18 today
    expect(matches(born('2008-06-16'), adults)).toBe(false); // 18 tomorrow
    expect(matches(born('1960-01-01'), adults)).toBe(true);
  });

  it('age.max keeps the person until the day before their next birthday', () => {
    const children = { dates: { dateOfBirth: { age: { max: 17 } } } };
    expect(matches(born('2008-06-16'), children)).toBe(true); // still 17
    expect(matches(born('2008-06-15'), children)).toBe(false); // 18 today
  });

  it('age min and max together', () => {
    const f = { dates: { dateOfBirth: { age: { min: 50, max: 64 } } } };
    expect(['1976-06-16', '1976-06-15', '1961-06-16', '1961-06-15'].map((d) => matches(born(d), f))).toEqual([false, true, true, false]);
  });

  it('a Feb 29 birthday counts from Mar 1 in a non-leap year, on Feb 29 in a leap year', () => {
    const f = { dates: { dateOfBirth: { age: { min: 18 } } } };
    const leapling = born('2008-02-29');
    expect(inSegment(leapling, filter(f), { ...ctx, today: '2026-02-28' })).toBe(false);
    expect(inSegment(leapling, filter(f), { ...ctx, today: '2026-03-01' })).toBe(true);
    const f20 = { dates: { dateOfBirth: { age: { min: 20 } } } };
    expect(inSegment(leapling, filter(f20), { ...ctx, today: '2028-02-28' })).toBe(false);
    expect(inSegment(leapling, filter(f20), { ...ctx, today: '2028-02-29' })).toBe(true);
  });

  it('never matches a card without a birth date', () => {
    expect(matches(card(), { dates: { dateOfBirth: { age: { max: 150 } } } })).toBe(false);
  });
});

describe('inSegment: several conditions', () => {
  const f = {
    tags: { anyOf: ['patient'] },
    languages: ['es'],
    phoneTypes: ['MOBILE'],
    statuses: ['open'],
    consent: { granted: ['sms:care'], notOptedOut: ['sms'], notDoNotCall: true },
    zips: ['981'],
    states: ['WA'],
    dates: { lastVisitDate: { daysAgo: { min: 365 } }, dateOfBirth: { age: { min: 65 } } },
  };
  const everything = card({
    tags: ['patient'],
    language: 'es',
    phoneTypes: ['MOBILE'],
    status: 'open',
    zip: '98101',
    state: 'WA',
    dates: { lastVisitDate: '2024-11-02', dateOfBirth: '1950-05-05' },
  });

  it('matches a card meeting every condition', () => {
    expect(matches(everything, f)).toBe(true);
  });

  it.each<[string, Partial<SegmentCard>]>([
    ['a tag', { tags: ['prospect'] }],
    ['the language', { language: 'en' }],
    ['a phone type', { phoneTypes: ['LANDLINE'] }],
    ['the status', { status: 'booked' }],
    ['consent', { consent: { 'sms:care': false } }],
    ['an opt-out', { optedOut: ['sms'] }],
    ['do-not-call', { doNotCall: true }],
    ['the ZIP', { zip: '97201' }],
    ['the state', { state: 'OR' }],
    ['the last visit', { dates: { lastVisitDate: '2026-01-01', dateOfBirth: '1950-05-05' } }],
    ['the age', { dates: { lastVisitDate: '2024-11-02', dateOfBirth: '1970-05-05' } }],
  ])('does not match a card failing only %s', (_what, change) => {
    expect(matches({ ...everything, ...change }, f)).toBe(false);
  });
});

describe('dateHolds', () => {
  it('with only present, holds for any value of the right presence', () => {
    expect(dateHolds('1900-01-01', { present: true }, TODAY)).toBe(true);
    expect(dateHolds(undefined, { present: true }, TODAY)).toBe(false);
    expect(dateHolds(undefined, { present: false }, TODAY)).toBe(true);
  });

  it('present: false with a bound can never hold', () => {
    expect(dateHolds(undefined, { present: false, before: '2030-01-01' }, TODAY)).toBe(false);
  });

  it('an empty daysAgo means "today or earlier", an empty daysAhead "today or later"', () => {
    expect(dateHolds(TODAY, { daysAgo: {} }, TODAY)).toBe(true);
    expect(dateHolds('2026-06-16', { daysAgo: {} }, TODAY)).toBe(false);
    expect(dateHolds(TODAY, { daysAhead: {} }, TODAY)).toBe(true);
    expect(dateHolds('2026-06-14', { daysAhead: {} }, TODAY)).toBe(false);
  });
});

describe('daysBetween', () => {
  it('counts whole days, positive when the first date is earlier', () => {
    expect(daysBetween('2026-06-14', '2026-06-15')).toBe(1);
    expect(daysBetween('2026-06-15', '2026-06-14')).toBe(-1);
    expect(daysBetween('2026-06-15', '2026-06-15')).toBe(0);
    expect(daysBetween('2025-06-15', '2026-06-15')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
  });

  it('is not thrown off by daylight saving changes', () => {
    expect(daysBetween('2026-03-07', '2026-03-09')).toBe(2);
    expect(daysBetween('2026-10-31', '2026-11-02')).toBe(2);
  });
});

describe('ageOn', () => {
  it('counts completed years', () => {
    expect(ageOn('2000-06-15', '2026-06-14')).toBe(25);
    expect(ageOn('2000-06-15', '2026-06-15')).toBe(26);
    expect(ageOn('2000-12-31', '2026-01-01')).toBe(25);
    expect(ageOn('2026-06-15', '2026-06-15')).toBe(0);
  });

  it('a Feb 29 birthday turns over on Mar 1 in other years and on Feb 29 in leap years', () => {
    expect(ageOn('2000-02-29', '2027-02-28')).toBe(26);
    expect(ageOn('2000-02-29', '2027-03-01')).toBe(27);
    expect(ageOn('2000-02-29', '2028-02-28')).toBe(27);
    expect(ageOn('2000-02-29', '2028-02-29')).toBe(28);
  });
});

describe('segmentFilterSchema', () => {
  it('accepts a filter using every field', () => {
    const input = {
      tags: { anyOf: ['patient'], allOf: ['patient'], noneOf: ['staff'] },
      languages: ['en', 'unknown'],
      phoneTypes: ['MOBILE'],
      statuses: ['open'],
      consent: { granted: ['sms:care'], notOptedOut: ['sms', 'voice'], notDoNotCall: true },
      zips: ['981', '98101'],
      states: ['WA'],
      dates: { recallDate: { present: true, onOrAfter: '2026-01-01', before: '2027-01-01', daysAgo: { min: 1, max: 2 }, daysAhead: { min: 0, max: 9 }, age: { min: 0, max: 150 } } },
    };
    expect(filter(input)).toEqual(input);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a ZIP too short', { zips: ['98'] }, 'zips.0', /ZIP code or its first 3–4 digits/],
    ['a ZIP too long', { zips: ['981012'] }, 'zips.0', /ZIP code/],
    ['a ZIP with letters', { zips: ['98a01'] }, 'zips.0', /ZIP code/],
    ['an empty ZIP list', { zips: [] }, 'zips', />=1 items/],
    ['an empty tag list', { tags: { anyOf: [] } }, 'tags.anyOf', />=1 items/],
    ['an empty language list', { languages: [] }, 'languages', />=1 items/],
    ['an empty status list', { statuses: [] }, 'statuses', />=1 items/],
    ['an empty consent list', { consent: { granted: [] } }, 'consent.granted', />=1 items/],
    ['a blank tag', { tags: { noneOf: ['   '] } }, 'tags.noneOf.0', />=1 character/],
    ['an upper-case language', { languages: ['EN'] }, 'languages.0', /two-letter language code or "unknown"/],
    ['a lower-case state', { states: ['wa'] }, 'states.0', /two-letter state code/],
    ['an unknown phone type', { phoneTypes: ['FAX'] }, 'phoneTypes.0', /MOBILE/],
    ['an unknown status', { statuses: ['lost'] }, 'statuses.0', /open/],
    ['an unknown consent key', { consent: { granted: ['email:care'] } }, 'consent.granted.0', /sms:care/],
    ['opting out of all in notOptedOut', { consent: { notOptedOut: ['all'] } }, 'consent.notOptedOut.0', /sms/],
    ['an unknown key', { colour: 'red' }, '', /Unrecognized key: "colour"/],
    ['an unknown tags key', { tags: { someOf: ['a'] } }, 'tags', /Unrecognized key: "someOf"/],
    ['an unknown date-condition key', { dates: { lastVisitDate: { after: '2026-01-01' } } }, 'dates.lastVisitDate', /Unrecognized key: "after"/],
    ['an empty date condition', { dates: { lastVisitDate: {} } }, 'dates.lastVisitDate', /needs at least one of present, onOrAfter, before, daysAgo, daysAhead, age/],
    ['a date not as YYYY-MM-DD', { dates: { lastVisitDate: { onOrAfter: '03/10/2026' } } }, 'dates.lastVisitDate.onOrAfter', /a date as YYYY-MM-DD/],
    ['a negative day count', { dates: { lastVisitDate: { daysAgo: { min: -1 } } } }, 'dates.lastVisitDate.daysAgo.min', />=0/],
    ['a fractional day count', { dates: { lastVisitDate: { daysAhead: { max: 1.5 } } } }, 'dates.lastVisitDate.daysAhead.max', /int/i],
    ['an age over 150', { dates: { dateOfBirth: { age: { max: 151 } } } }, 'dates.dateOfBirth.age.max', /<=150/],
    ['a bad field name', { dates: { '1st visit': { present: true } } }, 'dates.1st visit', /Invalid key/],
  ])('refuses %s', (_what, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
  });
});

describe('segmentSchema', () => {
  it('accepts a named segment of a practice', () => {
    const segment = segmentSchema.parse({ name: 'spanish-patients', practice: 'sunrise-family', filter: { languages: ['es'] } });
    expect(segment).toEqual({ name: 'spanish-patients', practice: 'sunrise-family', filter: { languages: ['es'] } });
  });

  it.each(['Spanish', '-lead', 'has space', ''])('refuses the name %j', (name) => {
    const result = segmentSchema.safeParse({ name, practice: 'sunrise-family', filter: {} });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['name']);
  });

  it('refuses a description over 200 characters', () => {
    expect(segmentSchema.safeParse({ name: 'a', practice: 'p', description: 'x'.repeat(201), filter: {} }).success).toBe(false);
    expect(segmentSchema.safeParse({ name: 'a', practice: 'p', description: 'x'.repeat(200), filter: {} }).success).toBe(true);
  });
});

describe('profileCardOf', () => {
  const full = contact({
    contactId: 'c_42',
    tags: ['patient', 'diabetes'],
    language: 'es',
    status: 'booked',
    address: { line1: '1200 Pine St', city: 'Seattle', state: 'WA', zip: '98101-1234' },
    dateOfBirth: '1950-05-05',
    lastVisitDate: '2024-11-02',
    attributes: { recallDate: '2026-09-01', Plan: 'Gold', Clinic: 'North', memberSince: '2020-02-30', note: '2026-01-05 called' },
    consent: {
      'sms:care': { granted: true, source: 'import:imp_1:line 2', at: NOW },
      'sms:outreach': { granted: false, source: 'reply:m_1', at: NOW },
    },
    optedOut: { voice: NOW },
    doNotCall: NOW,
  });

  it('maps a contact to a card', () => {
    expect(profileCardOf(full)).toEqual({
      contactId: 'c_42',
      tags: ['patient', 'diabetes'],
      language: 'es',
      status: 'booked',
      consent: { 'sms:care': true, 'sms:outreach': false },
      optedOut: ['voice'],
      doNotCall: true,
      zip: '98101',
      state: 'WA',
      dates: { dateOfBirth: '1950-05-05', lastVisitDate: '2024-11-02', recallDate: '2026-09-01' },
    });
  });

  it('carries no name, number, e-mail or street', () => {
    const text = JSON.stringify(profileCardOf(full));
    for (const secret of ['Ana', 'Lopez', 'ana|lopez', '+13125550101', 'ana@example.com', 'Pine', 'Seattle', 'Gold', 'North']) {
      expect(text).not.toContain(secret);
    }
    expect(Object.keys(profileCardOf(full))).not.toEqual(expect.arrayContaining(['phones']));
  });

  it('keeps only import columns holding real calendar dates (ISO or US style)', () => {
    const { dates } = profileCardOf(contact({ attributes: { recallDate: ' 2026-09-01 ', flu: '2026-13-01', leap: '2028-02-29', noLeap: '2027-02-29', usStyle: '09/01/2026', Plan: 'Gold' } }));
    expect(dates).toEqual({ recallDate: '2026-09-01', leap: '2028-02-29', usStyle: '2026-09-01' });
  });

  it('reads a two-digit year in an import column as the year nearest today: a recall next year is next year, not a century ago', () => {
    const nextYear = new Date().getUTCFullYear() + 1;
    const { dates } = profileCardOf(contact({ attributes: { 'Recall Date': `03/01/${String(nextYear % 100).padStart(2, '0')}` } }));
    expect(dates).toEqual({ recallDate: `${nextYear}-03-01` });
  });

  it('does not let an import column replace the birth date or last visit', () => {
    const { dates } = profileCardOf(contact({ dateOfBirth: '1950-05-05', attributes: { dateOfBirth: '1999-09-09', lastVisitDate: '2020-01-01' } }));
    expect(dates).toEqual({ dateOfBirth: '1950-05-05', lastVisitDate: '2020-01-01' });
  });

  it("keeps a date column named like an object's method", () => {
    expect(profileCardOf(contact({ attributes: { toString: '2026-09-01' } })).dates).toEqual({ toString: '2026-09-01' });
  });

  it("defaults the status to 'open' and leaves out what the contact does not have", () => {
    const card = profileCardOf(contact());
    expect(card).toEqual({ contactId: 'c_1', tags: [], status: 'open', consent: {}, optedOut: [], doNotCall: false, dates: {} });
    expect('language' in card || 'zip' in card || 'state' in card).toBe(false);
  });

  it('lists every opted-out channel, including all', () => {
    expect(profileCardOf(contact({ optedOut: { sms: NOW, all: NOW } })).optedOut).toEqual(['sms', 'all']);
  });

  it('trims a ZIP+4 to its five digits and keeps a five-digit ZIP as is', () => {
    expect(profileCardOf(contact({ address: { zip: '98101-1234' } })).zip).toBe('98101');
    expect(profileCardOf(contact({ address: { zip: '60611' } })).zip).toBe('60611');
  });

  it('names a date column by its header in camelCase', () => {
    const { dates } = profileCardOf(contact({ attributes: { 'Recall Date': '2027-04-01', 'Flu shot due': '10/15/2027', 'Note': 'call after 2026-01-05' } }));
    expect(dates).toEqual({ recallDate: '2027-04-01', fluShotDue: '2027-10-15' });
  });

  it('gives a card the segment filters read as the contact would be seen', () => {
    const card = profileCardOf(full);
    expect(matches(card, { tags: { allOf: ['Patient', 'diabetes'] }, zips: ['981'], states: ['WA'], statuses: ['booked'], dates: { recallDate: { daysAhead: { max: 90 } } } })).toBe(true);
    expect(matches(card, { consent: { notOptedOut: ['voice'] } })).toBe(false);
    expect(matches(card, { consent: { notDoNotCall: true } })).toBe(false);
    expect(matches(card, { consent: { granted: ['sms:outreach'] } })).toBe(false);
  });
});
