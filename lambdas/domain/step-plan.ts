/**
 * What a cadence step does for one person right now. Run right before every send (and
 * again after any wait), it re-checks everything that can change: the person's status
 * and opt-outs, consent for the channel and purpose, do-not-call, which number fits the
 * step, the recipient's send window, the agents' hours and the frequency cap. The answer
 * is one decision: stop, finish, skip (with a reason), wait (until when, and why) or send.
 */
import { DateTime } from 'luxon';
import type { Contact, ConsentKey } from './contact';
import { stopReasonFor, type Cursor, type Enrollment } from './enrollment';
import { isCompleteAddress } from './import-row';
import type { PhoneType } from './phone';
import type { LocalWindow, Purpose, SendWindowConfig } from './send-window-rules';
import { checkSendWindow, timeZonesFor, type SendWindowQuestion } from './send-window';
import type { AgentHoursAnswer } from './agent-hours';

export type StepChannel = 'postcard' | 'sms' | 'voicemail' | 'call';

export interface StepVariant {
  readonly id: string;
  readonly percent: number;
  readonly template: string;
}

/** A cadence step with its offset resolved to days from the round's start. */
export interface PlannedStep {
  readonly id: string;
  readonly channel: StepChannel;
  readonly purpose: Purpose;
  readonly phoneTypes: readonly PhoneType[];
  readonly day: number;
  readonly template?: string;
  readonly variants?: readonly StepVariant[];
}

export interface PlannedCadence {
  readonly name: string;
  readonly rounds: number;
  readonly roundIntervalDays: number;
  readonly steps: readonly PlannedStep[];
}

/** One of the person's numbers with what PhoneNumberValidate said about it (nothing yet → no type). */
export interface KnownNumber {
  readonly e164: string;
  readonly phoneType?: PhoneType;
  readonly timeZone?: string;
  readonly zip?: string;
  /** Delivery events say texts no longer reach it (invalid for texts, blocked): voice only. */
  readonly noTexts?: boolean;
}

export interface FrequencyCap {
  readonly perDay: number;
  readonly perWeek: number;
}

export interface StepSituation {
  readonly now: Date;
  readonly cadence: PlannedCadence;
  readonly enrollment: Enrollment;
  readonly contact: Contact;
  readonly numbers: readonly KnownNumber[];
  /** Consent the practice's defaults give this person (e.g. patients: care texts). */
  readonly consentDefaults: readonly ConsentKey[];
  /** Numbers on a do-not-call list file (the practice's own or a registry extract). */
  readonly doNotCallListed: ReadonlySet<string>;
  readonly practice: { readonly timeZone: string; readonly languages: readonly string[]; readonly sendWindow?: LocalWindow };
  readonly sendWindow: SendWindowConfig;
  readonly frequencyCap: FrequencyCap;
  /** Messages already counted against the cap, by the recipient's local date (YYYY-MM-DD). */
  readonly sentPerLocalDay: ReadonlyMap<string, number>;
  /** The contact center's hours; undefined when the practice has no contact center. */
  readonly agentHours?: (at: Date) => AgentHoursAnswer;
}

export type SkipReason =
  | 'no-mailing-address'
  | 'no-consent'
  | 'do-not-call'
  | 'do-not-call-list'
  | 'no-number-for-step'
  | 'number-not-validated'
  | 'invalid-number'
  | 'no-contact-center'
  | 'no-send-window'
  | 'frequency-cap-zero';

export type WaitReason = 'step-due' | 'window-closed' | 'agents-closed' | 'frequency-cap' | 'paused';

export interface SendPlan {
  readonly step: PlannedStep;
  readonly channel: StepChannel;
  /** The number to text or call (not for postcards). */
  readonly to?: string;
  readonly phoneType?: PhoneType;
  readonly language: string;
  /** The recipient's local date the send counts against for the frequency cap. */
  readonly capDate?: string;
}

export type StepDecision =
  | { readonly action: 'stop'; readonly reason: string }
  | { readonly action: 'finish' }
  | { readonly action: 'skip'; readonly reason: SkipReason; readonly step: PlannedStep }
  | { readonly action: 'wait'; readonly until: string; readonly reason: WaitReason }
  | ({ readonly action: 'send' } & SendPlan);

