/**
 * One benchmark import in its own Node process, so its memory is the importer's alone:
 *   node --import tsx local/bench/import-worker.ts '<WorkerSpec JSON>'
 * Starts the local stack (engines in their own child processes), drops the file in the
 * inbox and runs the real import workflow with the real handlers — timed per handler —
 * then sends a WorkerResult to the parent over IPC (or prints it as a JSON line).
 */
import { loadavg } from 'node:os';
import { IMPORT_WORKFLOW, dropInInbox, importHandlers, objectCreatedEventFor, startLocalStack, storedSummary, type LocalStack } from '../local-stack';
import { runWorkflow, type ExecutionResult, type LocalHandler } from '../workflow-runner';
import type { ImportRun, ImportSummary, NumberCounts, RowCounts } from '../../lambdas/domain/import-run';
import { lookupTimeline, validationArrivals } from './lookup-timeline';
import type { MemorySample, ProgressMessage, StepTiming, WorkerResult, WorkerSpec } from './protocol';
import { cpuSecondsOf, maxRssMb, mb, ownCpuSeconds, peakRssOf, send, workerMain } from './worker-util';

const SAMPLE_EVERY_MS = 250;
const KEEP_SAMPLES = 120;

/** At most `keep` samples, evenly spread, always keeping the highest one. */
function thin(samples: readonly MemorySample[], keep: number): MemorySample[] {
  if (samples.length <= keep) return [...samples];
  const step = samples.length / keep;
  const picked = new Set<number>();
  for (let i = 0; i < keep; i++) picked.add(Math.floor(i * step));
  picked.add(samples.length - 1);
  let peak = 0;
  samples.forEach((s, i) => {
    if (s.rssMb > samples[peak]!.rssMb) peak = i;
  });
  picked.add(peak);
  return [...picked].sort((a, b) => a - b).map((i) => samples[i]!);
}

