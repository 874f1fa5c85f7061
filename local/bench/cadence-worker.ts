/**
 * The cadence measurements, each in a Node process of its own:
 *   node --import tsx local/bench/cadence-worker.ts '<CadenceWorkerSpec JSON>'
 *
 * - `sender`: imports a file of mobiles whose practice's default cadence is one SMS step due
 *   at once, then runs every execution the import started at the same time (runCadences,
 *   concurrency = all of them) on virtual clocks that start at a daytime instant, and reads
 *   back from the sandbox what arrived and when. Pacing is the product's (the shared pacing
 *   ledger); the sandbox has no identityRateLimits, so nothing else holds the sender back.
 * - `transitions`: what `npm start` does — the sample import and its cadences — counting
 *   states entered (each execution's `transitions`) and Lambda invocations (every handler
 *   passed to runCadences is wrapped and counted).
 */
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LOCAL_NAMES, importFile, type ImportOutcome, type LocalStack } from '../local-stack';
import { cadenceHandlers, runCadences, startedExecutions, type CadenceRun, type StartedExecution } from '../cadence-runner';
import { cadenceReport } from '../cadence-report';
import type { LocalHandler } from '../workflow-runner';
import type { Pacer, SendTime } from '../../lambdas/adapters/pacer';
import { findPractice, type StageConfig } from '../../lambdas/domain/stage-config';
import { daytimeStart } from './daytime';
import { MOBILE_FILE_RECIPIENT } from './generate';
import type { CadenceImportFigures, CadenceWorkerSpec, InvocationCounts, SenderWorkerResult, TransitionsWorkerResult } from './protocol';
import { allRecords } from './sandbox-records';
import { onLocalStack, ownCpuSeconds, say, workerMain } from './worker-util';

interface Counted {
  readonly handlers: Record<string, LocalHandler>;
  readonly invocations: InvocationCounts;
  readonly errors: InvocationCounts;
  /** SendSms answers by their decision's action. */
  readonly sendSmsOutcomes: Record<string, number>;
}

/**
 * Holds every execution's first task until `expected` executions have reached theirs (or
 * `timeoutMs` passed). The local runner builds each execution's state machine before its first
 * task, validating the ASL (ajv) for about 0.2 s of CPU on this event loop, and the executions
 * reach that point one after another; without the barrier the first ones reserve send times and
 * wait for them while the loop is still busy building the rest, and wake late. Step Functions
 * starts them all at once, so the sender benchmark starts them together here too.
 */
class StartBarrier {
  private readonly arrived = new Set<string>();
  private release!: () => void;
  private readonly open: Promise<void>;
  releasedAfterMs?: number;

  constructor(
    private readonly expected: number,
    timeoutMs: number,
  ) {
    const started = performance.now();
    this.open = new Promise<void>((resolve) => {
      this.release = () => {
        this.releasedAfterMs ??= performance.now() - started;
        resolve();
      };
    });
    const timer = setTimeout(() => this.release(), timeoutMs);
    void this.open.then(() => clearTimeout(timer));
    if (expected <= 0) this.release();
  }

  /** Resolves at once for an execution that passed before; else when everyone has arrived. */
  async pass(executionId: string): Promise<void> {
    if (!this.arrived.has(executionId)) {
      this.arrived.add(executionId);
      if (this.arrived.size >= this.expected) this.release();
    }
    await this.open;
  }
}

/** The real cadence handlers, each wrapped to count its calls (a call is one Lambda invocation, retries included). */
async function countedHandlers(barrier?: StartBarrier): Promise<Counted> {
  const real = await cadenceHandlers();
  const invocations: InvocationCounts = {};
  const errors: InvocationCounts = {};
  const sendSmsOutcomes: Record<string, number> = {};
  const handlers: Record<string, LocalHandler> = {};
  for (const [state, handler] of Object.entries(real)) {
    invocations[state] = 0;
    handlers[state] = async (payload, context) => {
      if (barrier) await barrier.pass(String((payload as { executionId?: string }).executionId));
      invocations[state] = (invocations[state] ?? 0) + 1;
      try {
        const result = await handler(payload, context);
        if (state === 'SendSms') {
          const action = String((result as { decision?: { action?: string } } | undefined)?.decision?.action ?? 'none');
          sendSmsOutcomes[action] = (sendSmsOutcomes[action] ?? 0) + 1;
        }
        return result;
      } catch (e) {
        errors[state] = (errors[state] ?? 0) + 1;
        throw e;
      }
    };
  }
  return { handlers, invocations, errors, sendSmsOutcomes };
}

