/**
 * The disposition measurement, in a Node process of its own:
 *   node --import tsx local/bench/disposition-worker.ts '<DispositionWorkerSpec JSON>'
 *
 * Imports `people` people with a mobile each (nobody enrolled: the file's practice has no
 * default cadence here), places one agent call to each in the sandbox's Connect, lets the
 * agent record a disposition from a fixed mix (40% booked, 20% no answer, 10% each of not
 * interested, call back later, wrong number, do not call), and then delivers every COMPLETED
 * contact event to the real record-disposition handler, `concurrency` at a time, as the
 * EventBridge rule would: dispositions per second. The same events are delivered a second
 * time (duplicates: nothing may change). Then the practice moves every booked visit and marks
 * it seen, through change-appointment: Scheduler calls per appointment, for the booking alone
 * and over that life.
 */
import './quiet-handler-logs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectClient, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { withClock } from '../../lambdas/adapters/clock';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import { APPOINTMENT_CHANGE_REQUESTED } from '../../lambdas/domain/appointment';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { appointmentIdFor } from '../../lambdas/handlers/record-disposition';
import { VirtualClock } from '../cadence-runner';
import { importFile, startLocalStack } from '../local-stack';
import type { SandboxOptions } from '../sandbox/types';
import type { DispositionWorkerResult } from './protocol';
import { ownCpuSeconds, maxRssMb, workerMain } from './worker-util';

export interface DispositionWorkerSpec {
  readonly stateDir: string;
  readonly configPath: string;
  readonly practiceId: string;
  readonly people: number;
  readonly concurrency: number;
  readonly sandbox: SandboxOptions;
  /** When the calls end (a weekday morning in the practice's zone). */
  readonly callsEndAt: string;
}

