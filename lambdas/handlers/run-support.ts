/**
 * What broadcast and campaign runs share: starting a run (once per trigger), queueing a
 * shard of its people, and sending to the people due, each through the one-off path that
 * applies every rule (consent, window, cap unless urgent, pace) exactly once per person:
 *
 *   start → plan (16 shards of the roster) → send what is due → wait for the next due → … → done
 *
 * A cancelled run sends nothing more (the sender looks at the run every second) and
 * counts whoever was still queued as skipped "cancelled".
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { now } from '../adapters/clock';
import { logger } from '../adapters/powertools';
import { Roster } from '../adapters/roster';
import { blankCounts, RunLedger, type MemberOutcome, type QueuedMember, type Run } from '../adapters/run-ledger';
import { requiredEnv } from '../adapters/settings';
import { WorkflowStarter } from '../adapters/workflow-starter';
import { BROADCAST_CHANNELS, broadcastRunId, campaignRunId, chooseChannel, memberKey, type Broadcast, type ChannelName } from '../domain/broadcast';
import { consentDefaultsFor } from '../domain/cadence-config';
import { dueOccurrence, stillDue, type Campaign } from '../domain/campaign';
import type { Contact } from '../domain/contact';
import { inSegment, profileCardOf, type Segment, type SegmentCard, type SegmentContext, type SegmentFilter } from '../domain/segment';
import { findPractice, type PracticeProfile, type StageConfig } from '../domain/stage-config';
import { planSend, type PlannedStep } from '../domain/step-plan';
import { timeZonesFor } from '../domain/send-window';
import { dependencies as cadenceDependencies, originationIdentity } from './cadence-support';
import { prepareVoicemail, sendOneOff, sendSituation, sendText, voicemailPacing, type SendOutcome } from './message-support';

let roster: Roster | undefined;
let runs: RunLedger | undefined;
let starter: WorkflowStarter | undefined;

export function runDependencies(): { config: StageConfig; roster: Roster; runs: RunLedger; starter: () => WorkflowStarter } {
  const { config } = cadenceDependencies();
  const table = requiredEnv('TRACKER_TABLE_NAME');
  roster ??= new Roster(table);
  runs ??= new RunLedger(table);
  return { config, roster, runs, starter: () => (starter ??= new WorkflowStarter(requiredEnv('RUN_STATE_MACHINE_ARN'))) };
}

export function resetRunDependencies(): void {
  roster = undefined;
  runs = undefined;
  starter = undefined;
}

/** The workflow's state between tasks. */
export interface RunState {
  readonly practiceId: string;
  readonly runId: string;
  readonly startAt: string;
  /** The next roster shard to queue; ROSTER_SHARDS once all are queued. */
  readonly shard: number;
  /** What the sender asks for next: send more now, wait until `waitUntil`, or nothing (done). */
  readonly next?: 'send' | 'wait' | 'done';
  readonly waitUntil?: string;
}

/** A segment by name: the stage config's, else one saved through the staff API. */
export async function findSegment(practiceId: string, name: string): Promise<Segment | undefined> {
  const { config, roster } = runDependencies();
  return config.segments.find((s) => s.practice === practiceId && s.name === name) ?? (await roster.savedSegment(practiceId, name));
}

export function segmentContext(practice: PracticeProfile, at: Date): SegmentContext {
  return { today: DateTime.fromJSDate(at, { zone: practice.timeZone }).toISODate()!, consentDefaults: (tags) => consentDefaultsFor(practice, tags) };
}

/** How many people a run would reach (its dry run): everyone in the filters, for a campaign only those with an occurrence due. */
export async function countMembers(practice: PracticeProfile, filters: readonly SegmentFilter[], ctx: SegmentContext, campaign?: Campaign): Promise<{ members: number; cards: number; readUnits: number }> {
  const { roster } = runDependencies();
  let members = 0;
  const reads = await roster.evaluate(practice.id, filters[0] ?? {}, ctx, (card) => {
    if (isMember(card, filters.slice(1), ctx, campaign)) members += 1;
  });
  return { members, cards: reads.cards, readUnits: reads.readUnits };
}

