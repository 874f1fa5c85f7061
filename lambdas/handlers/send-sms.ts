/**
 * Cadence task "SendSms": the step's text, rendered in the person's language from the
 * approved fields only, sent from the practice's SMS identity, paced to its rate.
 */
import { Messaging } from '../adapters/messaging';
import { renderSms, templateFields, templateText } from '../domain/templates';
import { deliver, dependencies, originationIdentity, taskInput, type CadenceState } from './cadence-support';

let messaging: Messaging | undefined;

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(
    taskInput.parse(payload),
    (s) => originationIdentity(s.practice, 'sms'),
    async (plan, attempt, s) => {
      messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
      const template = dependencies().config.templates[attempt.template!]!;
      const { text } = templateText(template, plan.language, s.practice.languages[0]!);
      const body = renderSms(text, templateFields(s.practice, s.contact));
      await messaging.warm();
      return () => messaging!.sendText({ to: plan.to!, from: originationIdentity(s.practice, 'sms').identity, body, attemptKey: attempt.attemptKey, practiceId: attempt.practiceId, contactId: attempt.contactId, purpose: plan.step.purpose });
    },
  );
