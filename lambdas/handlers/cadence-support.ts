/**
 * What the cadence workflow's handlers share: the workflow state's schema, the adapters
 * (built on first use), how a step's situation is loaded from the tracker, and the one
 * exactly-once delivery path every channel goes through:
 *
 *   re-plan → reserve a send time → claim the attempt → take the cap → wait for the time → act → record → advance
 */
import { z } from 'zod';
import { now } from '../adapters/clock';
import { CadenceLedger, type Attempt, type CapLedger } from '../adapters/cadence-ledger';
import { countOutcome } from '../adapters/outcome-metrics';
import { Pacer, type SendTime } from '../adapters/pacer';
import { logger } from '../adapters/powertools';
import { PermanentSendError, TransientSendError } from '../adapters/send-errors';
import { loadStageConfig, requiredEnv } from '../adapters/settings';
import { ConflictError, Tracker } from '../adapters/tracker';
import { agentHoursAt, closedDays } from '../domain/agent-hours';
import { consentDefaultsFor, resolvedSteps, stepTemplateFor, type Cadence } from '../domain/cadence-config';
import { attemptKeyFor, nextCursor, type Cursor, type Enrollment } from '../domain/enrollment';
import { ContactCenterIds, type CreatedCenterIds } from '../adapters/contact-center-ids';
import { configuredNumbers, contactCentersParameterName, findPractice, type PracticeProfile, type StageConfig } from '../domain/stage-config';
import { CAPPED_CHANNELS, planStep, windowOpenFor, type PlannedCadence, type SendPlan, type SendSituation, type StepDecision, type StepSituation } from '../domain/step-plan';
import { usableNumbers, type Contact } from '../domain/contact';

/** The workflow's state between tasks: which enrollment, the last decision, a reserved send time. */
export const cadenceState = z
  .object({
    practiceId: z.string().min(1),
    contactId: z.string().min(1),
    cadence: z.string().min(1),
    enrollmentId: z.string().min(1),
    decision: z.record(z.string(), z.unknown()).optional(),
    pacing: z.object({ atMs: z.number() }).optional(),
  })
  .loose();
export type CadenceState = z.infer<typeof cadenceState>;

export const taskInput = z.object({ state: cadenceState, executionId: z.string().min(1) });

interface Dependencies {
  readonly config: StageConfig;
  readonly tracker: Tracker;
  readonly ledger: CadenceLedger;
  readonly pacer: Pacer;
}

let deps: Dependencies | undefined;

export function dependencies(): Dependencies {
  if (!deps) {
    const table = requiredEnv('TRACKER_TABLE_NAME');
    const ledger = new CadenceLedger(table);
    deps = { config: loadStageConfig(), tracker: new Tracker(table), ledger, pacer: new Pacer(ledger) };
  }
  return deps;
}

export function resetCadenceDependencies(): void {
  deps = undefined;
  createdCenters = undefined;
  resolvedCenters = {};
  stackIdentities = undefined;
}

/** Everything a decision about this enrollment's current step depends on, read fresh. */
export interface Situation extends StepSituation {
  readonly practice: PracticeProfile & StepSituation['practice'];
  readonly cadenceConfig: Cadence;
  /** The counts sentPerLocalDay came from, with their version: taking the cap is conditional on it. */
  readonly capLedger: CapLedger;
}

export async function loadSituation(state: CadenceState): Promise<Situation | { gone: string }> {
  const { config, tracker, ledger } = dependencies();
  const practice = findPractice(config, state.practiceId);
  const cadenceConfig = config.cadences.find((c) => c.name === state.cadence);
  if (!practice || !cadenceConfig) return { gone: `the ${!practice ? 'practice' : 'cadence'} is no longer in the stage config` };
  const [contact, enrollment] = await Promise.all([tracker.getContact(state.practiceId, state.contactId), ledger.getEnrollment(state.practiceId, state.contactId, state.cadence)]);
  if (!contact || !enrollment) return { gone: 'the contact or its enrollment no longer exists' };
  // A later enrollment in the same cadence (a follow-up, a new try) took over from this execution's.
  if (enrollment.enrollmentId !== state.enrollmentId) return { gone: 'a newer enrollment in this cadence took over' };
  return { ...(await loadSendSituation(practice, contact)), cadence: plannedCadence(cadenceConfig), cadenceConfig, enrollment };
}

