/**
 * Two-way SMS: every text people send to a practice's number, from End User Messaging
 * through the inbound SNS topic. For each reply, once (a redelivery changes nothing):
 * - matched to the people of that practice who have the number (a household: all of them,
 *   and flagged); a number nobody has is kept and flagged, never dropped;
 * - read (domain/reply.ts): an opt-out ends texts (or every channel) for each of them before
 *   anything else can be sent, with the one confirmation allowed; START after an opt-out
 *   brings them back; HELP gets the reply CTIA requires; confirm, cancel or "another time"
 *   about an upcoming appointment goes to the appointment desk; anything else is flagged for
 *   staff with the thread;
 * - kept in each person's thread.
 * End User Messaging answers its registered keywords (STOP, HELP) itself; the system sends its
 * own answer only where it did not.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { Messaging } from '../adapters/messaging';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { ReplyLedger, type ReceivedReply } from '../adapters/reply-ledger';
import { requiredEnv } from '../adapters/settings';
import type { Appointment } from '../domain/appointment';
import type { Contact } from '../domain/contact';
import { classifyReply } from '../domain/reply';
import type { ReplyTextKind } from '../domain/reply-texts';
import type { PracticeProfile } from '../domain/stage-config';
import { renderSms, templateFields } from '../domain/templates';
import { appointmentDesk, changeAppointmentOf } from './appointment-desk';
import { dependencies, originationIdentity, smsNumbersOf } from './cadence-support';

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/);
/** End User Messaging's two-way SMS payload (the SNS message). */
export const inboundSms = z.object({
  originationNumber: e164,
  destinationNumber: e164,
  messageBody: z.string().max(2000).default(''),
  inboundMessageId: z.string().min(1),
  messageKeyword: z.string().optional(),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundSms = z.infer<typeof inboundSms>;

/** SNS's Timestamp is when End User Messaging published the reply: a retry of the delivery keeps it. */
const snsEvent = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string(), Timestamp: z.string().optional() }) })).min(1) });

/** The one confirmation after an opt-out goes within 5 minutes of it (CTIA), or not at all. */
const OPT_OUT_CONFIRMATION_WINDOW_MS = 5 * 60_000;

let replies: ReplyLedger | undefined;
let messaging: Messaging | undefined;

export const handler = async (payload: unknown): Promise<{ readonly outcomes: string[] }> => {
  const outcomes: string[] = [];
  for (const record of snsEvent.parse(payload).Records) outcomes.push(await receiveReply(record.Sns.Message, record.Sns.Timestamp));
  return { outcomes };
};

