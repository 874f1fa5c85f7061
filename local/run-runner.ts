/**
 * Runs broadcast and campaign runs as Step Functions would: the real
 * statemachines/run.asl.json with every Task mapped to the real handler, on a virtual
 * clock that jumps to the broadcast's start and to each next due time (a window opening
 * in another time zone, the cap allowing), so a day of staggered sends takes seconds.
 * Paced waits stay real: pacing is about real seconds at the carrier.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { withClock } from '../lambdas/adapters/clock';
import type { StageConfig } from '../lambdas/domain/stage-config';
import type { RunState } from '../lambdas/handlers/run-support';
import { VirtualClock } from './cadence-runner';
import { ROOT, type LocalStack } from './local-stack';
import type { SandboxRecord } from './sandbox/types';
import { runWorkflow, type ExecutionResult, type LocalHandler } from './workflow-runner';
import { ROSTER_SHARDS } from '../lambdas/adapters/roster';

export const RUN_WORKFLOW = join(ROOT, 'statemachines', 'run.asl.json');

export async function runHandlers(): Promise<Record<string, LocalHandler>> {
  const [plan, send, fail] = await Promise.all([import('../lambdas/handlers/run-plan'), import('../lambdas/handlers/run-send'), import('../lambdas/handlers/run-fail')]);
  return {
    PlanShard: (p) => plan.handler(p),
    SendDue: (p, c) => send.handler(p, c),
    RecordFailure: (p) => fail.handler(p),
  };
}

export interface LocalRun {
  readonly name: string;
  readonly clock: VirtualClock;
  readonly result: ExecutionResult;
}

/** Runs one run execution on a virtual clock that starts at `start` (the trigger's time). */
export async function runRun(input: RunState, start: Date, name: string, options: { handlers?: Record<string, LocalHandler> } = {}): Promise<LocalRun> {
  const clock = new VirtualClock(start);
  const handlers = { ...(await runHandlers()), ...options.handlers };
  const result = await runWorkflow(RUN_WORKFLOW, input, handlers, {
    executionName: name,
    waitTimeOverrides: { WaitForStart: 0, WaitUntilDue: 0 },
    retryIntervalMs: 50,
    aroundTask: (state, payload, call) => {
      // The task after a Wait sees the time it waited for: that much virtual time has passed.
      const s = payload as Partial<RunState>;
      if (state === 'PlanShard' && s.shard === 0 && s.startAt) clock.advanceTo(new Date(s.startAt));
      if (state === 'SendDue' && s.next === 'wait' && s.waitUntil) clock.advanceTo(new Date(s.waitUntil));
      return withClock(clock, call);
    },
  });
  return { name, clock, result };
}

export interface StartedRun {
  readonly name: string;
  readonly input: RunState;
  readonly startDate: string;
}

/** The run executions the sandbox recorded as started (StartExecution of the run state machine) since `since`. */
export async function startedRuns(stack: LocalStack, since = 0): Promise<{ runs: StartedRun[]; last: number }> {
  const records = (await stack.engines.sandbox!.records<StartedRun & { stateMachineArn: string }>('executions', { since })) as SandboxRecord<StartedRun & { stateMachineArn: string }>[];
  const runs = records.filter((r) => r.data.stateMachineArn === process.env.RUN_STATE_MACHINE_ARN).map((r) => r.data);
  return { runs, last: records.at(-1)?.seq ?? since };
}

/** What a broadcast's or campaign's runs came to, summed over its runs. */
export interface RunTotals {
  readonly runs: number;
  readonly members: number;
  readonly queued: number;
  readonly sent: number;
  readonly failed: number;
  readonly skipped: Record<string, number>;
  /** When each run started (a campaign: each day it had someone due). */
  readonly startedAt: string[];
}

export interface ConfiguredRuns {
  readonly broadcasts: Record<string, RunTotals>;
  readonly campaigns: Record<string, RunTotals>;
  readonly failedRuns: number;
}

/**
 * The stage config's broadcasts and campaigns after the month's import, on virtual clocks:
 * each broadcast (or only those named) at 09:00 Eastern on the first weekday two days after
 * `from` (Pacific recipients then wait for their 08:00), and each campaign's daily run on
 * every day of the next `campaignDays` that has someone due. The deployed schedule runs
 * every day; a day with no one due queues nobody, so skipping it here changes nothing.
 */
