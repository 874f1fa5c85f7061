/**
 * End User Messaging SMS and Voice v2 SendTextMessage (AWS JSON 1.0,
 * X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage). Answers `{ MessageId }`; each accepted
 * message (dry runs included, flagged) is a record of kind `texts`. A destination on the
 * `optedOut` list is a ConflictException (DESTINATION_PHONE_NUMBER_OPTED_OUT) and records
 * nothing. Paced by OriginationIdentity (stats().identities, config.identityRateLimits).
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, type OperationModule } from '../protocol';
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

export const sendTextMessage: OperationModule = {
  service: SERVICES.smsVoiceV2,
  name: 'SendTextMessage',
  recordKinds: ['texts'],
  pacedBy,
  handle({ body, config, record, serviceStore }) {
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
    return { body: { MessageId } };
  },
};
