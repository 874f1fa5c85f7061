/**
 * Records what came of a Connect contact and carries out what it drives. Two ways in:
 * - the EventBridge rule for Connect contact events: on COMPLETED (after the agent's
 *   after-contact work) it reads the contact's attributes, where the agent set `disposition`
 *   and what goes with it;
 * - a contact flow's Lambda block (the IVR's "stop calls", the voicemail flow's machine
 *   detection result), with the disposition in the block's parameters.
 * One record per Connect contact: a duplicate event changes nothing, a retry after a crash
 * finishes the actions. What cannot be read is stored as given and flagged, never dropped.
 */
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { ContactCenter } from '../adapters/contact-center';
import { DispositionLedger, type DispositionRecord } from '../adapters/disposition-ledger';
import { PhoneValidator, validationOf } from '../adapters/phone-validator';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import type { Attempt } from '../adapters/cadence-ledger';
import type { Contact, ContactPhone } from '../domain/contact';
import { AMD_DISPOSITIONS, nextActions, readDisposition, type DispositionAttributes, type DispositionSource, type NextAction } from '../domain/disposition';
import { UNKNOWN_PRACTICE } from '../domain/outcome-metrics';
import type { PhoneLabel } from '../domain/phone';
import { findPractice, type PracticeProfile } from '../domain/stage-config';
import { appointmentDesk, bookAppointment, changeAppointmentOf, digest, practiceInfoText, schedule, textOrLater } from './appointment-desk';
import { dependencies as cadenceDependencies } from './cadence-support';
import { contactFlowEvent } from './contact-flow-event';
import { recordOptOutEverywhere } from './opt-outs';
import type { CallbackRequest } from './place-callback';
import type { RetryRequest } from './resume-outreach';

const contactEvent = z.object({
  source: z.literal('aws.connect'),
  'detail-type': z.literal('Amazon Connect Contact Event'),
  detail: z
    .object({
      eventType: z.string(),
      contactId: z.string().min(1),
      initialContactId: z.string().min(1).optional(),
      instanceArn: z.string().regex(/:instance\/[0-9a-f-]{36}$/),
      agentInfo: z.object({}).loose().optional(),
    })
    .loose(),
});

const flowEvent = contactFlowEvent(z.record(z.string(), z.string()).default({}));

/** What a flow's Lambda block gets back: flat strings only (Connect's rule for block outputs). */
export interface FlowAnswer {
  readonly recorded: 'true' | 'false';
  readonly disposition: string;
}

let center: ContactCenter | undefined;
let dispositions: DispositionLedger | undefined;
let validator: PhoneValidator | undefined;
/** The pacing-ledger key one-off PhoneNumberValidate calls share. */
const ONE_OFF_LOOKUPS = 'phone-number-validate:one-off';

export const handler = async (payload: unknown): Promise<FlowAnswer | { readonly outcome: string }> => {
  const flow = flowEvent.safeParse(payload);
  if (flow.success) {
    const data = flow.data.Details.ContactData;
    const { source, amdStatus, ...given } = flow.data.Details.Parameters;
    // Parameters win over the contact's attributes: the flow says what just happened.
    const attributes: Record<string, string> = { ...data.Attributes, ...given, ...(amdStatus ? { disposition: AMD_DISPOSITIONS[amdStatus] ?? `amd:${amdStatus}` } : {}) };
    // Keyed by contact and what the flow reports: a caller who asks for the information and then
    // to stop calls makes two records, a block retried makes one, and the agent's own disposition
    // on the same contact (its COMPLETED event) is a third.
    const reported = (amdStatus ? `amd-${amdStatus}` : (given.disposition ?? 'none')).toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40);
    const stored = await recordAndApply(`${data.InitialContactId ?? data.ContactId}#${reported}`, attributes, sourceOf(source, amdStatus), data.CustomerEndpoint?.Address);
    return { recorded: stored.created ? 'true' : 'false', disposition: stored.record.outcome.ok ? stored.record.outcome.disposition.code : 'unreadable' };
  }

  const event = contactEvent.parse(payload);
  // Only a finished contact (after-contact work done) carries the agent's final word.
  if (event.detail.eventType !== 'COMPLETED') return { outcome: `ignored ${event.detail.eventType}` };
  const instanceId = event.detail.instanceArn.split('/').at(-1)!;
  const contactId = event.detail.initialContactId ?? event.detail.contactId;
  center ??= new ContactCenter();
  const attributes = await center.contactAttributes(instanceId, contactId);
  // Without an agent nobody was asked for a disposition (the flow recorded what happened, if anything).
  if (!attributes.disposition && !event.detail.agentInfo) return { outcome: 'no disposition to record' };
  // The agent's id (the last part of their ARN; no name), for reports by agent.
  const agent = (event.detail.agentInfo as { agentArn?: string } | undefined)?.agentArn?.split('/').at(-1);
  const stored = await recordAndApply(contactId, attributes, 'agent', undefined, agent);
  return { outcome: stored.record.status };
};

