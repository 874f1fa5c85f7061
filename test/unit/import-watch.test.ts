import { importMissing } from '../../lambdas/domain/import-watch';

describe('importMissing', () => {
  const LA = 'America/Los_Angeles';
  // 2027-03-06 20:00 in Los Angeles (PST, UTC-8): day 6, after a due day of 5.
  const MARCH_6_LA = new Date('2027-03-07T04:00:00Z');

  it('says nothing is missing up to and on the due day, even with no import at all', () => {
    expect(importMissing({ now: new Date('2027-03-01T20:00:00Z'), timeZone: LA, dueDay: 5 })).toBe(false);
    expect(importMissing({ now: new Date('2027-03-06T07:59:00Z'), timeZone: LA, dueDay: 5 })).toBe(false); // Mar 5, 23:59 in LA
  });

  it('says the file is missing once the due day has passed and no import started this month', () => {
    expect(importMissing({ now: MARCH_6_LA, timeZone: LA, dueDay: 5 })).toBe(true);
    expect(importMissing({ now: MARCH_6_LA, timeZone: LA, dueDay: 5, latestImportStartedAt: '2027-02-03T17:00:00.000Z' })).toBe(true);
  });

  it('says nothing is missing once an import started this month, however late', () => {
    expect(importMissing({ now: MARCH_6_LA, timeZone: LA, dueDay: 5, latestImportStartedAt: '2027-03-06T18:00:00.000Z' })).toBe(false);
    expect(importMissing({ now: new Date('2027-03-29T18:00:00Z'), timeZone: LA, dueDay: 5, latestImportStartedAt: '2027-03-02T18:00:00.000Z' })).toBe(false);
  });

  it('reads the month and the due day in the practice\'s time zone', () => {
    // 2027-03-01T07:00Z is Feb 28, 23:00 in Los Angeles but Mar 1, 02:00 in New York.
    const startedAt = '2027-03-01T07:00:00.000Z';
    expect(importMissing({ now: MARCH_6_LA, timeZone: LA, dueDay: 5, latestImportStartedAt: startedAt })).toBe(true);
    expect(importMissing({ now: MARCH_6_LA, timeZone: 'America/New_York', dueDay: 5, latestImportStartedAt: startedAt })).toBe(false);
    // 2027-03-06T06:00Z: already day 6 in New York (01:00), still day 5 in Los Angeles (22:00).
    const early = new Date('2027-03-06T06:00:00Z');
    expect(importMissing({ now: early, timeZone: 'America/New_York', dueDay: 5 })).toBe(true);
    expect(importMissing({ now: early, timeZone: LA, dueDay: 5 })).toBe(false);
  });
});
