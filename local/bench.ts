/**
 * Benchmark of the local import, cadence, segment and broadcast paths on generated data:
 *   npm run bench -- [--out bench-results.json] [--sizes 100000,1000000] [--quick]
 *                    [--numbers 6000] [--pool 10000]
 *                    [--only import|validation|enrollment|sender|transitions|dispositions|segments|broadcast]
 *                    [--enroll-rows 100000] [--mobiles 600] [--sms-rate 10] [--segment-sizes 100000,1000000]
 *                    [--rows-per-invocation N] [--keep]
 *
 * 1. Import: rows/s of the row phase and the importer's peak RSS. Each import runs in a fresh
 *    worker process (local/bench/import-worker.ts) that starts the local stack — whose
 *    engines are child processes of their own — so maxRSS is the importer's alone. Number
 *    lookups are kept cheap (sandbox without limit or latency, validation.ratePerSecond 1000,
 *    a bounded pool of numbers) and reported apart.
 * 2. Validation: PhoneNumberValidate against the sandbox at 20 ms latency and a 200/s limit,
 *    with unique numbers and with half of them repeated.
 * 3. Enrollment: the EnrollContacts phase of an import of --enroll-rows generated rows (quick:
 *    5,000) for the sample's first practice (default cadence community-outreach). An import
 *    worker runs the import up to the enrollment phase; a second worker on the same state runs
 *    EnrollContacts alone, so its maxRSS is the enroller's: contacts/s, StartExecution calls
 *    (sandbox `executions` records), DynamoDB writes per contact (counted at the wire on the
 *    enroller's own clients: local/bench/dynamo-counter.ts). enrollment.startsPerSecond is raised
 *    to 1000 so the phase measures the enroller, not the configured pace (50/s in the sample).
 * 4. Sender: --mobiles mobiles (quick: 120) in a one-step SMS cadence due at once, all executions
 *    at the same time, at --sms-rate messages/s for one identity, against a sandbox without
 *    identity limits: achieved/allowed (target ≥ 95%), the most texts in any second (never above
 *    the rate), duplicates (none).
 * 5. Transitions: the sample import and its community-outreach cadence as `npm start` runs them:
 *    Step Functions transitions and Lambda invocations per person per round.
 * 6. Dispositions: 2,000 agent calls (quick: 200) in a fixed mix, their COMPLETED events through
 *    record-disposition 8 at a time: dispositions/s, Scheduler calls per booked appointment (at
 *    booking, and over a move and "seen"), duplicates changing nothing (bench/disposition-worker.ts).
 * 7. Segments: --segment-sizes generated roster cards (default 100,000 and 1,000,000; quick: 2,000
 *    and 10,000) written straight into the tracker with BatchWriteItem (load time reported apart),
 *    then Roster.evaluate for three segments (tag patient; Spanish WA mobiles not seen for a year;
 *    65+ not opted out of SMS): seconds, members, cards read, read units as dynalite reports them,
 *    on-demand cost; beside an estimate of what a full-table Scan would read, from the items a
 *    sample import leaves per person (bench/segment-worker.ts).
 * 8. Broadcast: --mobiles mobiles with SMS consent (quick: 120), one broadcast to a segment of
 *    everyone at --sms-rate messages/s, started at a weekday 10:00 (virtual clock) and run
 *    through the run workflow: achieved/allowed (target ≥ 90%), the most texts in any second
 *    (never above the rate), duplicates (none), the run's counts.
 * Writes the results as JSON (after every run, so a long run leaves what it measured).
 */
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SAMPLE_CONFIG } from './local-stack';
import { generateImportFile, phoneNumberPool, type GeneratedFile } from './bench/generate';
import { benchEnrollment, benchSender, benchTransitions, type BenchContext } from './bench/cadence-benches';
import { benchDispositions, DISPOSITION_WORKER_SCRIPT } from './bench/disposition-bench';
import { CADENCE_WORKER_SCRIPT, ENROLL_WORKER_SCRIPT, SEGMENT_WORKER_SCRIPT, runWorker, workerCommand } from './bench/launch';
import { benchBroadcast, benchSegments } from './bench/segment-benches';
import type { WorkerResult } from './bench/protocol';
import { formatResults, round, type BenchResults, type Check, type ImportBenchResult, type MachineInfo, type ValidationBenchResult } from './bench/report';
import { nf, progressPrinter } from './bench/progress';
import { firstPracticeId, rowsPerInvocationFor, writeBenchConfig } from './bench/stage-config';
import type { SandboxOptions } from './sandbox/types';

