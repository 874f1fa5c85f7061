/**
 * Cadence task "DropVoicemail": a text-to-speech voice message (SSML, under a minute by
 * config check) from the practice's voice number — never the SMS number — paced to its rate.
 */
import { Messaging } from '../adapters/messaging';
import { renderTemplate, templateFields, templateText, voicemailSsml } from '../domain/templates';
import { deliver, dependencies, originationIdentity, taskInput, type CadenceState } from './cadence-support';

let messaging: Messaging | undefined;

/** Polly voices End User Messaging offers, by language. */
const VOICES: Readonly<Record<string, string>> = { en: 'JOANNA', es: 'LUPE' };

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(
    taskInput.parse(payload),
    (s) => originationIdentity(s.practice, 'voice'),
    async (plan, attempt, s) => {
      messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
      const template = dependencies().config.templates[attempt.template!]!;
      const { text, language } = templateText(template, plan.language, s.practice.languages[0]!);
      const ssml = voicemailSsml(renderTemplate(text, templateFields(s.practice, s.contact)));
      await messaging.warm();
      return () => messaging!.sendVoice({
        to: plan.to!,
        from: originationIdentity(s.practice, 'voice').identity,
        body: ssml,
        ssml,
        voiceId: VOICES[language] ?? 'JOANNA',
        attemptKey: attempt.attemptKey,
        purpose: plan.step.purpose,
      });
    },
  );
