/**
 * Delivery events from the configuration set's event destination (End User Messaging → the
 * delivery-events SNS topic): what became of each text and voice message, recorded on its
 * attempt (the send's context names it). Events come late, twice or out of order; the
 * attempt keeps the one that stands (domain/delivery.ts), so any order ends the same, and
 * only an event that changes the record acts:
 * - opted out at the carrier or the service → the person is opted out of texts in the tracker;
 * - a number texts cannot reach (invalid, blocked) → texts go to the person's other numbers,
 *   or the cadence's other channels;
 * - FAILURES_BEFORE_BAD failures in a row to one number → messages stop using it at all;
 * - delivered or answered → failures before it no longer count.
 * A change of the message's outcome (delivered, failed) is counted as DeliveryEvents.
 */
import { z } from 'zod';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { changedDeliveryOutcome, FAILURES_BEFORE_BAD, readDeliveryEvent, type Delivery } from '../domain/delivery';
import { dependencies } from './cadence-support';

export const deliveryEvent = z
  .object({
    eventType: z.string().regex(/^(TEXT|VOICE|MEDIA)_[A-Z_]+$/),
    eventTimestamp: z.number(),
    destinationPhoneNumber: z.string().regex(/^\+[1-9]\d{1,14}$/),
    messageId: z.string().min(1),
    context: z.object({ attempt: z.string().min(1), practice: z.string().min(1), contact: z.string().min(1) }).loose(),
  })
  .loose();

const snsEvent = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })).min(1) });

export const handler = async (payload: unknown): Promise<{ readonly outcomes: string[] }> => {
  const outcomes: string[] = [];
  for (const record of snsEvent.parse(payload).Records) outcomes.push(await recordDelivery(record.Sns.Message));
  return { outcomes };
};

/** Records one event (the SNS message text); answers what came of it. */
export async function recordDelivery(message: string): Promise<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    throw new Error('not a delivery event this system can read: the message is not JSON');
  }
  const parsed = deliveryEvent.safeParse(raw);
  // A message sent outside this system (no context naming an attempt) is not ours to record.
  if (!parsed.success) {
    const ours = typeof raw === 'object' && raw !== null && 'context' in raw;
    if (!ours) return 'not ours';
    throw new Error(`not a delivery event this system can read: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}`);
  }
  const event = parsed.data;
  const { practice: practiceId, contact: contactId, attempt: attemptKey } = event.context;
  const { ledger, tracker } = dependencies();
  const delivery: Delivery = { ...readDeliveryEvent(event.eventType), eventType: event.eventType, at: event.eventTimestamp };
  const recorded = await ledger.recordDelivery(practiceId, contactId, attemptKey, delivery);
  const { outcome } = recorded;
  if (recorded.outcome !== 'recorded') {
    logger.info('delivery event', { practiceId, attemptKey, eventType: event.eventType, outcome });
    return outcome;
  }
  const status = changedDeliveryOutcome(recorded.previous, delivery);
  if (status) countOutcome('DeliveryEvents', { practice: practiceId, status });
  const number = event.destinationPhoneNumber;
  const source = `delivery:${event.eventType}:${event.messageId}`;
  const at = new Date(event.eventTimestamp).toISOString();
  const texts = event.eventType.startsWith('TEXT_');
  if (delivery.status === 'delivered' || delivery.status === 'accepted' || delivery.status === 'completed' || delivery.status === 'answered') {
    await tracker.noteDelivered(practiceId, contactId, number, event.eventTimestamp);
  } else if (delivery.status === 'opted-out' && texts) {
    await tracker.recordOptOut(practiceId, contactId, 'sms', source, at);
  } else if (delivery.failure === 'permanent' && texts) {
    await tracker.markUndeliverable(practiceId, contactId, number, 'sms', source, at);
  } else if (delivery.failure) {
    const person = await tracker.getContact(practiceId, contactId);
    const failures = await ledger.recordDeliveryFailure(practiceId, contactId, number, attemptKey, event.eventTimestamp, person?.lastDelivered?.[number]);
    if (failures >= FAILURES_BEFORE_BAD) await tracker.markUndeliverable(practiceId, contactId, number, 'all', `${source} (${failures} failures in a row)`, at);
  }
  logger.info('delivery event', { practiceId, attemptKey, eventType: event.eventType, status: delivery.status, outcome });
  return delivery.status;
}
