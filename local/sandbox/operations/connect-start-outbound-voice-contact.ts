/**
 * Amazon Connect StartOutboundVoiceContact (rest-json): PUT /contact/outbound-voice.
 * Answers `{ ContactId }`; each call placed is a record of kind `calls`. A member missing or out
 * of its constraints is an InvalidParameterException; neither QueueId nor SourcePhoneNumber is an
 * InvalidRequestException. ClientToken makes it idempotent as Connect does: the same token
 * (per instance) within 7 days answers the first call's ContactId and places no new call —
 * sandbox contacts never disconnect. The SDK fills ClientToken with a fresh UUID when not given.
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, ServiceError, type OperationModule } from '../protocol';
import { E164, type CallOutcome, type SandboxConfig } from '../types';
import { MemberChecks, pick } from '../validation';
import { contactKey } from './connect-contact-attributes';

/** What a record of kind `calls` holds: the request's members as sent, and the ContactId answered. */
export interface RecordedCall {
  ContactId: string;
  InstanceId: string;
  ContactFlowId: string;
  DestinationPhoneNumber: string;
  SourcePhoneNumber?: string;
  QueueId?: string;
  ClientToken?: string;
  Attributes?: Record<string, string>;
  Name?: string;
  Description?: string;
  References?: Record<string, { Value?: string; Type: string }>;
  RelatedContactId?: string;
  AnswerMachineDetectionConfig?: { EnableAnswerMachineDetection?: boolean; AwaitAnswerMachinePrompt?: boolean };
  TrafficType?: 'GENERAL' | 'CAMPAIGN';
  CampaignId?: string;
  RingTimeoutInSeconds?: number;
}

const MEMBERS = [
  'InstanceId',
  'ContactFlowId',
  'DestinationPhoneNumber',
  'SourcePhoneNumber',
  'QueueId',
  'ClientToken',
  'Attributes',
  'Name',
  'Description',
  'References',
  'RelatedContactId',
  'AnswerMachineDetectionConfig',
  'TrafficType',
  'CampaignId',
  'RingTimeoutInSeconds',
] as const;

const REFERENCE_TYPES = ['URL', 'ATTACHMENT', 'CONTACT_ANALYSIS', 'NUMBER', 'STRING', 'DATE', 'EMAIL', 'EMAIL_MESSAGE', 'EMAIL_MESSAGE_PLAIN_TEXT'] as const;
const IDEMPOTENCY_MS = 7 * 24 * 60 * 60 * 1000;

interface IssuedContact {
  ContactId: string;
  at: number;
}

function check(body: Record<string, unknown>): MemberChecks {
  const checks = new MemberChecks(body);
  checks.required('DestinationPhoneNumber', 'ContactFlowId', 'InstanceId');
  checks.string('DestinationPhoneNumber', { pattern: E164 });
  checks.string('ContactFlowId', { min: 1, max: 500 });
  checks.string('InstanceId', { min: 1, max: 100 });
  checks.string('ClientToken', { max: 500 });
  checks.string('SourcePhoneNumber', { pattern: E164 });
  checks.string('QueueId', { min: 1, max: 500 });
  checks.stringMap('Attributes', { key: { min: 1, max: 32767 }, value: { max: 32767 } });
  checks.string('Name', { max: 512 });
  checks.string('Description', { max: 4096 });
  checks.string('RelatedContactId', { min: 1, max: 256 });
  checks.enumeration('TrafficType', ['GENERAL', 'CAMPAIGN'] as const);
  checks.string('CampaignId', { min: 1, max: 100 });
  checks.integer('RingTimeoutInSeconds', 15, 60);
  const detection = checks.structure('AnswerMachineDetectionConfig');
  if (detection) {
    const inner = new MemberChecks(detection);
    inner.boolean('EnableAnswerMachineDetection');
    inner.boolean('AwaitAnswerMachinePrompt');
    for (const p of inner.problems) checks.fail(`AnswerMachineDetectionConfig.${p.member}`, detection[p.member], p.constraint);
  }
  const references = checks.structure('References');
  if (references) {
    for (const [key, reference] of Object.entries(references)) {
      if (key.length < 1 || key.length > 4096) checks.fail('References', key, 'Map keys must have length between 1 and 4096');
      const inner = new MemberChecks(
        typeof reference === 'object' && reference !== null ? (reference as Record<string, unknown>) : {},
      );
      inner.required('Type');
      inner.enumeration('Type', REFERENCE_TYPES);
      inner.string('Value', { max: 4096 });
      for (const p of inner.problems) checks.fail(`References.${key}.${p.member}`, undefined, p.constraint);
    }
  }
  return checks;
}

