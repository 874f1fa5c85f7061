/**
 * EventBridge Scheduler target: a text due at a set time — an appointment's reminder, its
 * review request, a confirmation or practice information held back until the window
 * opened or the cap allowed. Reads the appointment and the person as they are now: a
 * text for a visit that moved, ended or was missed is not sent, and the exactly-once key
 * makes a second firing of the same schedule send nothing.
 */
import { z } from 'zod';
import { logger } from '../adapters/powertools';
import { findPractice } from '../domain/stage-config';
import { appointmentDesk, appointmentText, practiceInfoText, textOrLater, type ScheduledText } from './appointment-desk';
import { dependencies } from './cadence-support';
import type { TextOutcome } from './message-support';

const ids = { practiceId: z.string().min(1), contactId: z.string().min(1) };
const scheduledText = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('appointment'), ...ids, appointmentId: z.string().min(1), message: z.string().min(1), appointmentAt: z.string().min(1) }),
  z.object({ kind: z.literal('practice-info'), ...ids, about: z.string().min(1) }),
]);

export const handler = async (payload: unknown): Promise<{ readonly outcome: string }> => {
  const input: ScheduledText = scheduledText.parse(payload);
  const outcome = await textOrLater(input, await send(input));
  logger.info('scheduled text', { practiceId: input.practiceId, kind: input.kind, ...(input.kind === 'appointment' ? { appointmentId: input.appointmentId, appointmentMessage: input.message } : {}), outcome: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) });
  return { outcome: outcome.status };
};

async function send(input: ScheduledText): Promise<TextOutcome> {
  const { config, tracker } = dependencies();
  const practice = findPractice(config, input.practiceId);
  if (!practice) return { status: 'skipped', reason: 'the practice is no longer in the stage config' };
  const contact = await tracker.getContact(practice.id, input.contactId);
  if (!contact) return { status: 'skipped', reason: 'the contact no longer exists' };
  if (input.kind === 'practice-info') return practiceInfoText(practice, contact, input.about);
  const appointment = await appointmentDesk.book.get(practice.id, contact.contactId, input.appointmentId);
  if (!appointment) return { status: 'skipped', reason: 'the appointment no longer exists' };
  return appointmentText(practice, contact, appointment, input.message, input.appointmentAt);
}