/** What any send to the person depends on, read fresh: numbers and their types, consent, lists, the cap, the windows. */
export async function loadSendSituation(practice: PracticeProfile, contact: Contact): Promise<SendSituation & Pick<Situation, 'practice' | 'capLedger'>> {
  const { config, tracker, ledger } = dependencies();
  await knowContactCenters();
  const numbers = usableNumbers(contact);
  const [validations, listed, cap] = await Promise.all([
    tracker.getValidations(numbers),
    ledger.doNotCallListed(practice.id, numbers),
    ledger.capLedger(practice.id, contact.contactId),
  ]);
  const center = connectedCenter(practice);
  const closedDates = new Set(closedDays(config.sendWindow.holidays).map((d) => d.date));
  return {
    now: now(),
    contact,
    numbers: numbers.map((e164) => {
      const v = validations.get(e164);
      return { e164, phoneType: v?.phoneType, timeZone: v?.timeZone, zip: v?.zip, ...(contact.undeliverable?.[e164]?.channel === 'sms' ? { noTexts: true } : {}) };
    }),
    consentDefaults: consentDefaultsFor(practice, contact.tags),
    doNotCallListed: listed,
    practice,
    sendWindow: config.sendWindow,
    frequencyCap: config.frequencyCap,
    sentPerLocalDay: cap.sent,
    capLedger: cap,
    agentHours: center ? (when: Date) => agentHoursAt(when, center.hours, practice.timeZone, closedDates) : undefined,
  };
}

export function plannedCadence(cadence: Cadence): PlannedCadence {
  return { name: cadence.name, rounds: cadence.rounds, roundIntervalDays: cadence.roundIntervalDays, steps: resolvedSteps(cadence) };
}

/** Moves the enrollment past `cursor` (only if it still stands there: a duplicate cannot skip a step). */
export async function advance(s: Situation, cursor: Cursor): Promise<void> {
  const next = nextCursor(s.cadence, cursor, s.enrollment.roundStartedAt);
  await dependencies()
    .ledger.updateEnrollment(s.enrollment, { ...next, expectedCursor: cursor }, now().toISOString())
    .catch((e: Error) => {
      if (!(e instanceof ConflictError)) throw e;
    });
}

export function attemptFor(s: Situation, cursor: Cursor, stepId: string, channel: Attempt['channel'], fields: Partial<Attempt>): Attempt {
  return {
    attemptKey: attemptKeyFor(s.enrollment.enrollmentId, cursor, stepId),
    practiceId: s.enrollment.practiceId,
    contactId: s.enrollment.contactId,
    enrollmentId: s.enrollment.enrollmentId,
    cadence: s.enrollment.cadence,
    round: cursor.round,
    stepId,
    channel,
    status: 'claimed',
    at: now().toISOString(),
    ...fields,
  };
}

/**
 * A channel's effect in two parts: preparing it (render the message, warm the client) and
 * the send itself, returning the provider's id. Preparing happens before the wait for the
 * reserved send time, so the send leaves on time.
 */
export type Effect = (plan: SendPlan, attempt: Attempt, s: Situation) => Promise<() => Promise<string>>;

export interface Pacing {
  readonly identity: string;
  readonly messagesPerSecond: number;
}

