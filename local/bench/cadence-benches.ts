/**
 * The benchmark's cadence measurements (see local/bench.ts):
 *
 * 3. Enrollment: an import of N generated rows, run by an import worker that stops when the
 *    run reaches the enrollment phase, then the EnrollContacts phase alone in a second worker
 *    on the same state directory (so that worker's maxRSS is the enroller's): wall time,
 *    contacts/s, StartExecution calls and DynamoDB writes per contact.
 * 4. Sender: M mobiles in a one-step SMS cadence due at once, every execution at the same time,
 *    against a sandbox without identity limits: achieved messages/s against the identity's rate,
 *    the sandbox's highest count in any 1-second window, duplicates.
 * 5. Transitions: the sample import and its cadences as `npm start` runs them: states entered
 *    and Lambda invocations per enrollment per round.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, SAMPLE_CONFIG } from '../local-stack';
import { parseStageConfig } from '../../lambdas/domain/stage-config';
import { readFileSync } from 'node:fs';
import { generateImportFile, generateMobileFile, mobileNumberPool, phoneNumberPool } from './generate';
import { CADENCE_WORKER_SCRIPT, ENROLL_WORKER_SCRIPT, runScript, runWorker } from './launch';
import { nf, progressPrinter } from './progress';
import type { CadenceWorkerSpec, EnrollProgressMessage, EnrollWorkerResult, EnrollWorkerSpec, SenderWorkerResult, TransitionsWorkerResult } from './protocol';
import { checksOf, round, type Check, type EnrollmentBenchResult, type SenderBenchResult, type TransitionsBenchResult } from './report';
import { SENDER_CADENCE, rowsPerInvocationFor, senderConfig, writeBenchConfig } from './stage-config';
import type { SandboxOptions } from '../sandbox/types';

export interface BenchContext {
  /** The benchmark's work directory. */
  readonly root: string;
  readonly keep: boolean;
  readonly practiceId: string;
  readonly checks: Check[];
  /** Distinct phone numbers generated import files draw from. */
  readonly pool: number;
  readonly rowsPerInvocation?: number;
}

/**
 * enrollment.startsPerSecond for the enrollment benchmark: the schema's highest. At the
 * sample's 50/s the phase would take rows/50 seconds whatever the enroller costs (100,000
 * contacts: over half an hour); the benchmark measures the enroller, not the configured pace.
 */
export const ENROLL_STARTS_PER_SECOND = 1000;

/** Up to this many rows the enrollment benchmark also scans the table before and after (its item count grows by the enrollments created). */
export const TABLE_SCAN_MAX_ROWS = 20_000;

/** Prints the workers' own lines (`{ type: 'log', text }`). */
export function logLines(message: unknown): void {
  const m = message as { type?: string; text?: string };
  if (m.type === 'log' && m.text) console.log(m.text);
}

export function checker(checks: Check[], run: string) {
  return (ok: boolean, what: string, kind: Check['kind'] = 'correctness') => checks.push({ run, kind, ok, what });
}

