/**
 * The enrollment phase of one import, in a Node process of its own, so its memory is the
 * enroller's alone:
 *   node --import tsx local/bench/enroll-worker.ts '<EnrollWorkerSpec JSON>'
 * An import worker ran the import with stopBeforeEnrollment, leaving the run in phase
 * `enrolling` in its state directory. This worker starts the local stack on that directory
 * (a fresh sandbox, so its `executions` records are this enrollment's alone), counts every
 * DynamoDB request the enroller's own clients send (dynamo-counter.ts), and calls the real
 * EnrollContacts handler as the import workflow's MoreEnrollments loop does — again while
 * it answers `done: false` — then reads what it did.
 */
import { loadavg } from 'node:os';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { LOCAL_NAMES, startLocalStack } from '../local-stack';
import { Tracker } from '../../lambdas/adapters/tracker';
import { DynamoCounter } from './dynamo-counter';
import { countRecords } from './sandbox-records';
import type { EnrollProgressMessage, EnrollWorkerResult, EnrollWorkerSpec } from './protocol';
import { cpuSecondsOf, maxRssMb, mb, ownCpuSeconds, peakRssOf, send, workerMain } from './worker-util';

/** What the Lambda runtime gives EnrollContacts (the import function's timeout). */
const LAMBDA_TIMEOUT_MS = 900_000;

/**
 * Items in the tracker table (Scan, Select COUNT), through a client of its own: the
 * independent cross-check of the counted writes — enrollment adds one item per enrollment
 * PutItem that succeeded, and its other writes update items that exist.
 */
async function tableItems(): Promise<number> {
  const client = new DynamoDBClient({});
  try {
    let count = 0;
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: LOCAL_NAMES.table, Select: 'COUNT', ExclusiveStartKey }));
      count += page.Count ?? 0;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return count;
  } finally {
    client.destroy();
  }
}

async function run(spec: EnrollWorkerSpec): Promise<EnrollWorkerResult> {
  const t0 = performance.now();
  const stack = await startLocalStack({ stateDir: spec.stateDir, configPath: spec.configPath, sandbox: spec.sandbox });
  try {
    const startupSeconds = (performance.now() - t0) / 1000;
    const rssAfterStartupMb = mb(process.memoryUsage.rss());
    const support = await import('../../lambdas/handlers/import-support');
    const { handler } = await import('../../lambdas/handlers/import-enroll');
    // The enroller's own adapters, built now so the counter sits on its clients before the first call.
    const deps = support.dependencies();
    const counter = new DynamoCounter();
    counter.attachRepository(deps.tracker);
    counter.attachRepository(deps.ledger);
    // Progress is read through a client of its own, which is not counted.
    const observer = new Tracker(LOCAL_NAMES.table);
    const before = await observer.getImport(spec.importId);
    if (before?.phase !== 'enrolling') throw new Error(`import ${spec.importId} is in phase ${before?.phase ?? '(missing)'}, not enrolling`);

    const itemsBefore = spec.countTableItems ? await tableItems() : undefined;
    let peakSampled = 0;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
    }, 250);
    const tStart = performance.now();
    const progress = setInterval(() => {
      observer
        .getImport(spec.importId)
        .then((r) => {
          const message: EnrollProgressMessage = {
            type: 'enroll-progress',
            elapsedSeconds: (performance.now() - tStart) / 1000,
            enrolled: r?.enrollCounts?.enrolled ?? 0,
            rssMb: mb(process.memoryUsage.rss()),
          };
          return send(message);
        })
        .catch(() => undefined);
    }, spec.progressEveryMs);

    const cpuAtStart = ownCpuSeconds();
    const loadAtStart = loadavg()[0]!;
    let invocations = 0;
    let enrolledByHandler = 0;
    try {
      for (let done = false; !done; ) {
        invocations += 1;
        const started = Date.now();
        const answer = await handler(
          { importId: spec.importId, executionId: spec.executionId },
          { getRemainingTimeInMillis: () => LAMBDA_TIMEOUT_MS - (Date.now() - started) },
        );
        enrolledByHandler += answer.enrolled;
        done = answer.done;
      }
    } finally {
      clearInterval(sampler);
      clearInterval(progress);
    }
    const seconds = (performance.now() - tStart) / 1000;
    const cpuSeconds = ownCpuSeconds() - cpuAtStart;
    const loadAtEnd = loadavg()[0]!;
    peakSampled = Math.max(peakSampled, process.memoryUsage.rss());
    counter.enabled = false;

    const itemsAfter = spec.countTableItems ? await tableItems() : undefined;
    const after = await observer.getImport(spec.importId);
    const counts = after?.enrollCounts;
    const contacts = (counts?.enrolled ?? 0) + Object.values(counts?.notEnrolled ?? {}).reduce((n, v) => n + v, 0);
    const sandbox = stack.engines.sandbox!;
    const stats = await sandbox.stats();
    const startKey = Object.keys(stats.operations).find((k) => k === 'StartExecution' || k.endsWith(':StartExecution'));
    const start = startKey ? stats.operations[startKey] : undefined;
    return {
      type: 'result',
      label: spec.label,
      phase: after?.phase,
      invocations,
      enrolledByHandler,
      ...(counts ? { enrollCounts: counts } : {}),
      contacts,
      seconds: Math.round(seconds * 100) / 100,
      startupSeconds: Math.round(startupSeconds * 100) / 100,
      executionsStarted: await countRecords(sandbox, 'executions'),
      startExecutionCalls: start?.calls ?? 0,
      startExecutionThrottled: start?.throttled ?? 0,
      dynamo: counter.counts,
      ...(itemsBefore !== undefined && itemsAfter !== undefined ? { tableItemsAdded: itemsAfter - itemsBefore } : {}),
      memory: { maxRssMb: maxRssMb(), rssAfterStartupMb, peakSampledRssMb: mb(peakSampled) },
      engines: stack.engines.processes.map(({ name, pid }) => ({ name, peakRssMb: peakRssOf(pid), cpuSeconds: cpuSecondsOf(pid) })),
      cpuSeconds: Math.round(cpuSeconds * 10) / 10,
      loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadAtEnd * 100) / 100 },
    };
  } finally {
    await stack.stop();
  }
}

void workerMain(run);
