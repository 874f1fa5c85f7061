/**
 * EventBridge Scheduler one-time schedules for what is due at a set time (appointment
 * reminders, review requests, call-backs, a new try): each named deterministically by its caller, so
 * creating it again (a retry) or for a new time (a rescheduled appointment) leaves one
 * schedule; each deletes itself after it fires.
 */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { z } from 'zod';
import { requiredEnv } from './settings';

/** The functions a schedule can invoke: texts at a set time, call-backs, a new try after a refusal. */
export const SCHEDULED_JOBS = ['sendMessage', 'placeCallback', 'resumeOutreach'] as const;
export type ScheduledJob = (typeof SCHEDULED_JOBS)[number];

const arn = z.string().regex(/^arn:aws[a-z-]*:/, 'an ARN');
export const scheduleSettings = z.object({
  groupName: z.string().min(1),
  /** The role Scheduler assumes to invoke the targets. */
  roleArn: arn,
  /** Where Scheduler puts an invocation that failed after its retries. */
  deadLetterArn: arn.optional(),
  targets: z.object(Object.fromEntries(SCHEDULED_JOBS.map((j) => [j, arn])) as Record<ScheduledJob, typeof arn>),
});
export type ScheduleSettings = z.infer<typeof scheduleSettings>;

/** The settings the stack gives the functions that schedule (SCHEDULES, JSON). */
export function scheduleSettingsFromEnv(): ScheduleSettings {
  return scheduleSettings.parse(JSON.parse(requiredEnv('SCHEDULES')));
}

export class MessageScheduler {
  constructor(
    private readonly settings: ScheduleSettings,
    private readonly client = new SchedulerClient({}),
  ) {}

  /** Schedules `job` with `input` for `at` (UTC ISO); a schedule of that name already there is moved to it. */
  async schedule(job: ScheduledJob, name: string, at: string, input: object): Promise<void> {
    const request: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.settings.groupName,
      // at() takes a local date-time without offset, read in ScheduleExpressionTimezone.
      ScheduleExpression: `at(${at.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.settings.targets[job],
        RoleArn: this.settings.roleArn,
        Input: JSON.stringify(input),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        ...(this.settings.deadLetterArn ? { DeadLetterConfig: { Arn: this.settings.deadLetterArn } } : {}),
      },
    };
    try {
      await this.client.send(new CreateScheduleCommand(request));
    } catch (e) {
      if (!(e instanceof ConflictException)) throw e;
      await this.client.send(new UpdateScheduleCommand(request));
    }
  }

  /** Deletes the schedule; one already gone (fired, or never made) is fine. */
  async cancel(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
  }
}