const stackIdentity = z.object({ identity: z.string(), messagesPerSecond: z.number(), numbers: z.array(z.string()).default([]) });
const identitiesFromStack = z.record(z.string(), z.object({ sms: stackIdentity, voice: stackIdentity }));
let stackIdentities: z.infer<typeof identitiesFromStack> | undefined;
const fromStack = () => (stackIdentities ??= identitiesFromStack.parse(JSON.parse(process.env.ORIGINATION_IDENTITIES || '{}')));

/**
 * The practice's SMS or voice origination identity: what the messaging stack resolved
 * (ORIGINATION_IDENTITIES, which knows the ARNs of numbers it requested), else the stage config's.
 */
export function originationIdentity(practice: PracticeProfile, kind: 'sms' | 'voice'): Pacing {
  const resolved = fromStack()[practice.id]?.[kind];
  if (resolved) return resolved;
  const configured = practice[kind];
  if (!configured.originationIdentity) throw new Error(`practice ${practice.id} has no ${kind} identity: ORIGINATION_IDENTITIES does not name the one the stack requested`);
  return { identity: configured.originationIdentity, messagesPerSecond: configured.messagesPerSecond };
}

/**
 * The E.164 numbers a practice's texts come from, so replies to them are matched to it: the
 * number the stack requested, a configured number, or the `numbers` behind a configured id,
 * pool or ARN.
 */
export function smsNumbersOf(practice: PracticeProfile): readonly string[] {
  const resolved = fromStack()[practice.id]?.sms.numbers;
  return resolved?.length ? resolved : configuredNumbers(practice.sms);
}

/** A practice's contact center with the ids calls need; undefined when it has none, or its ids are not known yet. */
export type ConnectedCenter = NonNullable<PracticeProfile['contactCenter']> & { readonly instanceId: string; readonly queueId: string; readonly outboundFlowId: string };

let createdCenters: { readonly ids: Promise<CreatedCenterIds>; readonly at: number } | undefined;
/** The ids are read again after this long, so a ContactCenter stack deployed after the functions is seen without a cold start. */
const CENTERS_FRESH_MS = 5 * 60_000;

/**
 * Reads the ids of the instances the ContactCenter stack created (once per cold start, then
 * every few minutes), when a practice has one (`instanceAlias`); call before `connectedCenter`.
 */
export async function knowContactCenters(): Promise<void> {
  const { config } = dependencies();
  if (!config.practices.some((p) => p.contactCenter?.instanceAlias)) return;
  if (!createdCenters || Date.now() - createdCenters.at > CENTERS_FRESH_MS) {
    const ids = new ContactCenterIds().read(contactCentersParameterName(config.stage));
    createdCenters = { ids, at: Date.now() };
    ids.catch(() => (createdCenters = undefined));
  }
  resolvedCenters = await createdCenters.ids;
}
let resolvedCenters: CreatedCenterIds = {};

/**
 * The practice's contact center as calls use it: an existing instance the stage config names
 * with its queue and outbound flow, or the one the ContactCenter stack created for it (ids from
 * its parameter). Undefined when the practice has none, or the created one is not deployed yet:
 * its call steps are then skipped as having no contact center.
 */
export function connectedCenter(practice: PracticeProfile): ConnectedCenter | undefined {
  const cc = practice.contactCenter;
  if (!cc) return undefined;
  const ids = cc.instanceId ? cc : cc.instanceAlias ? resolvedCenters[practice.id] : undefined;
  return ids?.instanceId && ids.queueId && ids.outboundFlowId ? ({ ...cc, ...ids } as ConnectedCenter) : undefined;
}

