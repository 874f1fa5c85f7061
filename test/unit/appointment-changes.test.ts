import { readChangeRow } from '../../lambdas/domain/appointment-changes';

const LA = 'America/Los_Angeles';
const row = (change: string, extra: Record<string, string> = {}) => ({ 'Appointment ID': 'a-1', 'Contact ID': 'c-1', Change: change, ...extra });

describe('readChangeRow', () => {
  it.each([
    ['Confirmed', { kind: 'confirm' }],
    ['cancel', { kind: 'cancel', by: 'practice' }],
    ['CANCELED', { kind: 'cancel', by: 'practice' }],
    ['No-Show', { kind: 'no-show' }],
    ['no show', { kind: 'no-show' }],
    ['Completed', { kind: 'seen' }],
    ['seen', { kind: 'seen' }],
  ])('reads "%s" as that change', (change, expected) => {
    expect(readChangeRow(row(change), LA)).toEqual({ ok: true, row: { appointmentId: 'a-1', contactId: 'c-1', change: expected } });
  });

  it('reads a new time in the practice\'s zone (or with its own offset) and a place, whatever the headers\' case and punctuation', () => {
    expect(readChangeRow({ appointment_id: 'a-2', contactId: 'c-2', STATUS: 'rescheduled', 'New Time': '2027-03-17 10:00', Location: 'Annex' }, LA)).toEqual({
      ok: true,
      row: { appointmentId: 'a-2', contactId: 'c-2', change: { kind: 'reschedule', at: '2027-03-17T17:00:00Z', place: 'Annex' } },
    });
    expect(readChangeRow(row('moved', { at: '2027-03-17T10:00:00-04:00' }), LA)).toMatchObject({ ok: true, row: { change: { at: '2027-03-17T14:00:00Z' } } });
  });

  it('says what is missing or wrong, never guessing', () => {
    expect(readChangeRow({ Change: 'seen' }, LA)).toEqual({ ok: false, reason: 'no appointment id' });
    expect(readChangeRow({ 'Appointment ID': 'a-1', Change: 'seen' }, LA)).toEqual({ ok: false, reason: 'no contact id' });
    expect(readChangeRow(row('maybe'), LA)).toEqual({ ok: false, reason: 'unknown change "maybe" (confirm, cancel, reschedule, no-show or seen)' });
    expect(readChangeRow(row(''), LA)).toEqual({ ok: false, reason: 'no change' });
    expect(readChangeRow(row('reschedule'), LA)).toEqual({ ok: false, reason: 'reschedule needs the new time' });
    expect(readChangeRow(row('reschedule', { 'new time': 'next week' }), LA)).toEqual({ ok: false, reason: 'new time "next week" is not a date and time (YYYY-MM-DD HH:MM)' });
  });
});
