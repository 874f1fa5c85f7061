/**
 * The contact center's people, for a local run. When the sandbox's Connect places a call it
 * records how the call ends (the scenario's scripted outcome for that number); this desk then
 * does what happens in AWS after that:
 * - an agent call: the agent records the outcome on the contact (UpdateContactAttributes, as
 *   the agent workspace does, "in 6 days at 10:30" turned into the practice's local date and
 *   time), and Connect's COMPLETED contact event goes to record-disposition, as the rule would;
 * - a voicemail through a flow: the flow's Lambda block reports the machine-detection result
 *   to record-disposition.
 * It runs on the clock of whoever placed the call, so the disposition happens when the call did.
 */
import { ConnectClient, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { DateTime } from 'luxon';
import { now } from '../lambdas/adapters/clock';
import { findPractice, type StageConfig } from '../lambdas/domain/stage-config';
import type { ContactEnded } from './sandbox/operations/connect-start-outbound-voice-contact';
import type { SandboxControl } from './sandbox/types';

export interface AnsweredCall {
  readonly connectContactId: string;
  readonly contactId?: string;
  readonly kind: ContactEnded['kind'];
  /** What the agent recorded, or what machine detection reported. */
  readonly reported: string;
  /** When (virtual, UTC ISO). */
  readonly at: string;
  readonly output: unknown;
}

export class AgentDesk {
  private readonly delivered = new Set<string>();
  readonly answered: AnsweredCall[] = [];
  private readonly connect = new ConnectClient({});

  constructor(
    private readonly sandbox: SandboxControl,
    private readonly config: StageConfig,
  ) {}

  /** Ends every call placed to the person (or anyone, without an id) not ended yet; returns how many. */
  async answer(contactId?: string): Promise<number> {
    const { handler } = await import('../lambdas/handlers/record-disposition');
    const ended = (await this.sandbox.records<ContactEnded>('contact-events')).map((r) => r.data).filter((e) => !this.delivered.has(e.ContactId) && (!contactId || e.Attributes.contactId === contactId));
    for (const call of ended) {
      this.delivered.add(call.ContactId);
      const output = call.kind === 'agent' ? await this.agentRecords(call, handler) : await handler(flowEvent(call));
      this.answered.push({
        connectContactId: call.ContactId,
        contactId: call.Attributes.contactId,
        kind: call.kind,
        reported: call.kind === 'agent' ? (call.outcome.disposition ?? 'no-answer') : (call.outcome.amdStatus ?? 'VOICEMAIL_BEEP'),
        at: now().toISOString(),
        output,
      });
    }
    return ended.length;
  }

  /** The scripted outcome of the call that booked an appointment (appointment ids are the Connect contact's). */
  visitOf(connectContactId: string): ContactEnded['outcome']['visit'] {
    return this.outcomes.get(connectContactId)?.visit;
  }

  private readonly outcomes = new Map<string, ContactEnded['outcome']>();

  private async agentRecords(call: ContactEnded, handler: (payload: unknown) => Promise<unknown>): Promise<unknown> {
    this.outcomes.set(call.ContactId, call.outcome);
    const practice = findPractice(this.config, call.Attributes.practiceId ?? '');
    const zone = practice?.timeZone ?? 'UTC';
    const local = (r: { inDays: number; at: string }) => {
      const [hour, minute] = r.at.split(':').map(Number) as [number, number];
      return DateTime.fromJSDate(now(), { zone }).plus({ days: r.inDays }).set({ hour, minute, second: 0, millisecond: 0 }).toFormat("yyyy-MM-dd'T'HH:mm");
    };
    const o = call.outcome;
    const attributes: Record<string, string> = {
      disposition: o.disposition ?? 'no-answer',
      ...(o.appointment ? { appointmentAt: local(o.appointment), ...(o.appointment.place ? { appointmentPlace: o.appointment.place } : {}) } : {}),
      ...(o.callback ? { callbackAt: local(o.callback) } : {}),
      ...(o.language ? { language: o.language } : {}),
      ...(o.newNumber ? { newNumber: o.newNumber } : {}),
      ...(o.smsConsent ? { smsConsent: o.smsConsent } : {}),
    };
    await this.connect.send(new UpdateContactAttributesCommand({ InstanceId: call.InstanceId, InitialContactId: call.ContactId, Attributes: attributes }));
    return handler(contactCompleted(call));
  }
}

const instanceArn = (instanceId: string) => `arn:aws:connect:us-east-1:000000000000:instance/${instanceId}`;

/** Connect's "Amazon Connect Contact Event" for a contact an agent completed. */
function contactCompleted(call: ContactEnded): object {
  return {
    version: '0',
    id: `local-${call.ContactId}`,
    source: 'aws.connect',
    'detail-type': 'Amazon Connect Contact Event',
    time: now().toISOString(),
    detail: {
      eventType: 'COMPLETED',
      contactId: call.ContactId,
      initialContactId: call.ContactId,
      instanceArn: instanceArn(call.InstanceId),
      channel: 'VOICE',
      initiationMethod: 'OUTBOUND',
      agentInfo: { agentArn: `${instanceArn(call.InstanceId)}/agent/local-agent` },
    },
  };
}

/** The voicemail flow's Lambda block reporting machine detection (what connect/flows/voicemail.json sends). */
function flowEvent(call: ContactEnded): object {
  return {
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: { ContactId: call.ContactId, InitialContactId: call.ContactId, Attributes: call.Attributes },
      Parameters: { amdStatus: call.outcome.amdStatus ?? 'VOICEMAIL_BEEP', source: 'machine-detection' },
    },
  };
}
