/**
 * The appointment lifecycle: booked → confirmed → seen, or cancelled, rescheduled, no-show;
 * when its reminders and review request go out; and what each change does to them. Pure:
 * times are computed in the practice's zone (where the visit happens), schedules named
 * deterministically so creating one twice is the same schedule.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { clockTime } from './send-window-rules';

/** The detail-type of the events a practice's systems put on the outreach bus to change an appointment. */
export const APPOINTMENT_CHANGE_REQUESTED = 'Appointment Change Requested';

export const APPOINTMENT_STATUSES = ['booked', 'confirmed', 'cancelled', 'no-show', 'seen'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export interface Appointment {
  readonly appointmentId: string;
  readonly practiceId: string;
  readonly contactId: string;
  /** Start, UTC ISO. */
  readonly at: string;
  readonly place?: string;
  readonly status: AppointmentStatus;
  /** Bumped by every change, which is conditional on the version it was decided from. */
  readonly version: number;
  /** What the last change still has to do; stored with the change, cleared once done, so a crash in between loses nothing. */
  readonly pending?: readonly AppointmentEffect[];
}

/** What the scheduling team (and the EMR behind them) needs of a booking, a move or a cancellation. */
export interface HandOff {
  readonly practiceId: string;
  readonly appointmentId: string;
  readonly version: number;
  readonly change: 'booked' | 'rescheduled' | 'cancelled';
  /** When the change was decided (UTC ISO). */
  readonly decidedAt: string;
  /** The visit's start (UTC ISO) and where. */
  readonly at: string;
  readonly place?: string;
  readonly person: {
    readonly contactId: string;
    readonly externalId?: string;
    readonly firstName?: string;
    readonly lastName?: string;
    readonly dateOfBirth?: string;
    readonly phone?: string;
    readonly language?: string;
  };
}

const scheduleId = z.string().regex(/^[a-z0-9-]{1,12}$/, 'a short id: lower-case letters, digits and hyphens (at most 12)');

export const reminderSchema = z.strictObject({
  id: scheduleId,
  /** Days before the appointment's local date; 0 is the same day. */
  daysBefore: z.number().int().min(0).max(30),
  /** Local time of day it goes out (inside the send window; a reminder is a care message). */
  at: clockTime,
});
export type Reminder = z.infer<typeof reminderSchema>;

/** 7 days and 2 days before at 10:00, and the same morning at 08:00. */
export const DEFAULT_REMINDERS: readonly Reminder[] = [
  { id: '7d', daysBefore: 7, at: '10:00' },
  { id: '2d', daysBefore: 2, at: '10:00' },
  { id: 'same-day', daysBefore: 0, at: '08:00' },
];

export const appointmentPolicySchema = z
  .strictObject({
    reminders: z
      .array(reminderSchema)
      .max(5)
      .refine((list) => new Set(list.map((r) => r.id)).size === list.length, 'reminder ids must differ')
      .default([...DEFAULT_REMINDERS]),
    /** A reminder closer to the start than this is not sent (the person is on the way). @default 60 */
    minimumLeadMinutes: z.number().int().min(0).max(24 * 60).default(60),
    /** The review request after a visit marked seen: days after the visit, at a local time. @default 1 day after, 10:00 */
    reviewRequest: z.strictObject({ daysAfter: z.number().int().min(0).max(30), at: clockTime }).default({ daysAfter: 1, at: '10:00' }),
    /**
     * The SMS template of each appointment message (ids from `templates`, care purpose; the
     * confirmation and reminders of kind "appointment"). A message without a template is not sent.
     */
    messages: z.strictObject({ confirmation: z.string().min(1).optional(), reminder: z.string().min(1).optional(), review: z.string().min(1).optional() }).default({}),
    /** The cadence a person is enrolled in after a missed or a cancelled visit (names from `cadences`); none → no follow-up. */
    followUps: z.strictObject({ noShow: z.string().min(1).optional(), cancellation: z.string().min(1).optional() }).default({}),
  })
  .default({ reminders: [...DEFAULT_REMINDERS], minimumLeadMinutes: 60, reviewRequest: { daysAfter: 1, at: '10:00' }, messages: {}, followUps: {} });
export type AppointmentPolicy = z.infer<typeof appointmentPolicySchema>;

export interface ScheduledMessage {
  /** The reminder's id, or "review". */
  readonly id: string;
  /** UTC ISO. */
  readonly at: string;
}

/**
 * The reminders still to send for an appointment starting at `at`: each on its local day
 * before the visit at its local time, dropped when already past or closer to the start than
 * the minimum lead. Two that land on the same instant are one.
 */
export function reminderTimes(at: string, timeZone: string, policy: AppointmentPolicy, now: Date): ScheduledMessage[] {
  const start = DateTime.fromISO(at, { zone: timeZone });
  const latest = start.minus({ minutes: policy.minimumLeadMinutes }).toMillis();
  const seen = new Set<number>();
  const out: ScheduledMessage[] = [];
  for (const r of policy.reminders) {
    const when = atLocalTime(start.minus({ days: r.daysBefore }), r.at);
    const ms = when.toMillis();
    if (ms <= now.getTime() || ms > latest || seen.has(ms)) continue;
    seen.add(ms);
    out.push({ id: r.id, at: when.toUTC().toISO({ suppressMilliseconds: true })! });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

/** When the review request goes out after a visit on `visitAt`'s local day. */
export function reviewRequestTime(visitAt: string, timeZone: string, policy: AppointmentPolicy): ScheduledMessage {
  const when = atLocalTime(DateTime.fromISO(visitAt, { zone: timeZone }).plus({ days: policy.reviewRequest.daysAfter }), policy.reviewRequest.at);
  return { id: 'review', at: when.toUTC().toISO({ suppressMilliseconds: true })! };
}

/** `day`'s local date at HH:MM (in `day`'s zone). */
function atLocalTime(day: DateTime, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  return day.startOf('day').set({ hour, minute });
}

/**
 * An EventBridge Scheduler schedule name (≤ 64 of [0-9A-Za-z_.-]) for one message of one
 * appointment: the same appointment and message always give the same name.
 */
export function scheduleName(appointmentId: string, messageId: string): string {
  return `appt-${appointmentId}-${messageId}`.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, 64);
}

/** What can happen to an appointment: from an agent, a reply keyword, or the practice (event or file). */
export type AppointmentChange =
  | { readonly kind: 'confirm' }
  | { readonly kind: 'cancel'; readonly by: 'person' | 'practice' }
  | { readonly kind: 'reschedule'; readonly at: string; readonly place?: string }
  | { readonly kind: 'no-show' }
  | { readonly kind: 'seen' };

/** What a change asks the adapters to do, beyond storing the new appointment. */
export type AppointmentEffect =
  | { readonly kind: 'schedule-reminders'; readonly messages: readonly ScheduledMessage[] }
  | { readonly kind: 'delete-reminders'; readonly ids: readonly string[] }
  | { readonly kind: 'send-confirmation' }
  | { readonly kind: 'start-cadence'; readonly purpose: 'no-show' | 'cancellation' }
  | { readonly kind: 'schedule-review'; readonly message: ScheduledMessage }
  | { readonly kind: 'hand-off'; readonly change: 'booked' | 'rescheduled' | 'cancelled'; readonly decidedAt: string }
  /** Where the person stands once the visit is off (open again: a follow-up may run) or done. */
  | { readonly kind: 'set-person-status'; readonly status: 'open' | 'already-patient' };

export type AppointmentOutcome =
  | { readonly ok: true; readonly appointment: Appointment; readonly effects: readonly AppointmentEffect[] }
  | { readonly ok: false; readonly reason: string };

const OPEN: ReadonlySet<AppointmentStatus> = new Set(['booked', 'confirmed']);

/** A new booking: confirmation now, its reminders, and the scheduling team's hand-off. */
export function book(appointment: Omit<Appointment, 'status' | 'version'>, timeZone: string, policy: AppointmentPolicy, now: Date): AppointmentOutcome {
  const booked: Appointment = { ...appointment, status: 'booked', version: 1 };
  return {
    ok: true,
    appointment: booked,
    effects: [{ kind: 'send-confirmation' }, { kind: 'schedule-reminders', messages: reminderTimes(booked.at, timeZone, policy, now) }, { kind: 'hand-off', change: 'booked', decidedAt: now.toISOString() }],
  };
}

/**
 * Applies a change. Only an open appointment (booked or confirmed) changes; a change that
 * would do nothing new (confirming a confirmed one) is refused with a reason, so a
 * duplicate event or a second reply has no effect.
 */
export function changeAppointment(current: Appointment, change: AppointmentChange, timeZone: string, policy: AppointmentPolicy, now: Date): AppointmentOutcome {
  if (!OPEN.has(current.status)) return { ok: false, reason: `the appointment is ${current.status}` };
  const allReminders = policy.reminders.map((r) => r.id);
  const next = (patch: Partial<Appointment>): Appointment => ({ ...current, ...patch, version: current.version + 1 });
  switch (change.kind) {
    case 'confirm':
      if (current.status === 'confirmed') return { ok: false, reason: 'the appointment is already confirmed' };
      return { ok: true, appointment: next({ status: 'confirmed' }), effects: [] };
    case 'cancel':
      return {
        ok: true,
        appointment: next({ status: 'cancelled' }),
        effects: [
          { kind: 'delete-reminders', ids: allReminders },
          { kind: 'hand-off', change: 'cancelled', decidedAt: now.toISOString() },
          { kind: 'set-person-status', status: 'open' },
          { kind: 'start-cadence', purpose: 'cancellation' },
        ],
      };
    case 'reschedule': {
      if (change.at === current.at && change.place === current.place) return { ok: false, reason: 'the appointment is already at that time' };
      if (Date.parse(change.at) <= now.getTime()) return { ok: false, reason: 'the new time is in the past' };
      const moved = next({ at: change.at, status: 'booked', ...(change.place !== undefined ? { place: change.place } : {}) });
      return {
        ok: true,
        appointment: moved,
        effects: [
          // Every reminder is deleted and the ones still ahead of the new time made again: a moved date moves them all.
          { kind: 'delete-reminders', ids: allReminders },
          { kind: 'schedule-reminders', messages: reminderTimes(moved.at, timeZone, policy, now) },
          { kind: 'send-confirmation' },
          { kind: 'hand-off', change: 'rescheduled', decidedAt: now.toISOString() },
        ],
      };
    }
    case 'no-show':
      if (Date.parse(current.at) > now.getTime()) return { ok: false, reason: 'the appointment has not started yet' };
      return {
        ok: true,
        appointment: next({ status: 'no-show' }),
        effects: [{ kind: 'delete-reminders', ids: allReminders }, { kind: 'set-person-status', status: 'open' }, { kind: 'start-cadence', purpose: 'no-show' }],
      };
    case 'seen':
      return {
        ok: true,
        appointment: next({ status: 'seen' }),
        effects: [
          { kind: 'delete-reminders', ids: allReminders },
          { kind: 'set-person-status', status: 'already-patient' },
          { kind: 'schedule-review', message: reviewRequestTime(current.at, timeZone, policy) },
        ],
      };
  }
}
