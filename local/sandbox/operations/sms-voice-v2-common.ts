/**
 * What SendTextMessage and SendVoiceMessage share (End User Messaging SMS and Voice v2, AWS JSON
 * 1.0): the members both take and their constraints, the ValidationException shape, the
 * opt-out rule and pacing by origination identity.
 */
import { E164, type SandboxConfig } from '../types';
import { ServiceError } from '../protocol';
import { MemberChecks } from '../validation';

/** PhoneNumber, PhoneNumberId/Arn, SenderId/Arn, PoolId/Arn (TextMessageOriginationIdentity). */
export const ORIGINATION_IDENTITY = { min: 1, max: 256, pattern: /^[A-Za-z0-9_:/+-]+$/ };

/** Check the members both operations take; answers the checker for the operation's own members. */
export function checkCommonMembers(body: Record<string, unknown>): MemberChecks {
  const checks = new MemberChecks(body);
  checks.required('DestinationPhoneNumber');
  checks.string('DestinationPhoneNumber', { min: 1, max: 20, pattern: E164 });
  checks.required('OriginationIdentity');
  checks.string('OriginationIdentity', ORIGINATION_IDENTITY);
  checks.string('ConfigurationSetName', { min: 1, max: 256, pattern: /^[A-Za-z0-9_:/-]+$/ });
  checks.stringMap('Context', {
    maxEntries: 5,
    key: { min: 1, max: 100, pattern: /^\S+$/ },
    value: { min: 1, max: 800, pattern: /^(?!\s)[\s\S]+(?<!\s)$/ },
  });
  checks.integer('TimeToLive', 5, 259200);
  checks.boolean('DryRun');
  checks.string('ProtectConfigurationId', { min: 1, max: 256, pattern: /^[A-Za-z0-9_:/-]+$/ });
  checks.boolean('MessageFeedbackEnabled');
  return checks;
}

/** ValidationException as the service words it: `Reason` and the failing `Fields`. */
export function validationError(checks: MemberChecks, reason = 'FIELD_VALIDATION_FAILED'): ServiceError {
  return new ServiceError('ValidationException', checks.message, 400, {
    Reason: reason,
    Fields: checks.problems.map((p) => ({ Name: p.member, Message: p.constraint })),
  });
}

export function throwIfInvalid(checks: MemberChecks): void {
  if (!checks.ok) throw validationError(checks);
}

/** A destination on the sandbox's opt-out list (the option, or put there with PutOptedOutNumber): ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT. */
export function refuseOptedOut(config: Readonly<SandboxConfig>, destination: string, serviceStore?: Map<string, unknown>): void {
  const put = serviceStore?.get('opted-out-numbers') as Map<string, string> | undefined;
  if (!config.optedOut?.includes(destination) && !put?.has(destination)) return;
  throw new ServiceError('ConflictException', `The destination phone number ${destination} is opted out.`, 400, {
    Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
    ResourceType: 'opted-out-number',
    ResourceId: destination,
  });
}

/** The identity a message is paced under: none for a dry run or an identity that is not valid. */
export function pacedBy(body: Record<string, unknown>): string | undefined {
  if (body.DryRun === true) return undefined;
  const identity = body.OriginationIdentity;
  if (typeof identity !== 'string') return undefined;
  const { min, max, pattern } = ORIGINATION_IDENTITY;
  return identity.length >= min && identity.length <= max && pattern.test(identity) ? identity : undefined;
}
