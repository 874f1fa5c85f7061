/**
 * What the local cadence run did, read back from where the deployed system keeps it: the
 * attempt ledger in the tracker (per step: sent, skipped and why) and the telephony
 * sandbox's records of every text, voice message and call. Two checks are computed
 * independently of the code that sent: every recorded message is re-checked against the
 * recipient's send window at the instant it went out (windowViolations), and messages
 * are counted per attempt key (duplicateSends). Both must be 0.
 */
import { CadenceLedger, type Attempt } from '../lambdas/adapters/cadence-ledger';
import { Tracker } from '../lambdas/adapters/tracker';
import type { Contact } from '../lambdas/domain/contact';
import { resolvedSteps } from '../lambdas/domain/cadence-config';
import type { Enrollment } from '../lambdas/domain/enrollment';
import { checkSendWindow } from '../lambdas/domain/send-window';
import { findPractice, type StageConfig } from '../lambdas/domain/stage-config';
import type { SandboxControl } from './sandbox/types';
import type { StartedExecution } from './cadence-runner';

export interface StepCounts {
  readonly cadence: string;
  readonly round: number;
  readonly step: string;
  readonly channel: string;
  sent: number;
  failed: number;
  unconfirmed: number;
  skipped: Record<string, number>;
}

export interface CadenceReport {
  readonly enrollments: number;
  readonly enrollmentStatus: Record<string, number>;
  readonly stopReasons: Record<string, number>;
  readonly steps: StepCounts[];
  /** Messages the telephony sandbox received, by channel (postcards: manifest lines). */
  readonly sent: Record<string, number>;
  readonly skipped: Record<string, number>;
  /** Sends per A/B variant, as `<cadence>/<step>/<variant>`. */
  readonly variants: Record<string, number>;
  readonly windowViolations: number;
  readonly duplicateSends: number;
  /** The (practice, local date) manifests postcards were queued on. */
  readonly postcardDays: ReadonlyArray<{ readonly practiceId: string; readonly date: string }>;
}

interface MessageRecord {
  readonly channel: 'sms' | 'voicemail' | 'call';
  readonly attemptKey?: string;
}

export async function cadenceReport(executions: readonly StartedExecution[], config: StageConfig, sandbox: SandboxControl, tableName: string): Promise<CadenceReport> {
  const ledger = new CadenceLedger(tableName);
  const tracker = new Tracker(tableName);
  const people = executions.map((e) => e.input as { practiceId: string; contactId: string; cadence: string });
  const attempts = new Map<string, Attempt>();
  const enrollments: Enrollment[] = [];
  const contacts = new Map<string, Contact>();
  for (const p of people) {
    const [list, enrollment, contact] = await Promise.all([
      ledger.attemptsOf(p.practiceId, p.contactId),
      ledger.getEnrollment(p.practiceId, p.contactId, p.cadence),
      tracker.getContact(p.practiceId, p.contactId),
    ]);
    // An attempt key is unique per person (a broadcast's is its run id, the same for everyone in it).
    list.forEach((a) => attempts.set(`${a.contactId}#${a.attemptKey}`, a));
    if (enrollment) enrollments.push(enrollment);
    if (contact) contacts.set(p.contactId, contact);
  }

  const steps = new Map<string, StepCounts>();
  const sent: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const variants: Record<string, number> = {};
  for (const a of [...attempts.values()].sort((x, y) => x.attemptKey.localeCompare(y.attemptKey))) {
    const key = `${a.cadence}\n${a.round}\n${a.stepId}`;
    const counts = steps.get(key) ?? { cadence: a.cadence, round: a.round, step: a.stepId, channel: a.channel, sent: 0, failed: 0, unconfirmed: 0, skipped: {} };
    steps.set(key, counts);
    if (a.status === 'sent') {
      counts.sent += 1;
      if (a.variant) variants[`${a.cadence}/${a.stepId}/${a.variant}`] = (variants[`${a.cadence}/${a.stepId}/${a.variant}`] ?? 0) + 1;
      if (a.channel === 'postcard') sent.postcard = (sent.postcard ?? 0) + 1;
    } else if (a.status === 'skipped') {
      counts.skipped[a.reason!] = (counts.skipped[a.reason!] ?? 0) + 1;
      skipped[a.reason!] = (skipped[a.reason!] ?? 0) + 1;
    } else if (a.status === 'failed') counts.failed += 1;
    else if (a.status === 'unconfirmed') counts.unconfirmed += 1;
  }

  const messages: MessageRecord[] = [
    ...(await sandbox.records<{ Context?: Record<string, string> }>('texts')).map((r) => ({ channel: 'sms' as const, attemptKey: personKey(r.data.Context?.contact, r.data.Context?.attempt) })),
    ...(await sandbox.records<{ Context?: Record<string, string> }>('voice-messages')).map((r) => ({ channel: 'voicemail' as const, attemptKey: personKey(r.data.Context?.contact, r.data.Context?.attempt) })),
    ...(await sandbox.records<{ Attributes?: Record<string, string> }>('calls')).map((r) => ({ channel: 'call' as const, attemptKey: personKey(r.data.Attributes?.contactId, r.data.Attributes?.attempt) })),
  ];
  // A voicemail left through Connect is a call record; its attempt says what it was.
  for (const m of messages) {
    const channel = (m.attemptKey && attempts.get(m.attemptKey)?.channel) || m.channel;
    sent[channel] = (sent[channel] ?? 0) + 1;
  }

  const perKey = new Map<string, number>();
  for (const m of messages) perKey.set(m.attemptKey ?? '(none)', (perKey.get(m.attemptKey ?? '(none)') ?? 0) + 1);
  const duplicateSends = [...perKey.values()].reduce((n, count) => n + count - 1, 0);

  const validations = await tracker.getValidations([...attempts.values()].map((a) => a.to).filter((t): t is string => !!t));
  let windowViolations = 0;
  for (const m of messages) {
    const a = m.attemptKey ? attempts.get(m.attemptKey) : undefined;
    // A message with no attempt behind it cannot be shown to be inside a window: it counts.
    if (!a || !a.sentAt) {
      windowViolations += 1;
      continue;
    }
    // An answer to the person's own text (HELP, the opt-out and opt-in confirmations) goes when they write: it is not a solicitation.
    if (a.cadence === 'one-off' && ANSWERS.has(a.stepId)) continue;
    const practice = findPractice(config, a.practiceId)!;
    const contact = contacts.get(a.contactId);
    const v = a.to ? validations.get(a.to) : undefined;
    const answer = checkSendWindow(
      { at: new Date(a.sentAt), purpose: purposeOf(a, config), zip: contact?.address?.zip ?? v?.zip, phoneTimeZone: v?.timeZone, practiceTimeZone: practice.timeZone, state: contact?.address?.state, practiceWindow: practice.sendWindow },
      config.sendWindow,
    );
    if (!answer.allowed) windowViolations += 1;
  }

  const enrollmentStatus: Record<string, number> = {};
  const stopReasons: Record<string, number> = {};
  for (const e of enrollments) {
    enrollmentStatus[e.status] = (enrollmentStatus[e.status] ?? 0) + 1;
    if (e.stopReason) stopReasons[e.stopReason] = (stopReasons[e.stopReason] ?? 0) + 1;
  }
  const postcardDays = [
    ...new Set(
      [...attempts.values()]
        .filter((a) => a.channel === 'postcard' && a.status === 'sent' && a.providerMessageId?.startsWith('manifest:'))
        .map((a) => a.providerMessageId!.slice('manifest:'.length)),
    ),
  ]
    .sort()
    .map((k) => ({ practiceId: k.split(':')[0]!, date: k.split(':')[1]! }));
  return { enrollments: enrollments.length, enrollmentStatus, stopReasons, steps: [...steps.values()], sent, skipped, variants, windowViolations, duplicateSends, postcardDays };
}