/** The send path shared by every channel. Returns the next workflow state. */
export async function deliver(input: z.infer<typeof taskInput>, pacing: ((s: Situation) => Pacing) | undefined, effect: Effect): Promise<CadenceState> {
  const { state, executionId } = input;
  const { ledger, pacer } = dependencies();
  const s = await loadSituation(state);
  if ('gone' in s) return { ...state, pacing: undefined, decision: { action: 'stop', reason: s.gone } };
  const cursor = s.enrollment.cursor;
  const plan = planStep(s);
  const expected = state.decision?.cursor as Cursor | undefined;
  // Anything but "send this very step" goes back to the planner, which records it.
  if (plan.action !== 'send' || (expected && (expected.round !== cursor.round || expected.step !== cursor.step))) {
    return { ...state, pacing: undefined, decision: { action: 'replan' } };
  }

  let time: SendTime | undefined;
  if (pacing) {
    const { identity, messagesPerSecond } = pacing(s);
    time = state.pacing && state.pacing.atMs >= Date.now() ? state.pacing : await pacer.reserve(identity, messagesPerSecond);
    if (time.atMs - Date.now() > INLINE_WAIT_MS) {
      return { ...state, pacing: time, decision: { action: 'pace', until: new Date(time.atMs - WAKE_EARLY_MS).toISOString(), cursor } };
    }
  }

  const { template, variant } = templateOf(s, plan);
  const attempt = attemptFor(s, cursor, plan.step.id, plan.channel, { owner: executionId, template, variant, language: plan.language, to: plan.to, capDate: plan.capDate });
  const claim = await ledger.claimAttempt(attempt);
  if (!claim.claimed) {
    // Someone got here first. If its outcome is unknown (a crash mid-send), say so; never send again.
    if (claim.existing.status === 'claimed' && claim.existing.owner !== executionId) {
      await ledger.completeAttempt(claim.existing, { status: 'unconfirmed', reason: 'claimed by another invocation that did not record an outcome' }).catch(() => undefined);
    } else if (claim.existing.status === 'claimed') {
      await ledger.completeAttempt(claim.existing, { status: 'unconfirmed', reason: 'a previous try of this task stopped after claiming' }).catch(() => undefined);
    }
    await advance(s, cursor);
    return { ...state, pacing: undefined, decision: { action: 'duplicate', cursor } };
  }

  const capped = CAPPED_CHANNELS.has(plan.channel) && plan.capDate;
  if (capped && !(await ledger.takeCap(s.enrollment.practiceId, s.enrollment.contactId, plan.capDate!, s.capLedger))) {
    await ledger.releaseAttempt(attempt);
    return { ...state, pacing: undefined, decision: { action: 'replan' } };
  }
  const giveBack = async () => {
    if (capped) await ledger.giveBackCap(s.enrollment.practiceId, s.enrollment.contactId, plan.capDate!);
  };
  let send: () => Promise<string>;
  try {
    send = await effect(plan, attempt, s);
  } catch (e) {
    await ledger.releaseAttempt(attempt);
    await giveBack();
    throw e;
  }
  const stillDue = async () => {
    if (!time || time.atMs - Date.now() <= RECHECK_LEAD_MS) return true;
    // A wait long enough for a STOP or a booking to land: look again just before the send time.
    await new Promise((r) => setTimeout(r, time.atMs - RECHECK_LEAD_MS - Date.now()));
    return stillSends(state, s, plan);
  };
  // The window closed meanwhile, or woke too late for the reserved time: give it all back and plan again.
  if (!windowStillOpen(s, plan, s.enrollment.practiceId, time?.atMs) || (time && !((await stillDue()) && (await pacer.waitFor(time))))) {
    await ledger.releaseAttempt(attempt);
    await giveBack();
    return { ...state, pacing: undefined, decision: { action: 'replan' } };
  }

  let providerMessageId: string;
  try {
    providerMessageId = await send();
  } catch (e) {
    if (e instanceof PermanentSendError) {
      await ledger.completeAttempt(attempt, { status: 'failed', reason: e.reason });
      await giveBack();
      await optedOutAtProvider(e, attempt);
      await advance(s, cursor);
      return { ...state, pacing: undefined, decision: { action: 'failed', reason: e.reason, cursor } };
    }
    // Not accepted: give the claim back so the workflow's retry may send it.
    await ledger.releaseAttempt(attempt);
    await giveBack();
    throw e instanceof TransientSendError ? e : new TransientSendError((e as Error).message);
  }
  // Accepted: from here on nothing gives the claim or the cap back, or a retry would send it again.
  countOutcome('MessagesSent', { practice: s.enrollment.practiceId, channel: plan.channel });
  await ledger.completeAttempt(attempt, { status: 'sent', providerMessageId, sentAt: now().toISOString() });
  await advance(s, cursor);
  return { ...state, pacing: undefined, decision: { action: 'sent', channel: plan.channel, cursor } };
}

