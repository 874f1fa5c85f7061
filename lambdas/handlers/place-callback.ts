/**
 * EventBridge Scheduler target: the call-back a person asked for ("call me back Thursday
 * after 5"), queued to the practice's agents at that time, under a cadence call's rules
 * (voice consent for the purpose, do-not-call, the window, the agents' hours, the cap).
 * When those do not allow the time asked for, the call waits for the first time they do.
 * One call per request, whatever the retries: the key is the contact that took the request.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ContactCenter } from '../adapters/contact-center';
import { logger } from '../adapters/powertools';
import { CONSENT_PURPOSES } from '../domain/send-window-rules';
import { findPractice } from '../domain/stage-config';
import { PHONE_TYPES } from '../domain/phone';
import { renderTemplate, templateFields, templateText } from '../domain/templates';
import { digest, schedule } from './appointment-desk';
import { connectedCenter, dependencies, knowContactCenters } from './cadence-support';
import { sendOneOff, type SendOutcome } from './message-support';

export const callbackRequest = z.object({
  practiceId: z.string().min(1),
  contactId: z.string().min(1),
  /** The Connect contact on which the person asked. */
  connectContactId: z.string().min(1),
  purpose: z.enum(CONSENT_PURPOSES),
  /** The call script's template (the call step's), when the request came from a cadence call. */
  template: z.string().min(1).optional(),
});
export type CallbackRequest = z.infer<typeof callbackRequest>;

let center: ContactCenter | undefined;

export const handler = async (payload: unknown): Promise<{ readonly outcome: string }> => {
  const request = callbackRequest.parse(payload);
  const outcome = await placeCallback(request);
  if (outcome.status === 'later') await schedule('placeCallback', `callback-${digest(request.connectContactId, outcome.at)}`, outcome.at, request);
  logger.info('call-back', { practiceId: request.practiceId, connectContactId: request.connectContactId, outcome: outcome.status, ...('reason' in outcome ? { reason: outcome.reason } : {}) });
  return { outcome: outcome.status };
};

async function placeCallback(request: CallbackRequest): Promise<SendOutcome> {
  const { config, tracker } = dependencies();
  const practice = findPractice(config, request.practiceId);
  await knowContactCenters();
  const cc = practice && connectedCenter(practice);
  if (!practice || !cc) return { status: 'skipped', reason: 'the practice has no contact center in the stage config' };
  const contact = await tracker.getContact(practice.id, request.contactId);
  if (!contact) return { status: 'skipped', reason: 'the contact no longer exists' };
  // Someone who since booked, declined or asked not to be called is not called back.
  if ((contact.status ?? 'open') !== 'open' || contact.doNotCall) return { status: 'skipped', reason: contact.doNotCall ? 'do-not-call' : `status ${contact.status}` };
  const key = `callback#${request.connectContactId}`;
  return sendOneOff(
    { practice, contact, key, kind: 'callback', about: `disposition:${request.connectContactId}`, ...(request.template ? { templateId: request.template } : {}), owner: randomUUID() },
    {
      step: { id: 'callback', channel: 'call', purpose: request.purpose, phoneTypes: PHONE_TYPES.filter((t) => t !== 'INVALID'), day: 0 },
      pacing: { identity: `connect:${cc.instanceId}`, messagesPerSecond: cc.callsPerSecond },
      prepare: async (plan) => {
        center ??= new ContactCenter();
        const template = request.template ? config.templates[request.template] : undefined;
        const script = template?.channel === 'call' ? renderTemplate(templateText(template, plan.language, practice.languages[0]!).text, templateFields(practice, contact)) : '';
        await center.warm();
        return () =>
          center!.queueCall({
            instanceId: cc.instanceId,
            contactFlowId: cc.outboundFlowId,
            queueId: cc.queueId,
            to: plan.to!,
            attemptKey: key,
            attributes: { practiceId: practice.id, contactId: contact.contactId, step: 'callback', attempt: key, firstName: contact.firstName ?? '', language: plan.language, script },
          });
      },
    },
  );
}
