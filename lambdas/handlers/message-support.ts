/**
 * One-off messages outside a cadence — an appointment's confirmation, reminders and review
 * request, the practice's information after a refusal or a caller's request, a call-back
 * the person asked for — under the rules of a cadence step (consent for the purpose, do-not-call for outreach, a mobile
 * number, the recipient's window, the frequency cap, the identity's pace), exactly once
 * per key:
 *
 *   plan → claim the key → take the cap → wait for a paced send time → send → record
 *
 * A message that may not go yet comes back with the time it may; the caller schedules it.
 */
import { now } from '../adapters/clock';
import type { Attempt } from '../adapters/cadence-ledger';
import { ContactCenter } from '../adapters/contact-center';
import { Messaging } from '../adapters/messaging';
import { countOutcome } from '../adapters/outcome-metrics';
import { PermanentSendError, TransientSendError } from '../adapters/send-errors';
import type { Appointment } from '../domain/appointment';
import type { SmsTemplate } from '../domain/cadence-config';
import type { Contact } from '../domain/contact';
import type { PracticeProfile } from '../domain/stage-config';
import { planSend, type PlannedStep, type SendPlan } from '../domain/step-plan';
import { formatAppointment, renderSms, renderTemplate, templateFields, templateText, voicemailSsml } from '../domain/templates';
import { connectedCenter, dependencies, INLINE_WAIT_MS, loadSendSituation, optedOutAtProvider, originationIdentity, windowStillOpen, type Pacing } from './cadence-support';

/** A one-off message to one person, exactly once per key. */
export interface OneOffRequest {
  readonly practice: PracticeProfile;
  readonly contact: Contact;
  /** The exactly-once key: the same key is sent at most once, whatever the retries. */
  readonly key: string;
  /** What it is, as reports count it: "confirmation", "reminder:7d", "review", "practice-info", "callback". */
  readonly kind: string;
  /** What it belongs to: "appointment:<id>" or "disposition:<Connect contact id>". */
  readonly about: string;
  /** The template it is made from (recorded on the attempt). */
  readonly templateId?: string;
  /** A message that cannot go out by then is not sent at all (a reminder after the visit is noise). */
  readonly notAfter?: Date;
  /** The invocation sending it (the claim's owner). */
  readonly owner: string;
  /** The words, for a message staff wrote (kept on the attempt for the person's thread). */
  readonly text?: string;
  /** An urgent notice the frequency cap does not hold (it still counts against it); consent and the window still apply. */
  readonly ignoreCap?: boolean;
  /** The send situation the caller loaded already (to choose the channel): the first plan uses it instead of reading it again. */
  readonly situation?: Awaited<ReturnType<typeof sendSituation>>;
}

export interface TextRequest extends OneOffRequest {
  readonly templateId: string;
  readonly appointment?: Appointment;
}

export type SendOutcome =
  | { readonly status: 'sent' }
  | { readonly status: 'already'; readonly as: Attempt['status']; readonly about: string; readonly since: string }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'later'; readonly at: string };
export type TextOutcome = SendOutcome;

/** How a channel sends: its step (channel, purpose, number types), its pace, and the send prepared from the plan. */
export interface OneOffChannel {
  readonly step: PlannedStep;
  readonly pacing: Pacing;
  /** Renders and warms up; returns the send itself, which answers the provider's id. */
  readonly prepare: (plan: SendPlan) => Promise<() => Promise<string>>;
}

/** The cadence name one-off messages are recorded under in the attempt ledger. */
export const ONE_OFF = 'one-off';

let messaging: Messaging | undefined;
let center: ContactCenter | undefined;

/** Polly voices End User Messaging offers, by language. */
const VOICES: Readonly<Record<string, string>> = { en: 'JOANNA', es: 'LUPE' };

/**
 * The pace of a practice's voicemails: through Connect (a voicemail flow), outbound contacts
 * of the instance at its callsPerSecond, shared with agent calls; else the voice number's rate.
 */
export function voicemailPacing(practice: PracticeProfile): Pacing {
  const cc = connectedCenter(practice);
  return cc?.voicemailFlowId ? { identity: `connect:${cc.instanceId}`, messagesPerSecond: cc.callsPerSecond } : originationIdentity(practice, 'voice');
}

