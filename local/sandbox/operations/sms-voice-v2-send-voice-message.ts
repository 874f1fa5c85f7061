/**
 * End User Messaging SMS and Voice v2 SendVoiceMessage (AWS JSON 1.0,
 * X-Amz-Target: PinpointSMSVoiceV2.SendVoiceMessage). Answers `{ MessageId }`; each accepted
 * message (dry runs included, flagged) is a record of kind `voice-messages`. MessageBody is at
 * most 3000 characters as TEXT (the default) and 6000 as SSML; SSML must be a well-formed
 * `<speak>` document (../ssml.ts). Opt-out and pacing as SendTextMessage.
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, type OperationModule } from '../protocol';
import { ssmlProblem } from '../ssml';
import { pick } from '../validation';
import { checkCommonMembers, pacedBy, refuseOptedOut, throwIfInvalid, validationError } from './sms-voice-v2-common';

/** Amazon Polly voices the service accepts as VoiceId. */
export const VOICE_IDS = [
  'AMY', 'ASTRID', 'BIANCA', 'BRIAN', 'CAMILA', 'CARLA', 'CARMEN', 'CELINE', 'CHANTAL', 'CONCHITA',
  'CRISTIANO', 'DORA', 'EMMA', 'ENRIQUE', 'EWA', 'FILIZ', 'GERAINT', 'GIORGIO', 'GWYNETH', 'HANS',
  'INES', 'IVY', 'JACEK', 'JAN', 'JOANNA', 'JOEY', 'JUSTIN', 'KARL', 'KENDRA', 'KIMBERLY', 'LEA',
  'LIV', 'LOTTE', 'LUCIA', 'LUPE', 'MADS', 'MAJA', 'MARLENE', 'MATHIEU', 'MATTHEW', 'MAXIM', 'MIA',
  'MIGUEL', 'MIZUKI', 'NAJA', 'NICOLE', 'PENELOPE', 'RAVEENA', 'RICARDO', 'RUBEN', 'RUSSELL',
  'SALLI', 'SEOYEON', 'TAKUMI', 'TATYANA', 'VICKI', 'VITORIA', 'ZEINA', 'ZHIYU',
] as const;

/** What a record of kind `voice-messages` holds: the request's members as sent, and the MessageId answered. */
export interface RecordedVoiceMessage {
  MessageId: string;
  DestinationPhoneNumber: string;
  OriginationIdentity: string;
  MessageBody: string;
  /** As sent (the service's default is TEXT). */
  MessageBodyTextType?: 'TEXT' | 'SSML';
  /** As sent (the service's default is MATTHEW). */
  VoiceId?: (typeof VOICE_IDS)[number];
  ConfigurationSetName?: string;
  Context?: Record<string, string>;
  TimeToLive?: number;
  MaxPricePerMinute?: string;
  ProtectConfigurationId?: string;
  MessageFeedbackEnabled?: boolean;
  /** Always present: whether the message was only validated. */
  DryRun: boolean;
}

const MEMBERS = [
  'DestinationPhoneNumber',
  'OriginationIdentity',
  'MessageBody',
  'MessageBodyTextType',
  'VoiceId',
  'ConfigurationSetName',
  'Context',
  'TimeToLive',
  'MaxPricePerMinute',
  'ProtectConfigurationId',
  'MessageFeedbackEnabled',
] as const;

export const sendVoiceMessage: OperationModule = {
  service: SERVICES.smsVoiceV2,
  name: 'SendVoiceMessage',
  recordKinds: ['voice-messages'],
  pacedBy,
  handle({ body, config, record, serviceStore }) {
    const checks = checkCommonMembers(body);
    const textType = checks.enumeration('MessageBodyTextType', ['TEXT', 'SSML'] as const) ?? 'TEXT';
    checks.required('MessageBody');
    const message = checks.string('MessageBody', { min: 1, max: textType === 'SSML' ? 6000 : 3000, notBlank: true });
    checks.enumeration('VoiceId', VOICE_IDS);
    checks.string('MaxPricePerMinute', { min: 2, max: 8, pattern: /^[0-9]{0,2}\.[0-9]{1,5}$/ });
    throwIfInvalid(checks);

    if (textType === 'SSML' && message !== undefined) {
      const problem = ssmlProblem(message);
      if (problem) {
        checks.fail('MessageBody', message, `Member must be a well-formed SSML <speak> document: ${problem}`);
        throw validationError(checks, 'INVALID_PARAMETER');
      }
    }

    refuseOptedOut(config, body.DestinationPhoneNumber as string, serviceStore);
    const MessageId = randomUUID();
    record('voice-messages', { MessageId, ...pick(body, MEMBERS), DryRun: body.DryRun === true });
    return { body: { MessageId } };
  },
};
