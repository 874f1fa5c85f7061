/**
 * What the month's calls and appointments came to, read back from the tracker where the
 * deployed system keeps them: dispositions by code (and how many were flagged for staff),
 * and appointments — booked, confirmed, reminded, no-show, seen, cancelled — with the texts
 * the appointment desk sent (confirmations, reminders, review requests, practice information).
 */
import type { Attempt } from '../lambdas/adapters/cadence-ledger';
import type { DispositionRecord } from '../lambdas/adapters/disposition-ledger';
import type { Appointment } from '../lambdas/domain/appointment';
import type { Contact } from '../lambdas/domain/contact';
import { ONE_OFF } from '../lambdas/handlers/message-support';
import { scanItems } from './month-runner';

export interface DispositionCounts {
  /** Recorded dispositions by code; an unreadable one counts as "unreadable". */
  readonly byCode: Record<string, number>;
  readonly flagged: number;
}

export interface AppointmentCounts {
  /** Appointments made. */
  readonly booked: number;
  /** Appointments the person was sent a confirmation for. */
  readonly confirmed: number;
  /** Appointments at least one reminder went out for, and how many reminders went out. */
  readonly reminded: number;
  readonly reminders: number;
  readonly noShow: number;
  readonly seen: number;
  readonly cancelled: number;
  /** Where the appointments stand now, by status. */
  readonly byStatus: Record<string, number>;
  readonly reviewRequests: number;
  /** Other texts of the desk by kind and outcome, e.g. "practice-info sent", "confirmation skipped (no-consent)". */
  readonly texts: Record<string, number>;
}

export async function dispositionCounts(tableName: string): Promise<DispositionCounts> {
  const records = (await scanItems(tableName, 'DISPOSITION')) as unknown as DispositionRecord[];
  const byCode: Record<string, number> = {};
  for (const r of records) {
    const code = r.outcome.ok ? r.outcome.disposition.code : 'unreadable';
    byCode[code] = (byCode[code] ?? 0) + 1;
  }
  return { byCode, flagged: records.filter((r) => r.status === 'flagged').length };
}

export async function appointmentCounts(tableName: string): Promise<AppointmentCounts> {
  const appointments = (await scanItems(tableName, 'APPOINTMENT#')) as unknown as Appointment[];
  const oneOff = ((await scanItems(tableName, 'ATTEMPT#')) as unknown as Attempt[]).filter((a) => a.cadence === ONE_OFF);
  const sentFor = (kind: (stepId: string) => boolean) => oneOff.filter((a) => a.status === 'sent' && kind(a.stepId));
  const appointmentOf = (a: Attempt) => a.enrollmentId.replace(/^appointment:/, '');
  const byStatus: Record<string, number> = {};
  for (const a of appointments) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const texts: Record<string, number> = {};
  for (const a of oneOff) {
    const key = `${a.stepId.replace(/^reminder:.*/, 'reminder')} ${a.status}${a.reason ? ` (${a.reason})` : ''}`;
    texts[key] = (texts[key] ?? 0) + 1;
  }
  const reminders = sentFor((id) => id.startsWith('reminder:'));
  // Statuses an appointment reaches are final (no-show, seen, cancelled) or open; a history would say more, the count says enough.
  return {
    booked: appointments.length,
    confirmed: new Set(sentFor((id) => id === 'confirmation').map(appointmentOf)).size,
    reminded: new Set(reminders.map(appointmentOf)).size,
    reminders: reminders.length,
    noShow: byStatus['no-show'] ?? 0,
    seen: byStatus.seen ?? 0,
    cancelled: byStatus.cancelled ?? 0,
    byStatus,
    reviewRequests: sentFor((id) => id === 'review').length,
    texts,
  };
}

export interface ReplyCounts {
  /** People with an opt-out in force, by what it covers. */
  readonly optOuts: Record<string, number>;
  /** Texts (and, after an opt-out of everything, voicemails and calls) sent to a person after their opt-out: must be 0. */
  readonly messagesAfterOptOut: number;
  /** Replies staff are asked to look at, and why (the kinds of reason). */
  readonly flaggedReplies: number;
  /** What delivery events said of each message, by status. */
  readonly deliveryByStatus: Record<string, number>;
  /** Replies by how they were read. */
  readonly repliesByKind: Record<string, number>;
}

export async function replyCounts(tableName: string): Promise<ReplyCounts> {
  const profiles = (await scanItems(tableName, 'PROFILE')) as unknown as Contact[];
  const attempts = (await scanItems(tableName, 'ATTEMPT#')) as unknown as Attempt[];
  const optOuts: Record<string, number> = {};
  let messagesAfterOptOut = 0;
  for (const c of profiles) {
    const channels = Object.keys(c.optedOut ?? {});
    for (const ch of channels) optOuts[ch] = (optOuts[ch] ?? 0) + 1;
    const since = (ch: 'sms' | 'voice') => [c.optedOut?.[ch], c.optedOut?.all].filter((t): t is string => !!t).sort()[0];
    for (const a of attempts) {
      if (a.contactId !== c.contactId || a.status !== 'sent' || !a.sentAt || a.channel === 'postcard') continue;
      // The one confirmation the rules allow answers the opt-out itself.
      if (a.stepId === 'optOutConfirmation') continue;
      const from = since(a.channel === 'sms' ? 'sms' : 'voice');
      if (from && a.sentAt > from) messagesAfterOptOut += 1;
    }
  }
  const deliveryByStatus: Record<string, number> = {};
  for (const a of attempts) if (a.delivery) deliveryByStatus[a.delivery.status] = (deliveryByStatus[a.delivery.status] ?? 0) + 1;
  const flags = (await scanItems(tableName, '')).filter((i) => String(i.pk).startsWith('FLAGS#') && i.kind === 'reply');
  const repliesByKind: Record<string, number> = {};
  for (const r of await scanItems(tableName, 'RECEIVED')) {
    const kind = (r.reading as { kind: string }).kind;
    repliesByKind[kind] = (repliesByKind[kind] ?? 0) + 1;
  }
  return { optOuts, messagesAfterOptOut, flaggedReplies: flags.length, deliveryByStatus, repliesByKind };
}
