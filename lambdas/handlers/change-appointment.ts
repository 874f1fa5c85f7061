/**
 * An appointment changed by the practice — its scheduling system or staff tools put an
 * "Appointment Change Requested" event on the outreach bus: confirmed, cancelled, moved,
 * missed (no-show) or seen. The change goes through the appointment desk like an agent's or
 * a reply's: reminders follow the new date, a cancellation or a no-show starts its
 * follow-up, "seen" schedules the review request. A change that would do nothing new (the
 * same event twice) changes nothing and says why; an event that cannot be read fails, so
 * the rule's retries and then its dead-letter queue keep it.
 */
import { z } from 'zod';
import { logger } from '../adapters/powertools';
import { APPOINTMENT_CHANGE_REQUESTED, type AppointmentChange } from '../domain/appointment';
import { findPractice } from '../domain/stage-config';
import { changeAppointmentOf } from './appointment-desk';
import { dependencies } from './cadence-support';

const instant = z.iso.datetime({ offset: true });
const requested = z.object({
  'detail-type': z.literal(APPOINTMENT_CHANGE_REQUESTED),
  detail: z.object({
    practiceId: z.string().min(1),
    contactId: z.string().min(1),
    appointmentId: z.string().min(1),
    change: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('confirm') }),
      z.object({ kind: z.literal('cancel') }),
      z.object({ kind: z.literal('reschedule'), at: instant, place: z.string().min(1).max(60).optional() }),
      z.object({ kind: z.literal('no-show') }),
      z.object({ kind: z.literal('seen') }),
    ]),
  }),
});

export const handler = async (payload: unknown): Promise<{ readonly outcome: string }> => {
  const parsed = requested.safeParse(payload);
  if (!parsed.success) throw new Error(`not an appointment change this system can read: ${z.prettifyError(parsed.error).replace(/\s+/g, ' ').slice(0, 300)}`);
  const { practiceId, contactId, appointmentId, change } = parsed.data.detail;
  const practice = findPractice(dependencies().config, practiceId);
  if (!practice) throw new Error(`practice ${practiceId} is not in the stage config`);
  const asChange: AppointmentChange =
    change.kind === 'cancel' ? { kind: 'cancel', by: 'practice' } : change.kind === 'reschedule' ? { kind: 'reschedule', at: new Date(change.at).toISOString().replace('.000Z', 'Z'), ...(change.place ? { place: change.place } : {}) } : change;
  const outcome = await changeAppointmentOf(practice, contactId, appointmentId, asChange);
  logger.info('appointment change from the practice', { practiceId, appointmentId, change: change.kind, applied: outcome.ok, ...(!outcome.ok ? { reason: outcome.reason } : {}) });
  return { outcome: outcome.ok ? `${outcome.appointment.status} (version ${outcome.appointment.version})` : `unchanged: ${outcome.reason}` };
};
