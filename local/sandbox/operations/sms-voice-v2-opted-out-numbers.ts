/**
 * End User Messaging (SMS and voice v2) PutOptedOutNumber and DeleteOptedOutNumber: the
 * account's opt-out lists. A number put on any list is refused by SendTextMessage and
 * SendVoiceMessage (as the sandbox's `optedOut` option is) until it is deleted again. Each
 * change is a record of kind `opt-outs` (`{ change: added | removed, OptOutListName, OptedOutNumber }`).
 * Deleting a number that is not on the list is a ResourceNotFoundException, as in AWS.
 */
import { SERVICES, ServiceError, type OperationModule } from '../protocol';
import { E164 } from '../types';
import { MemberChecks } from '../validation';
import { validationError } from './sms-voice-v2-common';

/** The service-store key of the numbers on any opt-out list. */
export const OPTED_OUT_NUMBERS = 'opted-out-numbers';

function checked(body: Record<string, unknown>): { list: string; number: string } {
  const checks = new MemberChecks(body);
  checks.required('OptOutListName', 'OptedOutNumber');
  checks.string('OptOutListName', { min: 1, max: 256, pattern: /^[A-Za-z0-9_:/-]+$/ });
  checks.string('OptedOutNumber', { min: 1, max: 20, pattern: E164 });
  if (!checks.ok) throw validationError(checks);
  return { list: body.OptOutListName as string, number: body.OptedOutNumber as string };
}

function numbersOf(serviceStore: Map<string, unknown>): Map<string, string> {
  let numbers = serviceStore.get(OPTED_OUT_NUMBERS) as Map<string, string> | undefined;
  if (!numbers) serviceStore.set(OPTED_OUT_NUMBERS, (numbers = new Map()));
  return numbers;
}

const answer = (list: string, number: string, at: string) => ({
  OptOutListArn: `arn:aws:sms-voice:us-east-1:000000000000:opt-out-list/${list}`,
  OptOutListName: list,
  OptedOutNumber: number,
  OptedOutTimestamp: Date.parse(at) / 1000,
  EndUserOptedOut: false,
});

export const putOptedOutNumber: OperationModule = {
  service: SERVICES.smsVoiceV2,
  name: 'PutOptedOutNumber',
  recordKinds: ['opt-outs'],
  handle({ body, now, record, serviceStore }) {
    const { list, number } = checked(body);
    const numbers = numbersOf(serviceStore);
    const at = numbers.get(number) ?? now().toISOString();
    if (!numbers.has(number)) record('opt-outs', { change: 'added', OptOutListName: list, OptedOutNumber: number });
    numbers.set(number, at);
    return { body: answer(list, number, at) };
  },
};

export const deleteOptedOutNumber: OperationModule = {
  service: SERVICES.smsVoiceV2,
  name: 'DeleteOptedOutNumber',
  recordKinds: ['opt-outs'],
  handle({ body, record, serviceStore }) {
    const { list, number } = checked(body);
    const numbers = numbersOf(serviceStore);
    const at = numbers.get(number);
    if (!at) throw new ServiceError('ResourceNotFoundException', `The opted out number ${number} is not on ${list}.`, 404, { ResourceType: 'opted-out-number', ResourceId: number });
    numbers.delete(number);
    record('opt-outs', { change: 'removed', OptOutListName: list, OptedOutNumber: number });
    return { body: answer(list, number, at) };
  },
};