/** Channels that count against the frequency cap (a postcard is mail, not a message to a phone). */
export const CAPPED_CHANNELS: ReadonlySet<StepChannel> = new Set(['sms', 'voicemail', 'call']);

/** How often a paused enrollment's workflow looks again (resuming needs no new execution). */
export const PAUSE_RECHECK_MS = 6 * 3_600_000;

export function planStep(s: StepSituation): StepDecision {
  const { cadence, enrollment, contact } = s;
  if (enrollment.status !== 'active' && enrollment.status !== 'paused') return { action: 'stop', reason: enrollment.stopReason ?? enrollment.status };
  const stopReason = stopReasonFor(contact);
  if (stopReason) return { action: 'stop', reason: stopReason };
  if (enrollment.status === 'paused') return { action: 'wait', until: new Date(s.now.getTime() + PAUSE_RECHECK_MS).toISOString(), reason: 'paused' };
  if (enrollment.cursor.round > cadence.rounds) return { action: 'finish' };
  const step = cadence.steps[enrollment.cursor.step];
  if (!step) return { action: 'finish' };

  const due = stepDueAt(enrollment.roundStartedAt, step);
  if (s.now < due) return { action: 'wait', until: due.toISOString(), reason: 'step-due' };
  return planSend(s, step);
}

/** When a step of a round falls due: its day counted from the round's start. */
export function stepDueAt(roundStartedAt: string, step: { readonly day: number }): Date {
  return new Date(Date.parse(roundStartedAt) + step.day * 86_400_000);
}

/** What a send situation needs: the person, their numbers and every rule, without a cadence. */
export type SendSituation = Omit<StepSituation, 'cadence' | 'enrollment'>;

/**
 * When a message through `step`'s channel and purpose may go to the person, from now on:
 * the rules of a cadence step once it is due (consent, do-not-call, the number, the window,
 * the agents' hours, the cap). One-off messages (appointment texts) go through it too.
 */
export function planSend(s: SendSituation, step: PlannedStep): Exclude<StepDecision, { action: 'stop' } | { action: 'finish' }> {
  const { contact } = s;
  const language = s.practice.languages.includes(contact.language ?? '') ? contact.language! : s.practice.languages[0]!;
  if (step.channel === 'postcard') {
    return contact.address && isCompleteAddress(contact.address) ? { action: 'send', step, channel: 'postcard', language } : { action: 'skip', reason: 'no-mailing-address', step };
  }

  const voice = step.channel !== 'sms';
  if (!hasConsent(contact, `${voice ? 'voice' : 'sms'}:${step.purpose}`, s.consentDefaults)) return { action: 'skip', reason: 'no-consent', step };
  if (voice && contact.doNotCall) return { action: 'skip', reason: 'do-not-call', step };
  // Do-not-call lists cover every call and voicemail, and outreach texts too (the FCC applies
  // the national registry to texts); a care text to the person's own number is not telemarketing.
  const picked = pickNumber(s.numbers, step, voice || step.purpose === 'outreach' ? s.doNotCallListed : new Set());
  if ('reason' in picked) return { action: 'skip', reason: picked.reason, step };
  if (step.channel === 'call' && !s.agentHours) return { action: 'skip', reason: 'no-contact-center', step };
  if (s.frequencyCap.perDay < 1 || s.frequencyCap.perWeek < 1) return { action: 'skip', reason: 'frequency-cap-zero', step };

  const question = windowQuestion(s, step, picked.number);
  const capZone = timeZonesFor(question)[0] ?? s.practice.timeZone;

  // Find the first instant at or after now that every rule allows; each rule can only push it later.
  let at = s.now;
  let reason: WaitReason | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const window = checkSendWindow({ ...question, at }, s.sendWindow);
    if (!window.allowed) {
      if (!window.opensAt) return { action: 'skip', reason: 'no-send-window', step };
      at = window.opensAt;
      reason ??= 'window-closed';
      continue;
    }
    if (step.channel === 'call') {
      const hours = s.agentHours!(at);
      if (!hours.open) {
        if (!hours.opensAt) return { action: 'skip', reason: 'no-contact-center', step };
        at = hours.opensAt;
        reason ??= 'agents-closed';
        continue;
      }
    }
    const capDate = localDate(at, capZone);
    if (!capAllows(capDate, s.sentPerLocalDay, s.frequencyCap)) {
      at = nextCapDay(capDate, capZone, s.sentPerLocalDay, s.frequencyCap);
      reason ??= 'frequency-cap';
      continue;
    }
    if (at > s.now) return { action: 'wait', until: at.toISOString(), reason: reason ?? 'window-closed' };
    return { action: 'send', step, channel: step.channel, to: picked.number.e164, phoneType: picked.number.phoneType, language, capDate };
  }
  return { action: 'skip', reason: 'no-send-window', step };
}

