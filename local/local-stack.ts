/**
 * The embedded default: local engines in their own processes, the resources CDK would
 * create, and process.env pointing the real handlers at them. `importFile` drops a file
 * in the inbox and runs the real import workflow (ASL + handlers) on it, as S3 and
 * EventBridge would in AWS.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createLocalResources, startLocalEngines, type LocalEngines } from './engines';
import type { SandboxOptions } from './sandbox/types';
import { runWorkflow, type ExecutionResult, type LocalHandler } from './workflow-runner';
import type { ImportRun, ImportSummary } from '../lambdas/domain/import-run';

export const ROOT = resolve(__dirname, '..');
export const IMPORT_WORKFLOW = join(ROOT, 'statemachines', 'import.asl.json');
export const SAMPLE_CONFIG = join(ROOT, 'samples', 'stage.sample.json');

export const LOCAL_NAMES = {
  table: 'outreach-tracker',
  importBucket: 'outreach-imports',
  reportsBucket: 'outreach-reports',
  eventBus: 'outreach-local',
  cadenceStateMachine: 'arn:aws:states:us-east-1:000000000000:stateMachine:outreach-local-cadence',
  runStateMachine: 'arn:aws:states:us-east-1:000000000000:stateMachine:outreach-local-runs',
  configurationSet: 'outreach-local',
  scheduleGroup: 'outreach-local',
  optOutList: 'outreach-local-opt-outs',
} as const;

/** The functions schedules invoke, as the local host names them (it maps each ARN to its handler). */
export const LOCAL_SCHEDULES = {
  groupName: LOCAL_NAMES.scheduleGroup,
  roleArn: 'arn:aws:iam::000000000000:role/outreach-local-scheduler',
  targets: {
    sendMessage: 'arn:aws:lambda:us-east-1:000000000000:function:outreach-local-send-message',
    placeCallback: 'arn:aws:lambda:us-east-1:000000000000:function:outreach-local-place-callback',
    resumeOutreach: 'arn:aws:lambda:us-east-1:000000000000:function:outreach-local-resume-outreach',
  },
} as const;

