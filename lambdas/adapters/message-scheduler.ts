/**
 * EventBridge Scheduler one-time schedules for messages due at a set time (appointment
 * reminders, review requests, call-backs): each named deterministically by its caller, so
 * creating it again (a retry) or for a new time (a rescheduled appointment) leaves one
 * schedule; each deletes itself after it fires.
 */
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, ResourceNotFoundException, SchedulerClient, UpdateScheduleCommand, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';

export interface ScheduleTarget {
  /** The function the schedule invokes. */
  readonly arn: string;
  /** The role Scheduler assumes to invoke it. */
  readonly roleArn: string;
  readonly groupName: string;
  /** Where Scheduler puts an invocation that failed after its retries. */
  readonly deadLetterArn?: string;
}

export class MessageScheduler {
  constructor(
    private readonly target: ScheduleTarget,
    private readonly client = new SchedulerClient({}),
  ) {}

  /** Schedules `input` for `at` (UTC ISO); a schedule of that name already there is moved to it. */
  async schedule(name: string, at: string, input: object): Promise<void> {
    const request: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.target.groupName,
      // at() takes a local date-time without offset, read in ScheduleExpressionTimezone.
      ScheduleExpression: `at(${at.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: this.target.arn,
        RoleArn: this.target.roleArn,
        Input: JSON.stringify(input),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 },
        ...(this.target.deadLetterArn ? { DeadLetterConfig: { Arn: this.target.deadLetterArn } } : {}),
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
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.target.groupName }));
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    }
  }
}