/**
 * Whether the recipient's window is open at `at` for a send planSend decided: the same question
 * it asked (the plan's number, the person's address, the practice), asked again. Postcards are
 * mail and have no window.
 */
export function windowOpenFor(s: SendSituation, plan: SendPlan, at: Date): boolean {
  if (plan.channel === 'postcard') return true;
  const number = s.numbers.find((n) => n.e164 === plan.to);
  return checkSendWindow({ ...windowQuestion(s, plan.step, number), at }, s.sendWindow).allowed;
}

/** The send-window question for a step to one of the person's numbers, but for the instant. */
function windowQuestion(s: SendSituation, step: PlannedStep, number: KnownNumber | undefined): Omit<SendWindowQuestion, 'at'> {
  return {
    purpose: step.purpose,
    zip: s.contact.address?.zip ?? number?.zip,
    phoneTimeZone: number?.timeZone,
    practiceTimeZone: s.practice.timeZone,
    state: s.contact.address?.state,
    practiceWindow: s.practice.sendWindow,
  };
}

/**
 * Recorded consent wins (a grant or a refusal, with its source); where nothing is
 * recorded the practice's defaults apply. Outreach needs a recorded written consent:
 * the config refuses defaults that would grant it.
 */
export function hasConsent(contact: Contact, key: ConsentKey, defaults: readonly ConsentKey[]): boolean {
  const recorded = contact.consent[key];
  if (recorded) return recorded.granted;
  return defaults.includes(key);
}

/** The first of the person's numbers whose type the step takes (file order: the preferred number first). */
function pickNumber(numbers: readonly KnownNumber[], step: PlannedStep, listed: ReadonlySet<string>): { number: KnownNumber } | { reason: SkipReason } {
  const fitting = numbers.filter((n) => n.phoneType && step.phoneTypes.includes(n.phoneType) && !(step.channel === 'sms' && n.noTexts));
  const allowed = fitting.filter((n) => !listed.has(n.e164));
  if (allowed[0]) return { number: allowed[0] };
  if (fitting.length > 0) return { reason: 'do-not-call-list' };
  if (numbers.some((n) => !n.phoneType)) return { reason: 'number-not-validated' };
  if (numbers.length > 0 && numbers.every((n) => n.phoneType === 'INVALID')) return { reason: 'invalid-number' };
  return { reason: 'no-number-for-step' };
}

export function localDate(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISODate()!;
}

/** At most perDay on the date and perWeek in the seven local days ending on it. */
export function capAllows(date: string, sent: ReadonlyMap<string, number>, cap: FrequencyCap): boolean {
  const day = DateTime.fromISO(date, { zone: 'utc' });
  if ((sent.get(date) ?? 0) >= cap.perDay) return false;
  let week = 0;
  for (let d = 0; d < 7; d++) week += sent.get(day.minus({ days: d }).toISODate()!) ?? 0;
  return week < cap.perWeek;
}

/** Local midnight of the first later day the cap allows (the window check then moves it to the opening). */
function nextCapDay(date: string, zone: string, sent: ReadonlyMap<string, number>, cap: FrequencyCap): Date {
  let day = DateTime.fromISO(date, { zone }).plus({ days: 1 });
  for (let i = 0; i < 8 && !capAllows(day.toISODate()!, sent, cap); i++) day = day.plus({ days: 1 });
  return day.startOf('day').toJSDate();
}

/** Where the enrollment goes after this step, as a cursor (re-exported for handlers). */
export type { Cursor };