function importFigures(outcome: ImportOutcome, seconds: number): CadenceImportFigures {
  const { execution, summary } = outcome;
  return {
    status: execution.status,
    ...(execution.error ? { error: `${execution.error}: ${execution.cause ?? ''}` } : {}),
    created: summary?.created ?? 0,
    enrolled: summary?.enrolled ?? 0,
    seconds: Math.round(seconds * 100) / 100,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function importAndStart(stack: LocalStack, spec: CadenceWorkerSpec): Promise<{ outcome: ImportOutcome; figures: CadenceImportFigures; executions: StartedExecution[] }> {
  const t = performance.now();
  const outcome = await importFile(stack, spec.file, { practiceId: spec.practiceId });
  const figures = importFigures(outcome, (performance.now() - t) / 1000);
  const { executions } = await startedExecutions(stack);
  say(spec.label, `import ${figures.status} in ${figures.seconds} s: ${figures.created} created, ${figures.enrolled} enrolled, ${executions.length} executions started`);
  return { outcome, figures, executions };
}

function failuresOf(runs: readonly CadenceRun[]): string[] {
  return runs.filter((r) => r.result.status === 'FAILED').map((r) => `${r.name}: ${r.result.error ?? ''} ${r.result.cause ?? ''}`.slice(0, 300));
}

/**
 * Watches (never changes) the pacer's waits: how late each waker was for its reserved send
 * time. A waker later than the pacer's tolerance gives its slot up and the step is re-planned,
 * which leaves a gap in the identity's sending.
 */
async function watchPacerWaits(): Promise<{ readonly lateMs: number[]; readonly missedAt: number[]; readonly missed: () => number; stop(): void }> {
  // Loaded as the handlers load it (dynamic import), so this is the class they use.
  const { Pacer } = await import('../../lambdas/adapters/pacer');
  const original = Pacer.prototype.waitFor;
  const lateMs: number[] = [];
  /** When each slot was missed (epoch ms). */
  const missedAt: number[] = [];
  let missed = 0;
  Pacer.prototype.waitFor = async function (this: Pacer, time: SendTime, toleranceMs?: number): Promise<boolean> {
    const onTime = await original.call(this, time, toleranceMs);
    lateMs.push(Math.max(0, Date.now() - time.atMs));
    if (!onTime) {
      missed += 1;
      missedAt.push(Date.now());
    }
    return onTime;
  };
  return { lateMs, missedAt, missed: () => missed, stop: () => void (Pacer.prototype.waitFor = original) };
}

async function sender(spec: CadenceWorkerSpec, stack: LocalStack, config: StageConfig): Promise<SenderWorkerResult> {
  const practice = findPractice(config, spec.practiceId)!;
  const identity = practice.sms.originationIdentity!;
  const messagesPerSecond = practice.sms.messagesPerSecond;
  const { figures, executions: started } = await importAndStart(stack, spec);
  const executions = started.filter((e) => !spec.cadence || (e.input as { cadence?: string }).cadence === spec.cadence);

  // Every execution's virtual clock starts at local noon of a coming weekday, when the
  // recipients' window is open (the file's people live in Seattle, WA 98101, with 206 mobiles).
  const { at: clockStart, open } = daytimeStart(
    new Date(),
    practice.timeZone,
    { ...MOBILE_FILE_RECIPIENT, practiceTimeZone: practice.timeZone, practiceWindow: practice.sendWindow },
    config.sendWindow,
  );
  const barrier = new StartBarrier(executions.length, 600_000);
  const counted = await countedHandlers(barrier);
  say(spec.label, `running ${executions.length} executions at once from ${clockStart.toISOString()} (virtual); ${identity} paced to ${messagesPerSecond}/s`);
  const cpuAtStart = ownCpuSeconds();
  const loadAtStart = loadavg()[0]!;
  const waits = await watchPacerWaits();
  // The local runner runs every execution's Lambdas on this one event loop: its delays show here.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const t = performance.now();
  let lastSaid = Date.now();
  const runs = await runCadences(
    executions.map((e) => ({ ...e, startDate: clockStart.toISOString() })),
    {
      concurrency: spec.concurrency ?? executions.length,
      handlers: counted.handlers,
      onFinished: (_run, done, total) => {
        if (Date.now() - lastSaid < 10_000 && done < total) return;
        lastSaid = Date.now();
        say(spec.label, `${((performance.now() - t) / 1000).toFixed(0)} s: ${done}/${total} executions done`);
      },
    },
  );
  const cadenceSeconds = (performance.now() - t) / 1000;
  const cpuSeconds = ownCpuSeconds() - cpuAtStart;
  const loadAtEnd = loadavg()[0]!;
  loopDelay.disable();
  waits.stop();
  const late = [...waits.lateMs].sort((a, b) => a - b);
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;

  const sandbox = stack.engines.sandbox!;
  const texts = (await allRecords<{ OriginationIdentity?: string; Context?: Record<string, string> }>(sandbox, 'texts')).filter((r) => r.data.OriginationIdentity === identity);
  const times = texts.map((r) => Date.parse(r.at)).sort((a, b) => a - b);
  const perKey = new Map<string, number>();
  let withoutAttemptKey = 0;
  for (const r of texts) {
    const key = r.data.Context?.attempt;
    if (!key) withoutAttemptKey += 1;
    else perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  const gaps = times.slice(1).map((x, i) => x - times[i]!).sort((a, b) => a - b);
  const stats = (await sandbox.stats()).identities[identity];
  return {
    type: 'result',
    mode: 'sender',
    label: spec.label,
    import: figures,
    identity,
    messagesPerSecond,
    clockStart: clockStart.toISOString(),
    sendWindowOpenAtStart: open,
    executions: runs.length,
    failedExecutions: runs.filter((r) => r.result.status === 'FAILED').length,
    failures: failuresOf(runs).slice(0, 5),
    texts: texts.length,
    ...(times.length > 0 ? { firstAt: new Date(times[0]!).toISOString(), lastAt: new Date(times.at(-1)!).toISOString() } : {}),
    spanSeconds: times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0,
    duplicates: [...perKey.values()].reduce((n, c) => n + c - 1, 0),
    withoutAttemptKey,
    ...(stats ? { identityStats: { messages: stats.messages, maxPerSecond: stats.maxPerSecond, throttled: stats.throttled } } : {}),
    gapsMs: { min: gaps[0] ?? 0, p1: percentile(gaps, 1), median: percentile(gaps, 50), p99: percentile(gaps, 99), max: gaps.at(-1) ?? 0 },
    startBarrierSeconds: Math.round((barrier.releasedAfterMs ?? 0) / 10) / 100,
    sendSmsOutcomes: counted.sendSmsOutcomes,
    pacerWaits: {
      waits: late.length,
      missed: waits.missed(),
      lateMsMedian: percentile(late, 50),
      lateMsP90: percentile(late, 90),
      lateMsMax: late.at(-1) ?? 0,
      missedAtSeconds: times.length > 0 ? waits.missedAt.map((at) => Math.round((at - times[0]!) / 100) / 10) : [],
    },
    eventLoopDelayMs: { mean: ms(loopDelay.mean), p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) },
    invocations: counted.invocations,
    handlerErrors: counted.errors,
    transitions: runs.reduce((n, r) => n + r.result.transitions, 0),
    cadenceSeconds: Math.round(cadenceSeconds * 100) / 100,
    cpuSeconds: Math.round(cpuSeconds * 10) / 10,
    loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadAtEnd * 100) / 100 },
  };
}

