/**
 * End User Messaging SMS and Voice v2 SendTextMessage (AWS JSON 1.0,
 * X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage). Answers `{ MessageId }`; each accepted
 * message (dry runs included, flagged) is a record of kind `texts`. A destination on the
 * `optedOut` list is a ConflictException (DESTINATION_PHONE_NUMBER_OPTED_OUT) and records
 * nothing. Paced by OriginationIdentity (stats().identities, config.identityRateLimits).
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, type OperationModule } from '../protocol';
import type { SandboxConfig } from '../types';
import { pick } from '../validation';
import { checkCommonMembers, pacedBy, refuseOptedOut, throwIfInvalid } from './sms-voice-v2-common';

/** What a record of kind `texts` holds: the request's members as sent, and the MessageId answered. */
export interface RecordedText {
  MessageId: string;
  DestinationPhoneNumber: string;
  OriginationIdentity: string;
  MessageBody: string;
  MessageType?: 'TRANSACTIONAL' | 'PROMOTIONAL';
  ConfigurationSetName?: string;
  Context?: Record<string, string>;
  TimeToLive?: number;
  Keyword?: string;
  MaxPrice?: string;
  DestinationCountryParameters?: Record<string, string>;
  ProtectConfigurationId?: string;
  MessageFeedbackEnabled?: boolean;
  /** Always present: whether the message was only validated. */
  DryRun: boolean;
}

const MEMBERS = [
  'DestinationPhoneNumber',
  'OriginationIdentity',
  'MessageBody',
  'MessageType',
  'ConfigurationSetName',
  'Context',
  'TimeToLive',
  'Keyword',
  'MaxPrice',
  'DestinationCountryParameters',
  'ProtectConfigurationId',
  'MessageFeedbackEnabled',
] as const;

/** A record of kind `delivery-events`: the configuration set's event for a text. */
export interface RecordedDeliveryEvent {
  event: Record<string, unknown>;
}

/** A record of kind `inbound-replies`: the two-way payload of a scripted reply, and the text it answers. */
export interface RecordedReply {
  payload: { originationNumber: string; destinationNumber: string; messageBody: string; inboundMessageId: string };
  /** The context of the text it answers (attempt, practice, contact) and how long after it the person replies. */
  answers: Record<string, string>;
  delayMinutes: number;
}

/** What follows a text by the scenario: its delivery event, and the person's reply if one is scripted. */
function scriptedAfterText(MessageId: string, body: Record<string, unknown>, config: SandboxConfig, serviceStore: Map<string, unknown>, at: Date, record: (kind: string, data: unknown) => void): void {
  const to = body.DestinationPhoneNumber as string;
  const countKey = `texts-to\n${to}`;
  const n = ((serviceStore.get(countKey) as number | undefined) ?? 0) + 1;
  serviceStore.set(countKey, n);
  const context = (body.Context as Record<string, string> | undefined) ?? {};
  const scripted = config.deliveries?.[to];
  const eventType = scripted ? scripted[Math.min(n, scripted.length) - 1]! : 'TEXT_DELIVERED';
  record('delivery-events', {
    event: { eventType, eventVersion: '1.0', eventTimestamp: at.getTime(), isFinal: true, originationPhoneNumber: body.OriginationIdentity, destinationPhoneNumber: to, messageId: MessageId, messageStatus: eventType.slice('TEXT_'.length), context },
  } satisfies RecordedDeliveryEvent);
  for (const reply of config.replies?.[to] ?? []) {
    if (reply.afterText !== n) continue;
    record('inbound-replies', {
      payload: { originationNumber: to, destinationNumber: body.OriginationIdentity as string, messageBody: reply.text, inboundMessageId: randomUUID() },
      answers: context,
      delayMinutes: reply.delayMinutes ?? 5,
    } satisfies RecordedReply);
  }
}

export const sendTextMessage: OperationModule = {
  service: SERVICES.smsVoiceV2,
  name: 'SendTextMessage',
  recordKinds: ['texts', 'delivery-events', 'inbound-replies'],
  pacedBy,
  handle({ body, config, record, serviceStore, now }) {
    const checks = checkCommonMembers(body);
    checks.required('MessageBody');
    checks.string('MessageBody', { min: 1, max: 1600, notBlank: true });
    checks.enumeration('MessageType', ['TRANSACTIONAL', 'PROMOTIONAL'] as const);
    checks.string('Keyword', { min: 1, max: 30, pattern: /^[ \S]+$/ });
    checks.string('MaxPrice', { min: 2, max: 8, pattern: /^[0-9]{0,2}\.[0-9]{1,5}$/ });
    checks.stringMap('DestinationCountryParameters', { maxEntries: 10, value: { min: 1, max: 64 } });
    throwIfInvalid(checks);

    refuseOptedOut(config, body.DestinationPhoneNumber as string, serviceStore);
    const MessageId = randomUUID();
    record('texts', { MessageId, ...pick(body, MEMBERS), DryRun: body.DryRun === true });
    if (body.DryRun !== true) scriptedAfterText(MessageId, body, config, serviceStore, now(), record);
    return { body: { MessageId } };
  },
};
