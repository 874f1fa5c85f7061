/**
 * Cadence task "DropVoicemail": a text-to-speech voice message (SSML, under a minute by
 * config check) from the practice's voice number — never the SMS number — paced to the rate
 * of what places it (the voice number, or the Connect instance's outbound calls).
 * Where the practice's contact center has a voicemail flow, the message goes through
 * Connect, which waits for the answering machine's beep; else End User Messaging plays
 * it as soon as the line answers (README: the trade-off).
 */
import { deliver, taskInput, type CadenceState } from './cadence-support';
import { prepareVoicemail, voicemailPacing } from './message-support';

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(
    taskInput.parse(payload),
    (s) => voicemailPacing(s.practice),
    (plan, attempt, s) => prepareVoicemail({ practice: s.practice, contact: s.contact, plan, templateId: attempt.template!, attemptKey: attempt.attemptKey, attributes: { enrollmentId: s.enrollment.enrollmentId } }),
  );
