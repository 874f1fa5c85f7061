/**
 * Cadence task "QueueAgentCall": queues an outbound call to the practice's agents in
 * Amazon Connect, with what the agent needs as contact attributes (ids, step, script;
 * no clinical data). The call's outcome comes back later as a disposition.
 */
import { ContactCenter } from '../adapters/contact-center';
import { renderTemplate, templateFields, templateText } from '../domain/templates';
import { connectedCenter, deliver, dependencies, taskInput, type CadenceState } from './cadence-support';

let center: ContactCenter | undefined;

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(
    taskInput.parse(payload),
    // The planner skips call steps of a practice without a connected center, so one is here.
    (s) => ({ identity: `connect:${connectedCenter(s.practice)!.instanceId}`, messagesPerSecond: connectedCenter(s.practice)!.callsPerSecond }),
    async (plan, attempt, s) => {
      center ??= new ContactCenter();
      const cc = connectedCenter(s.practice)!;
      const template = dependencies().config.templates[attempt.template!]!;
      const { text, language } = templateText(template, plan.language, s.practice.languages[0]!);
      await center.warm();
      return () => center!.queueCall({
        instanceId: cc.instanceId,
        contactFlowId: cc.outboundFlowId,
        queueId: cc.queueId,
        to: plan.to!,
        attemptKey: attempt.attemptKey,
        attributes: {
          practiceId: s.practice.id,
          contactId: s.contact.contactId,
          enrollmentId: s.enrollment.enrollmentId,
          cadence: s.enrollment.cadence,
          round: String(attempt.round),
          step: attempt.stepId,
          attempt: attempt.attemptKey,
          firstName: s.contact.firstName ?? '',
          language,
          script: renderTemplate(text, templateFields(s.practice, s.contact)),
        },
      });
    },
  );