/**
 * A text-to-speech voicemail (SSML, under a minute by config check) from the practice's voice
 * number, never the SMS number. Where the practice's contact center has a voicemail flow, it
 * goes through Connect, which waits for the answering machine's beep; else End User Messaging
 * plays it as soon as the line answers (README: the trade-off). Returns the send.
 */
export async function prepareVoicemail(v: {
  readonly practice: PracticeProfile;
  readonly contact: Contact;
  readonly plan: SendPlan;
  readonly templateId: string;
  readonly attemptKey: string;
  /** Extra contact attributes for Connect (what the voicemail belongs to). */
  readonly attributes?: Readonly<Record<string, string>>;
}): Promise<() => Promise<string>> {
  const template = dependencies().config.templates[v.templateId]!;
  const { text, language } = templateText(template, v.plan.language, v.practice.languages[0]!);
  const ssml = voicemailSsml(renderTemplate(text, templateFields(v.practice, v.contact)));
  const voiceId = VOICES[language] ?? 'JOANNA';
  const cc = connectedCenter(v.practice);
  if (cc?.voicemailFlowId) {
    center ??= new ContactCenter();
    await center.warm();
    return () =>
      center!.dropVoicemail({
        instanceId: cc.instanceId,
        contactFlowId: cc.voicemailFlowId!,
        // An instance the stack created shows the number it claimed there (the queue's caller id); an existing one, the voice number claimed in it.
        ...(cc.instanceAlias ? { queueId: cc.queueId } : { from: originationIdentity(v.practice, 'voice').identity }),
        to: v.plan.to!,
        attemptKey: v.attemptKey,
        attributes: { message: ssml, voice: voiceId, language, practiceId: v.practice.id, contactId: v.contact.contactId, attempt: v.attemptKey, ...v.attributes },
      });
  }
  messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
  await messaging.warm();
  return () =>
    messaging!.sendVoice({
      to: v.plan.to!,
      from: originationIdentity(v.practice, 'voice').identity,
      body: ssml,
      ssml,
      voiceId,
      attemptKey: v.attemptKey,
      practiceId: v.practice.id,
      contactId: v.contact.contactId,
      purpose: v.plan.step.purpose,
    });
}

export async function sendText(r: TextRequest): Promise<TextOutcome> {
  const template = dependencies().config.templates[r.templateId];
  if (!template || template.channel !== 'sms') throw new Error(`template ${r.templateId} is not an SMS template in the stage config`);
  return sendOneOff(r, {
    step: { id: r.kind, channel: 'sms', purpose: template.purpose, phoneTypes: ['MOBILE'], day: 0 },
    pacing: originationIdentity(r.practice, 'sms'),
    prepare: async (plan) => {
      const body = render(template, plan.language, r);
      messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
      await messaging.warm();
      return () => messaging!.sendText({ to: plan.to!, from: originationIdentity(r.practice, 'sms').identity, body, attemptKey: r.key, practiceId: r.practice.id, contactId: r.contact.contactId, purpose: template.purpose });
    },
  });
}

/**
 * Sends one message through `channel` when every rule allows it now; answers when it may
 * go instead, or why it never will (recorded, so reports and a second try see it).
 */
