/**
 * EventBridge Scheduler target: the new try after "not interested" (by default a month
 * later). A person still marked declined — not since booked, opted out or asked not to be
 * called — is open again and starts the cadence over, as a new occurrence of it; one who
 * changed their mind in between is left alone.
 */
import { z } from 'zod';
import { now } from '../adapters/clock';
import { logger } from '../adapters/powertools';
import { newEnrollment, stopReasonFor } from '../domain/enrollment';
import { findPractice } from '../domain/stage-config';
import { appointmentDesk } from './appointment-desk';
import { dependencies } from './cadence-support';

export const retryRequest = z.object({
  practiceId: z.string().min(1),
  contactId: z.string().min(1),
  connectContactId: z.string().min(1),
  /** The cadence the refusal came in; else the practice's default. */
  cadence: z.string().min(1).optional(),
});
export type RetryRequest = z.infer<typeof retryRequest>;

export const handler = async (payload: unknown): Promise<{ readonly outcome: string }> => {
  const request = retryRequest.parse(payload);
  const outcome = await resume(request);
  logger.info('new try after a refusal', { practiceId: request.practiceId, connectContactId: request.connectContactId, outcome });
  return { outcome };
};

async function resume(r: RetryRequest): Promise<string> {
  const { config, tracker, ledger } = dependencies();
  const practice = findPractice(config, r.practiceId);
  if (!practice) return 'skipped: the practice is no longer in the stage config';
  const contact = await tracker.getContact(practice.id, r.contactId);
  if (!contact) return 'skipped: the contact no longer exists';
  const cadence = [r.cadence, practice.enrollment.defaultCadence].find((name) => name && config.cadences.some((c) => c.name === name));
  if (!cadence) return 'skipped: no cadence to try again';
  const at = now().toISOString();
  const occurrence = `retry:${r.connectContactId}`;
  const mine = newEnrollment(contact, cadence, `disposition:${r.connectContactId}`, at, occurrence);
  const current = await ledger.getEnrollment(practice.id, contact.contactId, cadence);
  // A retry after a crash finds its own enrollment stored (and the person maybe open already): it finishes the start.
  const resumed = current?.enrollmentId === mine.enrollmentId;
  if (!resumed && stopReasonFor(contact) !== 'declined') return `skipped: ${stopReasonFor(contact) ?? 'open'} now`;
  const { enrollment } = resumed ? { enrollment: current } : await ledger.startOccurrence(mine);
  if (enrollment.enrollmentId !== mine.enrollmentId || enrollment.status !== 'active') return `skipped: the ${cadence} enrollment is ${enrollment.status}`;
  if (stopReasonFor(contact) === 'declined') await tracker.setContactStatus(practice.id, contact.contactId, 'open', `retry-after-decline:connect:${r.connectContactId}`, at);
  await appointmentDesk.starter.start(enrollment.executionName, { practiceId: practice.id, contactId: contact.contactId, cadence, enrollmentId: enrollment.enrollmentId });
  return 'enrolled';
}
