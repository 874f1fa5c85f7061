/**
 * The month after the import, as it unfolds in AWS, on virtual clocks:
 * - the cadences the import started run; each call they place ends as the scenario scripts
 *   it (the local agent desk records the disposition on the clock of the call), and before
 *   each of a person's steps what was due for them by then happens first;
 * - each text's delivery event and the person's scripted reply reach record-delivery and
 *   receive-reply at the text's time (a minute after it; the reply's delay after it);
 * - then, in time order: the one-time schedules fire (reminders, review requests, texts held
 *   for the morning, call-backs, new tries), and the practice reports how each booked visit
 *   went (seen or no-show two hours after it starts, or cancelled two days before), through
 *   the same change-appointment handler its systems' events reach;
 * - cadences started on the way (no-show and cancellation follow-ups, a new try) run too.
 * It stops when nothing is left before the horizon.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { now, withClock } from '../lambdas/adapters/clock';
import { APPOINTMENT_CHANGE_REQUESTED, type Appointment } from '../lambdas/domain/appointment';
import type { StageConfig } from '../lambdas/domain/stage-config';
import { dependencies } from '../lambdas/handlers/cadence-support';
import { AgentDesk } from './agent-desk';
import { MessageDesk } from './message-desk';
import { cadenceHandlers, runCadences, startedExecutions, VirtualClock, type CadenceRun, type CadenceRunOptions, type StartedExecution } from './cadence-runner';
import type { LocalStack } from './local-stack';
import { fireSchedules, pendingSchedules, type FiredSchedule, type PendingSchedule } from './schedule-runner';
import type { LocalHandler } from './workflow-runner';

export interface PracticeChange {
  readonly at: string;
  readonly appointmentId: string;
  readonly change: 'seen' | 'no-show' | 'cancel';
  readonly output: unknown;
}

export interface MonthRun {
  readonly desk: AgentDesk;
  /** The texts' delivery events and replies delivered. */
  readonly messages: MessageDesk;
  /** Every cadence execution run, the import's first. */
  readonly runs: CadenceRun[];
  readonly executions: StartedExecution[];
  readonly fired: FiredSchedule[];
  readonly practiceChanges: PracticeChange[];
  /** Enrollments started during the month (follow-ups, new tries), beyond the import's. */
  readonly followUps: number;
}

export interface MonthOptions {
  /** Nothing after this many days from the first enrollment. @default 90 */
  readonly horizonDays?: number;
  readonly concurrency?: number;
  /** Progress of the import's enrollments. */
  readonly onFinished?: CadenceRunOptions['onFinished'];
  readonly onCadencesDone?: (runs: readonly CadenceRun[]) => void;
}

export async function runMonth(stack: LocalStack, config: StageConfig, first: readonly StartedExecution[], firstSeq: number, options: MonthOptions = {}): Promise<MonthRun> {
  const desk = new AgentDesk(stack.engines.sandbox!, config);
  const messages = new MessageDesk(stack.engines.sandbox!);
  const fired: FiredSchedule[] = [];
  const practiceChanges: PracticeChange[] = [];
  const reported = new Set<string>();

  /** Fires the next schedule or reports the next visit (of one person, when given) due by `until`; false when there is none. */
  const step = async (until: Date, contactId?: string): Promise<boolean> => {
    const mine = (input: unknown) => !contactId || (input as { contactId?: string }).contactId === contactId;
    const schedule = (await pendingSchedules()).find((x) => mine(x.input));
    const visit = (await visitsToReport(desk, reported)).find((v) => !contactId || v.appointment.contactId === contactId);
    const message = (await messages.due(contactId))[0];
    const next = [schedule && { at: schedule.at, what: 'fire' as const }, visit && { at: new Date(visit.at), what: 'visit' as const }, message && { at: message.at, what: 'message' as const }]
      .filter((x): x is { at: Date; what: 'fire' | 'visit' | 'message' } => !!x && x.at <= until)
      .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
    if (!next) return false;
    if (next.what === 'message') {
      await messages.deliver(message!);
    } else if (next.what === 'fire') {
      const after = (x: PendingSchedule) => (x.job === 'placeCallback' ? desk.answer((x.input as { contactId: string }).contactId) : Promise.resolve(0));
      fired.push(...(await fireSchedules(next.at, { max: 1, which: (x) => mine(x.input), after })));
    } else {
      reported.add(visit!.appointmentId);
      practiceChanges.push(await reportVisit(visit!));
    }
    return true;
  };

  const real = await cadenceHandlers();
  const handlers: Record<string, LocalHandler> = {
    // Before each step, what was due for this person by now happens first (a call-back that booked, a visit
    // reported): the step then sees the person as they are at its own virtual time.
    PlanStep: async (payload, context) => {
      const contactId = (payload as { state: { contactId: string } }).state.contactId;
      while (await step(now(), contactId));
      return real.PlanStep!(payload, context);
    },
    // The call tasks end the calls they placed, as Connect and the agent would, before the workflow goes on.
    QueueAgentCall: ending(real.QueueAgentCall!, desk),
    DropVoicemail: ending(real.DropVoicemail!, desk),
  };
  const runs = await runCadences(first, { handlers, concurrency: options.concurrency, onFinished: options.onFinished });
  options.onCadencesDone?.(runs);
  const executions = [...first];
  const start = Math.min(...first.map((e) => Date.parse(e.startDate)));
  const horizon = new Date(start + (options.horizonDays ?? 90) * 86_400_000);
  let seq = firstSeq;
  for (let guard = 0; guard < 1000; guard++) {
    const { executions: fresh, last } = await startedExecutions(stack, seq);
    seq = last;
    if (fresh.length > 0) {
      const started = await startedWhenEnrolled(fresh);
      executions.push(...started);
      runs.push(...(await runCadences(started, { handlers, concurrency: options.concurrency })));
      continue;
    }
    if (!(await step(horizon))) break;
  }
  return { desk, messages, runs, executions, fired, practiceChanges, followUps: executions.length - first.length };
}

