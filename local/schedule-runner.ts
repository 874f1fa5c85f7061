/**
 * Fires the one-time schedules the sandbox's EventBridge Scheduler holds, as Scheduler
 * would: each at its `at()` time, in time order, on a virtual clock set to that time,
 * invoking the real handler its target names (send-message, place-callback,
 * resume-outreach) with the schedule's input, then deleting it (ActionAfterCompletion
 * DELETE). A schedule a handler makes while firing (a text held back to the morning)
 * fires in turn if it falls due before `until`.
 */
import { DeleteScheduleCommand, GetScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, SchedulerClient } from '@aws-sdk/client-scheduler';
import { withClock } from '../lambdas/adapters/clock';
import { SCHEDULED_JOBS, scheduleSettingsFromEnv, type ScheduledJob } from '../lambdas/adapters/message-scheduler';
import { VirtualClock } from './cadence-runner';

export interface FiredSchedule {
  readonly name: string;
  readonly job: ScheduledJob;
  /** When it fired (virtual, UTC ISO). */
  readonly at: string;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: string;
}

type Handler = (payload: unknown) => Promise<unknown>;

async function handlers(): Promise<Record<ScheduledJob, Handler>> {
  const [sendMessage, placeCallback, resumeOutreach] = await Promise.all([
    import('../lambdas/handlers/send-message'),
    import('../lambdas/handlers/place-callback'),
    import('../lambdas/handlers/resume-outreach'),
  ]);
  return { sendMessage: sendMessage.handler, placeCallback: placeCallback.handler, resumeOutreach: resumeOutreach.handler };
}

export interface PendingSchedule {
  readonly name: string;
  readonly job: ScheduledJob;
  readonly at: Date;
  readonly input: unknown;
}

/** Every schedule in the stage's group, soonest first. */
export async function pendingSchedules(client = new SchedulerClient({})): Promise<PendingSchedule[]> {
  const settings = scheduleSettingsFromEnv();
  const jobByArn = new Map(SCHEDULED_JOBS.map((job) => [settings.targets[job], job]));
  const out: PendingSchedule[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListSchedulesCommand({ GroupName: settings.groupName, NextToken }));
    for (const summary of page.Schedules ?? []) {
      // Fired and deleted since the listing (by a run firing another person's): no longer pending.
      const s = await client.send(new GetScheduleCommand({ Name: summary.Name, GroupName: settings.groupName })).catch((e: Error) => {
        if (e instanceof ResourceNotFoundException) return undefined;
        throw e;
      });
      if (!s) continue;
      const at = /^at\((.+)\)$/.exec(s.ScheduleExpression ?? '')?.[1];
      const job = jobByArn.get(s.Target?.Arn ?? '');
      if (!at || !job) throw new Error(`schedule ${summary.Name} is not a one-time schedule of a known target`);
      out.push({ name: summary.Name!, job, at: new Date(`${at}Z`), input: JSON.parse(s.Target?.Input ?? '{}') });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name));
}

export interface FireOptions {
  /** Fire at most this many. @default all that are due */
  readonly max?: number;
  /** Only these. @default every schedule */
  readonly which?: (schedule: PendingSchedule) => boolean;
  /** Runs after each target, on the same clock (the local agent desk ends the call a call-back placed). */
  readonly after?: (fired: PendingSchedule) => Promise<unknown>;
  readonly client?: SchedulerClient;
}

/** Fires every schedule due at or before `until`, soonest first; returns what fired and what each answered. */
export async function fireSchedules(until: Date, options: FireOptions = {}): Promise<FiredSchedule[]> {
  const client = options.client ?? new SchedulerClient({});
  const targets = await handlers();
  const { groupName } = scheduleSettingsFromEnv();
  const fired: FiredSchedule[] = [];
  while (fired.length < (options.max ?? Infinity)) {
    const next = (await pendingSchedules(client)).find((x) => !options.which || options.which(x));
    if (!next || next.at > until) return fired;
    let result: { output?: unknown; error?: string };
    try {
      result = {
        output: await withClock(new VirtualClock(next.at), async () => {
          const output = await targets[next.job](next.input);
          await options.after?.(next);
          return output;
        }),
      };
    } catch (e) {
      // Scheduler would retry and then dead-letter it; here the failure is reported and the run goes on.
      result = { error: (e as Error).message };
    }
    fired.push({ name: next.name, job: next.job, at: next.at.toISOString(), input: next.input, ...result });
    await client.send(new DeleteScheduleCommand({ Name: next.name, GroupName: groupName })).catch((e: Error) => {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    });
  }
  return fired;
}