function sourceOf(given: string | undefined, amdStatus: string | undefined): DispositionSource {
  if (amdStatus) return 'machine-detection';
  return given === 'agent' || given === 'staff' ? given : 'ivr';
}

async function recordAndApply(connectContactId: string, attributes: DispositionAttributes, source: DispositionSource, customerAddress: string | undefined, agent?: string) {
  const { config, tracker, ledger } = cadenceDependencies();
  dispositions ??= new DispositionLedger(requiredEnv('TRACKER_TABLE_NAME'));
  const at = now();
  const practice = attributes.practiceId ? findPractice(config, attributes.practiceId) : undefined;
  const person = practice && attributes.contactId ? await tracker.getContact(practice.id, attributes.contactId) : undefined;
  const reading = readDisposition(attributes, source, { timeZone: practice?.timeZone ?? 'UTC', now: at, defaultCountry: (practice?.defaultCountry ?? config.defaultCountry) as CountryCode });
  // The number this contact reached: the cadence attempt's (outbound), else the caller's (a flow).
  const attempt = person && attributes.attempt ? await ledger.getAttempt(person.practiceId, person.contactId, attributes.attempt) : undefined;
  const calledNumber = attempt?.to ?? customerAddress;
  const base = { connectContactId, at: at.toISOString(), ...(practice ? { practiceId: practice.id } : {}), ...(person ? { contactId: person.contactId } : {}), ...(agent ? { agent } : {}) };
  const record: DispositionRecord = reading.ok
    ? { ...base, status: person ? 'recorded' : 'flagged', outcome: { ok: true, disposition: reading.disposition, actions: nextActions(reading.disposition, calledNumber, at, config.dispositions) } }
    : { ...base, status: 'flagged', outcome: { ok: false, problems: reading.problems, attributes: Object.fromEntries(Object.entries(attributes).filter((e): e is [string, string] => e[1] !== undefined)) } };

  const stored = await dispositions.record(record);
  if (stored.created) countOutcome('Dispositions', { practice: practice?.id ?? UNKNOWN_PRACTICE, code: reading.ok ? reading.disposition.code : 'unreadable' });
  const current = stored.record;
  if (current.status === 'applied') return stored;
  if (current.status === 'flagged') {
    await dispositions.flag(current, !current.outcome.ok ? current.outcome.problems.join('; ') : 'the contact does not name a person in the tracker');
    if (person) await dispositions.addToHistory(person.practiceId, person.contactId, current);
    logger.warn('disposition flagged for staff', { connectContactId, practiceId: current.practiceId });
    return stored;
  }
  await dispositions.addToHistory(person!.practiceId, person!.contactId, current);
  const { actions, disposition } = current.outcome as Extract<DispositionRecord['outcome'], { ok: true }>;
  const context: ActionContext = { record: current, practice: practice!, person: person!, attributes, source: disposition.source, attempt, ...(calledNumber ? { calledNumber } : {}) };
  for (const action of actions) await carryOut(action, context);
  await dispositions.markApplied(connectContactId, now().toISOString());
  logger.info('disposition recorded', { connectContactId, practiceId: current.practiceId, code: disposition.code, actions: actions.map((a) => a.kind) });
  return stored;
}

interface ActionContext {
  readonly record: DispositionRecord;
  readonly practice: PracticeProfile;
  /** The person as read before any action. */
  readonly person: Contact;
  readonly attributes: DispositionAttributes;
  readonly source: DispositionSource;
  /** The cadence attempt the contact was (an outbound call), if any. */
  readonly attempt?: Attempt;
  /** The number the contact reached, when known. */
  readonly calledNumber?: string;
}

