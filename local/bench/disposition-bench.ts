/**
 * Dispositions per second and Scheduler calls per booked appointment (disposition-worker.ts
 * measures, in a process of its own). The sample config, with the SMS identity allowed 100
 * texts a second so the confirmations measure the disposition path rather than a 1/s 10DLC
 * number, and the practice's default cadence removed so the import enrolls nobody.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StageConfig } from '../../lambdas/domain/stage-config';
import { SAMPLE_CONFIG } from '../local-stack';
import type { BenchContext } from './cadence-benches';
import { runScript } from './launch';
import type { DispositionWorkerResult } from './protocol';
import { checksOf, round, type RunChecks } from './report';
import { nf } from './progress';
import { writeBenchConfig } from './stage-config';

export const DISPOSITION_WORKER_SCRIPT = join(__dirname, 'disposition-worker.ts');

export interface DispositionBenchResult extends Omit<DispositionWorkerResult, 'type'> {
  readonly checks: RunChecks;
  readonly sandboxLatencyMs: number;
  readonly smsPerSecond: number;
}

const LATENCY_MS = 20;
const SMS_PER_SECOND = 100;
/** A Monday 10:00 in Seattle: the agents' calls end inside every window. */
const CALLS_END_AT = '2027-03-01T18:00:00Z';

export async function benchDispositions(people: number, concurrency: number, ctx: BenchContext): Promise<DispositionBenchResult> {
  const label = `dispositions ${nf(people)}`;
  const dir = join(ctx.root, `dispositions-${people}`);
  await mkdir(dir, { recursive: true });
  try {
    const configPath = join(dir, 'stage.json');
    await writeBenchConfig(SAMPLE_CONFIG, configPath, {
      ratePerSecond: 1000,
      rowsPerInvocation: 100_000,
      transform: (config) =>
        ({
          ...config,
          practices: config.practices.map((p) => (p.id === ctx.practiceId ? { ...p, sms: { ...p.sms, messagesPerSecond: SMS_PER_SECOND }, enrollment: { byPrefix: {} } } : p)),
        }) as StageConfig,
    });
    console.log(`\n${label}: ${nf(people)} agent calls (40% booked, 20% no answer, 10% each not interested, call back, wrong number, do not call), ${concurrency} events at a time, sandbox ${LATENCY_MS} ms`);
    const w = await runScript<DispositionWorkerResult>(
      DISPOSITION_WORKER_SCRIPT,
      { stateDir: join(dir, 'state'), configPath, practiceId: ctx.practiceId, people, concurrency, sandbox: { latencyMs: LATENCY_MS }, callsEndAt: CALLS_END_AT },
      () => undefined,
    );
    const { type: _type, ...figures } = w;
    const check = (ok: boolean, what: string) => ctx.checks.push({ run: label, kind: 'correctness', ok, what });
    check((w.outcomes.applied ?? 0) + (w.outcomes.recorded ?? 0) === w.dispositions, `every disposition recorded and carried out: ${JSON.stringify(w.outcomes)}`);
    check(w.duplicates.newTexts === 0 && w.duplicates.newSchedulerCalls === 0, `duplicates changed nothing (${w.duplicates.newTexts} texts, ${w.duplicates.newSchedulerCalls} scheduler calls)`);
    check(w.schedulerCallsPerBooking > 0, `${round(w.schedulerCallsPerBooking, 2)} scheduler calls per booking`);
    console.log(
      `${label}: ${round(w.perSecond, 1)} dispositions/s (${round(w.seconds, 1)} s, ${round(w.cpuSeconds, 1)} CPU s); ` +
        `${round(w.schedulerCallsPerBooking, 2)} Scheduler calls per booking, ${round(w.schedulerCallsPerAppointmentLife, 2)} over booking + move + seen`,
    );
    return { ...figures, sandboxLatencyMs: LATENCY_MS, smsPerSecond: SMS_PER_SECOND, checks: checksOf(ctx.checks, label) };
  } finally {
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}