export async function benchEnrollment(rows: number, ctx: BenchContext): Promise<EnrollmentBenchResult> {
  const label = `enrollment ${nf(rows)}`;
  const check = checker(ctx.checks, label);
  const dir = join(ctx.root, `enrollment-${rows}`);
  await mkdir(dir, { recursive: true });
  try {
    // The import bench's kind of file: rejects, repeats, numbers from a bounded pool.
    const pool = phoneNumberPool(Math.min(ctx.pool, rows), 17);
    const file = await generateImportFile(join(dir, `enroll-${rows}.csv`), { rows, numbers: { pool, pick: 'random' }, seed: rows + 1 });
    const configPath = join(dir, 'stage.json');
    const config = await writeBenchConfig(SAMPLE_CONFIG, configPath, {
      ratePerSecond: 1000,
      rowsPerInvocation: rowsPerInvocationFor(rows, ctx.rowsPerInvocation),
      startsPerSecond: ENROLL_STARTS_PER_SECOND,
    });
    const practice = config.practices.find((p) => p.id === ctx.practiceId)!;
    const defaultCadence = practice.enrollment.defaultCadence;
    check(!!defaultCadence && config.cadences.some((c) => c.name === defaultCadence), `practice ${practice.id}'s default cadence ${defaultCadence ?? '(none)'} exists`);
    console.log(`\n${label}: ${nf(rows)} rows (${nf(file.rejectRows)} to reject, ${nf(file.duplicateRows)} repeats) for ${practice.id}, default cadence ${defaultCadence}; starts/s ${ENROLL_STARTS_PER_SECOND}`);

    // 1. The import up to the enrollment phase, in its own worker.
    const stateDir = join(dir, 'state');
    const sandbox: SandboxOptions = { latencyMs: 0 };
    const everyMs = rows >= 50_000 ? 10_000 : 2_000;
    const imported = await runWorker(
      { label: `${label} import`, file: file.path, stateDir, configPath, practiceId: ctx.practiceId, sandbox, progressEveryMs: Math.min(everyMs, 2_000), stopBeforeEnrollment: true },
      progressPrinter(`${label} import`, rows, everyMs),
    );
    const created = imported.rowCounts?.created ?? 0;
    const expected = rows - file.rejectRows - file.duplicateRows;
    check(imported.status === 'SUCCEEDED', `import ${imported.status}${imported.error ? ` (${imported.error}: ${imported.cause ?? ''})` : ''}`);
    check(created === expected, `import created ${nf(created)}, expected ${nf(expected)}`);
    if (!imported.importId || !imported.executionId) throw new Error(`${label}: the import worker did not reach the enrollment phase (${imported.status} ${imported.error ?? ''})`);
    console.log(`${label}: import done in ${round(imported.seconds.workflow)} s (${nf(created)} contacts); enrolling in a fresh worker`);

    // 2. EnrollContacts alone, in a worker of its own on the same state.
    let lastPrinted = 0;
    const spec: EnrollWorkerSpec = { label, stateDir, configPath, importId: imported.importId, executionId: imported.executionId, sandbox, progressEveryMs: 2_000, countTableItems: rows <= TABLE_SCAN_MAX_ROWS };
    const enrolled = await runScript<EnrollWorkerResult>(ENROLL_WORKER_SCRIPT, spec, (message) => {
      const p = message as EnrollProgressMessage;
      if (p.type !== 'enroll-progress' || Date.now() - lastPrinted < everyMs) return;
      lastPrinted = Date.now();
      console.log(`  [${label}] ${p.elapsedSeconds.toFixed(1)} s  enrolled ${nf(p.enrolled)}/${nf(created)}  rss ${p.rssMb} MB`);
    });
    const d = enrolled.dynamo;
    const contacts = enrolled.contacts;
    const count = enrolled.enrollCounts?.enrolled ?? 0;
    const engineCpu = Object.fromEntries(enrolled.engines.map((e) => [e.name, e.cpuSeconds]));
    let r: EnrollmentBenchResult = {
      checks: { correctness: [], targets: [] },
      rows,
      contacts,
      enrolled: count,
      notEnrolled: enrolled.enrollCounts?.notEnrolled ?? {},
      seconds: enrolled.seconds,
      contactsPerSec: enrolled.seconds > 0 ? round(contacts / enrolled.seconds, 1) : 0,
      invocations: enrolled.invocations,
      startsPerSecondLimit: ENROLL_STARTS_PER_SECOND,
      startExecutionCalls: enrolled.startExecutionCalls,
      executionsStarted: enrolled.executionsStarted,
      dynamoWrites: d.writeItems,
      writesPerContact: contacts > 0 ? round(d.writeItems / contacts, 4) : 0,
      writeRequests: d.writeRequests,
      conditionalFailures: d.conditionalFailures,
      writesByOperation: d.writeItemsByOperation,
      ...(enrolled.tableItemsAdded !== undefined ? { tableItemsAdded: enrolled.tableItemsAdded } : {}),
      dynamoReads: d.readItems,
      readsPerContact: contacts > 0 ? round(d.readItems / contacts, 4) : 0,
      requestsByOperation: d.byOperation,
      peakRssMb: enrolled.memory.maxRssMb,
      peakSampledRssMb: enrolled.memory.peakSampledRssMb,
      rssAfterStartupMb: enrolled.memory.rssAfterStartupMb,
      cpuSeconds: { enroller: enrolled.cpuSeconds, ...engineCpu },
      loadAverage: enrolled.loadAverage,
      status: enrolled.phase === 'finishing' ? 'SUCCEEDED' : 'FAILED',
      ...(enrolled.phase === 'finishing' ? {} : { error: `the run is in phase ${enrolled.phase ?? '(missing)'} after enrollment` }),
      import: { status: imported.status, created, rejected: imported.rowCounts?.rejected ?? 0, duplicates: imported.rowCounts?.duplicates ?? 0, seconds: round(imported.seconds.workflow, 2) },
    };
    check(r.status === 'SUCCEEDED', `enrollment ended in phase ${enrolled.phase ?? '(missing)'}`);
    check(contacts === created, `enroller decided about ${nf(contacts)} contacts, the import created ${nf(created)}`);
    check(count === created, `enrolled ${nf(count)} of ${nf(created)} new contacts (not enrolled: ${JSON.stringify(r.notEnrolled)})`);
    check(enrolled.enrolledByHandler === count, `handler answers add up to ${nf(enrolled.enrolledByHandler)} enrolled, the run counts ${nf(count)}`);
    check(r.executionsStarted === count, `${nf(r.executionsStarted)} executions started for ${nf(count)} enrollments`);
    if (enrolled.tableItemsAdded !== undefined) {
      // Enrollment creates one item per new enrollment (a PutItem); its other writes update items that exist.
      const puts = d.writeItemsByOperation.PutItem ?? 0;
      const refused = d.conditionalFailuresByOperation.PutItem ?? 0;
      check(enrolled.tableItemsAdded === puts - refused, `the table gained ${nf(enrolled.tableItemsAdded)} items; counted ${nf(puts)} PutItem (${refused} refused by their condition)`);
    }
    check(d.unreadableBodies === 0, `every DynamoDB batch request body was read for counting (${d.unreadableBodies} unreadable)`);
    check(r.startExecutionCalls === r.executionsStarted, `${nf(r.startExecutionCalls)} StartExecution calls for ${nf(r.executionsStarted)} executions`);
    r = { ...r, checks: checksOf(ctx.checks, label) };
    console.log(
      `${label}: ${nf(contacts)} contacts in ${r.seconds} s → ${nf(r.contactsPerSec)} contacts/s (${r.invocations} invocation(s)); ` +
        `StartExecution ${nf(r.startExecutionCalls)}, executions ${nf(r.executionsStarted)}; DynamoDB writes ${nf(r.dynamoWrites)} = ${r.writesPerContact}/contact ` +
        `(${Object.entries(r.writesByOperation).map(([k, v]) => `${k} ${nf(v)}`).join(', ')}), reads ${r.readsPerContact}/contact; enroller maxRSS ${r.peakRssMb} MB`,
    );
    return r;
  } finally {
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}

export async function benchSender(mobiles: number, messagesPerSecond: number, ctx: BenchContext): Promise<SenderBenchResult> {
  const label = `sender ${nf(mobiles)} at ${messagesPerSecond}/s`;
  const check = checker(ctx.checks, label);
  const dir = join(ctx.root, `sender-${mobiles}`);
  await mkdir(dir, { recursive: true });
  try {
    const file = await generateMobileFile(join(dir, `mobiles-${mobiles}.csv`), mobileNumberPool(mobiles, 23), mobiles);
    const configPath = join(dir, 'stage.json');
    await writeBenchConfig(SAMPLE_CONFIG, configPath, {
      ratePerSecond: 1000,
      rowsPerInvocation: rowsPerInvocationFor(mobiles, ctx.rowsPerInvocation),
      startsPerSecond: ENROLL_STARTS_PER_SECOND,
      transform: senderConfig(ctx.practiceId, messagesPerSecond),
    });
    console.log(`\n${label}: ${nf(mobiles)} mobiles in a one-step SMS cadence (${SENDER_CADENCE}), every execution at once; about ${round(mobiles / messagesPerSecond)} s of sending`);
    // No identityRateLimits: the product's pacer is all that holds the identity to its rate.
    // A realistic answer time for SendTextMessage (arrival times, which are measured, are not affected).
    const sandbox: SandboxOptions = { latencyMs: { '*': 0, SendTextMessage: 20 } };
    const spec: CadenceWorkerSpec = { mode: 'sender', label, stateDir: join(dir, 'state'), configPath, practiceId: ctx.practiceId, file: file.path, sandbox, concurrency: mobiles, cadence: SENDER_CADENCE };
    const w = await runScript<SenderWorkerResult>(CADENCE_WORKER_SCRIPT, spec, logLines);
    const achieved = w.spanSeconds > 0 ? (w.texts - 1) / w.spanSeconds : 0;
    const maxPerSecond = w.identityStats?.maxPerSecond ?? 0;
    let r: SenderBenchResult = {
      checks: { correctness: [], targets: [] },
      mobiles,
      identity: w.identity,
      allowedPerSec: w.messagesPerSecond,
      messages: w.texts,
      achievedPerSec: round(achieved, 3),
      achievedOverAllowed: round(achieved / w.messagesPerSecond, 4),
      maxPerSecond,
      duplicates: w.duplicates,
      withoutAttemptKey: w.withoutAttemptKey,
      throttled: w.identityStats?.throttled ?? 0,
      spanSeconds: round(w.spanSeconds, 3),
      ...(w.firstAt ? { firstAt: w.firstAt } : {}),
      ...(w.lastAt ? { lastAt: w.lastAt } : {}),
      gapsMs: w.gapsMs,
      executions: w.executions,
      failedExecutions: w.failedExecutions,
      failures: w.failures,
      concurrency: mobiles,
      clockStart: w.clockStart,
      sendWindowOpenAtStart: w.sendWindowOpenAtStart,
      startBarrierSeconds: w.startBarrierSeconds,
      sendSmsOutcomes: w.sendSmsOutcomes,
      pacerWaits: w.pacerWaits,
      eventLoopDelayMs: w.eventLoopDelayMs,
      invocations: w.invocations,
      transitions: w.transitions,
      cadenceSeconds: w.cadenceSeconds,
      cpuSeconds: w.cpuSeconds,
      loadAverage: w.loadAverage,
      import: w.import,
    };
    check(w.import.status === 'SUCCEEDED' && w.import.enrolled === mobiles, `import ${w.import.status}: ${nf(w.import.enrolled)} of ${nf(mobiles)} mobiles enrolled`);
    check(w.sendWindowOpenAtStart, `send window open at the virtual start ${w.clockStart}`);
    check(r.executions === mobiles && r.failedExecutions === 0, `${nf(r.executions)} executions, ${r.failedExecutions} failed${w.failures.length ? ` (${w.failures[0]})` : ''}`);
    check(r.messages === mobiles, `texts sent ${nf(r.messages)} of ${nf(mobiles)} mobiles`);
    check(maxPerSecond <= w.messagesPerSecond, `sender never above the rate: at most ${maxPerSecond} texts in any second (allowed ${w.messagesPerSecond})`);
    check(r.duplicates === 0 && r.withoutAttemptKey === 0, `duplicates ${r.duplicates}${r.withoutAttemptKey ? `, ${r.withoutAttemptKey} texts without an attempt key` : ''}`);
    check(r.achievedOverAllowed >= 0.95, `achieved ${r.achievedPerSec}/s = ${round(r.achievedOverAllowed * 100, 1)}% of ${w.messagesPerSecond}/s (target ≥ 95%)`, 'target');
    r = { ...r, checks: checksOf(ctx.checks, label) };
    console.log(
      `${label}: ${nf(r.messages)} texts over ${r.spanSeconds} s → ${r.achievedPerSec}/s = ${round(r.achievedOverAllowed * 100, 1)}% of ${r.allowedPerSec}/s; ` +
        `max ${maxPerSecond} in any second; duplicates ${r.duplicates}; gaps ms min ${r.gapsMs.min} p1 ${r.gapsMs.p1} median ${r.gapsMs.median} p99 ${r.gapsMs.p99} max ${r.gapsMs.max}; ` +
        `SendSms answers ${JSON.stringify(r.sendSmsOutcomes)}; late wakers ${r.pacerWaits.missed}/${r.pacerWaits.waits} (late ms median ${r.pacerWaits.lateMsMedian}, p90 ${r.pacerWaits.lateMsP90}, max ${r.pacerWaits.lateMsMax}); ` +
        `event-loop delay ms p50 ${r.eventLoopDelayMs.p50} p99 ${r.eventLoopDelayMs.p99} max ${r.eventLoopDelayMs.max}`,
    );
    return r;
  } finally {
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}

export async function benchTransitions(ctx: BenchContext): Promise<TransitionsBenchResult> {
  const cadenceName = 'community-outreach';
  const label = `transitions ${cadenceName}`;
  const check = checker(ctx.checks, label);
  const dir = join(ctx.root, 'transitions');
  await mkdir(dir, { recursive: true });
  try {
    const config = parseStageConfig(JSON.parse(readFileSync(SAMPLE_CONFIG, 'utf8')) as unknown, SAMPLE_CONFIG);
    const file = join(ROOT, 'samples', 'prospects.csv');
    console.log(`\n${label}: the sample import (samples/prospects.csv) and its cadences, as npm start runs them`);
    // npm start's sandbox: 20 ms latency, lookups limited to the config's rate.
    const sandbox: SandboxOptions = { latencyMs: 20, rateLimits: { PhoneNumberValidate: config.validation.ratePerSecond } };
    const spec: CadenceWorkerSpec = { mode: 'transitions', label, stateDir: join(dir, 'state'), configPath: SAMPLE_CONFIG, practiceId: ctx.practiceId, file, sandbox, cadence: cadenceName };
    const w = await runScript<TransitionsWorkerResult>(CADENCE_WORKER_SCRIPT, spec, logLines);
    const personRounds = w.enrollments * w.rounds;
    const invocations = Object.values(w.invocations).reduce((n, v) => n + v, 0);
    let r: TransitionsBenchResult = {
      checks: { correctness: [], targets: [] },
      cadence: w.cadence,
      rounds: w.rounds,
      enrollments: w.enrollments,
      transitions: w.transitions,
      transitionsPerEnrollment: w.enrollments > 0 ? round(w.transitions / w.enrollments, 3) : 0,
      transitionsPerEnrollmentPerRound: personRounds > 0 ? round(w.transitions / personRounds, 3) : 0,
      invocations,
      invocationsPerEnrollmentPerRound: personRounds > 0 ? round(invocations / personRounds, 3) : 0,
      invocationsPerEnrollmentPerRoundByState: Object.fromEntries(Object.entries(w.invocations).map(([k, v]) => [k, personRounds > 0 ? round(v / personRounds, 3) : 0])),
      failedExecutions: w.failedExecutions,
      handlerErrors: w.handlerErrors,
      sent: w.sent,
      duplicateSends: w.duplicateSends,
      windowViolations: w.windowViolations,
      cadenceSeconds: w.cadenceSeconds,
      import: w.import,
    };
    check(w.import.status === 'SUCCEEDED' && w.enrollments > 0, `import ${w.import.status}: ${w.enrollments} enrollments in ${cadenceName}`);
    check(r.failedExecutions === 0, `failed executions ${r.failedExecutions}`);
    check(r.duplicateSends === 0, `duplicate sends ${r.duplicateSends}`);
    check(r.windowViolations === 0, `send window violations ${r.windowViolations}`);
    r = { ...r, checks: checksOf(ctx.checks, label) };
    console.log(
      `${label}: ${w.enrollments} enrollments × ${w.rounds} rounds: ${nf(w.transitions)} transitions → ${r.transitionsPerEnrollmentPerRound} per person per round ` +
        `(${r.transitionsPerEnrollment} per enrollment); ${nf(invocations)} Lambda invocations → ${r.invocationsPerEnrollmentPerRound} per person per round`,
    );
    return r;
  } finally {
    if (!ctx.keep) await rm(dir, { recursive: true, force: true });
  }
}
