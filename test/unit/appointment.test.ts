import {
  appointmentPolicySchema,
  book,
  changeAppointment,
  reminderTimes,
  reviewRequestTime,
  scheduleName,
  type Appointment,
  type AppointmentOutcome,
} from '../../lambdas/domain/appointment';

const LA = 'America/Los_Angeles';
const POLICY = appointmentPolicySchema.parse(undefined);
const NOW = new Date('2026-11-20T18:00:00Z');
const BASE = { appointmentId: 'apt-1', practiceId: 'sunrise-family', contactId: 'c-1' };
const appointment = (patch: Partial<Appointment> = {}): Appointment => ({ ...BASE, at: '2026-12-03T22:30:00Z', status: 'booked', version: 1, ...patch });
const effectsOf = (o: AppointmentOutcome) => {
  if (!o.ok) throw new Error(o.reason);
  return o.effects;
};

describe('reminderTimes (defaults: 7 days and 2 days before at 10:00, the same day at 08:00, local)', () => {
  it('puts each reminder on its local day and time before a visit at 14:30 on 3 December', () => {
    expect(reminderTimes('2026-12-03T22:30:00Z', LA, POLICY, NOW)).toEqual([
      { id: '7d', at: '2026-11-26T18:00:00Z' },
      { id: '2d', at: '2026-12-01T18:00:00Z' },
      { id: 'same-day', at: '2026-12-03T16:00:00Z' },
    ]);
  });

  it('keeps local 10:00 across the spring-forward change (PST before, PDT after 14 March 2027)', () => {
    expect(reminderTimes('2027-03-16T21:00:00Z', LA, POLICY, new Date('2027-03-01T00:00:00Z'))).toEqual([
      { id: '7d', at: '2027-03-09T18:00:00Z' },
      { id: '2d', at: '2027-03-14T17:00:00Z' },
      { id: 'same-day', at: '2027-03-16T15:00:00Z' },
    ]);
  });

  it('drops the reminders already past when the booking is made late', () => {
    expect(reminderTimes('2026-11-22T22:30:00Z', LA, POLICY, NOW).map((r) => r.id)).toEqual(['same-day']);
  });

  it('drops the same-day reminder when it would come less than an hour before the start', () => {
    // 08:30 local: 08:00 is 30 minutes before.
    expect(reminderTimes('2026-12-03T16:30:00Z', LA, POLICY, NOW).map((r) => r.id)).toEqual(['7d', '2d']);
  });

  it('makes one of two reminders configured for the same instant', () => {
    const policy = appointmentPolicySchema.parse({ reminders: [{ id: 'a', daysBefore: 1, at: '09:00' }, { id: 'b', daysBefore: 1, at: '09:00' }] });
    expect(reminderTimes('2026-12-03T22:30:00Z', LA, policy, NOW)).toEqual([{ id: 'a', at: '2026-12-02T17:00:00Z' }]);
  });
});

describe('appointment policy config', () => {
  it('refuses a reminder at a time that is not HH:MM, and two reminders with one id', () => {
    expect(() => appointmentPolicySchema.parse({ reminders: [{ id: 'x', daysBefore: 1, at: '9am' }] })).toThrow('a local time as HH:MM (24-hour)');
    expect(() => appointmentPolicySchema.parse({ reminders: [{ id: 'x', daysBefore: 1, at: '09:00' }, { id: 'x', daysBefore: 2, at: '09:00' }] })).toThrow('reminder ids must differ');
  });
});

describe('reviewRequestTime', () => {
  it('is the next local day at 10:00 by default, whatever the hour of the visit', () => {
    expect(reviewRequestTime('2026-12-04T06:30:00Z', LA, POLICY)).toEqual({ id: 'review', at: '2026-12-04T18:00:00Z' }); // visit 22:30 on 3 Dec local
  });
});

