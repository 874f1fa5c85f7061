/**
 * Enrollments: a person in a cadence. Who may be enrolled, the enrollment's id (stable,
 * so a re-run or a second file names the same one), where it stands (round and step),
 * and how it moves on. One Step Functions execution runs one enrollment through all
 * of its rounds.
 */
import { createHash } from 'node:crypto';
import type { Contact } from './contact';

/** 'paused': ops held the person's outreach (the workflow re-checks every few hours and goes on when resumed). */
export type EnrollmentStatus = 'active' | 'paused' | 'stopped' | 'finished' | 'failed';

/** Where an enrollment stands: round 1.., step index into the cadence's steps. */
export interface Cursor {
  readonly round: number;
  readonly step: number;
}

export interface Enrollment {
  readonly practiceId: string;
  readonly contactId: string;
  readonly enrollmentId: string;
  readonly cadence: string;
  readonly status: EnrollmentStatus;
  readonly cursor: Cursor;
  /** The current round's day 0: step offsets count from here. */
  readonly roundStartedAt: string;
  readonly enrolledAt: string;
  /** The import that enrolled the person. */
  readonly importId: string;
  /** The workflow execution's name (the enrollment id: starting it twice starts it once). */
  readonly executionName: string;
  readonly updatedAt: string;
  readonly stopReason?: string;
  readonly failure?: { readonly error: string; readonly cause: string };
}

/** The minimum of a cadence the enrollment logic needs. */
export interface CadenceShape {
  readonly name: string;
  readonly rounds: number;
  readonly roundIntervalDays: number;
  readonly steps: readonly unknown[];
}

/**
 * The enrollment's id. An import's enrollment has none; a later one in the same cadence names
 * what it follows (`appointment:<id>` for a follow-up, `retry:<date>` for a new try), so each
 * occurrence has its own id and the same occurrence asked twice starts once.
 */
export function enrollmentIdFor(practiceId: string, contactId: string, cadence: string, occurrence?: string): string {
  const seed = `${practiceId}\n${contactId}\n${cadence}${occurrence === undefined ? '' : `\n${occurrence}`}`;
  return `e_${createHash('sha256').update(seed).digest('hex').slice(0, 24)}`;
}

/** Why a contact is not in the cadence: the person's own choices and what already happened. */
export type NotEnrolledReason = 'no-cadence' | 'already-enrolled' | 'finished' | 'opted-out' | 'do-not-contact' | `status:${string}`;

/**
 * Whether an imported contact joins the cadence. A new file never re-enrolls someone
 * who opted out, is already in it, or went through it; `existing` is the enrollment
 * stored for this cadence, if any, and `importId` the import asking.
 */
export function enrollmentDecision(
  contact: Contact,
  cadence: string | undefined,
  existing: Enrollment | undefined,
  importId: string,
): { readonly enroll: true } | { readonly enroll: false; readonly reason: NotEnrolledReason } {
  if (!cadence) return { enroll: false, reason: 'no-cadence' };
  // The same import asking again (a retry) carries on with the enrollment it made.
  if (existing && existing.importId !== importId) return { enroll: false, reason: existing.status === 'active' || existing.status === 'paused' ? 'already-enrolled' : 'finished' };
  if (Object.keys(contact.optedOut).length > 0) return { enroll: false, reason: 'opted-out' };
  const status = contact.status ?? 'open';
  if (status !== 'open') return { enroll: false, reason: `status:${status}` };
  return { enroll: true };
}

/** `importId` names what enrolled the person: the import, or the disposition or appointment behind a later occurrence. */
export function newEnrollment(contact: Pick<Contact, 'practiceId' | 'contactId'>, cadence: string, importId: string, now: string, occurrence?: string): Enrollment {
  const enrollmentId = enrollmentIdFor(contact.practiceId, contact.contactId, cadence, occurrence);
  return {
    practiceId: contact.practiceId,
    contactId: contact.contactId,
    enrollmentId,
    cadence,
    status: 'active',
    cursor: { round: 1, step: 0 },
    roundStartedAt: now,
    enrolledAt: now,
    importId,
    executionName: enrollmentId,
    updatedAt: now,
  };
}

/** The step after `cursor`: the next one in the round, the first of the next round, or none. */
export function nextCursor(cadence: CadenceShape, cursor: Cursor, roundStartedAt: string): { readonly cursor: Cursor; readonly roundStartedAt: string } {
  if (cursor.step + 1 < cadence.steps.length) return { cursor: { round: cursor.round, step: cursor.step + 1 }, roundStartedAt };
  const next = new Date(Date.parse(roundStartedAt) + cadence.roundIntervalDays * 86_400_000).toISOString();
  // Past the last round the cursor points at round rounds+1: the planner reads that as finished.
  return { cursor: { round: cursor.round + 1, step: 0 }, roundStartedAt: next };
}

/** Why a person's pending steps all end now, if they do: any opt-out, or a status other than open. */
export function stopReasonFor(contact: Contact): string | undefined {
  if (Object.keys(contact.optedOut).length > 0) return 'opted-out';
  const status = contact.status ?? 'open';
  return status === 'open' ? undefined : status;
}

/** The exactly-once key of one step of one round of one enrollment. */
export function attemptKeyFor(enrollmentId: string, cursor: Cursor, stepId: string): string {
  return `${enrollmentId}#r${String(cursor.round).padStart(2, '0')}#${stepId}`;
}
