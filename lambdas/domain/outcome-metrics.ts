/**
 * The outcome metrics: what the system counts for the dashboard and the alarms, by name, with
 * the dimensions each one carries. Shared by the adapter that publishes them
 * (adapters/outcome-metrics.ts) and the CDK construct that graphs and alarms on them
 * (lib/constructs/observability.ts), so both name the same dimension set.
 *
 * Every outcome metric is published under one fixed Powertools service, `patient-outreach`
 * (not the publishing function's own POWERTOOLS_SERVICE_NAME), in the stage's namespace, so an
 * alarm can name its metric exactly: {service, practice, channel} is the same whichever function
 * counted. Dimensions are ids and codes only — practice ids, channels, statuses, disposition
 * codes, change kinds —, never numbers, names, contact ids or message text, and each has a few
 * values at most.
 */
import type { AppointmentChange } from './appointment';
import type { ConsentChannel } from './contact';
import type { DeliveryOutcome } from './delivery';
import type { DispositionCode } from './disposition';
import type { StepChannel } from './step-plan';

/** The Powertools service every outcome metric is published under. */
export const OUTCOME_SERVICE = 'patient-outreach';

/** The stage's CloudWatch namespace: two stages in one account never count into each other's alarms. */
export function outcomeNamespace(stage: string): string {
  return `PatientOutreach/${stage}`;
}

/** Each outcome metric and the dimensions it carries besides `service`. */
export const OUTCOME_METRICS = {
  /** Rows an import took in (read minus rejected), when it finishes. */
  RowsImported: ['practice'],
  RowsRejected: ['practice'],
  /** PhoneNumberValidate calls an import made, and numbers whose lookup kept failing. */
  NumberLookups: ['practice'],
  NumberLookupFailures: ['practice'],
  /** PhoneNumberValidate answered "too many requests" (the limiter backs off and retries). */
  NumberLookupsThrottled: [],
  /** An import ended in its workflow's RecordFailure. */
  ImportFailed: ['practice'],
  /** Published daily: 1 when the practice's monthly file is late, else 0. */
  ImportMissing: ['practice'],
  /** The provider accepted a message (a postcard: its manifest line was written). */
  MessagesSent: ['practice', 'channel'],
  /** A send about to leave outside the recipient's window was held back (it should never happen). */
  SendOutsideWindow: ['practice', 'channel'],
  /** A message's delivery outcome became known or changed. */
  DeliveryEvents: ['practice', 'status'],
  /** A person opted out (newly) of a channel, or of everything. */
  OptOuts: ['practice', 'channel'],
  /** A Connect contact's disposition was recorded (once per contact and report). */
  Dispositions: ['practice', 'code'],
  /** An appointment was booked or changed. */
  AppointmentChanges: ['practice', 'change'],
  /** Published daily: flags staff have not handled yet, and the age in hours of the oldest. */
  UnhandledFlags: ['practice'],
  OldestFlagHours: ['practice'],
} as const;

export type OutcomeMetric = keyof typeof OUTCOME_METRICS;
export type OutcomeDimension = (typeof OUTCOME_METRICS)[OutcomeMetric][number];

/** The values each dimension may take: closed sets, except the practice id (from the stage config). */
export interface OutcomeDimensionValues {
  readonly practice: string;
  readonly channel: StepChannel | ConsentChannel | 'all';
  readonly status: DeliveryOutcome;
  readonly code: DispositionCode | 'unreadable';
  readonly change: AppointmentChange['kind'] | 'book';
}

/** The dimensions of one metric, e.g. `{ practice, channel }` for MessagesSent. */
export type OutcomeDimensions<M extends OutcomeMetric> = { readonly [K in (typeof OUTCOME_METRICS)[M][number]]: OutcomeDimensionValues[K] };

/** A practice that is not known (a disposition naming none, a file outside every inbox). */
export const UNKNOWN_PRACTICE = 'unknown';

/**
 * A dimension value as published: ids and codes pass (lower-case letters, digits, dashes, as
 * practice ids are); anything else becomes "other", so a bug can neither leak a number or a
 * name into CloudWatch nor open an unbounded set of series.
 */
export function dimensionValue(value: string): string {
  return /^[a-z0-9][a-z0-9-]{0,40}$/.test(value) ? value : 'other';
}
