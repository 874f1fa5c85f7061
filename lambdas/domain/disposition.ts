/**
 * Dispositions: what came of a call, a voicemail drop or a contact, whoever reports it — an
 * agent in Connect, the IVR, answering-machine detection — in one model, and the next
 * actions each one drives. Pure: the handler reads the attributes, this decides, adapters act.
 */
import { DateTime } from 'luxon';
import type { CountryCode } from 'libphonenumber-js';
import type { AppointmentChange } from './appointment';
import type { ContactStatus } from './contact';
import { languageCode } from './person-fields';
import { normalisePhone } from './phone';

/** Outcomes an agent records (contact attribute `disposition`), also what the IVR records. */
export const AGENT_DISPOSITIONS = [
  'appointment-booked',
  'call-back-later',
  'not-interested',
  'wrong-number',
  'do-not-call',
  'left-voicemail',
  'no-answer',
  'no-voicemail-box',
  'busy',
  'language-barrier',
  'deceased',
  'already-patient',
  // The IVR's "text me your information" (an agent may record it too).
  'practice-info-requested',
  // A person calling about the appointment they have (the next open one, or appointmentId).
  'appointment-confirmed',
  'appointment-cancelled',
  'appointment-rescheduled',
] as const;

/** Outcomes only the phone network reports (answering-machine detection, special tones). */
export const AUTOMATED_DISPOSITIONS = ['human-answered', 'fax-machine', 'detection-unresolved'] as const;

export const DISPOSITION_CODES = [...AGENT_DISPOSITIONS, ...AUTOMATED_DISPOSITIONS] as const;
export type DispositionCode = (typeof DISPOSITION_CODES)[number];

export type DispositionSource = 'agent' | 'ivr' | 'machine-detection' | 'staff';

/**
 * Connect's answering-machine detection results (the contact's AnsweringMachineDetectionStatus)
 * as dispositions. A voicemail reached with or without a beep had the message played by the flow.
 */
export const AMD_DISPOSITIONS: Readonly<Record<string, DispositionCode>> = {
  HUMAN_ANSWERED: 'human-answered',
  VOICEMAIL_BEEP: 'left-voicemail',
  VOICEMAIL_NO_BEEP: 'left-voicemail',
  AMD_UNANSWERED: 'no-answer',
  SIT_TONE_BUSY: 'busy',
  SIT_TONE_INVALID_NUMBER: 'wrong-number',
  SIT_TONE_DETECTED: 'no-answer',
  FAX_MACHINE_DETECTED: 'fax-machine',
  AMD_UNRESOLVED: 'detection-unresolved',
  AMD_ERROR: 'detection-unresolved',
};

/** A validated disposition: one outcome of one Connect contact for one person. */
export interface Disposition {
  readonly code: DispositionCode;
  readonly source: DispositionSource;
  /** The appointment, for appointment-booked and appointment-rescheduled: its (new) start (UTC ISO) and where. */
  readonly appointment?: { readonly at: string; readonly place?: string };
  /** Which appointment a confirmation, cancellation or new time is for; the person's next open one when not given. */
  readonly appointmentId?: string;
  /** When the person asked to be called back (UTC ISO), for call-back-later. */
  readonly callbackAt?: string;
  /** The person's preferred language (ISO 639-1), for language-barrier or given with any outcome. */
  readonly language?: string;
  /** A new or corrected number the agent took down (E.164). */
  readonly newNumber?: string;
  /** The person said yes (or no) to texts about their care and appointment, asked on the call. */
  readonly smsConsent?: boolean;
}

export type DispositionReading = { readonly ok: true; readonly disposition: Disposition } | { readonly ok: false; readonly problems: readonly string[] };

/** The contact attributes an agent or a flow sets; every value arrives as a string. */
export type DispositionAttributes = Readonly<Record<string, string | undefined>>;

export interface ReadingContext {
  /** Read local date-times without an offset in this zone (the practice's: agents speak its time). */
  readonly timeZone: string;
  readonly now: Date;
  readonly defaultCountry?: CountryCode;
}

/** "Appointment Booked", "appointment_booked", "APPOINTMENT-BOOKED" → "appointment-booked". */
export function dispositionCode(raw: string | undefined): DispositionCode | undefined {
  const key = (raw ?? '').trim().toLowerCase().replace(/[\s_]+/g, '-');
  return (DISPOSITION_CODES as readonly string[]).includes(key) ? (key as DispositionCode) : undefined;
}