/**
 * Defence in depth, last thing before the provider call: is the recipient's window open at the
 * instant the message will leave (now, or the paced send time `leavesAtMs` it waits for next),
 * asked again with the plan's facts? Rendering, a slow read or a paced wait may have crossed its
 * closing. Asked before the wait, so the send itself keeps its paced time. Closed → the caller
 * sends nothing and plans again, like a late wake-up; SendOutsideWindow counts it, and its alarm
 * fires on any, because the planner should never let one get this far.
 */
export function windowStillOpen(s: SendSituation, plan: SendPlan, practiceId: string, leavesAtMs = Date.now()): boolean {
  // The pacer's times are real (Date.now); the window is judged on the clock (virtual in a local run).
  if (windowOpenFor(s, plan, new Date(now().getTime() + Math.max(0, leavesAtMs - Date.now())))) return true;
  countOutcome('SendOutsideWindow', { practice: practiceId, channel: plan.channel });
  logger.warn('send held back: the recipient\'s window closed before the provider call', { practiceId, channel: plan.channel, stepId: plan.step.id });
  return false;
}

/**
 * A text End User Messaging refused because the number is on its opt-out list (a STOP the
 * carrier or the service handled, which may never have reached the system as a reply): the
 * person is opted out of texts in the tracker too, so nothing plans another.
 */
export async function optedOutAtProvider(e: PermanentSendError, attempt: Pick<Attempt, 'practiceId' | 'contactId' | 'channel' | 'at'>): Promise<void> {
  if (e.reason !== 'DESTINATION_PHONE_NUMBER_OPTED_OUT' || attempt.channel !== 'sms') return;
  await dependencies().tracker.recordOptOut(attempt.practiceId, attempt.contactId, 'sms', 'end-user-messaging:opt-out-list', now().toISOString());
}

/**
 * Whether the send planned from `before` still stands on facts read now: the same step to the
 * same number (the cap this send already took aside, so it is not counted against itself).
 */
async function stillSends(state: CadenceState, before: Situation, plan: SendPlan): Promise<boolean> {
  const now = await loadSituation(state);
  if ('gone' in now) return false;
  const again = planStep({ ...now, sentPerLocalDay: before.sentPerLocalDay });
  return again.action === 'send' && again.step.id === plan.step.id && again.to === plan.to;
}

/** How long before a reserved send time the sender re-reads the person (enough for the reads). */
const RECHECK_LEAD_MS = 300;

/** A reserved time further out than this is waited for by the workflow, not inside the Lambda. */
export const INLINE_WAIT_MS = 30_000;
const WAKE_EARLY_MS = 5_000;

export function templateOf(s: Situation, plan: SendPlan): { template: string; variant?: string } {
  const step = s.cadenceConfig.steps.find((x) => x.id === plan.step.id)!;
  return stepTemplateFor(s.contact.contactId, s.cadence.name, step);
}

export function decisionOf(d: StepDecision, cursor: Cursor): Record<string, unknown> {
  switch (d.action) {
    case 'send':
      return { action: 'send', channel: d.channel, stepId: d.step.id, cursor };
    case 'skip':
      return { action: 'skip', reason: d.reason, stepId: d.step.id, cursor };
    default:
      return { ...d };
  }
}

export type { Contact, Enrollment };
