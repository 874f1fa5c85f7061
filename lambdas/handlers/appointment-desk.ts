/**
 * The appointment desk: books and changes appointments and carries out what each change
 * asks (appointment.ts decides): the confirmation text, the reminder and review schedules,
 * the hand-off to the scheduling team, the person's status and a follow-up cadence. Used
 * by record-disposition (an agent booked), change-appointment (the practice, a reply) and
 * send-message (a scheduled text).
 *
 * A change is stored with its effects pending and the effects are cleared once done, so a
 * crash in between is finished by the next call that touches the appointment; every effect
 * is safe to carry out twice (schedules by name, texts by key, hand-offs by version).
 */
import { createHash, randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { now } from '../adapters/clock';
import { AppointmentBook } from '../adapters/appointment-book';
import { EventPublisher } from '../adapters/event-publisher';
import { MessageScheduler, scheduleSettingsFromEnv, type ScheduledJob } from '../adapters/message-scheduler';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import { ConflictError } from '../adapters/tracker';
import { WorkflowStarter } from '../adapters/workflow-starter';
import { book, changeAppointment, scheduleName, type Appointment, type AppointmentChange, type AppointmentEffect, type HandOff } from '../domain/appointment';
import type { Contact } from '../domain/contact';
import { newEnrollment } from '../domain/enrollment';
import type { PracticeProfile } from '../domain/stage-config';
import { dependencies as cadenceDependencies } from './cadence-support';
import { sendText, type TextOutcome } from './message-support';

/** What send-message is invoked with: an appointment's text, or the practice's information. */
export type ScheduledText =
  | { readonly kind: 'appointment'; readonly practiceId: string; readonly contactId: string; readonly appointmentId: string; readonly message: string; readonly appointmentAt: string }
  | { readonly kind: 'practice-info'; readonly practiceId: string; readonly contactId: string; readonly about: string };

let appointments: AppointmentBook | undefined;
let scheduler: MessageScheduler | undefined;
let publisher: EventPublisher | undefined;
let starter: WorkflowStarter | undefined;

/** The desk's adapters, each made on first use (a function gets the settings of the ones it uses only). */
export const appointmentDesk = {
  get book() {
    return (appointments ??= new AppointmentBook(requiredEnv('TRACKER_TABLE_NAME')));
  },
  get scheduler() {
    return (scheduler ??= new MessageScheduler(scheduleSettingsFromEnv()));
  },
  get publisher() {
    return (publisher ??= new EventPublisher(requiredEnv('EVENT_BUS_NAME')));
  },
  get starter() {
    return (starter ??= new WorkflowStarter(requiredEnv('CADENCE_STATE_MACHINE_ARN')));
  },
};

export function resetAppointmentDesk(): void {
  appointments = scheduler = publisher = starter = undefined;
}

/** Books an appointment (a retried booking finds it booked and only finishes what is pending). */
export async function bookAppointment(practice: PracticeProfile, contactId: string, booking: { readonly appointmentId: string; readonly at: string; readonly place?: string }): Promise<Appointment> {
  const { config } = cadenceDependencies();
  const outcome = book({ ...booking, practiceId: practice.id, contactId }, practice.timeZone, config.appointments, now());
  if (!outcome.ok) throw new Error(outcome.reason);
  const { appointment, created } = await appointmentDesk.book.create({ ...outcome.appointment, pending: outcome.effects });
  if (created) countOutcome('AppointmentChanges', { practice: practice.id, change: 'book' });
  await settle(practice, appointment);
  return appointment;
}

/**
 * Applies a change decided on the appointment as stored now; a change that lost a race
 * with another is decided again on what won. A change that would do nothing new (a
 * duplicate event, a second reply) is refused with the reason.
 */
export async function changeAppointmentOf(
  practice: PracticeProfile,
  contactId: string,
  appointmentId: string,
  change: AppointmentChange,
): Promise<{ readonly ok: true; readonly appointment: Appointment } | { readonly ok: false; readonly reason: string }> {
  const { config } = cadenceDependencies();
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await appointmentDesk.book.get(practice.id, contactId, appointmentId);
    if (!current) return { ok: false, reason: 'no such appointment' };
    // The last change's effects first: they belong to the state this change is decided from.
    if (current.pending?.length) await settle(practice, current);
    const outcome = changeAppointment(current, change, practice.timeZone, config.appointments, now());
    if (!outcome.ok) return outcome;
    const next: Appointment = { ...outcome.appointment, pending: outcome.effects };
    try {
      await appointmentDesk.book.save(next);
    } catch (e) {
      if (e instanceof ConflictError) continue;
      throw e;
    }
    countOutcome('AppointmentChanges', { practice: practice.id, change: change.kind });
    await settle(practice, next);
    return { ok: true, appointment: next };
  }
  throw new ConflictError(`appointment ${appointmentId} kept changing; try again`);
}