export interface LocalStack {
  readonly stateDir: string;
  readonly engines: LocalEngines;
  readonly s3: S3Client;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Keeps the tracker and buckets between runs. @default a fresh temporary directory */
  readonly stateDir?: string;
  /** @default samples/stage.sample.json */
  readonly configPath?: string;
  readonly sandbox?: SandboxOptions;
  readonly inMemory?: boolean;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'outreach-')));
  const engines = await startLocalEngines({ stateDir, sandbox: options.sandbox, inMemory: options.inMemory });
  const settings: Record<string, string> = {
    ...engines.env,
    TRACKER_TABLE_NAME: LOCAL_NAMES.table,
    IMPORT_BUCKET_NAME: LOCAL_NAMES.importBucket,
    REPORTS_BUCKET_NAME: LOCAL_NAMES.reportsBucket,
    EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    CADENCE_STATE_MACHINE_ARN: LOCAL_NAMES.cadenceStateMachine,
    RUN_STATE_MACHINE_ARN: LOCAL_NAMES.runStateMachine,
    CONFIGURATION_SET_NAME: LOCAL_NAMES.configurationSet,
    SCHEDULES: JSON.stringify(LOCAL_SCHEDULES),
    OPT_OUT_LIST_NAME: LOCAL_NAMES.optOutList,
    OUTREACH_CONFIG_FILE: resolve(options.configPath ?? SAMPLE_CONFIG),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
  // What the caller had, so stop() can put it back (a preset endpoint wins over a built-in engine).
  const previous = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
  Object.assign(process.env, settings);
  const s3 = new S3Client({ forcePathStyle: true });
  const stop = async () => {
    s3.destroy();
    await engines.stop();
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  try {
    await createLocalResources(engines.env, { tableName: LOCAL_NAMES.table, buckets: [LOCAL_NAMES.importBucket, LOCAL_NAMES.reportsBucket] });
    // Handlers build their adapters on first use: make them use this stack's endpoints and config.
    (await import('../lambdas/handlers/import-support')).resetDependencies();
    (await import('../lambdas/handlers/cadence-support')).resetCadenceDependencies();
    (await import('../lambdas/handlers/appointment-desk')).resetAppointmentDesk();
    (await import('../lambdas/handlers/record-disposition')).resetDispositionDependencies();
    (await import('../lambdas/handlers/receive-reply')).resetReplyDependencies();
    (await import('../lambdas/handlers/opt-outs')).resetOptOuts();
    (await import('../lambdas/handlers/staff-api')).resetStaffApi();
    (await import('../lambdas/handlers/run-support')).resetRunDependencies();
    (await import('../lambdas/handlers/outreach-report')).resetOutreachReport();
    (await import('../lambdas/handlers/export-replies')).resetExportReplies();
    (await import('../lambdas/adapters/settings')).resetStageConfig();
  } catch (e) {
    await stop(); // never leave engine processes behind a failed start
    throw e;
  }
  return { stateDir, engines, s3, stop };
}

export interface ImportOutcome {
  readonly execution: ExecutionResult;
  readonly importId?: string;
  /** Why the workflow did nothing, when it skipped (the same object version again). */
  readonly skipped?: string;
  readonly summary?: ImportSummary;
}

export interface ImportOptions {
  readonly practiceId: string;
  /** Object name under inbox/<practice>/. @default the file's name */
  readonly objectName?: string;
  readonly onProgress?: (run: ImportRun) => void;
  readonly lambdaTimeoutMs?: number;
}

/** The import workflow's Task states, mapped to the real handler modules. */
export async function importHandlers(): Promise<Record<string, LocalHandler>> {
  const [begin, rows, validate, enroll, finish, fail] = await Promise.all([
    import('../lambdas/handlers/import-begin'),
    import('../lambdas/handlers/import-rows'),
    import('../lambdas/handlers/import-validate'),
    import('../lambdas/handlers/import-enroll'),
    import('../lambdas/handlers/import-finish'),
    import('../lambdas/handlers/import-fail'),
  ]);
  return {
    BeginImport: (p) => begin.handler(p),
    ImportRows: (p, c) => rows.handler(p, c),
    ValidateNumbers: (p, c) => validate.handler(p, c),
    EnrollContacts: (p, c) => enroll.handler(p, c),
    FinishImport: (p) => finish.handler(p),
    RecordFailure: (p) => fail.handler(p),
  };
}

/** Uploads a file to the inbox (streamed, multipart when large). Returns the object key. */
export async function dropInInbox(stack: LocalStack, file: string, practiceId: string, objectName = basename(file)): Promise<string> {
  const key = `inbox/${practiceId}/${objectName}`;
  await new Upload({ client: stack.s3, params: { Bucket: LOCAL_NAMES.importBucket, Key: key, Body: createReadStream(file) }, partSize: 16 * 1024 * 1024 }).done();
  return key;
}

/** The EventBridge "Object Created" event S3 sends for an upload, built from the stored object. */
export async function objectCreatedEventFor(stack: LocalStack, key: string): Promise<object> {
  const head = await stack.s3.send(new HeadObjectCommand({ Bucket: LOCAL_NAMES.importBucket, Key: key }));
  return {
    version: '0',
    id: `local-${Date.now()}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString(),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [`arn:aws:s3:::${LOCAL_NAMES.importBucket}`],
    detail: {
      version: '0',
      bucket: { name: LOCAL_NAMES.importBucket },
      object: { key, size: head.ContentLength, etag: head.ETag?.replace(/"/g, ''), ...(head.VersionId ? { 'version-id': head.VersionId } : {}) },
      reason: 'PutObject',
    },
  };
}

/** Runs the import workflow for an event, reporting progress from the run's checkpoints. */
export async function runImport(stack: LocalStack, event: object, options: Omit<ImportOptions, 'practiceId' | 'objectName'> = {}): Promise<ImportOutcome> {
  const { dependencies } = await import('../lambdas/handlers/import-support');
  const tracker = dependencies().tracker;
  let importId: string | undefined;
  const poll = setInterval(() => {
    if (!importId || !options.onProgress) return;
    tracker.getImport(importId).then((run) => run && options.onProgress!(run), () => undefined);
  }, 500);
  try {
    const handlers = await importHandlers();
    // Learn the import id as soon as a handler names it, for progress and for the summary.
    for (const state of ['BeginImport', 'RecordFailure']) {
      const handler = handlers[state]!;
      handlers[state] = async (payload, context) => {
        const result = (await handler(payload, context)) as { importId?: string };
        importId ??= result.importId;
        return result;
      };
    }
    const execution = await runWorkflow(IMPORT_WORKFLOW, event, handlers, { lambdaTimeoutMs: options.lambdaTimeoutMs });
    const output = execution.output as { import?: { result: { action: string; importId: string; reason?: string } }; summary?: { result: ImportSummary } } | undefined;
    importId ??= output?.import?.result.importId;
    const skipped = output?.import?.result.action === 'skip' ? output.import.result.reason : undefined;
    const summary = output?.summary?.result ?? (importId ? await storedSummary(stack, importId) : undefined);
    return { execution, importId, skipped, summary };
  } finally {
    clearInterval(poll);
  }
}

export async function importFile(stack: LocalStack, file: string, options: ImportOptions): Promise<ImportOutcome> {
  const key = await dropInInbox(stack, file, options.practiceId, options.objectName);
  return runImport(stack, await objectCreatedEventFor(stack, key), options);
}

/** The summary the import wrote to the reports bucket, if it got that far. */
export async function storedSummary(stack: LocalStack, importId: string): Promise<ImportSummary | undefined> {
  const { dependencies } = await import('../lambdas/handlers/import-support');
  const run = await dependencies().tracker.getImport(importId);
  if (!run) return undefined;
  try {
    const out = await stack.s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: `imports/${run.practiceId}/${importId}/summary.json` }));
    return JSON.parse(await out.Body!.transformToString()) as ImportSummary;
  } catch {
    return undefined;
  }
}

/** Copies an s3:// report file out of the local S3 to its key under `dir`, for people to open. */
export async function downloadReport(stack: LocalStack, uri: string, dir: string): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  const out = await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  // The object's key as a path under `dir`: a postcard manifest and a hand-off file of the same day do not collide.
  const path = resolve(dir, key!);
  if (!path.startsWith(resolve(dir) + sep)) throw new Error(`object key ${key} leaves ${dir}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await out.Body!.transformToByteArray());
  return path;
}
