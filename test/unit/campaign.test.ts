import { campaignSchema, dueOccurrence, stillDue, type Campaign } from '../../lambdas/domain/campaign';
import type { SegmentCard } from '../../lambdas/domain/segment';

function card(over: Partial<SegmentCard> = {}): SegmentCard {
  return { contactId: 'c_1', tags: [], status: 'open', consent: {}, optedOut: [], doNotCall: false, dates: {}, ...over };
}

/** A campaign as the config gives it (defaults filled by the schema). */
function campaign(date: { field: string; offsetDays?: number; yearly?: boolean }, over: Record<string, unknown> = {}): Campaign {
  return campaignSchema.parse({ name: 'test-campaign', practice: 'sunrise-family', date, templates: { sms: 'sms-care-gap' }, ...over });
}

/** dueOccurrence on each day, as a map of day → occurrence id (or null). */
function dueOn(c: SegmentCard, camp: Campaign, days: string[]): Record<string, string | null> {
  return Object.fromEntries(days.map((d) => [d, dueOccurrence(c, camp, d)?.id ?? null]));
}

describe('campaignSchema', () => {
  it('fills the defaults: no offset, once, at 10:00, one grace day', () => {
    const c = campaign({ field: 'lastVisitDate' });
    expect(c.date).toEqual({ field: 'lastVisitDate', offsetDays: 0, yearly: false });
    expect(c.at).toBe('10:00');
    expect(c.graceDays).toBe(1);
    expect(c.segment).toBeUndefined();
  });

  it('accepts a segment, an extra filter and both templates', () => {
    const c = campaign({ field: 'dateOfBirth', yearly: true }, { segment: 'patients', filter: { languages: ['es'] }, templates: { sms: 'a', voicemail: 'b' }, at: '09:30', graceDays: 3 });
    expect(c).toMatchObject({ segment: 'patients', filter: { languages: ['es'] }, templates: { sms: 'a', voicemail: 'b' }, at: '09:30', graceDays: 3 });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a name with capitals', { name: 'Birthday' }, 'name'],
    ['no template', { templates: {} }, 'templates'],
    ['a bad field name', { date: { field: 'last visit' } }, 'date.field'],
    ['a fractional offset', { date: { field: 'lastVisitDate', offsetDays: 1.5 } }, 'date.offsetDays'],
    ['an offset over ten years', { date: { field: 'lastVisitDate', offsetDays: 3651 } }, 'date.offsetDays'],
    ['more than 30 grace days', { graceDays: 31 }, 'graceDays'],
    ['a bad time', { at: '25:00' }, 'at'],
    ['an unknown key', { repeat: true }, ''],
  ])('refuses %s', (_what, over, path) => {
    const result = campaignSchema.safeParse({ name: 'c', practice: 'p', date: { field: 'lastVisitDate' }, templates: { sms: 's' }, ...over });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('says what a template-less campaign needs', () => {
    const result = campaignSchema.safeParse({ name: 'c', practice: 'p', date: { field: 'lastVisitDate' }, templates: {} });
    expect(result.error!.issues[0]!.message).toBe('a broadcast needs an sms or a voicemail template');
  });
});

describe('dueOccurrence: once', () => {
  const yearAfterVisit = campaign({ field: 'lastVisitDate', offsetDays: 365 });
  const visited = card({ dates: { lastVisitDate: '2025-03-10' } });

  it('is due exactly 365 days after the last visit, with the visit date as the occurrence', () => {
    expect(dueOccurrence(visited, yearAfterVisit, '2026-03-10')).toEqual({ id: '2025-03-10', sendDate: '2026-03-10' });
  });

  it('is not due the day before', () => {
    expect(dueOccurrence(visited, yearAfterVisit, '2026-03-09')).toBeUndefined();
  });

  it('is still due within the grace days after, and not after them', () => {
    expect(dueOn(visited, yearAfterVisit, ['2026-03-11', '2026-03-12'])).toEqual({ '2026-03-11': '2025-03-10', '2026-03-12': null });
    const threeGraceDays = campaign({ field: 'lastVisitDate', offsetDays: 365 }, { graceDays: 3 });
    expect(dueOn(visited, threeGraceDays, ['2026-03-09', '2026-03-10', '2026-03-13', '2026-03-14'])).toEqual({
      '2026-03-09': null,
      '2026-03-10': '2025-03-10',
      '2026-03-13': '2025-03-10',
      '2026-03-14': null,
    });
    // The send date stays the one it was due on.
    expect(dueOccurrence(visited, threeGraceDays, '2026-03-13')!.sendDate).toBe('2026-03-10');
  });

  it('with no grace days is due on the day only', () => {
    const strict = campaign({ field: 'lastVisitDate', offsetDays: 365 }, { graceDays: 0 });
    expect(dueOn(visited, strict, ['2026-03-09', '2026-03-10', '2026-03-11'])).toEqual({ '2026-03-09': null, '2026-03-10': '2025-03-10', '2026-03-11': null });
  });

  it('counts 365 days across a leap day (not "the same date next year")', () => {
    const before = card({ dates: { lastVisitDate: '2027-06-01' } });
    expect(dueOccurrence(before, yearAfterVisit, '2028-05-31')).toEqual({ id: '2027-06-01', sendDate: '2028-05-31' });
    expect(dueOccurrence(before, yearAfterVisit, '2028-06-01')!.sendDate).toBe('2028-05-31'); // a grace day
  });

  it('is never due again in later years', () => {
    expect(dueOn(visited, yearAfterVisit, ['2027-03-10', '2028-03-10', '2025-03-10'])).toEqual({ '2027-03-10': null, '2028-03-10': null, '2025-03-10': null });
  });

  it('with a negative offset is due that many days before the date (30 days before a recall)', () => {
    const recall = campaign({ field: 'recallDate', offsetDays: -30 });
    const due = card({ dates: { recallDate: '2026-09-15' } });
    expect(dueOccurrence(due, recall, '2026-08-16')).toEqual({ id: '2026-09-15', sendDate: '2026-08-16' });
    expect(dueOn(due, recall, ['2026-08-15', '2026-08-17', '2026-08-18', '2026-09-15'])).toEqual({
      '2026-08-15': null,
      '2026-08-17': '2026-09-15',
      '2026-08-18': null,
      '2026-09-15': null,
    });
  });

  it('with no offset is due on the date itself (an appointment day)', () => {
    const onTheDay = campaign({ field: 'appointmentDate' });
    const booked = card({ appointmentDate: '2026-07-01' });
    expect(dueOccurrence(booked, onTheDay, '2026-07-01')).toEqual({ id: '2026-07-01', sendDate: '2026-07-01' });
    expect(dueOccurrence(booked, onTheDay, '2026-06-30')).toBeUndefined();
  });

  it('is undefined for a person without the date', () => {
    expect(dueOccurrence(card(), yearAfterVisit, '2026-03-10')).toBeUndefined();
    expect(dueOccurrence(card({ dates: { dateOfBirth: '2025-03-10' } }), yearAfterVisit, '2026-03-10')).toBeUndefined();
  });
});

describe('dueOccurrence: yearly', () => {
  const birthday = campaign({ field: 'dateOfBirth', yearly: true });
  const born = (dateOfBirth: string) => card({ dates: { dateOfBirth } });

  it('is due on the anniversary each year, with an occurrence id per year', () => {
    const person = born('1980-07-04');
    const y2026 = dueOccurrence(person, birthday, '2026-07-04');
    const y2027 = dueOccurrence(person, birthday, '2027-07-04');
    expect(y2026).toEqual({ id: '1980-07-04@2026', sendDate: '2026-07-04' });
    expect(y2027).toEqual({ id: '1980-07-04@2027', sendDate: '2027-07-04' });
    expect(y2026!.id).not.toBe(y2027!.id);
  });

  it('is due within the grace days after the anniversary and not the day before or after them', () => {
    const person = born('1980-07-04');
    expect(dueOn(person, birthday, ['2026-07-03', '2026-07-04', '2026-07-05', '2026-07-06'])).toEqual({
      '2026-07-03': null,
      '2026-07-04': '1980-07-04@2026',
      '2026-07-05': '1980-07-04@2026',
      '2026-07-06': null,
    });
  });

  it('is never due in the year of the date itself', () => {
    const baby = born('2026-03-10');
    expect(dueOn(baby, birthday, ['2026-03-10', '2026-03-11'])).toEqual({ '2026-03-10': null, '2026-03-11': null });
    expect(dueOccurrence(baby, birthday, '2027-03-10')).toEqual({ id: '2026-03-10@2027', sendDate: '2027-03-10' });
  });

  it('is never due before the date (a birth date in the future)', () => {
    expect(dueOccurrence(born('2030-03-10'), birthday, '2029-03-10')).toBeUndefined();
  });

  it('keeps a Feb 29 birthday on Feb 28 in a non-leap year and on Feb 29 in a leap year', () => {
    const leapling = born('2000-02-29');
    expect(dueOccurrence(leapling, birthday, '2027-02-28')).toEqual({ id: '2000-02-29@2027', sendDate: '2027-02-28' });
    expect(dueOccurrence(leapling, birthday, '2027-02-27')).toBeUndefined();
    expect(dueOccurrence(leapling, birthday, '2028-02-28')).toBeUndefined();
    expect(dueOccurrence(leapling, birthday, '2028-02-29')).toEqual({ id: '2000-02-29@2028', sendDate: '2028-02-29' });
    // The grace day after Feb 28 is Mar 1 in a non-leap year.
    expect(dueOccurrence(leapling, birthday, '2027-03-01')).toEqual({ id: '2000-02-29@2027', sendDate: '2027-02-28' });
    expect(dueOccurrence(leapling, birthday, '2027-03-02')).toBeUndefined();
  });

  it('with an offset crossing New Year counts the occurrence for the year of the anniversary', () => {
    const threeDaysBefore = campaign({ field: 'dateOfBirth', yearly: true, offsetDays: -3 });
    const person = born('1990-01-02');
    expect(dueOccurrence(person, threeDaysBefore, '2026-12-30')).toEqual({ id: '1990-01-02@2027', sendDate: '2026-12-30' });
    expect(dueOccurrence(person, threeDaysBefore, '2026-12-31')).toEqual({ id: '1990-01-02@2027', sendDate: '2026-12-30' });
    expect(dueOccurrence(person, threeDaysBefore, '2026-12-29')).toBeUndefined();
    expect(dueOccurrence(person, threeDaysBefore, '2027-01-01')).toBeUndefined();
    expect(dueOccurrence(person, threeDaysBefore, '2027-01-02')).toBeUndefined();
  });

  it('with a positive offset crossing New Year counts it for the year before', () => {
    const weekAfter = campaign({ field: 'dateOfBirth', yearly: true, offsetDays: 7 });
    const person = born('1990-12-28');
    expect(dueOccurrence(person, weekAfter, '2027-01-04')).toEqual({ id: '1990-12-28@2026', sendDate: '2027-01-04' });
    expect(dueOccurrence(person, weekAfter, '2026-12-28')).toBeUndefined();
  });

  it.each([
    [400, '1990-01-10@2026', '2027-02-14'],
    [-400, '1990-01-10@2028', '2026-12-06'],
    [800, '1990-01-10@2025', '2027-03-21'],
    [-800, '1990-01-10@2029', '2026-11-02'],
  ])('with an offset of more than a year (%i days) is still due once a year', (offsetDays, id, sendDate) => {
    const far = campaign({ field: 'dateOfBirth', yearly: true, offsetDays });
    const person = born('1990-01-10');
    expect(dueOccurrence(person, far, sendDate)).toEqual({ id, sendDate });
    const ids = new Set<string>();
    for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2029, 0, 1); d += 86_400_000) {
      const o = dueOccurrence(person, far, new Date(d).toISOString().slice(0, 10));
      if (o) ids.add(o.id);
    }
    expect(ids.size).toBe(3);
  });

  it('yields one occurrence per year over a run of days (exactly one send date a year)', () => {
    const person = born('1985-10-20');
    const ids = new Set<string>();
    const sendDates = new Set<string>();
    for (let d = Date.UTC(2026, 0, 1); d < Date.UTC(2029, 0, 1); d += 86_400_000) {
      const o = dueOccurrence(person, birthday, new Date(d).toISOString().slice(0, 10));
      if (o) (ids.add(o.id), sendDates.add(o.sendDate));
    }
    expect([...ids]).toEqual(['1985-10-20@2026', '1985-10-20@2027', '1985-10-20@2028']);
    expect([...sendDates]).toEqual(['2026-10-20', '2027-10-20', '2028-10-20']);
  });

  it('is undefined for a person without the date', () => {
    expect(dueOccurrence(card(), birthday, '2026-07-04')).toBeUndefined();
  });
});