/** Carries out what the appointment's last change left pending, then clears it. */
async function settle(practice: PracticeProfile, a: Appointment): Promise<void> {
  if (!a.pending?.length) return;
  const contact = await cadenceDependencies().tracker.getContact(practice.id, a.contactId);
  if (!contact) throw new Error(`appointment ${a.appointmentId} names a contact that does not exist`);
  for (const effect of a.pending) await carryOut(effect, practice, contact, a);
  const upcoming = a.status === 'booked' || a.status === 'confirmed';
  const date = upcoming ? DateTime.fromISO(a.at, { zone: practice.timeZone }).toISODate()! : undefined;
  if (date !== contact.appointmentDate || (upcoming && contact.appointmentId !== a.appointmentId)) {
    await cadenceDependencies().tracker.setAppointmentDate(practice.id, contact.contactId, a.appointmentId, date, `appointment:${a.appointmentId}`, now().toISOString());
  }
  await appointmentDesk.book.settled(a);
  logger.info('appointment changed', { practiceId: practice.id, appointmentId: a.appointmentId, status: a.status, version: a.version, effects: a.pending.map((e) => e.kind) });
}

async function carryOut(effect: AppointmentEffect, practice: PracticeProfile, contact: Contact, a: Appointment): Promise<void> {
  const message = (id: string): ScheduledText => ({ kind: 'appointment', practiceId: practice.id, contactId: contact.contactId, appointmentId: a.appointmentId, message: id, appointmentAt: a.at });
  switch (effect.kind) {
    case 'send-confirmation':
      await textOrLater(message('confirmation'), await appointmentText(practice, contact, a, 'confirmation'));
      return;
    case 'schedule-reminders':
      for (const m of effect.messages) await appointmentDesk.scheduler.schedule('sendMessage', scheduleName(a.appointmentId, m.id), m.at, message(m.id));
      return;
    case 'delete-reminders':
      for (const id of effect.ids) await appointmentDesk.scheduler.cancel(scheduleName(a.appointmentId, id));
      return;
    case 'schedule-review':
      await appointmentDesk.scheduler.schedule('sendMessage', scheduleName(a.appointmentId, effect.message.id), effect.message.at, message(effect.message.id));
      return;
    case 'hand-off': {
      const handOff = handOffOf(effect, contact, a);
      await appointmentDesk.book.recordHandOff(handOff, DateTime.fromISO(handOff.decidedAt, { zone: practice.timeZone }).toISODate()!);
      await appointmentDesk.publisher.publish('Appointment Handed Off', handOff);
      return;
    }
    case 'set-person-status':
      await cadenceDependencies().tracker.setContactStatus(practice.id, contact.contactId, effect.status, `appointment:${a.appointmentId}`, now().toISOString());
      return;
    case 'start-cadence': {
      const { config, ledger } = cadenceDependencies();
      const cadence = effect.purpose === 'no-show' ? config.appointments.followUps.noShow : config.appointments.followUps.cancellation;
      if (!cadence) return;
      const occurrence = `appointment:${a.appointmentId}`;
      const { enrollment } = await ledger.startOccurrence(newEnrollment(contact, cadence, occurrence, now().toISOString(), occurrence));
      if (enrollment.status !== 'active') return;
      await appointmentDesk.starter.start(enrollment.executionName, { practiceId: practice.id, contactId: contact.contactId, cadence, enrollmentId: enrollment.enrollmentId });
      return;
    }
  }
}