/**
 * Reads a disposition from contact attributes (`disposition`, `appointmentAt`,
 * `appointmentPlace`, `appointmentId`, `callbackAt`, `language`, `newNumber`, `smsConsent`). Every problem is listed, so the
 * record kept for staff says all that is wrong; nothing is guessed.
 */
export function readDisposition(attributes: DispositionAttributes, source: DispositionSource, ctx: ReadingContext): DispositionReading {
  const problems: string[] = [];
  const rawCode = attributes.disposition?.trim();
  const code = dispositionCode(rawCode);
  if (!rawCode) problems.push('no disposition');
  else if (!code) problems.push(`unknown disposition "${rawCode.slice(0, 40)}"`);
  if (code && source !== 'machine-detection' && (AUTOMATED_DISPOSITIONS as readonly string[]).includes(code)) problems.push(`${code} is reported by the phone network, not recorded by hand`);

  const instant = (name: string, mustBeFuture: boolean): string | undefined => {
    const raw = attributes[name]?.trim();
    if (!raw) return undefined;
    const at = DateTime.fromISO(raw, { zone: ctx.timeZone, setZone: false });
    if (!at.isValid) {
      problems.push(`${name} "${raw.slice(0, 40)}" is not a date and time (YYYY-MM-DDTHH:MM)`);
      return undefined;
    }
    if (mustBeFuture && at.toMillis() <= ctx.now.getTime()) {
      problems.push(`${name} ${raw.slice(0, 40)} is in the past`);
      return undefined;
    }
    return at.toUTC().toISO({ suppressMilliseconds: true })!;
  };
  const appointmentAt = instant('appointmentAt', true);
  const callbackAt = instant('callbackAt', true);
  if ((code === 'appointment-booked' || code === 'appointment-rescheduled') && !attributes.appointmentAt?.trim()) problems.push(`${code} needs appointmentAt`);
  if (code === 'call-back-later' && !attributes.callbackAt?.trim()) problems.push('call-back-later needs callbackAt');

  const rawConsent = attributes.smsConsent?.trim().toLowerCase();
  const smsConsent = rawConsent ? YES_NO[rawConsent] : undefined;
  if (rawConsent && smsConsent === undefined) problems.push(`smsConsent "${rawConsent.slice(0, 20)}" is not yes or no`);

  const rawLanguage = attributes.language?.trim();
  const language = rawLanguage ? languageCode(rawLanguage) : undefined;
  if (rawLanguage && !language) problems.push(`language "${rawLanguage.slice(0, 40)}" is not one we know`);
  if (code === 'language-barrier' && !rawLanguage) problems.push('language-barrier needs the language');

  const rawNumber = attributes.newNumber?.trim();
  let newNumber: string | undefined;
  if (rawNumber) {
    const phone = normalisePhone(rawNumber, ctx.defaultCountry);
    // The reason names the problem, never the digits.
    if (phone.ok) newNumber = phone.e164;
    else problems.push(`newNumber is not a usable phone number (${phone.reason})`);
  }

  if (problems.length > 0) return { ok: false, problems };
  const place = attributes.appointmentPlace?.trim();
  return {
    ok: true,
    disposition: {
      code: code!,
      source,
      ...(appointmentAt ? { appointment: { at: appointmentAt, ...(place ? { place } : {}) } } : {}),
      ...(attributes.appointmentId?.trim() ? { appointmentId: attributes.appointmentId.trim().slice(0, 64) } : {}),
      ...(callbackAt ? { callbackAt } : {}),
      ...(language ? { language } : {}),
      ...(newNumber ? { newNumber } : {}),
      ...(smsConsent !== undefined ? { smsConsent } : {}),
    },
  };
}

const YES_NO: Readonly<Record<string, boolean>> = { yes: true, y: true, true: true, no: false, n: false, false: false };

/** What a practice configures about what dispositions lead to. */
export interface DispositionPolicy {
  /** Days after a refusal before the person is tried again ("a new try next month"). */
  readonly retryAfterDeclineDays: number;
}