async function transitions(spec: CadenceWorkerSpec, stack: LocalStack, config: StageConfig): Promise<TransitionsWorkerResult> {
  const cadenceName = spec.cadence ?? 'community-outreach';
  const cadence = config.cadences.find((c) => c.name === cadenceName);
  if (!cadence) throw new Error(`no cadence ${cadenceName} in ${spec.configPath}`);
  const { figures, executions: started } = await importAndStart(stack, spec);
  const executions = started.filter((e) => (e.input as { cadence?: string }).cadence === cadenceName);
  const counted = await countedHandlers();
  const t = performance.now();
  // As npm start runs them: each on a virtual clock from its start, 64 at a time.
  const runs = await runCadences(executions, { handlers: counted.handlers, ...(spec.concurrency ? { concurrency: spec.concurrency } : {}) });
  const cadenceSeconds = (performance.now() - t) / 1000;
  const report = await cadenceReport(executions, config, stack.engines.sandbox!, LOCAL_NAMES.table);
  return {
    type: 'result',
    mode: 'transitions',
    label: spec.label,
    import: figures,
    cadence: cadenceName,
    rounds: cadence.rounds,
    enrollments: runs.length,
    failedExecutions: runs.filter((r) => r.result.status === 'FAILED').length,
    transitions: runs.reduce((n, r) => n + r.result.transitions, 0),
    invocations: counted.invocations,
    handlerErrors: counted.errors,
    sent: report.sent,
    skipped: report.skipped,
    duplicateSends: report.duplicateSends,
    windowViolations: report.windowViolations,
    cadenceSeconds: Math.round(cadenceSeconds * 100) / 100,
  };
}

async function run(spec: CadenceWorkerSpec): Promise<SenderWorkerResult | TransitionsWorkerResult> {
  // Handler logs are for CloudWatch; the bench reports what happened.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'CRITICAL';
  return onLocalStack<SenderWorkerResult | TransitionsWorkerResult>(spec, (stack, config) => (spec.mode === 'sender' ? sender(spec, stack, config) : transitions(spec, stack, config)));
}

void workerMain(run);