describe('scheduleName', () => {
  it('is the same for the same appointment and message, at most 64 allowed characters', () => {
    const name = scheduleName('apt:1/ü'.repeat(12), 'same-day');
    expect(name).toBe(scheduleName('apt:1/ü'.repeat(12), 'same-day'));
    expect(name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(scheduleName('apt-1', '7d')).toBe('appt-apt-1-7d');
  });
});

describe('book', () => {
  it('confirms now, schedules the reminders still ahead and hands off to the scheduling team', () => {
    const outcome = book({ ...BASE, at: '2026-12-03T22:30:00Z' }, LA, POLICY, NOW);
    expect(outcome).toEqual({
      ok: true,
      appointment: appointment(),
      effects: [{ kind: 'send-confirmation' }, { kind: 'schedule-reminders', messages: reminderTimes('2026-12-03T22:30:00Z', LA, POLICY, NOW) }, { kind: 'hand-off', change: 'booked', decidedAt: NOW.toISOString() }],
    });
  });
});

describe('changeAppointment', () => {
  const change = (current: Appointment, c: Parameters<typeof changeAppointment>[1], now = NOW) => changeAppointment(current, c, LA, POLICY, now);

  it('confirms once; a second confirmation changes nothing', () => {
    const first = change(appointment(), { kind: 'confirm' });
    expect(first).toEqual({ ok: true, appointment: appointment({ status: 'confirmed', version: 2 }), effects: [] });
    expect(change(appointment({ status: 'confirmed' }), { kind: 'confirm' })).toEqual({ ok: false, reason: 'the appointment is already confirmed' });
  });

  it('cancelling removes every reminder, tells the scheduling team and starts the cancellation follow-up', () => {
    expect(effectsOf(change(appointment(), { kind: 'cancel', by: 'person' }))).toEqual([
      { kind: 'delete-reminders', ids: ['7d', '2d', 'same-day'] },
      { kind: 'hand-off', change: 'cancelled', decidedAt: NOW.toISOString() },
      { kind: 'set-person-status', status: 'open' },
      { kind: 'start-cadence', purpose: 'cancellation' },
    ]);
  });

  it('rescheduling moves the reminders to the new date and confirms the new time', () => {
    const outcome = change(appointment({ status: 'confirmed' }), { kind: 'reschedule', at: '2026-12-10T17:00:00Z' });
    expect(outcome.ok && outcome.appointment).toMatchObject({ at: '2026-12-10T17:00:00Z', status: 'booked', version: 2 });
    expect(effectsOf(outcome)).toEqual([
      { kind: 'delete-reminders', ids: ['7d', '2d', 'same-day'] },
      {
        kind: 'schedule-reminders',
        messages: [
          { id: '7d', at: '2026-12-03T18:00:00Z' },
          { id: '2d', at: '2026-12-08T18:00:00Z' },
          { id: 'same-day', at: '2026-12-10T16:00:00Z' },
        ],
      },
      { kind: 'send-confirmation' },
      { kind: 'hand-off', change: 'rescheduled', decidedAt: NOW.toISOString() },
    ]);
  });

  it('refuses a reschedule to the same time or into the past', () => {
    expect(change(appointment(), { kind: 'reschedule', at: '2026-12-03T22:30:00Z' })).toEqual({ ok: false, reason: 'the appointment is already at that time' });
    expect(change(appointment(), { kind: 'reschedule', at: '2026-11-19T22:30:00Z' })).toEqual({ ok: false, reason: 'the new time is in the past' });
  });

  it('a no-show only after the start; it starts the no-show follow-up', () => {
    expect(change(appointment(), { kind: 'no-show' })).toEqual({ ok: false, reason: 'the appointment has not started yet' });
    expect(effectsOf(change(appointment(), { kind: 'no-show' }, new Date('2026-12-04T00:00:00Z')))).toEqual([
      { kind: 'delete-reminders', ids: ['7d', '2d', 'same-day'] },
      { kind: 'set-person-status', status: 'open' },
      { kind: 'start-cadence', purpose: 'no-show' },
    ]);
  });

  it('seen: the visit is done and the review request goes out the next local day', () => {
    const outcome = change(appointment({ status: 'confirmed' }), { kind: 'seen' }, new Date('2026-12-04T00:00:00Z'));
    expect(outcome.ok && outcome.appointment.status).toBe('seen');
    expect(effectsOf(outcome)).toContainEqual({ kind: 'schedule-review', message: { id: 'review', at: '2026-12-04T18:00:00Z' } });
    expect(effectsOf(outcome)).toContainEqual({ kind: 'set-person-status', status: 'already-patient' });
  });

  it.each(['cancelled', 'no-show', 'seen'] as const)('changes nothing on a %s appointment', (status) => {
    expect(change(appointment({ status }), { kind: 'cancel', by: 'practice' })).toEqual({ ok: false, reason: `the appointment is ${status}` });
  });
});
