/** The benchmark's results file and the table printed at the end. */
import type { DispositionBenchResult } from './disposition-bench';
import type { LookupTimeline } from './lookup-timeline';
import type { BroadcastBenchResult, SegmentsBenchResult } from './segment-benches';
import type { EventLoopDelay, MemorySample, PacerWaits } from './protocol';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly memoryGb: number;
  readonly platform: string;
  readonly arch: string;
}

export interface ImportBenchResult {
  readonly rows: number;
  /** Rows per second of the row phase (workflow start until the last ImportRows returned). */
  readonly rowsPerSec: number;
  /** The worker's maxRSS (process.resourceUsage), engines excluded: they are other processes. */
  readonly peakRssMb: number;
  /** Seconds of the row phase. */
  readonly seconds: number;
  readonly created: number;
  readonly rejected: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly rowsRead: number;
  readonly duplicates: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly warnings: number;
  /** In the generated file: rows written to be rejected and rows repeating an earlier person. */
  readonly expected: { readonly rejected: number; readonly duplicates: number };
  readonly fileMb: number;
  readonly rowsPerInvocation: number;
  readonly rowInvocations: number;
  readonly numberInvocations: number;
  readonly uniqueNumbers: number;
  readonly lookups: number;
  readonly numbersSeconds: number;
  /** The whole workflow: rows, numbers and the summary. */
  readonly totalSeconds: number;
  readonly startupSeconds: number;
  readonly uploadSeconds: number;
  readonly rssAfterStartupMb: number;
  readonly rssAfterUploadMb: number;
  /** Highest RSS sampled (every 250 ms) while the workflow ran: maxRSS without the upload. */
  readonly peakSampledWorkflowRssMb: number;
  readonly enginesPeakRssMb: Readonly<Record<string, number | undefined>>;
  /** CPU seconds: the importer over the workflow, each engine over its life (startup included). */
  readonly cpuSeconds: Readonly<Record<string, number | undefined>>;
  /** Importer CPU milliseconds per row over the whole workflow: steadier than rows/s on a shared machine. */
  readonly importerCpuMsPerRow: number;
  /** 1-minute load average at the workflow's start and end: anything above ~2 on 2 CPUs means others competed. */
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly memorySamples: readonly MemorySample[];
}

export interface ValidationBenchResult {
  readonly name: string;
  readonly latencyMs: number;
  readonly limitPerSec: number;
  /** Phone numbers in the file (one per row). */
  readonly numbers: number;
  readonly uniqueNumbers: number;
  readonly lookups: number;
  /** lookups / seconds of the numbers phase. */
  readonly achievedPerSec: number;
  readonly percentOfLimit: number;
  readonly throttled: number;
  readonly maxPerSecondSeen: number;
  readonly seconds: number;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  readonly sandboxCalls: number;
  readonly cacheHits: number;
  readonly lookupFailures: number;
  readonly numberInvocations: number;
  readonly peakRssMb: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  /** The calls as the sandbox saw them: pauses between pages of the work list show here. */
  readonly lookupTimeline?: LookupTimeline;
}

/** The EnrollContacts phase of an import, run alone in a worker of its own (enroll-worker.ts). */
export interface EnrollmentBenchResult {
  /** Rows in the imported file. */
  readonly rows: number;
  /** Contacts the enroller decided about (enrolled + not enrolled). */
  readonly contacts: number;
  readonly enrolled: number;
  readonly notEnrolled: Readonly<Record<string, number>>;
  /** Wall seconds of the enrollment phase: first EnrollContacts start to the last one's end. */
  readonly seconds: number;
  readonly contactsPerSec: number;
  /** EnrollContacts invocations (Lambda invocations) the phase took. */
  readonly invocations: number;
  /** enrollment.startsPerSecond in the bench's config: the enroller's StartExecution pace. */
  readonly startsPerSecondLimit: number;
  /** StartExecution calls the sandbox received, and executions it started (its `executions` records). */
  readonly startExecutionCalls: number;
  readonly executionsStarted: number;
  /** DynamoDB write request items the enroller sent (dynamo-counter.ts: every PutItem/UpdateItem/DeleteItem, every BatchWriteItem item, at the wire). */
  readonly dynamoWrites: number;
  readonly writesPerContact: number;
  readonly writeRequests: number;
  /** Conditional writes refused (counted in dynamoWrites too). */
  readonly conditionalFailures: number;
  readonly writesByOperation: Readonly<Record<string, number>>;
  /** Cross-check: items the table gained during the phase (Scan counts before and after; only up to TABLE_SCAN_MAX_ROWS rows). */
  readonly tableItemsAdded?: number;
  readonly dynamoReads: number;
  readonly readsPerContact: number;
  readonly requestsByOperation: Readonly<Record<string, number>>;
  /** The enroll worker's maxRSS: it ran the local stack's client side and the enrollment, nothing else. */
  readonly peakRssMb: number;
  readonly peakSampledRssMb: number;
  readonly rssAfterStartupMb: number;
  readonly cpuSeconds: Readonly<Record<string, number | undefined>>;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error?: string;
  /** The import that fed it (its own worker, stopped before enrollment). */
  readonly import: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly created: number; readonly rejected: number; readonly duplicates: number; readonly seconds: number };
  /** This run's checks (also in the results' `checks` list). */
  readonly checks: RunChecks;
}