async function run(spec: WorkerSpec): Promise<WorkerResult> {
  const t0 = performance.now();
  const since = (start: number) => (performance.now() - start) / 1000;
  const progress = (fields: Omit<ProgressMessage, 'type' | 'elapsedSeconds' | 'rssMb' | 'heapUsedMb'>) => {
    const memory = process.memoryUsage();
    void send({ type: 'progress', elapsedSeconds: since(t0), rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed), ...fields });
  };

  progress({ phase: 'starting', rowsRead: 0, uniqueNumbers: 0, lookups: 0 });
  const stack: LocalStack = await startLocalStack({ stateDir: spec.stateDir, configPath: spec.configPath, sandbox: spec.sandbox });
  try {
    const startup = since(t0);
    const rssAfterStartupMb = mb(process.memoryUsage.rss());

    progress({ phase: 'uploading', rowsRead: 0, uniqueNumbers: 0, lookups: 0 });
    const tUpload = performance.now();
    const key = await dropInInbox(stack, spec.file, spec.practiceId);
    const event = await objectCreatedEventFor(stack, key);
    const upload = since(tUpload);
    const rssAfterUploadMb = mb(process.memoryUsage.rss());

    const { dependencies } = await import('../../lambdas/handlers/import-support');
    const tracker = dependencies().tracker;

    // The real handlers, each call timed; BeginImport also tells us the import id.
    const tWorkflow = performance.now();
    const cpuAtStart = ownCpuSeconds();
    const loadAtStart = loadavg()[0]!;
    const steps: Record<string, { invocations: number; firstStart: number; lastEnd: number }> = {};
    let importId: string | undefined;
    let executionId: string | undefined;
    const handlers = await importHandlers();
    if (spec.stopBeforeEnrollment) {
      // The run stays in phase `enrolling`; enroll-worker.ts enrolls it in a process of its own.
      handlers.EnrollContacts = async (payload) => {
        executionId = (payload as { executionId?: string }).executionId;
        return { done: true, enrolled: 0 };
      };
      handlers.FinishImport = async () => ({ skipped: 'stopped before enrollment (benchmark)' });
    }
    const timed: Record<string, LocalHandler> = {};
    for (const [state, handler] of Object.entries(handlers)) {
      timed[state] = async (payload, context) => {
        const start = since(tWorkflow);
        const step = (steps[state] ??= { invocations: 0, firstStart: start, lastEnd: start });
        step.invocations += 1;
        try {
          const result = await handler(payload, context);
          if (state === 'BeginImport') importId = (result as { importId?: string }).importId;
          return result;
        } finally {
          step.lastEnd = since(tWorkflow);
        }
      };
    }

    // Memory every 250 ms, the run's checkpoint every progressEveryMs.
    let latest: ImportRun | undefined;
    const samples: MemorySample[] = [];
    let peakSampled = 0;
    const sampler = setInterval(() => {
      const memory = process.memoryUsage();
      peakSampled = Math.max(peakSampled, memory.rss);
      samples.push({ seconds: since(tWorkflow), phase: latest?.phase ?? 'unknown', rowsRead: latest?.rowCounts.rowsRead ?? 0, rssMb: mb(memory.rss), heapUsedMb: mb(memory.heapUsed) });
    }, SAMPLE_EVERY_MS);
    let polling = false;
    const poller = setInterval(() => {
      if (!importId || polling) return;
      polling = true;
      tracker
        .getImport(importId)
        .then((r) => {
          if (!r) return;
          latest = r;
          progress({ phase: r.phase, rowsRead: r.rowCounts.rowsRead, uniqueNumbers: r.numberCounts.uniqueNumbers, lookups: r.numberCounts.lookups });
        })
        .catch(() => undefined)
        .finally(() => {
          polling = false;
        });
    }, spec.progressEveryMs);

    let execution: ExecutionResult;
    try {
      execution = await runWorkflow(IMPORT_WORKFLOW, event, timed);
    } finally {
      clearInterval(sampler);
      clearInterval(poller);
    }
    const workflow = since(tWorkflow);
    const cpuWorkflow = ownCpuSeconds() - cpuAtStart;
    const loadAtEnd = loadavg()[0]!;

    const output = execution.output as { summary?: { result?: ImportSummary } } | undefined;
    const summary = output?.summary?.result ?? (importId ? await storedSummary(stack, importId) : undefined);
    const finalRun = importId ? await tracker.getImport(importId) : undefined;
    const rowCounts: RowCounts | undefined = finalRun?.rowCounts;
    const numberCounts: NumberCounts | undefined = finalRun?.numberCounts;

    const stats = stack.engines.sandbox ? await stack.engines.sandbox.stats() : undefined;
    const validateKey = stats ? Object.keys(stats.operations).find((k) => k === 'PhoneNumberValidate' || k.endsWith(':PhoneNumberValidate')) : undefined;
    const timeline = spec.lookupTimeline && stack.engines.sandbox ? lookupTimeline(await validationArrivals(stack.engines.sandbox), 50) : undefined;
    const engines = stack.engines.processes.map(({ name, pid }) => ({ name, peakRssMb: peakRssOf(pid), cpuSeconds: cpuSecondsOf(pid) }));

    const span = (name: string) => steps[name];
    const rowsStep = span('ImportRows');
    const numbersStep = span('ValidateNumbers');
    const finishStep = span('FinishImport');
    const timing = (s: StepTiming | undefined) => (s ? s.lastEnd - s.firstStart : 0);

    return {
      type: 'result',
      label: spec.label,
      status: execution.status,
      ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
      importId,
      ...(executionId ? { executionId } : {}),
      rowCounts: rowCounts ?? (summary ? pickRowCounts(summary) : undefined),
      numberCounts,
      seconds: {
        startup,
        upload,
        workflow,
        rows: rowsStep ? rowsStep.lastEnd : 0,
        numbers: timing(numbersStep),
        finish: timing(finishStep),
      },
      steps,
      transitions: execution.transitions,
      memory: {
        maxRssMb: maxRssMb(),
        rssAfterStartupMb,
        rssAfterUploadMb,
        peakSampledWorkflowRssMb: mb(peakSampled),
        samples: thin(samples, KEEP_SAMPLES),
      },
      engines,
      cpuSeconds: { workflow: Math.round(cpuWorkflow * 10) / 10, total: Math.round(ownCpuSeconds() * 10) / 10 },
      loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadAtEnd * 100) / 100 },
      ...(timeline ? { lookupTimeline: timeline } : {}),
      ...(stats && validateKey ? { phoneNumberValidate: stats.operations[validateKey] } : {}),
    };
  } finally {
    await stack.stop();
  }
}

function pickRowCounts(s: ImportSummary): RowCounts {
  return { rowsRead: s.rowsRead, created: s.created, updated: s.updated, unchanged: s.unchanged, duplicates: s.duplicates, rejected: s.rejected, warnings: s.warnings };
}

void workerMain(run);
