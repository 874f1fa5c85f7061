/**
 * Cadence task "DropVoicemail": a text-to-speech voice message (SSML, under a minute by
 * config check) from the practice's voice number — never the SMS number — paced to its rate.
 * Where the practice's contact center has a voicemail flow, the message goes through
 * Connect, which waits for the answering machine's beep; else End User Messaging plays
 * it as soon as the line answers (README: the trade-off).
 */
import { ContactCenter } from '../adapters/contact-center';
import { Messaging } from '../adapters/messaging';
import { renderTemplate, templateFields, templateText, voicemailSsml } from '../domain/templates';
import { connectedCenter, deliver, dependencies, originationIdentity, taskInput, type CadenceState } from './cadence-support';

let messaging: Messaging | undefined;
let center: ContactCenter | undefined;

/** Polly voices End User Messaging offers, by language. */
const VOICES: Readonly<Record<string, string>> = { en: 'JOANNA', es: 'LUPE' };

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(
    taskInput.parse(payload),
    (s) => originationIdentity(s.practice, 'voice'),
    async (plan, attempt, s) => {
      const template = dependencies().config.templates[attempt.template!]!;
      const { text, language } = templateText(template, plan.language, s.practice.languages[0]!);
      const ssml = voicemailSsml(renderTemplate(text, templateFields(s.practice, s.contact)));
      const cc = connectedCenter(s.practice);
      const flow = cc?.voicemailFlowId;
      if (cc && flow) {
        center ??= new ContactCenter();
        await center.warm();
        return () =>
          center!.dropVoicemail({
            instanceId: cc.instanceId,
            contactFlowId: flow,
            // An instance the stack created shows the number it claimed there (the queue's caller id); an existing one, the voice number claimed in it.
            ...(cc.instanceAlias ? { queueId: cc.queueId } : { from: originationIdentity(s.practice, 'voice').identity }),
            to: plan.to!,
            attemptKey: attempt.attemptKey,
            attributes: { message: ssml, voice: VOICES[language] ?? 'JOANNA', language, practiceId: s.practice.id, contactId: s.contact.contactId, attempt: attempt.attemptKey, enrollmentId: s.enrollment.enrollmentId },
          });
      }
      messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
      await messaging.warm();
      return () => messaging!.sendVoice({
        to: plan.to!,
        from: originationIdentity(s.practice, 'voice').identity,
        body: ssml,
        ssml,
        voiceId: VOICES[language] ?? 'JOANNA',
        attemptKey: attempt.attemptKey,
        practiceId: attempt.practiceId,
        contactId: attempt.contactId,
        purpose: plan.step.purpose,
      });
    },
  );