/** One thing to do because of a disposition; adapters carry them out, each exactly once. */
export type NextAction =
  | { readonly kind: 'set-status'; readonly status: ContactStatus }
  | { readonly kind: 'book-appointment'; readonly at: string; readonly place?: string }
  /** A change to an appointment the person has: `appointmentId`, else their next open one. */
  | { readonly kind: 'change-appointment'; readonly appointmentId?: string; readonly change: AppointmentChange }
  | { readonly kind: 'send-practice-info' }
  | { readonly kind: 'retry-later'; readonly at: string }
  | { readonly kind: 'mark-number-invalid'; readonly e164: string }
  | { readonly kind: 'voice-off' }
  | { readonly kind: 'schedule-call'; readonly at: string }
  | { readonly kind: 'set-language'; readonly language: string }
  | { readonly kind: 'add-number'; readonly e164: string }
  | { readonly kind: 'set-sms-consent'; readonly granted: boolean }
  /** "Don't text me": texts end, here and on End User Messaging's opt-out list. */
  | { readonly kind: 'sms-opt-out' }
  | { readonly kind: 'continue-cadence' }
  | { readonly kind: 'flag-for-staff'; readonly reason: string };

/**
 * The next actions of a disposition, in the order they must happen (a status before the
 * messages it allows; the number fix before anything that would use the number).
 * `calledNumber` is the number the contact reached, when there was one.
 */
export function nextActions(d: Disposition, calledNumber: string | undefined, at: Date, policy: DispositionPolicy): NextAction[] {
  const actions: NextAction[] = [];
  if (d.newNumber) actions.push({ kind: 'add-number', e164: d.newNumber });
  if (d.language) actions.push({ kind: 'set-language', language: d.language });
  // Consent first: the confirmation text a booking sends depends on it.
  if (d.smsConsent !== undefined) actions.push({ kind: 'set-sms-consent', granted: d.smsConsent });
  if (d.smsConsent === false) actions.push({ kind: 'sms-opt-out' });
  switch (d.code) {
    case 'appointment-booked':
      // A status other than open ends every pending cadence step (the planner reads it before each).
      actions.push({ kind: 'set-status', status: 'booked' }, { kind: 'book-appointment', at: d.appointment!.at, ...(d.appointment!.place ? { place: d.appointment!.place } : {}) });
      break;
    case 'not-interested':
      actions.push(
        { kind: 'set-status', status: 'declined' },
        { kind: 'send-practice-info' },
        { kind: 'retry-later', at: new Date(at.getTime() + policy.retryAfterDeclineDays * 86_400_000).toISOString() },
      );
      break;
    case 'wrong-number':
    case 'fax-machine':
      // The person may still be reached on another number: the cadence picks the next one.
      if (calledNumber) actions.push({ kind: 'mark-number-invalid', e164: calledNumber });
      else actions.push({ kind: 'flag-for-staff', reason: `${d.code} without the number called` });
      actions.push({ kind: 'continue-cadence' });
      break;
    case 'do-not-call':
      actions.push({ kind: 'voice-off' });
      break;
    case 'call-back-later':
      actions.push({ kind: 'schedule-call', at: d.callbackAt! });
      break;
    case 'deceased':
      actions.push({ kind: 'set-status', status: 'deceased' });
      break;
    case 'already-patient':
      actions.push({ kind: 'set-status', status: 'already-patient' });
      break;
    case 'appointment-confirmed':
    case 'appointment-cancelled':
    case 'appointment-rescheduled': {
      const change: AppointmentChange =
        d.code === 'appointment-confirmed'
          ? { kind: 'confirm' }
          : d.code === 'appointment-cancelled'
            ? { kind: 'cancel', by: 'person' }
            : { kind: 'reschedule', at: d.appointment!.at, ...(d.appointment!.place ? { place: d.appointment!.place } : {}) };
      actions.push({ kind: 'change-appointment', ...(d.appointmentId ? { appointmentId: d.appointmentId } : {}), change });
      break;
    }
    case 'practice-info-requested':
      actions.push({ kind: 'send-practice-info' }, { kind: 'continue-cadence' });
      break;
    case 'language-barrier':
      // A later call goes to an agent who speaks it; staff arrange that.
      actions.push({ kind: 'flag-for-staff', reason: 'language-barrier' }, { kind: 'continue-cadence' });
      break;
    case 'left-voicemail':
    case 'no-answer':
    case 'no-voicemail-box':
    case 'busy':
    case 'human-answered':
    case 'detection-unresolved':
      actions.push({ kind: 'continue-cadence' });
      break;
  }
  return actions;
}
