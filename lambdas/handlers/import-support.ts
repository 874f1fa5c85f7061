/**
 * What the import workflow's handlers share: their inputs' schemas, the adapters
 * (created once per container, on first use), and how an uploaded object is identified.
 */
import { z } from 'zod';
import { CadenceLedger } from '../adapters/cadence-ledger';
import { ObjectStore } from '../adapters/object-store';
import { WorkflowStarter } from '../adapters/workflow-starter';
import { EventPublisher } from '../adapters/event-publisher';
import { PhoneValidator } from '../adapters/phone-validator';
import { loadStageConfig, requiredEnv } from '../adapters/settings';
import { ConflictError, Tracker } from '../adapters/tracker';
import { Roster } from '../adapters/roster';
import { importIdFor, practiceIdFromKey, type ImportRun, type ImportSource } from '../domain/import-run';
import { findPractice, importLookupRate, type PracticeProfile, type StageConfig } from '../domain/stage-config';

/** The upload cannot be imported at all (empty, binary, no usable header, unknown practice). */
export class ImportFileUnreadable extends Error {
  override readonly name = 'ImportFileUnreadable';
}

/** The EventBridge "Object Created" event S3 sends for the import bucket. */
export const objectCreatedEvent = z.object({
  'detail-type': z.literal('Object Created'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      etag: z.string().optional(),
      'version-id': z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEvent>;

export const stepInput = z.object({ importId: z.string().regex(/^imp_[0-9a-f]{24}$/), executionId: z.string().min(1) });

/** Minimal Lambda context the handlers use (the local host passes its own). */
export interface TimeBudget {
  getRemainingTimeInMillis(): number;
}

interface Dependencies {
  readonly config: StageConfig;
  readonly tracker: Tracker;
  readonly ledger: CadenceLedger;
  readonly roster: Roster;
  /** Starts cadence executions (only the enrollment function has the state machine's ARN). */
  readonly starter: () => WorkflowStarter;
  readonly files: ObjectStore;
  readonly events: EventPublisher;
  readonly reportsBucket: string;
  readonly validator: () => PhoneValidator;
}

let deps: Dependencies | undefined;
let validator: PhoneValidator | undefined;
let starter: WorkflowStarter | undefined;
let events: EventPublisher | undefined;

/** Adapters for this container, built on first use so a host can set the environment first. */
export function dependencies(): Dependencies {
  if (!deps) {
    const config = loadStageConfig();
    deps = {
      config,
      tracker: new Tracker(requiredEnv('TRACKER_TABLE_NAME')),
      ledger: new CadenceLedger(requiredEnv('TRACKER_TABLE_NAME')),
      roster: new Roster(requiredEnv('TRACKER_TABLE_NAME')),
      starter: () => (starter ??= new WorkflowStarter(requiredEnv('CADENCE_STATE_MACHINE_ARN'))),
      files: new ObjectStore(),
      // Read on use: only the functions that publish and write reports are given these settings.
      get events() {
        return (events ??= new EventPublisher(requiredEnv('EVENT_BUS_NAME')));
      },
      get reportsBucket() {
        return requiredEnv('REPORTS_BUCKET_NAME');
      },
      // One limiter per container; the validator function runs one container at a time.
      validator: () => (validator ??= new PhoneValidator({ ratePerSecond: importLookupRate(config.validation), maxAttempts: config.validation.maxAttempts })),
    };
  }
  return deps;
}

/** For hosts that run several configurations in one process (tests, benchmarks). */
export function resetDependencies(): void {
  deps = undefined;
  validator = undefined;
  starter = undefined;
  events = undefined;
}

/** Which object version this event is about, and which practice it belongs to. */
export async function identifyUpload(event: ObjectCreatedEvent, files: ObjectStore, config: StageConfig): Promise<{ source: ImportSource; importId: string; practice: PracticeProfile }> {
  const { bucket, object } = event.detail;
  const practiceId = practiceIdFromKey(object.key);
  const practice = practiceId ? findPractice(config, practiceId) : undefined;
  if (!practice) {
    throw new ImportFileUnreadable(
      practiceId ? `no practice "${practiceId}" in the stage config; files go under inbox/<practice-id>/` : 'the file is not under inbox/<practice-id>/, so it belongs to no practice',
    );
  }
  const head = await files.head(bucket.name, object.key, object['version-id']);
  const version = object['version-id'] ?? head.versionId ?? `${head.etag}@${head.lastModified ?? ''}`;
  const source: ImportSource = { bucket: bucket.name, key: object.key, version, size: head.size };
  return { source, importId: importIdFor(source), practice };
}

/** Loads a run and checks this execution owns it. */
export async function ownedRun(tracker: Tracker, importId: string, executionId: string): Promise<ImportRun> {
  const run = await tracker.getImport(importId);
  if (!run) throw new Error(`import ${importId} does not exist`);
  if (run.owner !== executionId) throw new ConflictError(`import ${importId} is owned by another execution`);
  return run;
}

/** Versioned S3 reads need the version id; an ETag-based version is not one. */
export function versionIdOf(source: ImportSource): string | undefined {
  return source.version.includes('@') ? undefined : source.version;
}

export function expiresAt(now: Date, days: number): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}