function handOffOf(effect: Extract<AppointmentEffect, { kind: 'hand-off' }>, contact: Contact, a: Appointment): HandOff {
  const phone = contact.phones.find((p) => !contact.wrongNumbers?.[p.e164])?.e164;
  return {
    practiceId: a.practiceId,
    appointmentId: a.appointmentId,
    version: a.version,
    change: effect.change,
    decidedAt: effect.decidedAt,
    at: a.at,
    ...(a.place ? { place: a.place } : {}),
    person: {
      contactId: contact.contactId,
      externalId: contact.externalId,
      firstName: contact.firstName,
      lastName: contact.lastName,
      dateOfBirth: contact.dateOfBirth,
      phone,
      language: contact.language,
    },
  };
}

/**
 * An appointment's text: the confirmation or a reminder while the visit is still on at the
 * time it was for, the review request once it was seen. A text for a visit since moved,
 * cancelled or missed is not sent (the move scheduled its own).
 */
export async function appointmentText(practice: PracticeProfile, contact: Contact, a: Appointment, message: string, expectedAt = a.at): Promise<TextOutcome> {
  const { config } = cadenceDependencies();
  const review = message === 'review';
  const kind = review || message === 'confirmation' ? message : `reminder:${message}`;
  if (a.at !== expectedAt) return { status: 'skipped', reason: 'the appointment moved' };
  if (review ? a.status !== 'seen' : a.status !== 'booked' && a.status !== 'confirmed') return { status: 'skipped', reason: `the appointment is ${a.status}` };
  const messages = config.appointments.messages;
  const templateId = review ? messages.review : message === 'confirmation' ? messages.confirmation : messages.reminder;
  if (!templateId) return { status: 'skipped', reason: `no template for ${kind}` };
  const latest = review ? undefined : new Date(Date.parse(a.at) - config.appointments.minimumLeadMinutes * 60_000);
  return sendText({
    practice,
    contact,
    key: `appointment#${a.appointmentId}#${kind}#${a.at}`,
    kind,
    about: `appointment:${a.appointmentId}`,
    templateId,
    appointment: a,
    ...(latest ? { notAfter: latest } : {}),
    owner: randomUUID(),
  });
}

/** The practice's information by text (after "not interested", or a caller asked for it). */
export async function practiceInfoText(practice: PracticeProfile, contact: Contact, about: string): Promise<TextOutcome> {
  const templateId = cadenceDependencies().config.dispositions.practiceInfoTemplate;
  if (!templateId) return { status: 'skipped', reason: 'no practice-information template' };
  return sendText({ practice, contact, key: `${about}#practice-info`, kind: 'practice-info', about, templateId, owner: randomUUID() });
}

/** A text that may only go later is scheduled for then (under its own name: the schedule running now deletes itself). */
export async function textOrLater(input: ScheduledText, outcome: TextOutcome): Promise<TextOutcome> {
  if (outcome.status === 'later') await schedule('sendMessage', `later-${digest(JSON.stringify(input), outcome.at)}`, outcome.at, input);
  return outcome;
}

/** Schedules one of the desk's jobs (call-backs and new tries come through here too). */
export async function schedule(job: ScheduledJob, name: string, at: string, input: object): Promise<void> {
  await appointmentDesk.scheduler.schedule(job, name, at, input);
}

export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 24);
}

