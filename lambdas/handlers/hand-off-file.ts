/**
 * Daily task: writes each practice's scheduling hand-off file for a day — one CSV line per
 * appointment booked, moved or cancelled through the outreach, with what the scheduling team
 * enters in the EMR (who, how to reach them, when and where) — to
 * handoffs/<practice>/<date>.csv in the reports bucket. The same changes go out as
 * "Appointment Handed Off" events as they happen; the file is the day's complete list.
 */
import { DateTime } from 'luxon';
import type { HandOff } from '../domain/appointment';
import { csvLine } from '../domain/csv';
import { displayPhone } from '../domain/templates';
import { appointmentDesk } from './appointment-desk';
import { dependencies } from './cadence-support';
import { writeDailyFiles, type DailyFileWritten } from './daily-files';

export const handler = async (payload: unknown): Promise<DailyFileWritten[]> =>
  writeDailyFiles(payload, {
    prefix: 'handoffs/',
    name: 'scheduling hand-off file',
    lines: (practiceId, date) => appointmentDesk.book.handOffs(practiceId, date),
    csv: (lines) => handOffCsv(lines, (id) => dependencies().config.practices.find((p) => p.id === id)?.timeZone ?? 'UTC'),
  });

export function handOffCsv(lines: readonly HandOff[], timeZoneOf: (practiceId: string) => string): string {
  // The appointment and contact ids are what an appointment-changes file sends back.
  const header = csvLine(['change', 'appointment id', 'contact id', 'appointment date', 'appointment time', 'place', 'external id', 'first name', 'last name', 'date of birth', 'phone', 'language', 'decided at']);
  return (
    '\uFEFF' +
    header +
    lines
      .map((h) => {
        const start = DateTime.fromISO(h.at, { zone: timeZoneOf(h.practiceId) });
        const p = h.person;
        return csvLine([h.change, h.appointmentId, p.contactId, start.toISODate(), start.toFormat('HH:mm'), h.place, p.externalId, p.firstName, p.lastName, p.dateOfBirth, p.phone ? displayPhone(p.phone) : '', p.language, h.decidedAt]);
      })
      .join('')
  );
}