function isMember(card: SegmentCard, filters: readonly SegmentFilter[], ctx: SegmentContext, campaign?: Campaign): boolean {
  return filters.every((f) => inSegment(card, f, ctx)) && (!campaign || dueOccurrence(card, campaign, ctx.today) !== undefined);
}

export type StartAnswer =
  | { readonly status: 'started' | 'already-started'; readonly run: Run }
  | { readonly status: 'needs-confirmation'; readonly members: number; readonly confirmAbove: number }
  | { readonly status: 'refused'; readonly reason: string };

/**
 * Starts a broadcast: at its set time (or `at`, or now), once per trigger. A run for more
 * people than `confirmAbove` needs `confirm`; the answer then says how many it would reach.
 */
export async function startBroadcast(request: { practiceId: string; name: string; at?: string; confirm?: boolean; trigger?: string; by: string }): Promise<StartAnswer> {
  const { config } = runDependencies();
  const broadcast = config.broadcasts.find((b) => b.practice === request.practiceId && b.name === request.name);
  if (!broadcast) return { status: 'refused', reason: `no broadcast "${request.name}" for practice ${request.practiceId} in the stage config` };
  const practice = findPractice(config, broadcast.practice)!;
  const segment = await findSegment(practice.id, broadcast.segment);
  if (!segment) return { status: 'refused', reason: `no segment "${broadcast.segment}" for practice ${practice.id}` };
  const startAt = new Date(request.at ?? broadcast.at ?? now().toISOString());
  if (Number.isNaN(startAt.getTime())) return { status: 'refused', reason: `"${request.at}" is not a time (ISO 8601 with offset)` };
  // A time given as a trigger names the same run however it is written (the schedule's "at", a staff request's).
  const given = request.trigger ?? startAt.toISOString();
  const trigger = /^\d{4}-\d{2}-\d{2}T/.test(given) && !Number.isNaN(Date.parse(given)) ? new Date(given).toISOString() : given;
  return startRun(practice, broadcastRun(broadcast, practice, segment, startAt, trigger, request.by), request.confirm ?? broadcast.confirmed);
}

function broadcastRun(b: Broadcast, practice: PracticeProfile, segment: Segment, startAt: Date, trigger: string, by: string): Run {
  const ctx = segmentContext(practice, startAt);
  return {
    runId: broadcastRunId(b.name, trigger),
    kind: 'broadcast',
    name: b.name,
    practiceId: b.practice,
    status: 'queued',
    startAt: startAt.toISOString(),
    filters: [segment.filter],
    segment: segment.name,
    templates: b.templates,
    urgent: b.urgent,
    evaluatedOn: ctx.today,
    createdAt: now().toISOString(),
    createdBy: by,
    ...blankCounts(),
  };
}

/** Starts the day's run of every campaign (the daily schedule's job); each once per practice-local day. */
export async function startCampaignDay(by: string, only?: string): Promise<StartAnswer[]> {
  const { config } = runDependencies();
  const answers: StartAnswer[] = [];
  for (const campaign of config.campaigns.filter((c) => only === undefined || c.name === only)) {
    const practice = findPractice(config, campaign.practice)!;
    const segment = campaign.segment === undefined ? undefined : await findSegment(practice.id, campaign.segment);
    if (campaign.segment !== undefined && !segment) {
      answers.push({ status: 'refused', reason: `campaign ${campaign.name}: no segment "${campaign.segment}"` });
      continue;
    }
    const at = now();
    const today = segmentContext(practice, at).today;
    const run: Run = {
      runId: campaignRunId(campaign.name, today),
      kind: 'campaign',
      name: campaign.name,
      practiceId: practice.id,
      status: 'queued',
      startAt: at.toISOString(),
      filters: [segment?.filter ?? {}, ...(campaign.filter ? [campaign.filter] : [])],
      ...(segment ? { segment: segment.name } : {}),
      templates: campaign.templates,
      urgent: false,
      evaluatedOn: today,
      createdAt: at.toISOString(),
      createdBy: by,
      ...blankCounts(),
    };
    // A campaign's daily run is its schedule's doing: no one is there to confirm it.
    answers.push(await startRun(practice, run, true));
  }
  return answers;
}