interface BenchArgs {
  readonly out: string;
  readonly sizes: readonly number[];
  readonly quick: boolean;
  /** Numbers in each validation run. */
  readonly numbers: number;
  /** Distinct phone numbers the import files draw from. */
  readonly pool: number;
  readonly only?: Measurement;
  readonly keep: boolean;
  /** import.rowsPerInvocation for every run, instead of the bench's choice. */
  readonly rowsPerInvocation?: number;
  /** Rows of the enrollment benchmark's import. */
  readonly enrollRows: number;
  /** Mobiles the sender and broadcast benchmarks text. */
  readonly mobiles: number;
  /** The sender and broadcast benchmarks' identity's messages per second. */
  readonly smsRate: number;
  /** Roster cards of each segments run. */
  readonly segmentSizes: readonly number[];
}

export const MEASUREMENTS = ['import', 'validation', 'enrollment', 'sender', 'transitions', 'dispositions', 'segments', 'broadcast'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

const USAGE =
  'usage: npm run bench -- [--out FILE.json] [--sizes 100000,1000000] [--quick] [--numbers N] [--pool N] ' +
  `[--only ${MEASUREMENTS.join('|')}] [--enroll-rows N] [--mobiles N] [--sms-rate N] [--segment-sizes N,N] [--rows-per-invocation N] [--keep]`;

function count(text: string | undefined, flag: string): number {
  const value = Number((text ?? '').replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive whole number, got "${text ?? ''}"\n${USAGE}`);
  return value;
}

function counts(text: string | undefined, flag: string): number[] {
  return (text ?? '').split(',').filter(Boolean).map((s) => count(s, flag));
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  let out = 'bench-results.json';
  let sizes: number[] | undefined;
  let quick = false;
  let numbers: number | undefined;
  let pool: number | undefined;
  let only: BenchArgs['only'];
  let keep = false;
  let rowsPerInvocation: number | undefined;
  let enrollRows: number | undefined;
  let mobiles: number | undefined;
  let smsRate: number | undefined;
  let segmentSizes: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--out':
        out = value() ?? '';
        if (!out) throw new Error(`--out needs a file name\n${USAGE}`);
        break;
      case '--sizes':
        sizes = counts(value(), '--sizes');
        break;
      case '--segment-sizes':
        segmentSizes = counts(value(), '--segment-sizes');
        break;
      case '--quick':
        quick = true;
        break;
      case '--numbers':
        numbers = count(value(), '--numbers');
        break;
      case '--pool':
        pool = count(value(), '--pool');
        break;
      case '--only': {
        const which = value();
        if (!MEASUREMENTS.includes(which as Measurement)) throw new Error(`--only takes ${MEASUREMENTS.join(', ')}\n${USAGE}`);
        only = which as Measurement;
        break;
      }
      case '--enroll-rows':
        enrollRows = count(value(), '--enroll-rows');
        break;
      case '--mobiles':
        mobiles = count(value(), '--mobiles');
        if (mobiles < 2) throw new Error('--mobiles: at least 2 (the rate is measured between the first and the last text)');
        break;
      case '--sms-rate':
        smsRate = count(value(), '--sms-rate');
        if (smsRate > 1000) throw new Error('--sms-rate: the stage config allows at most 1000 messages per second');
        break;
      case '--keep':
        keep = true;
        break;
      case '--rows-per-invocation':
        rowsPerInvocation = count(value(), '--rows-per-invocation');
        if (rowsPerInvocation < 100) throw new Error('--rows-per-invocation: the stage config allows 100 or more');
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
  }
  return {
    out,
    sizes: sizes ?? (quick ? [1_000, 2_500] : [100_000, 1_000_000]),
    quick,
    numbers: numbers ?? (quick ? 600 : 6_000),
    pool: pool ?? (quick ? 500 : 10_000),
    only,
    keep,
    ...(rowsPerInvocation !== undefined ? { rowsPerInvocation } : {}),
    enrollRows: enrollRows ?? (quick ? 5_000 : 100_000),
    mobiles: mobiles ?? (quick ? 120 : 600),
    smsRate: smsRate ?? 10,
    segmentSizes: segmentSizes ?? (quick ? [2_000, 10_000] : [100_000, 1_000_000]),
  };
}

/** Whether a run measures `m`: every measurement by default, only one with --only. */
export function measures(args: Pick<BenchArgs, 'only'>, m: Measurement): boolean {
  return args.only === undefined || args.only === m;
}

function machine(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    memoryGb: round(totalmem() / 1024 ** 3),
    platform: process.platform,
    arch: process.arch,
  };
}

async function benchImport(rows: number, args: BenchArgs, root: string, practiceId: string, checks: Check[]): Promise<ImportBenchResult> {
  const label = `import ${nf(rows)}`;
  const dir = join(root, `import-${rows}`);
  await mkdir(dir, { recursive: true });
  try {
    const poolSize = Math.min(args.pool, rows);
    const pool = phoneNumberPool(poolSize, 7);
    const file: GeneratedFile = await generateImportFile(join(dir, `patients-${rows}.csv`), { rows, numbers: { pool, pick: 'random' }, seed: rows });
    console.log(
      `\n${label}: generated ${(file.bytes / 1024 ** 2).toFixed(1)} MB in ${file.seconds.toFixed(1)} s ` +
        `(${nf(file.rejectRows)} rows to reject, ${nf(file.duplicateRows)} repeats, ${nf(file.uniqueNumbers)} distinct numbers)`,
    );
    const rowsPerInvocation = rowsPerInvocationFor(rows, args.rowsPerInvocation);
    const configPath = join(dir, 'stage.json');
    await writeBenchConfig(SAMPLE_CONFIG, configPath, { ratePerSecond: 1000, rowsPerInvocation });
    const sandbox: SandboxOptions = { latencyMs: 0 };
    const everyMs = rows >= 500_000 ? 15_000 : rows >= 50_000 ? 5_000 : 1_000;
    const result = await runWorker(
      { label, file: file.path, stateDir: join(dir, 'state'), configPath, practiceId, sandbox, progressEveryMs: Math.min(everyMs, 2_000) },
      progressPrinter(label, rows, everyMs),
    );
    const counts = result.rowCounts;
    const rowsRead = counts?.rowsRead ?? 0;
    const r: ImportBenchResult = {
      rows,
      rowsPerSec: result.seconds.rows > 0 ? rowsRead / result.seconds.rows : 0,
      peakRssMb: result.memory.maxRssMb,
      seconds: round(result.seconds.rows, 2),
      created: counts?.created ?? 0,
      rejected: counts?.rejected ?? 0,
      status: result.status,
      ...(result.error ? { error: `${result.error}: ${result.cause ?? ''}` } : {}),
      rowsRead,
      duplicates: counts?.duplicates ?? 0,
      updated: counts?.updated ?? 0,
      unchanged: counts?.unchanged ?? 0,
      warnings: counts?.warnings ?? 0,
      expected: { rejected: file.rejectRows, duplicates: file.duplicateRows },
      fileMb: round(file.bytes / 1024 ** 2),
      rowsPerInvocation,
      rowInvocations: result.steps.ImportRows?.invocations ?? 0,
      numberInvocations: result.steps.ValidateNumbers?.invocations ?? 0,
      uniqueNumbers: result.numberCounts?.uniqueNumbers ?? 0,
      lookups: result.numberCounts?.lookups ?? 0,
      numbersSeconds: round(result.seconds.numbers, 2),
      totalSeconds: round(result.seconds.workflow, 2),
      startupSeconds: round(result.seconds.startup, 2),
      uploadSeconds: round(result.seconds.upload, 2),
      rssAfterStartupMb: result.memory.rssAfterStartupMb,
      rssAfterUploadMb: result.memory.rssAfterUploadMb,
      peakSampledWorkflowRssMb: result.memory.peakSampledWorkflowRssMb,
      enginesPeakRssMb: Object.fromEntries(result.engines.map((e) => [e.name, e.peakRssMb])),
      cpuSeconds: { importer: result.cpuSeconds.workflow, ...Object.fromEntries(result.engines.map((e) => [e.name, e.cpuSeconds])) },
      importerCpuMsPerRow: rowsRead > 0 ? round((result.cpuSeconds.workflow * 1000) / rowsRead, 2) : 0,
      loadAverage: result.loadAverage,
      memorySamples: result.memory.samples,
    };
    const check = (ok: boolean, what: string, kind: Check['kind'] = 'correctness') => checks.push({ run: label, kind, ok, what });
    check(result.status === 'SUCCEEDED', `workflow ${result.status}${result.error ? ` (${result.error}: ${result.cause ?? ''})` : ''}`);
    check(rowsRead === rows, `rows read ${nf(rowsRead)} of ${nf(rows)}`);
    check(r.rejected === file.rejectRows, `rejected ${nf(r.rejected)}, file has ${nf(file.rejectRows)}`);
    check(r.duplicates === file.duplicateRows, `duplicates ${nf(r.duplicates)}, file has ${nf(file.duplicateRows)}`);
    check(r.created === rows - file.rejectRows - file.duplicateRows, `created ${nf(r.created)}, expected ${nf(rows - file.rejectRows - file.duplicateRows)}`);
    check(r.rowInvocations > 1, `${r.rowInvocations} ImportRows invocations at ${nf(rowsPerInvocation)} rows each`);
    console.log(
      `${label}: row phase ${r.seconds} s → ${nf(r.rowsPerSec)} rows/s; whole workflow ${r.totalSeconds} s ` +
        `(numbers ${r.numbersSeconds} s, ${nf(r.lookups)} lookups); importer maxRSS ${r.peakRssMb} MB ` +
        `(after upload ${r.rssAfterUploadMb} MB, workflow peak ${r.peakSampledWorkflowRssMb} MB)`,
    );
    return r;
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}

const VALIDATION = { latencyMs: 20, limitPerSec: 200 } as const;

async function benchValidation(name: 'unique' | 'half-duplicates', numbers: number, args: BenchArgs, root: string, practiceId: string, checks: Check[]): Promise<ValidationBenchResult> {
  const label = `validation ${name}`;
  const dir = join(root, `validation-${name}`);
  await mkdir(dir, { recursive: true });
  try {
    const unique = name === 'unique' ? numbers : Math.ceil(numbers / 2);
    // Each row: one person, one mobile number, no rejects, no repeats; `sequential` uses every
    // number of the pool equally often (twice each for half-duplicates).
    const pool = phoneNumberPool(unique, name === 'unique' ? 11 : 13);
    const file = await generateImportFile(join(dir, `numbers-${name}.csv`), {
      rows: numbers,
      numbers: { pool, pick: 'sequential' },
      rejectRate: 0,
      duplicateRate: 0,
      homePhoneRate: 0,
      seed: numbers + unique,
    });
    console.log(`\n${label}: ${nf(numbers)} numbers, ${nf(file.uniqueNumbers)} distinct; sandbox ${VALIDATION.latencyMs} ms latency, limit ${VALIDATION.limitPerSec}/s`);
    const configPath = join(dir, 'stage.json');
    await writeBenchConfig(SAMPLE_CONFIG, configPath, { ratePerSecond: VALIDATION.limitPerSec, rowsPerInvocation: rowsPerInvocationFor(numbers, args.rowsPerInvocation) });
    const sandbox: SandboxOptions = { latencyMs: VALIDATION.latencyMs, rateLimits: { PhoneNumberValidate: VALIDATION.limitPerSec } };
    const result: WorkerResult = await runWorker(
      { label, file: file.path, stateDir: join(dir, 'state'), configPath, practiceId, sandbox, progressEveryMs: 1_000, lookupTimeline: true },
      progressPrinter(label, numbers, 5_000),
    );
    const n = result.numberCounts;
    const stats = result.phoneNumberValidate;
    const lookups = n?.lookups ?? 0;
    const seconds = result.seconds.numbers;
    const achieved = seconds > 0 ? lookups / seconds : 0;
    const v: ValidationBenchResult = {
      name,
      latencyMs: VALIDATION.latencyMs,
      limitPerSec: VALIDATION.limitPerSec,
      numbers,
      uniqueNumbers: n?.uniqueNumbers ?? 0,
      lookups,
      achievedPerSec: round(achieved, 1),
      percentOfLimit: round((achieved / VALIDATION.limitPerSec) * 100, 1),
      throttled: stats?.throttled ?? -1,
      maxPerSecondSeen: stats?.maxPerSecond ?? -1,
      seconds: round(seconds, 2),
      status: result.status,
      ...(result.error ? { error: `${result.error}: ${result.cause ?? ''}` } : {}),
      sandboxCalls: stats?.calls ?? 0,
      cacheHits: n?.cacheHits ?? 0,
      lookupFailures: n?.lookupFailures ?? 0,
      numberInvocations: result.steps.ValidateNumbers?.invocations ?? 0,
      peakRssMb: result.memory.maxRssMb,
      loadAverage: result.loadAverage,
      ...(result.lookupTimeline ? { lookupTimeline: result.lookupTimeline } : {}),
    };
    const check = (ok: boolean, what: string, kind: Check['kind'] = 'correctness') => checks.push({ run: label, kind, ok, what });
    check(result.status === 'SUCCEEDED', `workflow ${result.status}${result.error ? ` (${result.error}: ${result.cause ?? ''})` : ''}`);
    check(v.uniqueNumbers === file.uniqueNumbers, `unique numbers ${nf(v.uniqueNumbers)}, file has ${nf(file.uniqueNumbers)}`);
    check(v.lookups === v.uniqueNumbers, `lookups ${nf(v.lookups)} = unique numbers ${nf(v.uniqueNumbers)}`);
    check(v.sandboxCalls === v.lookups, `sandbox calls ${nf(v.sandboxCalls)} = lookups`);
    check(v.throttled === 0, `throttled ${v.throttled}`);
    check(v.percentOfLimit >= 90, `achieved ${v.achievedPerSec}/s = ${v.percentOfLimit}% of the limit (target ≥ 90%)`, 'target');
    console.log(`${label}: ${nf(lookups)} lookups in ${v.seconds} s → ${v.achievedPerSec}/s (${v.percentOfLimit}% of ${VALIDATION.limitPerSec}), throttled ${v.throttled}, max/s seen ${v.maxPerSecondSeen}`);
    const t = v.lookupTimeline;
    if (t) {
      console.log(
        `${label}: calls spanned ${t.spanSeconds} s, ${t.ratePerSecWhileCalling}/s between pauses; ` +
          `${t.pauses} pauses over ${t.pauseMs} ms took ${t.pausedSeconds} s (longest ${t.longestPauseMs} ms)`,
      );
    }
    return v;
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const out = resolve(args.out);
  const started = new Date();
  const t0 = performance.now();
  const root = await mkdtemp(join(tmpdir(), 'outreach-bench-'));
  const practiceId = await firstPracticeId(SAMPLE_CONFIG);
  const checks: Check[] = [];
  const results: BenchResults & { checks: Check[] } = {
    machine: machine(),
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    totalSeconds: 0,
    quick: args.quick,
    worker: workerCommand(),
    workers: { import: workerCommand(), enrollment: workerCommand(ENROLL_WORKER_SCRIPT), cadence: workerCommand(CADENCE_WORKER_SCRIPT), dispositions: workerCommand(DISPOSITION_WORKER_SCRIPT), segments: workerCommand(SEGMENT_WORKER_SCRIPT), broadcast: workerCommand(SEGMENT_WORKER_SCRIPT) },
    import: [],
    validation: [],
    enrollment: [],
    sender: [],
    transitions: [],
    dispositions: [],
    segments: [],
    broadcast: [],
    checks,
  };
  const save = async () => {
    results.import.sort((a, b) => a.rows - b.rows);
    const done = { ...results, finishedAt: new Date().toISOString(), totalSeconds: round((performance.now() - t0) / 1000, 1) };
    await writeFile(out, `${JSON.stringify(done, null, 2)}\n`);
    return done;
  };

  console.log(`Benchmark${args.quick ? ' (quick)' : ''}: ${results.machine.cpus} CPUs, ${results.machine.memoryGb} GB (${round(freemem() / 1024 ** 3)} GB free), Node ${results.machine.node}`);
  console.log(`Work directory ${root}; results → ${out}`);
  try {
    if (measures(args, 'import')) {
      for (const rows of args.sizes) {
        results.import.push(await benchImport(rows, args, root, practiceId, checks));
        await save();
      }
    }
    if (measures(args, 'validation')) {
      results.validation.push(await benchValidation('unique', args.numbers, args, root, practiceId, checks));
      await save();
      results.validation.push(await benchValidation('half-duplicates', args.numbers, args, root, practiceId, checks));
      await save();
    }
    const ctx: BenchContext = { root, keep: args.keep, practiceId, checks, pool: args.pool, ...(args.rowsPerInvocation !== undefined ? { rowsPerInvocation: args.rowsPerInvocation } : {}) };
    if (measures(args, 'enrollment')) {
      results.enrollment.push(await benchEnrollment(args.enrollRows, ctx));
      await save();
    }
    if (measures(args, 'sender')) {
      results.sender.push(await benchSender(args.mobiles, args.smsRate, ctx));
      await save();
    }
    if (measures(args, 'transitions')) {
      results.transitions.push(await benchTransitions(ctx));
      await save();
    }
    if (measures(args, 'dispositions')) {
      results.dispositions.push(await benchDispositions(args.quick ? 200 : 2_000, 8, ctx));
      await save();
    }
    if (measures(args, 'segments')) {
      for (const contacts of args.segmentSizes) {
        results.segments.push(await benchSegments(contacts, ctx));
        await save();
      }
    }
    if (measures(args, 'broadcast')) {
      results.broadcast.push(await benchBroadcast(args.mobiles, args.smsRate, ctx));
    }
  } finally {
    if (!args.keep) await rm(root, { recursive: true, force: true });
  }
  const done = await save();
  console.log(`\n${formatResults(done)}\n`);
  const failed = checks.filter((c) => !c.ok);
  for (const c of failed) console.log(`${c.kind === 'target' ? 'TARGET MISSED' : 'CHECK FAILED '}  [${c.run}] ${c.what}`);
  console.log(`${checks.length - failed.length}/${checks.length} checks passed; ${done.totalSeconds} s in all; results in ${out}`);
  if (failed.some((c) => c.kind === 'correctness')) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