/** Texts to many mobiles at once from one identity, paced by the product only. */
export interface SenderBenchResult {
  readonly mobiles: number;
  readonly identity: string;
  /** The identity's configured messages per second. */
  readonly allowedPerSec: number;
  /** Texts the sandbox accepted from the identity. */
  readonly messages: number;
  /** (messages − 1) / seconds from the first text's arrival to the last's (sandbox record times). */
  readonly achievedPerSec: number;
  readonly achievedOverAllowed: number;
  /** The sandbox's most messages in any 1-second sliding window for the identity. */
  readonly maxPerSecond: number;
  /** Texts per attempt key beyond the first, summed. */
  readonly duplicates: number;
  readonly withoutAttemptKey: number;
  readonly throttled: number;
  readonly spanSeconds: number;
  readonly firstAt?: string;
  readonly lastAt?: string;
  readonly gapsMs: { readonly min: number; readonly p1: number; readonly median: number; readonly p99: number; readonly max: number };
  readonly executions: number;
  readonly failedExecutions: number;
  readonly failures: readonly string[];
  readonly concurrency: number;
  /** Virtual clock start of every execution (a daytime instant), and whether the window was open there. */
  readonly clockStart: string;
  readonly sendWindowOpenAtStart: boolean;
  /** Seconds the local runner took to build every execution's state machine; no execution ran a task before all were built. */
  readonly startBarrierSeconds: number;
  readonly sendSmsOutcomes: Readonly<Record<string, number>>;
  /** How late the pacer's wakers were; `missed`: later than its tolerance, so the slot went unused. */
  readonly pacerWaits: PacerWaits;
  /** The cadence worker's event-loop delay: the local runner runs every execution's Lambdas on one loop. */
  readonly eventLoopDelayMs: EventLoopDelay;
  readonly invocations: Readonly<Record<string, number>>;
  readonly transitions: number;
  readonly cadenceSeconds: number;
  readonly cpuSeconds: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly import: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly created: number; readonly enrolled: number; readonly seconds: number; readonly error?: string };
  /** This run's checks (also in the results' `checks` list). */
  readonly checks: RunChecks;
}

/** Step Functions transitions and Lambda invocations per person per round, for the sample import's cadence. */
export interface TransitionsBenchResult {
  readonly cadence: string;
  readonly rounds: number;
  readonly enrollments: number;
  readonly transitions: number;
  readonly transitionsPerEnrollment: number;
  readonly transitionsPerEnrollmentPerRound: number;
  readonly invocations: number;
  readonly invocationsPerEnrollmentPerRound: number;
  /** Per Task state: invocations per enrollment per round. */
  readonly invocationsPerEnrollmentPerRoundByState: Readonly<Record<string, number>>;
  readonly failedExecutions: number;
  readonly handlerErrors: Readonly<Record<string, number>>;
  readonly sent: Readonly<Record<string, number>>;
  readonly duplicateSends: number;
  readonly windowViolations: number;
  readonly cadenceSeconds: number;
  readonly import: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly created: number; readonly enrolled: number; readonly seconds: number; readonly error?: string };
  /** This run's checks (also in the results' `checks` list). */
  readonly checks: RunChecks;
}

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly totalSeconds: number;
  readonly quick: boolean;
  /** How each import was run. */
  readonly worker: string;
  /** How each kind of measurement was run: import (also the enrollment benchmark's import), enrollment, cadence (sender, transitions), dispositions, segments, broadcast. */
  readonly workers: Readonly<Record<string, string>>;
  readonly import: ImportBenchResult[];
  readonly validation: ValidationBenchResult[];
  readonly enrollment: EnrollmentBenchResult[];
  readonly sender: SenderBenchResult[];
  readonly transitions: TransitionsBenchResult[];
  readonly dispositions: DispositionBenchResult[];
  readonly segments: SegmentsBenchResult[];
  readonly broadcast: BroadcastBenchResult[];
}