export async function sendOneOff(r: OneOffRequest, channel: OneOffChannel): Promise<SendOutcome> {
  const { ledger, pacer } = dependencies();
  const attempt = (fields: Partial<Attempt>): Attempt => ({
    attemptKey: r.key,
    practiceId: r.practice.id,
    contactId: r.contact.contactId,
    enrollmentId: r.about,
    cadence: ONE_OFF,
    round: 0,
    stepId: r.kind,
    channel: channel.step.channel,
    status: 'claimed',
    owner: r.owner,
    ...(r.templateId ? { template: r.templateId } : {}),
    ...(r.text ? { text: r.text } : {}),
    at: now().toISOString(),
    ...fields,
  });
  const skip = async (reason: string): Promise<SendOutcome> => {
    await ledger.recordSkip(attempt({ status: 'skipped', reason }));
    return { status: 'skipped', reason };
  };

  const existing = await ledger.getAttempt(r.practice.id, r.contact.contactId, r.key);
  if (existing) return { status: 'already', as: existing.status, about: existing.enrollmentId, since: existing.at };
  const voice = channel.step.channel !== 'sms';
  if (r.contact.optedOut.all || r.contact.optedOut[voice ? 'voice' : 'sms']) return skip('opted-out');
  if (r.contact.status === 'deceased') return skip('deceased');

  // A lost race for the cap or a late wake-up plans again on fresh counts; a few rounds settle it.
  for (let round = 0; round < 3; round++) {
    const s = round === 0 && r.situation ? r.situation : await sendSituation(r.practice, r.contact, r.ignoreCap);
    const plan = planSend(s, channel.step);
    if (plan.action === 'skip') return skip(plan.reason);
    if (plan.action === 'wait') {
      if (r.notAfter && Date.parse(plan.until) > r.notAfter.getTime()) return skip(`too-late (${plan.reason})`);
      return { status: 'later', at: plan.until };
    }
    if (plan.action !== 'send') return skip('not-sendable');

    const claimed = attempt({ language: plan.language, to: plan.to, capDate: plan.capDate });
    const claim = await ledger.claimAttempt(claimed);
    if (!claim.claimed) return { status: 'already', as: claim.existing.status, about: claim.existing.enrollmentId, since: claim.existing.at };
    if (!(await ledger.takeCap(r.practice.id, r.contact.contactId, plan.capDate!, s.capLedger))) {
      await ledger.releaseAttempt(claimed);
      continue;
    }
    const release = async () => {
      await ledger.releaseAttempt(claimed);
      await ledger.giveBackCap(r.practice.id, r.contact.contactId, plan.capDate!);
    };
    const time = await pacer.reserve(channel.pacing.identity, channel.pacing.messagesPerSecond);
    if (time.atMs - Date.now() > INLINE_WAIT_MS) {
      await release();
      return { status: 'later', at: new Date(time.atMs).toISOString() };
    }
    let send: () => Promise<string>;
    try {
      send = await channel.prepare(plan);
    } catch (e) {
      await release();
      throw e;
    }
    // The window closed meanwhile, or woke too late for the reserved time: plan again.
    if (!windowStillOpen(s, plan, r.practice.id, time.atMs) || !(await pacer.waitFor(time))) {
      await release();
      continue;
    }
    let providerMessageId: string;
    try {
      providerMessageId = await send();
    } catch (e) {
      if (e instanceof PermanentSendError) {
        await ledger.completeAttempt(claimed, { status: 'failed', reason: e.reason });
        await ledger.giveBackCap(r.practice.id, r.contact.contactId, plan.capDate!);
        await optedOutAtProvider(e, claimed);
        return { status: 'failed', reason: e.reason };
      }
      await release();
      throw e instanceof TransientSendError ? e : new TransientSendError((e as Error).message);
    }
    // Accepted: nothing gives the claim or the cap back from here, or a retry would send it again.
    countOutcome('MessagesSent', { practice: r.practice.id, channel: channel.step.channel });
    await ledger.completeAttempt(claimed, { status: 'sent', providerMessageId, sentAt: now().toISOString() });
    return { status: 'sent' };
  }
  return { status: 'later', at: new Date(now().getTime() + 60_000).toISOString() };
}

/** What a send to the person depends on, read fresh; an urgent notice sees no cap (it is still counted). */
export async function sendSituation(practice: PracticeProfile, contact: Contact, ignoreCap = false): ReturnType<typeof loadSendSituation> {
  const s = await loadSendSituation(practice, contact);
  return ignoreCap ? { ...s, frequencyCap: { perDay: Number.POSITIVE_INFINITY, perWeek: Number.POSITIVE_INFINITY } } : s;
}

function render(template: SmsTemplate, language: string, r: TextRequest): string {
  const { text, language: used } = templateText(template, language, r.practice.languages[0]!);
  const a = r.appointment;
  const appointment = a ? { ...formatAppointment(a.at, r.practice.timeZone, used), place: a.place ?? r.practice.displayName } : undefined;
  return renderSms(text, templateFields(r.practice, r.contact, appointment));
}