/** Each action is safe to carry out twice: a retry after a crash repeats the ones already done. */
async function carryOut(action: NextAction, c: ActionContext): Promise<void> {
  const { tracker, config } = cadenceDependencies();
  const { record, practice, person } = c;
  const contactId = person.contactId;
  const by = `${c.source}:connect:${record.connectContactId}`;
  switch (action.kind) {
    case 'set-status':
      return tracker.setContactStatus(practice.id, contactId, action.status, by, record.at);
    case 'voice-off':
      return tracker.setDoNotCall(practice.id, contactId, by, record.at);
    case 'set-language':
      return tracker.setLanguage(practice.id, contactId, action.language, by, record.at);
    case 'set-sms-consent':
      await tracker.setConsent(practice.id, contactId, 'sms:care', action.granted, by, record.at, `said on Connect contact ${record.connectContactId}`);
      return;
    case 'sms-opt-out': {
      // The number this contact reached, else the person's own: one a household shares is not the agent's to close.
      const numbers = c.calledNumber ? [c.calledNumber] : person.phones.map((p) => p.e164);
      return recordOptOutEverywhere(practice.id, contactId, 'sms', numbers, by, record.at);
    }
    case 'mark-number-invalid': {
      await tracker.markWrongNumber(practice.id, contactId, action.e164, by, record.at);
      // No number left that reaches them (a number the agent just took down counts): they cannot be reached by phone.
      const added = record.outcome.ok ? record.outcome.disposition.newNumber : undefined;
      const numbers = [...person.phones.map((p) => p.e164), ...(added ? [added] : [])];
      const left = numbers.filter((e164) => e164 !== action.e164 && !person.wrongNumbers?.[e164]);
      if (left.length === 0) await tracker.setContactStatus(practice.id, contactId, 'wrong-number', by, record.at);
      return;
    }
    case 'add-number': {
      const label = (['mobile', 'home', 'work', 'other'] as const).find((l) => l === c.attributes.newNumberLabel) ?? ('mobile' satisfies PhoneLabel);
      const phone: ContactPhone = { e164: action.e164, label, addedBy: `disposition:${record.connectContactId}` };
      await tracker.addPhone(practice.id, contactId, phone, by, record.at);
      await classify(action.e164);
      return;
    }
    case 'flag-for-staff':
      return dispositions!.flag(record, action.reason);
    case 'book-appointment':
      // The Connect contact names the appointment: a retried event books the same one.
      await bookAppointment(practice, contactId, { appointmentId: appointmentIdFor(record.connectContactId), at: action.at, ...(action.place ? { place: action.place } : {}) });
      return;
    case 'change-appointment': {
      const id = action.appointmentId ?? (await nextOpenAppointment(practice.id, contactId))?.appointmentId;
      const outcome = id ? await changeAppointmentOf(practice, contactId, id, action.change) : { ok: false as const, reason: 'the person has no open appointment' };
      // A change that cannot apply (no such appointment, already cancelled) is for staff to look at, not lost.
      if (!outcome.ok) await dispositions!.flag(record, `${action.change.kind}: ${outcome.reason}`);
      return;
    }
    case 'send-practice-info': {
      const about = `disposition:${record.connectContactId}`;
      const fresh = (await tracker.getContact(practice.id, contactId)) ?? person;
      await textOrLater({ kind: 'practice-info', practiceId: practice.id, contactId, about }, await practiceInfoText(practice, fresh, about));
      return;
    }
    case 'retry-later':
      return schedule('resumeOutreach', `retry-${digest(record.connectContactId)}`, action.at, {
        practiceId: practice.id,
        contactId,
        connectContactId: record.connectContactId,
        ...(c.attempt ? { cadence: c.attempt.cadence } : {}),
      } satisfies RetryRequest);
    case 'schedule-call': {
      const step = c.attempt && config.cadences.find((x) => x.name === c.attempt!.cadence)?.steps.find((x) => x.id === c.attempt!.stepId);
      return schedule('placeCallback', `callback-${digest(record.connectContactId, action.at)}`, action.at, {
        practiceId: practice.id,
        contactId,
        connectContactId: record.connectContactId,
        purpose: step?.purpose ?? 'outreach',
        ...(c.attempt?.template ? { template: c.attempt.template } : {}),
      } satisfies CallbackRequest);
    }
    case 'continue-cadence':
      // The cadence reads the person before every step: nothing to do here.
      return;
  }
}

/** The person's soonest appointment still to come that is booked or confirmed. */
async function nextOpenAppointment(practiceId: string, contactId: string) {
  const open = (await appointmentDesk.book.of(practiceId, contactId)).filter((a) => (a.status === 'booked' || a.status === 'confirmed') && Date.parse(a.at) > now().getTime());
  return open.sort((a, b) => a.at.localeCompare(b.at))[0];
}

/** An appointment booked on a Connect contact is named after it (at most 40 characters, for schedule names). */
export function appointmentIdFor(connectContactId: string): string {
  return connectContactId.replace(/[^0-9A-Za-z-]/g, '').slice(0, 40);
}

/**
 * Looks a new number up once (unless it is known), so the cadence can text a mobile from now
 * on. One-off lookups share validation.oneOffPerSecond through the pacing ledger, whichever
 * function instance makes them; imports use the rest of the account's rate.
 */
async function classify(e164: string): Promise<void> {
  const { tracker, config, pacer } = cadenceDependencies();
  if ((await tracker.getValidations([e164])).has(e164)) return;
  // A slot woken late is given up and another taken, so the share is never passed.
  while (!(await pacer.waitFor(await pacer.reserve(ONE_OFF_LOOKUPS, config.validation.oneOffPerSecond))));
  validator ??= new PhoneValidator({ ratePerSecond: config.validation.oneOffPerSecond, maxAttempts: Math.min(3, config.validation.maxAttempts) });
  const answer = await validator.validate(e164);
  if (!answer.ok) throw new Error(`the new number could not be classified: ${answer.error}`);
  await tracker.saveValidation(validationOf(e164, answer.answer, now().toISOString()));
}

export function resetDispositionDependencies(): void {
  center = undefined;
  dispositions = undefined;
  validator = undefined;
}