/** The agents' mix, by share of calls. */
const MIX: ReadonlyArray<readonly [number, (i: number) => Record<string, string>]> = [
  [4, (i) => ({ disposition: 'appointment-booked', appointmentAt: `2027-03-${String(15 + (i % 10)).padStart(2, '0')}T${String(9 + (i % 7)).padStart(2, '0')}:30`, appointmentPlace: 'Pine St clinic' })],
  [2, () => ({ disposition: 'no-answer' })],
  [1, () => ({ disposition: 'not-interested' })],
  [1, (i) => ({ disposition: 'call-back-later', callbackAt: `2027-03-0${2 + (i % 3)}T${10 + (i % 5)}:00` })],
  [1, () => ({ disposition: 'wrong-number' })],
  [1, () => ({ disposition: 'do-not-call' })],
];
const mixFor = (i: number) => {
  let slot = i % MIX.reduce((n, [share]) => n + share, 0);
  for (const [share, make] of MIX) {
    if (slot < share) return make(i);
    slot -= share;
  }
  throw new Error('unreachable');
};

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function run(spec: DispositionWorkerSpec): Promise<DispositionWorkerResult> {
  const stack = await startLocalStack({ stateDir: spec.stateDir, configPath: spec.configPath, sandbox: spec.sandbox });
  try {
    const file = join(spec.stateDir, 'people.csv');
    const rows = Array.from({ length: spec.people }, (_, i) => `B-${i},Pat,Doe${i},+1206${String(3000000 + i * 10).padStart(7, '0')},Y,Y`);
    writeFileSync(file, ['External ID,First Name,Last Name,Mobile,SMS Consent,Call Consent', ...rows].join('\n') + '\n');
    const imported = await importFile(stack, file, { practiceId: spec.practiceId });
    if (imported.execution.status !== 'SUCCEEDED') throw new Error(`import failed: ${imported.execution.cause}`);
    const claims = await dependencies().tracker.getClaims(spec.practiceId, rows.map((_, i) => `ext:b-${i}`));
    const center = new ContactCenter();
    const connect = new ConnectClient({});
    const config = dependencies().config;
    const cc = config.practices.find((p) => p.id === spec.practiceId)!.contactCenter!;

    // The calls and what the agents typed (not measured: the agents' part).
    const calls: Array<{ contactId: string; connectContactId: string; code: string }> = [];
    await pool([...Array(spec.people).keys()], 16, async (i) => {
      const contactId = claims.get(`ext:b-${i}`)!;
      const connectContactId = await center.queueCall({ instanceId: cc.instanceId!, contactFlowId: cc.outboundFlowId!, queueId: cc.queueId!, to: `+1206${String(3000000 + i * 10).padStart(7, '0')}`, attemptKey: `bench#${i}`, attributes: { practiceId: spec.practiceId, contactId } });
      const attributes = mixFor(i);
      await connect.send(new UpdateContactAttributesCommand({ InstanceId: cc.instanceId!, InitialContactId: connectContactId, Attributes: attributes }));
      calls.push({ contactId, connectContactId, code: attributes.disposition! });
    });

    const { handler } = await import('../../lambdas/handlers/record-disposition');
    const instanceArn = `arn:aws:connect:us-east-1:000000000000:instance/${cc.instanceId}`;
    const event = (id: string) => ({ source: 'aws.connect', 'detail-type': 'Amazon Connect Contact Event', detail: { eventType: 'COMPLETED', contactId: id, initialContactId: id, instanceArn, agentInfo: { agentArn: `${instanceArn}/agent/bench` } } });
    const clock = new VirtualClock(new Date(spec.callsEndAt));
    const sandbox = stack.engines.sandbox!;
    const before = (await sandbox.records('schedules')).length;
    const outcomes: Record<string, number> = {};
    const cpu0 = ownCpuSeconds();
    const t0 = performance.now();
    await pool(calls, spec.concurrency, async (c) => {
      const out = (await withClock(clock, () => handler(event(c.connectContactId)))) as { outcome: string };
      outcomes[out.outcome] = (outcomes[out.outcome] ?? 0) + 1;
    });
    const seconds = (performance.now() - t0) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpu0;
    // The appointments' schedules: reminders by name, and a confirmation held for later (call-backs and new tries are not an appointment's).
    const ofAppointments = (r: { data: { Name: string; Input?: string } }) => r.data.Name.startsWith('appt-') || (r.data.Name.startsWith('later-') && (r.data.Input ?? '').includes('"kind":"appointment"'));
    const schedulesAfterFirst = (await sandbox.records<{ change: string; Name: string; Input?: string }>('schedules')).slice(before).filter(ofAppointments);
    const allAfterFirst = (await sandbox.records('schedules')).length - before;
    const texts = (await sandbox.records('texts')).length;

    // Every event again: a duplicate changes nothing.
    const again: Record<string, number> = {};
    await pool(calls, spec.concurrency, async (c) => {
      const out = (await withClock(clock, () => handler(event(c.connectContactId)))) as { outcome: string };
      again[out.outcome] = (again[out.outcome] ?? 0) + 1;
    });
    const textsAfterDuplicates = (await sandbox.records('texts')).length;
    const schedulesAfterDuplicates = (await sandbox.records('schedules')).length - before;

    // The practice moves each booked visit a week later, then reports it seen.
    const { handler: change } = await import('../../lambdas/handlers/change-appointment');
    const booked = calls.filter((c) => c.code === 'appointment-booked');
    const lifeBefore = (await sandbox.records('schedules')).length;
    const changeClock = new VirtualClock(new Date(Date.parse(spec.callsEndAt) + 86_400_000));
    await pool(booked, spec.concurrency, async (c) => {
      const appointmentId = appointmentIdFor(c.connectContactId);
      const current = await (await import('../../lambdas/handlers/appointment-desk')).appointmentDesk.book.get(spec.practiceId, c.contactId, appointmentId);
      const moved = new Date(Date.parse(current!.at) + 7 * 86_400_000).toISOString().replace('.000Z', 'Z');
      const request = (kind: object) => ({ 'detail-type': APPOINTMENT_CHANGE_REQUESTED, source: 'bench', detail: { practiceId: spec.practiceId, contactId: c.contactId, appointmentId, change: kind } });
      await withClock(changeClock, () => change(request({ kind: 'reschedule', at: moved })));
      await withClock(new VirtualClock(new Date(Date.parse(moved) + 3_600_000)), () => change(request({ kind: 'seen' })));
    });
    const lifeSchedules = (await sandbox.records<{ change: string }>('schedules')).slice(lifeBefore);
    const by = (list: ReadonlyArray<{ data: { change: string } }>) => list.reduce<Record<string, number>>((m, r) => ({ ...m, [r.data.change]: (m[r.data.change] ?? 0) + 1 }), {});

    return {
      type: 'result',
      people: spec.people,
      concurrency: spec.concurrency,
      dispositions: calls.length,
      byCode: calls.reduce<Record<string, number>>((m, c) => ({ ...m, [c.code]: (m[c.code] ?? 0) + 1 }), {}),
      outcomes,
      seconds,
      perSecond: calls.length / seconds,
      cpuSeconds,
      booked: booked.length,
      schedulerCallsAtBooking: by(schedulesAfterFirst),
      schedulerCallsPerBooking: booked.length ? schedulesAfterFirst.length / booked.length : 0,
      schedulerCallsOverLife: by(lifeSchedules),
      schedulerCallsPerAppointmentLife: booked.length ? (schedulesAfterFirst.length + lifeSchedules.length) / booked.length : 0,
      schedulerCallsOther: allAfterFirst - schedulesAfterFirst.length,
      texts,
      duplicates: { outcomes: again, newTexts: textsAfterDuplicates - texts, newSchedulerCalls: schedulesAfterDuplicates - allAfterFirst },
      maxRssMb: maxRssMb(),
    };
  } finally {
    await stack.stop();
  }
}

void workerMain(run);
