/**
 * What End User Messaging's delivery events say about a text or a voice message, in the
 * system's words, and how an attempt's delivery record moves with them. Events may come late,
 * twice or out of order (carriers report for up to 72 hours): a final event always beats a
 * passing one, and among events of one kind the latest wins, so any order ends the same.
 */

export type DeliveryStatus =
  | 'queued'
  | 'delivered'
  | 'accepted'
  | 'unreachable'
  | 'expired'
  | 'invalid-number'
  | 'blocked'
  | 'carrier-blocked'
  | 'spam'
  | 'opted-out'
  | 'failed'
  | 'unknown'
  | 'answered'
  | 'no-answer'
  | 'busy'
  | 'completed';

export interface DeliveryReading {
  readonly status: DeliveryStatus;
  /** No later event will change it. */
  readonly final: boolean;
  /**
   * What a failure says about the number for this channel: `permanent` — it will not take
   * this channel again (invalid, blocked, opted out); `transient` — it may (unreachable, busy);
   * none — not a failure.
   */
  readonly failure?: 'permanent' | 'transient';
}

const EVENTS: Readonly<Record<string, DeliveryReading>> = {
  TEXT_QUEUED: { status: 'queued', final: false },
  TEXT_PENDING: { status: 'queued', final: false },
  TEXT_SUCCESSFUL: { status: 'accepted', final: true },
  TEXT_DELIVERED: { status: 'delivered', final: true },
  TEXT_BLOCKED: { status: 'blocked', final: true, failure: 'permanent' },
  TEXT_TTL_EXPIRED: { status: 'expired', final: true, failure: 'transient' },
  TEXT_CARRIER_UNREACHABLE: { status: 'unreachable', final: true, failure: 'transient' },
  TEXT_UNREACHABLE: { status: 'unreachable', final: true, failure: 'transient' },
  TEXT_INVALID: { status: 'invalid-number', final: true, failure: 'permanent' },
  TEXT_INVALID_MESSAGE: { status: 'failed', final: true, failure: 'transient' },
  TEXT_CARRIER_BLOCKED: { status: 'carrier-blocked', final: true, failure: 'permanent' },
  TEXT_SPAM: { status: 'spam', final: true, failure: 'transient' },
  TEXT_UNKNOWN: { status: 'unknown', final: true, failure: 'transient' },
  TEXT_PROTECT_BLOCKED: { status: 'blocked', final: true, failure: 'transient' },
  TEXT_OPTED_OUT: { status: 'opted-out', final: true, failure: 'permanent' },
  VOICE_INITIATED: { status: 'queued', final: false },
  VOICE_RINGING: { status: 'queued', final: false },
  VOICE_ANSWERED: { status: 'answered', final: false },
  VOICE_COMPLETED: { status: 'completed', final: true },
  VOICE_BUSY: { status: 'busy', final: true, failure: 'transient' },
  VOICE_NO_ANSWER: { status: 'no-answer', final: true, failure: 'transient' },
  VOICE_FAILED: { status: 'failed', final: true, failure: 'transient' },
  VOICE_TTL_EXPIRED: { status: 'expired', final: true, failure: 'transient' },
};

/** An event type read; one this system does not know is an unknown final status, kept as given. */
export function readDeliveryEvent(eventType: string): DeliveryReading {
  return EVENTS[eventType] ?? { status: 'unknown', final: true, failure: 'transient' };
}

/** What an attempt records of its delivery. */
export interface Delivery extends DeliveryReading {
  readonly eventType: string;
  /** When the event happened (epoch ms), as the carrier or service stamped it. */
  readonly at: number;
}

/** Whether `next` replaces `current` (the rule that makes any arrival order end the same). */
export function supersedes(next: Delivery, current: Delivery | undefined): boolean {
  if (!current) return true;
  if (next.final !== current.final) return next.final;
  if (next.at !== current.at) return next.at > current.at;
  return next.eventType > current.eventType;
}

/** Failures of one number in a row after which it is treated as not reaching the person at all. */
export const FAILURES_BEFORE_BAD = 3;

/**
 * How a delivery counts on the dashboard and in the failure-rate alarm: `failed` for any
 * failure, `delivered` for a final event that is not one, nothing while it is still under way
 * (queued, ringing, answered). Two outcomes so the alarm's math names two series per practice.
 */
export type DeliveryOutcome = 'delivered' | 'failed';

export function deliveryOutcome(d: DeliveryReading): DeliveryOutcome | undefined {
  if (d.failure) return 'failed';
  return d.final ? 'delivered' : undefined;
}

/**
 * The outcome to count when `next` replaces `previous` on an attempt: only a change counts, so
 * a text the carrier accepted (TEXT_SUCCESSFUL) and then reported delivered counts once.
 */
export function changedDeliveryOutcome(previous: DeliveryReading | undefined, next: DeliveryReading): DeliveryOutcome | undefined {
  const outcome = deliveryOutcome(next);
  return outcome !== (previous && deliveryOutcome(previous)) ? outcome : undefined;
}