/** `correctness`: the run did what it should (a failure exits 1); `target`: a performance goal. */
export interface Check {
  readonly run: string;
  readonly kind: 'correctness' | 'target';
  readonly ok: boolean;
  readonly what: string;
}

/** A run's own checks, split as the report prints them. */
export interface RunChecks {
  readonly correctness: ReadonlyArray<{ readonly ok: boolean; readonly what: string }>;
  readonly targets: ReadonlyArray<{ readonly ok: boolean; readonly what: string }>;
}

export function checksOf(checks: readonly Check[], run: string): RunChecks {
  const mine = checks.filter((c) => c.run === run);
  const pick = (kind: Check['kind']) => mine.filter((c) => c.kind === kind).map(({ ok, what }) => ({ ok, what }));
  return { correctness: pick('correctness'), targets: pick('target') };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers.map(String), ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function formatResults(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [];
  out.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node} (${m.platform}/${m.arch})`);
  if (results.import.length > 0) {
    out.push('');
    out.push('Import (row phase; importer process only — engines run in their own processes)');
    out.push(
      table(
        ['rows', 'rows/s', 'row s', 'peak RSS MB', 'workflow RSS MB', 'created', 'dupl.', 'rejected', 'invocations', 'lookups', 'total s', 'CPU s imp/ddb', 'dynalite MB', 'load', 'status'],
        results.import.map((r) => [
          r.rows,
          round(r.rowsPerSec, 0),
          round(r.seconds),
          round(r.peakRssMb, 0),
          round(r.peakSampledWorkflowRssMb, 0),
          r.created,
          r.duplicates,
          r.rejected,
          `${r.rowInvocations}+${r.numberInvocations}`,
          r.lookups,
          round(r.totalSeconds),
          `${round(r.cpuSeconds.importer ?? 0, 0)}/${r.cpuSeconds.dynamodb === undefined ? '?' : round(r.cpuSeconds.dynamodb, 0)}`,
          r.enginesPeakRssMb.dynamodb === undefined ? '?' : round(r.enginesPeakRssMb.dynamodb, 0),
          `${r.loadAverage.start}→${r.loadAverage.end}`,
          r.status,
        ]),
      ),
    );
  }
  if (results.validation.length > 0) {
    out.push('');
    out.push('Number validation (sandbox latency and rate limit; numbers phase)');
    out.push(
      table(
        ['run', 'latency ms', 'limit/s', 'numbers', 'unique', 'lookups', 'achieved/s', '% of limit', 'throttled', 'max/s seen', 'seconds', 'load', 'status'],
        results.validation.map((v) => [
          v.name,
          v.latencyMs,
          v.limitPerSec,
          v.numbers,
          v.uniqueNumbers,
          v.lookups,
          round(v.achievedPerSec),
          `${round(v.percentOfLimit)}%`,
          v.throttled,
          v.maxPerSecondSeen,
          round(v.seconds),
          `${v.loadAverage.start}→${v.loadAverage.end}`,
          v.status,
        ]),
      ),
    );
  }
  if (results.enrollment.length > 0) {
    out.push('');
    out.push('Enrollment (EnrollContacts phase alone, in a worker of its own; writes = DynamoDB write request items at the wire)');
    out.push(
      table(
        ['rows', 'contacts', 'enrolled', 'seconds', 'contacts/s', 'invocations', 'starts/s limit', 'StartExecution', 'executions', 'writes', 'writes/contact', 'reads/contact', 'cond. failed', 'peak RSS MB', 'CPU s enr/ddb', 'load', 'status'],
        results.enrollment.map((e) => [
          e.rows,
          e.contacts,
          e.enrolled,
          round(e.seconds),
          round(e.contactsPerSec, 0),
          e.invocations,
          e.startsPerSecondLimit,
          e.startExecutionCalls,
          e.executionsStarted,
          e.dynamoWrites,
          round(e.writesPerContact, 3),
          round(e.readsPerContact, 2),
          e.conditionalFailures,
          round(e.peakRssMb, 0),
          `${round(e.cpuSeconds.enroller ?? 0, 0)}/${e.cpuSeconds.dynamodb === undefined ? '?' : round(e.cpuSeconds.dynamodb, 0)}`,
          `${e.loadAverage.start}→${e.loadAverage.end}`,
          e.status,
        ]),
      ),
    );
  }
  if (results.sender.length > 0) {
    out.push('');
    out.push('Sender (one-step SMS cadence, all executions at once; sandbox without identity limits: only our pacer limits)');
    out.push(
      table(
        ['mobiles', 'allowed/s', 'sent', 'achieved/s', 'achieved/allowed', 'max/s seen', 'duplicates', 'span s', 'gap ms min/med/max', 'SendSms answers', 'late wakers', 'loop delay p99/max ms', 'failed exec.', 'load'],
        results.sender.map((r) => [
          r.mobiles,
          r.allowedPerSec,
          r.messages,
          round(r.achievedPerSec, 2),
          `${round(r.achievedOverAllowed * 100, 1)}%`,
          r.maxPerSecond,
          r.duplicates,
          round(r.spanSeconds),
          `${r.gapsMs.min}/${r.gapsMs.median}/${r.gapsMs.max}`,
          Object.entries(r.sendSmsOutcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
          `${r.pacerWaits.missed}/${r.pacerWaits.waits}`,
          `${r.eventLoopDelayMs.p99}/${r.eventLoopDelayMs.max}`,
          r.failedExecutions,
          `${r.loadAverage.start}→${r.loadAverage.end}`,
        ]),
      ),
    );
  }
  if (results.transitions.length > 0) {
    out.push('');
    out.push('Step Functions transitions and Lambda invocations per person per round (sample import, npm start)');
    out.push(
      table(
        ['cadence', 'rounds', 'enrollments', 'transitions', 'per enrollment', 'per person-round', 'invocations/person-round', 'by state', 'failed', 'dupl.', 'window viol.'],
        results.transitions.map((t) => [
          t.cadence,
          t.rounds,
          t.enrollments,
          t.transitions,
          round(t.transitionsPerEnrollment, 2),
          round(t.transitionsPerEnrollmentPerRound, 2),
          round(t.invocationsPerEnrollmentPerRound, 2),
          Object.entries(t.invocationsPerEnrollmentPerRoundByState)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${k} ${round(v, 2)}`)
            .join(', '),
          t.failedExecutions,
          t.duplicateSends,
          t.windowViolations,
        ]),
      ),
    );
  }
  if (results.dispositions.length > 0) {
    out.push('');
    out.push('Dispositions (agent calls → record-disposition) and Scheduler calls per booked appointment');
    out.push(
      table(
        ['calls', 'in flight', 'dispositions/s', 'seconds', 'CPU s', 'booked', 'scheduler calls/booking', 'per booking+move+seen', 'texts', 'duplicates: texts/schedules'],
        results.dispositions.map((d) => [d.dispositions, d.concurrency, round(d.perSecond, 1), round(d.seconds, 1), round(d.cpuSeconds, 1), d.booked, round(d.schedulerCallsPerBooking, 2), round(d.schedulerCallsPerAppointmentLife, 2), d.texts, `${d.duplicates.newTexts}/${d.duplicates.newSchedulerCalls}`]),
      ),
    );
  }
  if (results.segments.length > 0) {
    out.push('');
    out.push(`Segments (Roster.evaluate: 16 shards queried at once; read units as dynalite reports them; ${results.segments[0]!.price.note}; full Scan: an estimate)`);
    out.push(
      table(
        ['contacts', 'segment', 'seconds', 'members', 'cards read', 'read units', 'cost $', 'card B', 'load s', 'full Scan units (est.)', 'Scan $ (est.)', 'load'],
        results.segments.flatMap((s) =>
          s.evaluations.map((e) => [
            s.contacts,
            e.name,
            round(e.seconds, 2),
            e.members,
            e.cards,
            e.readUnits,
            e.costUsd.toFixed(6),
            s.averageCardBytes,
            round(s.load.seconds),
            s.fullScan.readUnits,
            s.fullScan.costUsd.toFixed(4),
            `${e.loadAverage.start}→${e.loadAverage.end}`,
          ]),
        ),
      ),
    );
  }
  if (results.broadcast.length > 0) {
    out.push('');
    out.push('Broadcast (one run to a segment of everyone, run workflow; sandbox without identity limits: only our pacer limits)');
    out.push(
      table(
        ['mobiles', 'allowed/s', 'texts', 'achieved/s', '% of allowed', 'max/s seen', 'duplicates', 'span s', 'gap ms min/med/p90/max', 'members', 'sent', 'skipped', 'run s'],
        results.broadcast.map((b) => {
          const gaps = `${b.gapsMs.min}/${b.gapsMs.median}/${b.gapsMs.p90}/${b.gapsMs.max}`;
          const skipped = Object.values(b.run.skipped).reduce((n, v) => n + v, 0);
          return [b.mobiles, b.allowedPerSec, b.texts, round(b.achievedPerSec, 2), `${b.percentOfAllowed}%`, b.maxPerSecond, b.duplicates, round(b.spanSeconds), gaps, b.run.members, b.run.sent, skipped, round(b.runSeconds)];
        }),
      ),
    );
  }
  return out.join('\n');
}