/** One-off messages that answer the person's text at once (receive-reply's `ReplyTextKind`s). */
const ANSWERS: ReadonlySet<string> = new Set(['help', 'optOutConfirmation', 'optInConfirmation']);

/** The purpose a message was sent for: its cadence step's, or a one-off message's template's (a call-back: the call's, else outreach). */
function purposeOf(a: Attempt, config: StageConfig): 'care' | 'outreach' {
  const cadence = config.cadences.find((c) => c.name === a.cadence);
  const step = cadence && resolvedSteps(cadence).find((s) => s.id === a.stepId);
  return step?.purpose ?? (a.template ? config.templates[a.template]?.purpose : undefined) ?? 'outreach';
}

export interface TimelineEntry {
  readonly at: string;
  readonly what: string;
}

/** One person's story: history, enrollments and every attempt, oldest first. */
export async function contactTimeline(practiceId: string, contactIdOrExternalId: string, tableName: string): Promise<{ contactId: string; entries: TimelineEntry[] } | undefined> {
  const tracker = new Tracker(tableName);
  const ledger = new CadenceLedger(tableName);
  let contactId = contactIdOrExternalId;
  if (!contactId.startsWith('c_')) {
    const claims = await tracker.getClaims(practiceId, [`ext:${contactIdOrExternalId.trim().toLowerCase()}`]);
    const found = [...claims.values()][0];
    if (!found) return undefined;
    contactId = found;
  }
  const contact = await tracker.getContact(practiceId, contactId);
  if (!contact) return undefined;
  const entries: TimelineEntry[] = [];
  for (const h of await tracker.contactHistory(practiceId, contactId)) {
    entries.push({ at: h.at as string, what: `${h.kind as string}: ${Object.entries((h.detail as Record<string, unknown>) ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(' ')}` });
  }
  for (const a of await ledger.attemptsOf(practiceId, contactId)) {
    const outcome = a.status === 'skipped' ? `skipped (${a.reason})` : a.status === 'sent' ? `sent${a.variant ? ` variant ${a.variant}` : ''}${a.to ? ` to …${a.to.slice(-4)}` : ''}` : `${a.status}${a.reason ? ` (${a.reason})` : ''}`;
    entries.push({ at: a.sentAt ?? a.at, what: `${a.cadence} round ${a.round} ${a.stepId} [${a.channel}]: ${outcome}` });
  }
  for (const cadence of new Set((await ledger.attemptsOf(practiceId, contactId)).map((a) => a.cadence))) {
    const e = await ledger.getEnrollment(practiceId, contactId, cadence);
    if (e) entries.push({ at: e.updatedAt, what: `${cadence}: enrollment ${e.status}${e.stopReason ? ` (${e.stopReason})` : ''}` });
  }
  entries.sort((x, y) => x.at.localeCompare(y.at));
  return { contactId, entries };
}

/** The person and the attempt a message names (undefined when it names no attempt: it then counts as a violation). */
function personKey(contactId: string | undefined, attemptKey: string | undefined): string | undefined {
  return attemptKey === undefined ? undefined : `${contactId ?? '?'}#${attemptKey}`;
}