async function startRun(practice: PracticeProfile, run: Run, confirmed: boolean): Promise<StartAnswer> {
  const { config, runs, starter } = runDependencies();
  const existing = await runs.getRun(practice.id, run.runId);
  if (!existing && !confirmed) {
    const { members } = await countMembers(practice, run.filters, segmentContext(practice, new Date(run.startAt)));
    if (members > config.broadcasting.confirmAbove) return { status: 'needs-confirmation', members, confirmAbove: config.broadcasting.confirmAbove };
  }
  const { created, run: stored } = existing ? { created: false, run: existing } : await runs.createRun(run);
  // Started again on a retry too: the execution's name makes a second start a no-op.
  const state: RunState = { practiceId: practice.id, runId: stored.runId, startAt: stored.startAt, shard: 0 };
  await starter().start(executionNameFor(stored.runId), state);
  logger.info('run started', { practiceId: practice.id, runId: stored.runId, created });
  return { status: created ? 'started' : 'already-started', run: stored };
}

/** Step Functions names: 80 characters of letters, digits, - and _. */
export function executionNameFor(runId: string): string {
  const [kind, name] = runId.split(':');
  return `${kind}-${name}`.slice(0, 47) + '-' + createHash('sha256').update(runId).digest('hex').slice(0, 32);
}

/** Queues one roster shard's members of the run, each due when the run starts (a campaign's: at its time, in the person's zone). */
export async function planShard(state: RunState): Promise<RunState> {
  const { config, roster, runs } = runDependencies();
  const run = await runs.getRun(state.practiceId, state.runId);
  if (!run) throw new Error(`run ${state.runId} does not exist`);
  if (run.status === 'cancelled' || run.plannedShards.includes(state.shard)) return { ...state, shard: state.shard + 1 };
  const practice = findPractice(config, run.practiceId)!;
  const ctx = segmentContext(practice, new Date(run.startAt));
  const campaign = run.kind === 'campaign' ? config.campaigns.find((c) => c.name === run.name) : undefined;
  const members: QueuedMember[] = [];
  for await (const page of roster.shardPages(practice.id, state.shard)) {
    for (const card of page.cards) {
      if (!run.filters.every((f) => inSegment(card, f, ctx))) continue;
      if (run.kind === 'broadcast') {
        members.push({ runId: run.runId, contactId: card.contactId, dueAt: run.startAt });
        continue;
      }
      const occurrence = campaign && dueOccurrence(card, campaign, ctx.today);
      if (!occurrence) continue;
      members.push({ runId: run.runId, contactId: card.contactId, dueAt: campaignDueAt(card, campaign!, practice, run.startAt, ctx.today), occurrence: occurrence.id });
    }
  }
  await runs.queueShard(practice.id, run.runId, state.shard, members);
  return { ...state, shard: state.shard + 1 };
}

/** The campaign's time of day today in the person's zone (ZIP, else the practice's); now, if that is past. */
function campaignDueAt(card: SegmentCard, campaign: Campaign, practice: PracticeProfile, startAt: string, today: string): string {
  const zone = timeZonesFor({ zip: card.zip, practiceTimeZone: practice.timeZone })[0] ?? practice.timeZone;
  const due = DateTime.fromISO(`${today}T${campaign.at}`, { zone }).toUTC().toISO()!;
  return due > startAt ? new Date(due).toISOString() : startAt;
}

/** A claim older than this was left by a sender that died. */
const STALE_CLAIM_MS = 15 * 60_000;
/** How soon a sender looks again at people another sender holds. */
const BUSY_RETRY_MS = 5_000;

/** How often the sender looks at the run for a cancellation. */
const CANCEL_CHECK_MS = 1000;
const SAFETY_MS = 30_000;

/**
 * Sends to the people due now, a few at a time (as many as the identity's pace allows),
 * until the task's share is done or its time is nearly up; answers what comes next.
 */