/** Handles one reply (the SNS message text, published at `publishedAt`); answers what came of it. */
export async function receiveReply(message: string, publishedAt?: string): Promise<string> {
  replies ??= new ReplyLedger(requiredEnv('TRACKER_TABLE_NAME'));
  const { config, tracker } = dependencies();
  let sms: InboundSms;
  try {
    sms = inboundSms.parse(JSON.parse(message));
  } catch (e) {
    // Not a reply this system can read: failing keeps it for the dead-letter queue, with why.
    throw new Error(`not an inbound SMS this system can read: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  const practice = config.practices.find((p) => smsNumbersOf(p).includes(sms.destinationNumber));
  const people = practice ? await tracker.contactsByPhone(practice.id, sms.originationNumber) : [];
  const at = now().toISOString();
  const upcoming = practice ? await openAppointments(practice, people) : [];
  const reading = classifyReply(sms.messageBody, {
    hasAppointment: upcoming.length > 0,
    optedOut: people.some((p) => p.optedOut.sms || p.optedOut.all),
  });
  const received: ReceivedReply = {
    inboundMessageId: sms.inboundMessageId,
    from: sms.originationNumber,
    to: sms.destinationNumber,
    text: sms.messageBody,
    ...(sms.messageKeyword ? { keyword: sms.messageKeyword } : {}),
    receivedAt: at,
    ...(publishedAt && !Number.isNaN(Date.parse(publishedAt)) ? { publishedAt: new Date(publishedAt).toISOString() } : {}),
    ...(practice ? { practiceId: practice.id } : {}),
    contactIds: people.map((p) => p.contactId),
    reading,
    status: 'received',
  };
  const stored = await replies.receive(received);
  if (stored.reply.status === 'handled') return 'duplicate';
  const reply = stored.reply;
  for (const person of people) await replies.addToThread(practice!.id, person.contactId, reply);

  if (!practice || people.length === 0) {
    await replies.flag(reply, practice ? 'a reply from a number no one in the tracker has' : 'a reply to a number no practice texts from');
  } else {
    if (people.length > 1) await replies.flag(reply, `a number ${people.length} people share: the reply is in each of their threads`);
    await act(reply, practice, people, upcoming);
  }
  await replies.markHandled(reply.inboundMessageId, now().toISOString());
  logger.info('reply received', { practiceId: practice?.id, inboundMessageId: reply.inboundMessageId, kind: reply.reading.kind, people: people.length });
  return reply.reading.kind;
}

/** What a reply asks for, carried out (each step safe to repeat after a crash). */
async function act(reply: ReceivedReply, practice: PracticeProfile, people: readonly Contact[], upcoming: readonly Appointment[]): Promise<void> {
  const { tracker } = dependencies();
  const source = `reply:${reply.inboundMessageId}`;
  const { reading } = reply;
  switch (reading.kind) {
    case 'opt-out':
      // First of all: nothing may be sent to them after this.
      for (const p of people) await tracker.recordOptOut(practice.id, p.contactId, reading.scope === 'all' ? 'all' : 'sms', source, reply.receivedAt);
      // The one confirmation allowed, then End User Messaging's list (which would refuse it):
      // from then on the service itself refuses texts to the number too. Someone out of texts
      // before this reply (an opt-out with an earlier time) had theirs: the list refuses another.
      if (!outOfTextsBefore(people[0]!, reply.receivedAt)) await answer(reply, practice, people[0]!, 'optOutConfirmation');
      await sending().optOut(requiredEnv('OPT_OUT_LIST_NAME'), reply.from);
      // "CANCEL" from someone with a visit coming: opted out, and a person checks what they meant about the visit.
      if (reading.flagForStaff) await replies!.flag(reply, `opted out; may also be about their appointment (${reading.appointmentIntent ?? 'unclear'})`, upcoming[0]?.contactId);
      return;
    case 'opt-in':
      for (const p of people) await tracker.recordOptIn(practice.id, p.contactId, 'sms', source, reply.receivedAt);
      await sending().optIn(requiredEnv('OPT_OUT_LIST_NAME'), reply.from);
      await answer(reply, practice, people[0]!, 'optInConfirmation');
      return;
    case 'help':
      await answer(reply, practice, people[0]!, 'help');
      return;
    case 'confirm':
    case 'cancel':
    case 'reschedule': {
      // Only an appointment that is clearly theirs changes; otherwise a person decides.
      if (upcoming.length !== 1) return replies!.flag(reply, `${reading.kind} about ${upcoming.length} upcoming appointments: which one?`);
      const [appointment] = upcoming;
      if (reading.kind === 'reschedule') return replies!.flag(reply, 'asks for another time for their appointment: call them to move it', appointment!.contactId);
      const outcome = await changeAppointmentOf(practice, appointment!.contactId, appointment!.appointmentId, reading.kind === 'confirm' ? { kind: 'confirm' } : { kind: 'cancel', by: 'person' });
      if (!outcome.ok) await replies!.flag(reply, `${reading.kind}: ${outcome.reason}`, appointment!.contactId);
      return;
    }
    case 'other':
      for (const p of people) await replies!.flag(reply, `an unexpected reply: ${reading.reason}`, p.contactId);
      return;
  }
}

/**
 * The system's answer to an opt-out, an opt-in or HELP, in the person's language. Not sent
 * where End User Messaging answered the keyword itself; sent once per reply whatever the
 * retries (the reply's id is the key), without the frequency cap or the window: it answers
 * the person now, as the rules allow.
 */
async function answer(reply: ReceivedReply, practice: PracticeProfile, person: Contact, kind: ReplyTextKind): Promise<void> {
  if (reply.keyword && reply.reading.keyword && reply.keyword.trim().toUpperCase() === reply.reading.keyword.toUpperCase()) return;
  // Handled late (a delivery retried for minutes): the opt-out stands, its confirmation is no longer allowed.
  if (kind === 'optOutConfirmation' && Date.parse(reply.publishedAt ?? reply.receivedAt) + OPT_OUT_CONFIRMATION_WINDOW_MS < now().getTime()) return;
  const { config, ledger } = dependencies();
  const texts = config.replies[kind];
  const language = person.language && Object.hasOwn(texts, person.language) ? person.language : practice.languages.find((l) => Object.hasOwn(texts, l)) ?? 'en';
  const key = `reply#${reply.inboundMessageId}#${kind}`;
  const attempt = { attemptKey: key, practiceId: practice.id, contactId: person.contactId, enrollmentId: `reply:${reply.inboundMessageId}`, cadence: 'one-off', round: 0, stepId: kind, channel: 'sms' as const, status: 'claimed' as const, owner: randomUUID(), language, to: reply.from, at: now().toISOString() };
  const claim = await ledger.claimAttempt(attempt);
  if (!claim.claimed) return;
  const body = renderSms(texts[language]!, templateFields(practice, person));
  const providerMessageId = await sending().sendText({ to: reply.from, from: originationIdentity(practice, 'sms').identity, body, attemptKey: key, practiceId: practice.id, contactId: person.contactId, purpose: 'care' }).catch(async (e: unknown) => {
    await ledger.releaseAttempt(attempt);
    throw e;
  });
  countOutcome('MessagesSent', { practice: practice.id, channel: 'sms' });
  await ledger.completeAttempt(attempt, { status: 'sent', providerMessageId, sentAt: now().toISOString() });
}

/** Out of texts (sms or every channel) since before `at`, as the person was read before this reply. */
function outOfTextsBefore(person: Contact, at: string): boolean {
  return [person.optedOut.sms, person.optedOut.all].some((since) => since !== undefined && since < at);
}

function sending(): Messaging {
  return (messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined));
}

/** The open appointments still to come of these people, soonest first. */
async function openAppointments(practice: PracticeProfile, people: readonly Contact[]): Promise<Appointment[]> {
  const at = now().getTime();
  const all = (await Promise.all(people.map((p) => appointmentDesk.book.of(practice.id, p.contactId)))).flat();
  return all.filter((a) => (a.status === 'booked' || a.status === 'confirmed') && Date.parse(a.at) > at).sort((a, b) => a.at.localeCompare(b.at));
}

export function resetReplyDependencies(): void {
  replies = undefined;
  messaging = undefined;
}