function ending(task: LocalHandler, desk: AgentDesk): LocalHandler {
  return async (payload, context) => {
    const out = await task(payload, context);
    await desk.answer((payload as { state?: { contactId?: string } }).state?.contactId);
    return out;
  };
}

/** A follow-up's execution runs from when its enrollment was made (virtual), not when the sandbox saw it start. */
async function startedWhenEnrolled(executions: readonly StartedExecution[]): Promise<StartedExecution[]> {
  const { ledger } = dependencies();
  return Promise.all(
    executions.map(async (e) => {
      const input = e.input as { practiceId: string; contactId: string; cadence: string };
      const enrollment = await ledger.getEnrollment(input.practiceId, input.contactId, input.cadence);
      return { ...e, startDate: enrollment?.enrolledAt ?? e.startDate };
    }),
  );
}

interface VisitReport {
  readonly at: string;
  readonly appointment: Appointment;
  readonly appointmentId: string;
  readonly change: PracticeChange['change'];
}

/** The practice's reports still to come for open appointments the scenario says how they went, soonest first. */
async function visitsToReport(desk: AgentDesk, reported: ReadonlySet<string>): Promise<VisitReport[]> {
  const out: VisitReport[] = [];
  for (const a of await allAppointments()) {
    const visit = desk.visitOf(a.appointmentId);
    if (!visit || reported.has(a.appointmentId) || (a.status !== 'booked' && a.status !== 'confirmed')) continue;
    const start = Date.parse(a.at);
    const at = visit === 'cancelled' ? start - 2 * 86_400_000 : start + 2 * 3_600_000;
    out.push({ at: new Date(at).toISOString(), appointment: a, appointmentId: a.appointmentId, change: visit === 'cancelled' ? 'cancel' : visit });
  }
  return out.sort((x, y) => x.at.localeCompare(y.at));
}

async function reportVisit(v: VisitReport): Promise<PracticeChange> {
  const { handler } = await import('../lambdas/handlers/change-appointment');
  const event = {
    source: 'practice.scheduling',
    'detail-type': APPOINTMENT_CHANGE_REQUESTED,
    detail: { practiceId: v.appointment.practiceId, contactId: v.appointment.contactId, appointmentId: v.appointmentId, change: { kind: v.change } },
  };
  const output = await withClock(new VirtualClock(new Date(v.at)), () => handler(event));
  return { at: v.at, appointmentId: v.appointmentId, change: v.change, output };
}

/** Every appointment in the local tracker (a scan: fine for a local run, never what the deployed system does). */
export async function allAppointments(tableName = process.env.TRACKER_TABLE_NAME!): Promise<Appointment[]> {
  return (await scanItems(tableName, 'APPOINTMENT#')) as unknown as Appointment[];
}

export async function scanItems(tableName: string, skPrefix: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, FilterExpression: 'begins_with(sk, :p)', ExpressionAttributeValues: { ':p': skPrefix }, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  doc.destroy();
  return items;
}