export async function sendDue(state: RunState, budget: { getRemainingTimeInMillis(): number }): Promise<RunState> {
  const { config, runs } = runDependencies();
  let run = await runs.getRun(state.practiceId, state.runId);
  if (!run) throw new Error(`run ${state.runId} does not exist`);
  const practice = findPractice(config, run.practiceId);
  if (!practice) return { ...state, next: 'done' };
  if (run.status === 'queued') await runs.setStatus(run.practiceId, run.runId, 'sending', ['queued']);
  if (run.status === 'cancelled') return drainCancelled(run, state);

  // A pool of senders, each taking the next person due, so the identity's slots follow one
  // another without a pause between batches; the pacer keeps them at the identity's rate.
  const workers = Math.max(1, Math.min(16, Math.ceil(originationIdentity(practice, 'sms').messagesPerSecond)));
  const buffer: QueuedMember[] = [];
  const taken = new Set<string>();
  let fetching: Promise<void> | undefined;
  let drained = false;
  let handled = 0;
  let checkedAt = Date.now();
  const refill = () =>
    (fetching ??= runs
      .due(run!.runId, now(), workers * 4)
      .then((due) => {
        const fresh = due.filter((m) => !taken.has(`${m.dueAt}#${m.contactId}`));
        buffer.push(...fresh);
        drained = fresh.length === 0;
      })
      .finally(() => (fetching = undefined)));
  // Read through a function: the status changes under the pool (a cancellation), which narrowing cannot see.
  const cancelled = () => run!.status === 'cancelled';
  const more = () => handled < config.broadcasting.sendsPerTask && budget.getRemainingTimeInMillis() > SAFETY_MS && !cancelled();
  const sender = async () => {
    while (more()) {
      if (buffer.length === 0) {
        await refill();
        if (buffer.length === 0 && drained) return;
        continue;
      }
      const member = buffer.shift()!;
      taken.add(`${member.dueAt}#${member.contactId}`);
      await sendToMember(run!, practice, member);
      handled += 1;
      if (Date.now() - checkedAt >= CANCEL_CHECK_MS) {
        checkedAt = Date.now();
        run = (await runs.getRun(state.practiceId, state.runId))!;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, sender));
  if (cancelled()) return drainCancelled(run, state);
  if (more()) {
    // Nobody is due now: wait for the next one, or finish.
    const next = await runs.nextDue(run.runId);
    // Someone due now but held by another sender of the run: look again shortly, not in a tight loop.
    if (next) return { ...state, next: 'wait', waitUntil: next > now().toISOString() ? next : new Date(now().getTime() + BUSY_RETRY_MS).toISOString() };
    await runs.setStatus(run.practiceId, run.runId, 'done', ['queued', 'sending'], { finishedAt: now().toISOString() });
    logger.info('run done', { practiceId: run.practiceId, runId: run.runId });
    return { ...state, next: 'done' };
  }
  return { ...state, next: 'send' };
}

/** Whoever was still queued when the run was cancelled is counted as skipped "cancelled". */
async function drainCancelled(run: Run, state: RunState): Promise<RunState> {
  const { runs } = runDependencies();
  const far = new Date('9999-12-31T00:00:00Z');
  for (let page = 0; page < 20; page++) {
    const left = await runs.due(run.runId, far, 400);
    if (left.length === 0) return { ...state, next: 'done' };
    await Promise.all(left.map((m) => runs.settle(run.practiceId, m, { status: 'skipped', reason: 'cancelled' })));
  }
  return { ...state, next: 'send' };
}

/** One person of the run: the channel that fits them, sent once (or put back for when it may go). */
async function sendToMember(run: Run, practice: PracticeProfile, member: QueuedMember): Promise<void> {
  const { runs } = runDependencies();
  const outcome = await outcomeFor(run, practice, member);
  if (outcome.status === 'busy') return;
  if (outcome.status === 'later') {
    await runs.defer(member, outcome.at);
    return;
  }
  await runs.settle(practice.id, member, outcome);
}

async function outcomeFor(run: Run, practice: PracticeProfile, member: QueuedMember): Promise<MemberOutcome | { status: 'later'; at: string } | { status: 'busy' }> {
  const { config } = runDependencies();
  const contact = await cadenceDependencies().tracker.getContact(practice.id, member.contactId);
  if (!contact) return { status: 'skipped', reason: 'not-in-tracker' };
  // STOP ends every channel at once: a bulk message goes to no one who opted out of any.
  if (Object.values(contact.optedOut).some(Boolean)) return { status: 'skipped', reason: 'opted-out' };
  if (run.kind === 'campaign') {
    const campaign = config.campaigns.find((c) => c.name === run.name);
    if (!campaign) return { status: 'skipped', reason: 'campaign-removed' };
    // The date moved since the run was planned (a new visit imported): this occurrence is no longer theirs.
    if (!stillDue(profileCardOf(contact), campaign, member.occurrence!)) return { status: 'skipped', reason: 'date-changed' };
  }
  const key = memberKey(run.runId, member.occurrence);
  const { channel, situation } = await pickChannel(run, practice, contact);
  const request = { practice, contact, key, kind: run.kind, about: run.runId, templateId: run.templates[channel]!, owner: `${run.runId}#${member.contactId}`, ignoreCap: run.urgent, situation };
  const sent: SendOutcome =
    channel === 'sms'
      ? await sendText(request)
      : await sendOneOff(request, {
          step: stepFor(channel, request.templateId),
          pacing: voicemailPacing(practice),
          prepare: (plan) => prepareVoicemail({ practice, contact, plan, templateId: request.templateId, attemptKey: key, attributes: { run: run.runId } }),
        });
  switch (sent.status) {
    case 'sent':
      return { status: 'sent' };
    case 'failed':
      return { status: 'failed' };
    case 'skipped':
      return { status: 'skipped', reason: sent.reason };
    case 'later':
      return { status: 'later', at: sent.at };
    case 'already':
      // This run's own send (a retried task): count it; another run's (a campaign occurrence sent yesterday): a skip.
      if (sent.about !== run.runId) return { status: 'skipped', reason: `already-${sent.as}` };
      // Another sender of this run holds it right now: leave it to them. A claim left by a sender
      // that died is not sent again (it may have gone out): counted as failed after a while.
      if (sent.as === 'claimed') return now().getTime() - Date.parse(sent.since) < STALE_CLAIM_MS ? { status: 'busy' } : { status: 'failed' };
      return sent.as === 'skipped' ? { status: 'skipped', reason: 'skipped-before' } : sent.as === 'failed' ? { status: 'failed' } : { status: 'sent' };
  }
}

/**
 * SMS if the person can take it now or later, else voicemail; when neither, the channel whose
 * skip says why (it records the skip). With the situation it loaded, for the send to plan on.
 */
async function pickChannel(run: Run, practice: PracticeProfile, contact: Contact): Promise<{ channel: ChannelName; situation?: Awaited<ReturnType<typeof sendSituation>> }> {
  const names = (['sms', 'voicemail'] as const).filter((n) => run.templates[n] !== undefined);
  if (names.length === 1) return { channel: names[0]! };
  const situation = await sendSituation(practice, contact, run.urgent);
  const plans = names.map((name) => ({ name, plan: planSend(situation, stepFor(name, run.templates[name]!)) }));
  const choice = chooseChannel(plans);
  if ('name' in choice) return { channel: choice.name, situation };
  return { channel: plans.find((p) => p.plan.action === 'skip' && p.plan.reason === choice.skip)?.name ?? names[0]!, situation };
}

function stepFor(name: ChannelName, templateId: string): PlannedStep {
  const template = cadenceDependencies().config.templates[templateId]!;
  return { id: name, channel: BROADCAST_CHANNELS[name].channel, purpose: template.purpose, phoneTypes: BROADCAST_CHANNELS[name].phoneTypes, day: 0 };
}


/** Cancels a run that has not finished: the sender stops within a second and counts whoever is left as skipped "cancelled". */
export async function cancelRun(practiceId: string, runId: string, by: string): Promise<boolean> {
  return runDependencies().runs.setStatus(practiceId, runId, 'cancelled', ['queued', 'sending'], { cancelledAt: now().toISOString(), cancelledBy: by });
}
