import { agentHoursAt, closedDays, WEEKDAYS, type WeeklyHours } from '../../lambdas/domain/agent-hours';

// The practice is in Chicago. June 2026: CDT (UTC-5); 2026-06-03 is a Wednesday.
const ZONE = 'America/Chicago';
const WEEKDAY_HOURS: WeeklyHours = { mon: { open: '09:00', close: '17:00' }, tue: { open: '09:00', close: '17:00' }, wed: { open: '09:00', close: '17:00' }, thu: { open: '09:00', close: '17:00' }, fri: { open: '09:00', close: '17:00' } };

function at(instant: string, hours: WeeklyHours = WEEKDAY_HOURS, closed: readonly string[] = []) {
  const answer = agentHoursAt(new Date(instant), hours, ZONE, new Set(closed));
  return { open: answer.open, opensAt: answer.opensAt?.toISOString() ?? null };
}

describe('agentHoursAt', () => {
  it('is open inside the hours, in the practice time zone', () => {
    expect(at('2026-06-03T15:00:00.000Z')).toEqual({ open: true, opensAt: null }); // Wed 10:00 CDT
  });

  it('is open at the opening minute and closed at the closing minute', () => {
    expect(at('2026-06-03T14:00:00.000Z')).toEqual({ open: true, opensAt: null }); // 09:00
    expect(at('2026-06-03T21:59:59.999Z')).toEqual({ open: true, opensAt: null }); // 16:59:59.999
    expect(at('2026-06-03T22:00:00.000Z')).toEqual({ open: false, opensAt: '2026-06-04T14:00:00.000Z' }); // 17:00 → Thu 09:00
  });

  it('opens later the same day when asked before opening', () => {
    expect(at('2026-06-03T12:00:00.000Z')).toEqual({ open: false, opensAt: '2026-06-03T14:00:00.000Z' }); // 07:00 → 09:00
  });

  it('reads the clock in the practice zone, not in UTC', () => {
    // 13:30Z is past 09:00 in UTC but only 08:30 in Chicago.
    expect(at('2026-06-03T13:30:00.000Z')).toEqual({ open: false, opensAt: '2026-06-03T14:00:00.000Z' });
  });

  it('opens the next day when asked after closing', () => {
    expect(at('2026-06-03T23:30:00.000Z')).toEqual({ open: false, opensAt: '2026-06-04T14:00:00.000Z' }); // Wed 18:30 → Thu 09:00
  });

  it('opens the next day when asked after local midnight but before opening', () => {
    expect(at('2026-06-04T05:30:00.000Z')).toEqual({ open: false, opensAt: '2026-06-04T14:00:00.000Z' }); // Thu 00:30 → Thu 09:00
  });

  it('skips the weekend: Friday evening opens on Monday', () => {
    expect(at('2026-06-05T23:00:00.000Z')).toEqual({ open: false, opensAt: '2026-06-08T14:00:00.000Z' }); // Fri 18:00 → Mon 09:00
  });

  it('is closed on a day with no hours, even in the middle of it', () => {
    expect(at('2026-06-06T17:00:00.000Z')).toEqual({ open: false, opensAt: '2026-06-08T14:00:00.000Z' }); // Sat 12:00 → Mon 09:00
  });

  it('keeps different hours for different days', () => {
    const hours: WeeklyHours = { ...WEEKDAY_HOURS, sat: { open: '10:00', close: '14:00' } };

    expect(at('2026-06-05T23:00:00.000Z', hours)).toEqual({ open: false, opensAt: '2026-06-06T15:00:00.000Z' }); // Fri 18:00 → Sat 10:00
    expect(at('2026-06-06T18:59:00.000Z', hours)).toEqual({ open: true, opensAt: null }); // Sat 13:59
    expect(at('2026-06-06T19:00:00.000Z', hours)).toEqual({ open: false, opensAt: '2026-06-08T14:00:00.000Z' }); // Sat 14:00 → Mon
  });

  it('is closed all day on a holiday, even inside the hours', () => {
    expect(at('2026-06-03T15:00:00.000Z', WEEKDAY_HOURS, ['2026-06-03'])).toEqual({ open: false, opensAt: '2026-06-04T14:00:00.000Z' });
  });

  it('skips a holiday when finding the next opening', () => {
    expect(at('2026-06-05T23:00:00.000Z', WEEKDAY_HOURS, ['2026-06-08'])).toEqual({ open: false, opensAt: '2026-06-09T14:00:00.000Z' }); // Fri → Tue
  });

  it('judges the holiday on the practice local date', () => {
    // 2026-06-04T03:00Z is still Wednesday 22:00 in Chicago; Thursday the 4th is the holiday.
    expect(at('2026-06-04T03:00:00.000Z', WEEKDAY_HOURS, ['2026-06-04'])).toEqual({ open: false, opensAt: '2026-06-05T14:00:00.000Z' });
  });

  it('opens at 09:00 CDT on the Monday after clocks go forward (14:00Z, not 15:00Z)', () => {
    expect(at('2026-03-07T00:00:00.000Z')).toEqual({ open: false, opensAt: '2026-03-09T14:00:00.000Z' }); // Fri 18:00 CST → Mon 09:00 CDT
  });

  it('opens at 09:00 CST on the Monday after clocks go back (15:00Z, not 14:00Z)', () => {
    expect(at('2026-10-30T23:00:00.000Z')).toEqual({ open: false, opensAt: '2026-11-02T15:00:00.000Z' }); // Fri 18:00 CDT → Mon 09:00 CST
  });

  it('keeps wall-clock hours on the day the clocks change', () => {
    const sundays: WeeklyHours = { sun: { open: '09:00', close: '12:00' } };

    expect(at('2026-03-08T14:00:00.000Z', sundays)).toEqual({ open: true, opensAt: null }); // Sun 09:00 CDT
    expect(at('2026-03-08T07:00:00.000Z', sundays)).toEqual({ open: false, opensAt: '2026-03-08T14:00:00.000Z' }); // Sun 01:00 CST
    expect(at('2026-11-01T06:30:00.000Z', sundays)).toEqual({ open: false, opensAt: '2026-11-01T15:00:00.000Z' }); // Sun 01:30 CDT → 09:00 CST
  });

  it('has no opening when the center has no hours at all', () => {
    expect(at('2026-06-03T15:00:00.000Z', {})).toEqual({ open: false, opensAt: null });
  });

  it('has no opening when the next one is more than 14 days away', () => {
    const mondays: WeeklyHours = { mon: { open: '09:00', close: '17:00' } };

    expect(at('2026-06-02T15:00:00.000Z', mondays, ['2026-06-08', '2026-06-15'])).toEqual({ open: false, opensAt: null }); // Tue → two closed Mondays
    expect(at('2026-06-02T15:00:00.000Z', mondays, ['2026-06-08'])).toEqual({ open: false, opensAt: '2026-06-15T14:00:00.000Z' });
  });

  it('answers in another zone by that zone', () => {
    const answer = agentHoursAt(new Date('2026-06-03T15:30:00.000Z'), WEEKDAY_HOURS, 'America/Los_Angeles'); // 08:30 PDT

    expect(answer).toEqual({ open: false, opensAt: new Date('2026-06-03T16:00:00.000Z') });
  });

  it('lists weekdays Monday first, as luxon numbers them', () => {
    expect(WEEKDAYS).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  });
});

describe('closedDays', () => {
  it('are the national holidays of the send-window list: a state\'s holiday does not close the center', () => {
    expect(
      closedDays([
        { date: '2026-12-25', name: 'Christmas Day' },
        { date: '2027-02-09', name: 'Mardi Gras', states: ['LA'] },
        { date: '2026-11-26', name: 'Thanksgiving Day', states: [] },
      ]),
    ).toEqual([
      { date: '2026-12-25', name: 'Christmas Day' },
      { date: '2026-11-26', name: 'Thanksgiving Day' },
    ]);
  });
});