describe('stillDue', () => {
  const recall = campaign({ field: 'recallDate', offsetDays: -30 });
  const birthday = campaign({ field: 'dateOfBirth', yearly: true });

  it('is true while the date the occurrence came from is still the person\'s', () => {
    const person = card({ dates: { recallDate: '2026-09-15' } });
    const occurrence = dueOccurrence(person, recall, '2026-08-16')!;
    expect(stillDue(person, recall, occurrence.id)).toBe(true);
  });

  it('is false once the date changed, and a new occurrence comes from the new date', () => {
    const before = card({ dates: { recallDate: '2026-09-15' } });
    const occurrence = dueOccurrence(before, recall, '2026-08-16')!;
    const moved = card({ dates: { recallDate: '2026-10-15' } });
    expect(stillDue(moved, recall, occurrence.id)).toBe(false);
    expect(dueOccurrence(moved, recall, '2026-09-15')!.id).toBe('2026-10-15');
  });

  it('is false once the date is gone', () => {
    expect(stillDue(card(), recall, '2026-09-15')).toBe(false);
  });

  it('reads the anchor out of a yearly occurrence id', () => {
    const person = card({ dates: { dateOfBirth: '1980-07-04' } });
    const occurrence = dueOccurrence(person, birthday, '2026-07-04')!;
    expect(stillDue(person, birthday, occurrence.id)).toBe(true);
    expect(stillDue(card({ dates: { dateOfBirth: '1980-07-05' } }), birthday, occurrence.id)).toBe(false);
  });
});
