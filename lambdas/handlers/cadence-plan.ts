/**
 * Cadence task "PlanStep": decides what the enrollment's current step does now, records
 * what is final (a stop, the finish, a skip and its reason) and hands the decision to
 * the workflow, which waits, sends through a channel task, or ends.
 */
import { logger } from '../adapters/powertools';
import { now } from '../adapters/clock';
import { ConflictError } from '../adapters/tracker';
import { planStep } from '../domain/step-plan';
import { advance, attemptFor, decisionOf, dependencies, loadSituation, taskInput, type CadenceState } from './cadence-support';

export const handler = async (payload: unknown): Promise<CadenceState> => {
  const { state } = taskInput.parse(payload);
  const { ledger } = dependencies();
  const s = await loadSituation(state);
  if ('gone' in s) return { ...state, pacing: undefined, decision: { action: 'stop', reason: s.gone } };
  const cursor = s.enrollment.cursor;
  const decision = planStep(s);
  const at = now().toISOString();
  const ended = (e: unknown) => {
    if (!(e instanceof ConflictError)) throw e;
  };

  switch (decision.action) {
    case 'stop':
      await ledger.updateEnrollment(s.enrollment, { status: 'stopped', stopReason: decision.reason }, at).catch(ended);
      break;
    case 'finish':
      await ledger.updateEnrollment(s.enrollment, { status: 'finished' }, at).catch(ended);
      break;
    case 'skip':
      await ledger.recordSkip(attemptFor(s, cursor, decision.step.id, decision.step.channel, { status: 'skipped', reason: decision.reason }));
      await advance(s, cursor);
      break;
  }
  logger.info('step planned', { enrollmentId: s.enrollment.enrollmentId, round: cursor.round, step: cursor.step, action: decision.action, ...('reason' in decision ? { reason: decision.reason } : {}) });
  // A reserved send time survives only a plan that sends the same step again.
  return { ...state, pacing: decision.action === 'send' ? state.pacing : undefined, decision: decisionOf(decision, cursor) };
};
