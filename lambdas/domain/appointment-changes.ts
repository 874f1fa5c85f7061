/**
 * A practice's appointment-changes file: one row per appointment it confirmed, cancelled,
 * moved, or reports missed or seen — what its scheduling system knows that the outreach does
 * not. Pure: a row in, a change (or the reason it cannot be one) out. Columns are matched
 * case- and punctuation-insensitively; the ids are those of the hand-off file.
 */
import { DateTime } from 'luxon';
import type { AppointmentChange } from './appointment';

export interface ChangeRow {
  readonly appointmentId: string;
  readonly contactId: string;
  readonly change: AppointmentChange;
}

export type ChangeRowReading = { readonly ok: true; readonly row: ChangeRow } | { readonly ok: false; readonly reason: string };

const COLUMNS: Readonly<Record<string, readonly string[]>> = {
  appointmentId: ['appointmentid', 'appointment', 'apptid'],
  contactId: ['contactid', 'contact', 'personid'],
  change: ['change', 'status', 'action', 'outcome'],
  at: ['newtime', 'newdatetime', 'at', 'appointmentat', 'datetime', 'when', 'newappointmenttime'],
  place: ['place', 'location', 'newplace'],
};

const KINDS: Readonly<Record<string, AppointmentChange['kind']>> = {
  confirm: 'confirm',
  confirmed: 'confirm',
  cancel: 'cancel',
  cancelled: 'cancel',
  canceled: 'cancel',
  reschedule: 'reschedule',
  rescheduled: 'reschedule',
  moved: 'reschedule',
  noshow: 'no-show',
  missed: 'no-show',
  dna: 'no-show',
  seen: 'seen',
  completed: 'seen',
  attended: 'seen',
  arrived: 'seen',
};

const key = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The value of a field from a row keyed by the file's own headers. */
function field(cells: Readonly<Record<string, string | undefined>>, name: keyof typeof COLUMNS): string {
  for (const [header, value] of Object.entries(cells)) if (COLUMNS[name]!.includes(key(header))) return (value ?? '').trim();
  return '';
}

/**
 * Reads one row. A new time is ISO with an offset, or a local date and time
 * (`2027-03-17 10:00`, `2027-03-17T10:00`) in the practice's zone, where the visit is.
 */
export function readChangeRow(cells: Readonly<Record<string, string | undefined>>, timeZone: string): ChangeRowReading {
  const appointmentId = field(cells, 'appointmentId');
  const contactId = field(cells, 'contactId');
  const rawChange = field(cells, 'change');
  if (!appointmentId) return { ok: false, reason: 'no appointment id' };
  if (!contactId) return { ok: false, reason: 'no contact id' };
  const kind = KINDS[key(rawChange)];
  if (!kind) return { ok: false, reason: rawChange ? `unknown change "${rawChange.slice(0, 30)}" (confirm, cancel, reschedule, no-show or seen)` : 'no change' };
  if (kind !== 'reschedule') return { ok: true, row: { appointmentId, contactId, change: kind === 'cancel' ? { kind, by: 'practice' } : { kind } } };
  const rawAt = field(cells, 'at');
  if (!rawAt) return { ok: false, reason: 'reschedule needs the new time' };
  const at = DateTime.fromISO(rawAt.replace(' ', 'T'), { zone: timeZone, setZone: false });
  if (!at.isValid) return { ok: false, reason: `new time "${rawAt.slice(0, 30)}" is not a date and time (YYYY-MM-DD HH:MM)` };
  const place = field(cells, 'place');
  return { ok: true, row: { appointmentId, contactId, change: { kind, at: at.toUTC().toISO({ suppressMilliseconds: true })!, ...(place ? { place: place.slice(0, 60) } : {}) } } };
}