/**
 * What a record of kind `contact-events` holds: how the placed contact ended, for whoever
 * plays the agent and delivers Connect's events (local/agent-desk.ts). `kind` says which:
 * an agent call (the agent records `outcome` and the contact completes) or a voicemail
 * through a flow (the flow reports `outcome.amdStatus` to its Lambda).
 */
export interface ContactEnded {
  ContactId: string;
  InstanceId: string;
  kind: 'agent' | 'voicemail';
  /** The contact's attributes as the caller set them (ids, step, script). */
  Attributes: Record<string, string>;
  outcome: CallOutcome;
}

/** The scripted outcome of this call to its number (the Nth call, the Nth outcome; the last repeats). */
function contactEnded(ContactId: string, body: Record<string, unknown>, script: SandboxConfig['callOutcomes'], serviceStore: Map<string, unknown>): ContactEnded {
  const to = body.DestinationPhoneNumber as string;
  const kind = (body.AnswerMachineDetectionConfig as { EnableAnswerMachineDetection?: boolean } | undefined)?.EnableAnswerMachineDetection ? 'voicemail' : 'agent';
  const countKey = `calls-to\n${to}`;
  const n = (serviceStore.get(countKey) as number | undefined) ?? 0;
  serviceStore.set(countKey, n + 1);
  const outcomes = script?.[to];
  const outcome = outcomes ? outcomes[Math.min(n, outcomes.length - 1)]! : kind === 'agent' ? { disposition: 'no-answer' } : { amdStatus: 'VOICEMAIL_BEEP' };
  return { ContactId, InstanceId: body.InstanceId as string, kind, Attributes: { ...((body.Attributes as Record<string, string> | undefined) ?? {}) }, outcome };
}

export const startOutboundVoiceContact: OperationModule = {
  service: SERVICES.connect,
  name: 'StartOutboundVoiceContact',
  http: { method: 'PUT', path: '/contact/outbound-voice' },
  recordKinds: ['calls', 'contact-events'],
  handle({ body, now, record, store, serviceStore, config }) {
    const checks = check(body);
    if (!checks.ok) throw new ServiceError('InvalidParameterException', checks.message);
    if (body.QueueId === undefined && body.SourcePhoneNumber === undefined) {
      throw new ServiceError(
        'InvalidRequestException',
        'The request is not valid: give a QueueId or a SourcePhoneNumber for the outbound call.',
      );
    }

    const at = now().getTime();
    const token = typeof body.ClientToken === 'string' && body.ClientToken !== '' ? `${body.InstanceId}\n${body.ClientToken}` : undefined;
    if (token) {
      const issued = store.get(token) as IssuedContact | undefined;
      if (issued && at - issued.at < IDEMPOTENCY_MS) return { body: { ContactId: issued.ContactId } };
    }

    const ContactId = randomUUID();
    if (token) store.set(token, { ContactId, at } satisfies IssuedContact);
    // The contact's attributes, for GetContactAttributes and UpdateContactAttributes (the call is its own initial contact).
    serviceStore.set(contactKey(body.InstanceId as string, ContactId), { ...((body.Attributes as Record<string, string> | undefined) ?? {}) });
    record('calls', { ContactId, ...pick(body, MEMBERS) });
    record('contact-events', contactEnded(ContactId, body, config.callOutcomes, serviceStore));
    return { body: { ContactId } };
  },
};
