/**
 * What a person will receive from a cadence in the next days if nothing changes: the
 * enrollment's remaining steps planned forward with the same rules every step applies
 * right before it acts (consent, numbers, window, agents' hours, the cap — each planned
 * send counts against the cap of the ones after it). An outlook, not a promise: a reply,
 * a disposition or a new file changes it.
 */
import { nextCursor } from './enrollment';
import { CAPPED_CHANNELS, planSend, stepDueAt, type StepSituation } from './step-plan';

export interface ComingStep {
  readonly at: string;
  readonly cadence: string;
  readonly round: number;
  readonly step: string;
  readonly channel: string;
  /** What would happen: sent, or skipped with the reason. */
  readonly outcome: 'send' | `skip: ${string}`;
  /** Why it is not sooner than its day (the window, the agents' hours, the cap), when that moved it. */
  readonly heldBy?: string;
}

export function cadenceOutlook(s: StepSituation, days: number): { readonly coming: readonly ComingStep[]; readonly note?: string } {
  const { enrollment, cadence } = s;
  if (enrollment.status !== 'active' && enrollment.status !== 'paused') return { coming: [], note: `the enrollment is ${enrollment.status}${enrollment.stopReason ? ` (${enrollment.stopReason})` : ''}` };
  const horizon = s.now.getTime() + days * 86_400_000;
  const sent = new Map(s.sentPerLocalDay);
  const coming: ComingStep[] = [];
  let cursor = enrollment.cursor;
  let roundStartedAt = enrollment.roundStartedAt;
  for (let guard = 0; guard < 100 && cursor.round <= cadence.rounds; guard++) {
    const step = cadence.steps[cursor.step];
    if (!step) break;
    const due = Math.max(s.now.getTime(), stepDueAt(roundStartedAt, step).getTime());
    if (due > horizon) break;
    let at = new Date(due);
    let plan = planSend({ ...s, now: at, sentPerLocalDay: sent }, step);
    const heldBy = plan.action === 'wait' ? plan.reason : undefined;
    if (plan.action === 'wait') {
      at = new Date(plan.until);
      if (at.getTime() > horizon) break;
      plan = planSend({ ...s, now: at, sentPerLocalDay: sent }, step);
    }
    const base = { at: at.toISOString(), cadence: cadence.name, round: cursor.round, step: step.id, channel: step.channel, ...(heldBy ? { heldBy } : {}) };
    if (plan.action === 'send') {
      coming.push({ ...base, outcome: 'send' });
      if (plan.capDate && CAPPED_CHANNELS.has(step.channel)) sent.set(plan.capDate, (sent.get(plan.capDate) ?? 0) + 1);
    } else if (plan.action === 'skip') coming.push({ ...base, outcome: `skip: ${plan.reason}` });
    else coming.push({ ...base, outcome: `skip: held again (${plan.reason})` });
    ({ cursor, roundStartedAt } = nextCursor(cadence, cursor, roundStartedAt));
  }
  return enrollment.status === 'paused' ? { coming, note: 'paused: nothing goes until it is resumed; this is what follows then' } : { coming };
}