export async function runConfiguredRuns(stack: LocalStack, config: StageConfig, options: { from: Date; broadcasts?: readonly string[]; campaignDays?: number }): Promise<ConfiguredRuns> {
  const { startBroadcast, startCampaignDay, runDependencies, segmentContext, findSegment } = await import('../lambdas/handlers/run-support');
  const { inSegment } = await import('../lambdas/domain/segment');
  const { dueOccurrence } = await import('../lambdas/domain/campaign');
  let seq = (await startedRuns(stack)).last;
  let failedRuns = 0;
  const runStarted = async (start: Date): Promise<void> => {
    const { runs, last } = await startedRuns(stack, seq);
    seq = last;
    for (const r of runs) if ((await runRun(r.input, start, r.name)).result.status !== 'SUCCEEDED') failedRuns += 1;
  };

  let broadcastStart = DateTime.fromJSDate(options.from, { zone: 'America/New_York' }).plus({ days: 2 }).set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
  while (broadcastStart.weekday > 5) broadcastStart = broadcastStart.plus({ days: 1 });
  const started: Array<{ kind: 'broadcast' | 'campaign'; name: string; runId: string; practiceId: string }> = [];
  for (const b of config.broadcasts.filter((x) => !options.broadcasts || options.broadcasts.includes(x.name))) {
    const at = broadcastStart.toUTC().toISO()!;
    const answer = await withClock(new VirtualClock(new Date(at)), () => startBroadcast({ practiceId: b.practice, name: b.name, at, confirm: true, trigger: `local-${at}`, by: 'npm start' }));
    if ('run' in answer) started.push({ kind: 'broadcast', name: b.name, runId: answer.run.runId, practiceId: b.practice });
    await runStarted(new Date(at));
  }

  // The days each campaign has someone due, from one read of the roster.
  const { roster } = runDependencies();
  for (const campaign of config.campaigns) {
    const practice = config.practices.find((p) => p.id === campaign.practice)!;
    const segment = campaign.segment ? await findSegment(practice.id, campaign.segment) : undefined;
    const filters = [segment?.filter ?? {}, ...(campaign.filter ? [campaign.filter] : [])];
    const cards = [];
    for (let shard = 0; shard < ROSTER_SHARDS; shard++) for await (const page of roster.shardPages(practice.id, shard)) cards.push(...page.cards);
    const first = DateTime.fromJSDate(options.from, { zone: practice.timeZone }).startOf('day');
    for (let d = 0; d < (options.campaignDays ?? 366); d++) {
      const day = first.plus({ days: d });
      const ctx = segmentContext(practice, day.toJSDate());
      if (!cards.some((c) => filters.every((f) => inSegment(c, f, ctx)) && dueOccurrence(c, campaign, ctx.today))) continue;
      const at = day.set({ hour: 5 }).toJSDate();
      for (const answer of await withClock(new VirtualClock(at), () => startCampaignDay('npm start', campaign.name))) {
        if ('run' in answer) started.push({ kind: 'campaign', name: campaign.name, runId: answer.run.runId, practiceId: practice.id });
      }
      await runStarted(at);
    }
  }

  const totals: ConfiguredRuns = { broadcasts: {}, campaigns: {}, failedRuns };
  for (const s of started) {
    const run = (await runDependencies().runs.getRun(s.practiceId, s.runId))!;
    const into = s.kind === 'broadcast' ? totals.broadcasts : totals.campaigns;
    const t = (into[s.name] ??= { runs: 0, members: 0, queued: 0, sent: 0, failed: 0, skipped: {}, startedAt: [] });
    into[s.name] = {
      runs: t.runs + 1,
      members: t.members + run.members,
      queued: t.queued + run.queued,
      sent: t.sent + run.sent,
      failed: t.failed + run.failed,
      skipped: Object.fromEntries([...new Set([...Object.keys(t.skipped), ...Object.keys(run.skipped)])].map((k) => [k, (t.skipped[k] ?? 0) + (run.skipped[k] ?? 0)])),
      startedAt: [...t.startedAt, run.startAt],
    };
  }
  return { ...totals, failedRuns };
}
