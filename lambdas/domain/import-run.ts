/**
 * An import run: one uploaded object version going through rows → numbers → summary.
 * Its counters only move together with its checkpoint, so a chunk that is re-run after
 * a crash is counted once.
 */
import { createHash } from 'node:crypto';
import type { FileLayout, FilePosition } from './import-file';
import { PHONE_TYPES, type PhoneType } from './phone';

export interface ImportSource {
  readonly bucket: string;
  readonly key: string;
  /** The object version (versioned buckets) or, failing that, ETag and upload time. */
  readonly version: string;
  readonly size: number;
}

/** Where the work stands. A failure is recorded beside the phase, so a re-run resumes where it stopped; 'unreadable' files never start. */
export type ImportPhase = 'rows' | 'numbers' | 'enrolling' | 'finishing' | 'done' | 'unreadable';

/** People the import enrolled in a cadence, and why the others were not. */
export interface EnrollCounts {
  enrolled: number;
  notEnrolled: Record<string, number>;
}

export interface RowCounts {
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  rejected: number;
  warnings: number;
}

export interface NumberCounts {
  uniqueNumbers: number;
  lookups: number;
  cacheHits: number;
  lookupFailures: number;
  byPhoneType: Record<PhoneType, number>;
}

/** Where number validation resumes: a shard of the work list and the last number done in it. */
export interface NumberCursor {
  readonly shard: number;
  readonly after?: string;
}

export interface ImportRun {
  readonly importId: string;
  readonly practiceId: string;
  readonly source: ImportSource;
  readonly layout: FileLayout;
  readonly phase: ImportPhase;
  /** The workflow execution that works on it; another may take over when it stops renewing. */
  readonly owner: string;
  readonly rowCursor: FilePosition;
  readonly rowCounts: RowCounts;
  readonly numberCursor: NumberCursor;
  readonly numberCounts: NumberCounts;
  /** Absent on runs stored before enrollment existed. */
  readonly enrollCursor?: NumberCursor;
  readonly enrollCounts?: EnrollCounts;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly failure?: { readonly error: string; readonly cause: string };
}

/** The work list of numbers is spread over shards so no partition takes every write. */
export const NUMBER_SHARDS = 8;

/** FNV-1a over the number: spreads numbers evenly and stably over the shards. */
export function numberShard(number: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < number.length; i++) hash = Math.imul(hash ^ number.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % NUMBER_SHARDS;
}

export function importIdFor(source: Pick<ImportSource, 'bucket' | 'key' | 'version'>): string {
  return `imp_${createHash('sha256').update(`${source.bucket}\n${source.key}\n${source.version}`).digest('hex').slice(0, 24)}`;
}

/** `inbox/<practice-id>/<anything>` → practice id; anything else is not an import. */
export function practiceIdFromKey(key: string): string | undefined {
  const match = /^inbox\/([a-z0-9][a-z0-9-]{1,40})\/[^/].*$/.exec(key);
  return match?.[1];
}

export function emptyRowCounts(): RowCounts {
  return { rowsRead: 0, created: 0, updated: 0, unchanged: 0, duplicates: 0, rejected: 0, warnings: 0 };
}

export function emptyNumberCounts(): NumberCounts {
  return {
    uniqueNumbers: 0,
    lookups: 0,
    cacheHits: 0,
    lookupFailures: 0,
    byPhoneType: Object.fromEntries(PHONE_TYPES.map((t) => [t, 0])) as Record<PhoneType, number>,
  };
}

export function addRowCounts(a: RowCounts, b: RowCounts): RowCounts {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof RowCounts] + b[k as keyof RowCounts]])) as unknown as RowCounts;
}

export function addNumberCounts(a: NumberCounts, b: NumberCounts): NumberCounts {
  return {
    uniqueNumbers: a.uniqueNumbers + b.uniqueNumbers,
    lookups: a.lookups + b.lookups,
    cacheHits: a.cacheHits + b.cacheHits,
    lookupFailures: a.lookupFailures + b.lookupFailures,
    byPhoneType: Object.fromEntries(PHONE_TYPES.map((t) => [t, a.byPhoneType[t] + b.byPhoneType[t]])) as Record<PhoneType, number>,
  };
}

/** The summary staff read and the report writes: one object per import. */
export interface ImportSummary extends RowCounts, NumberCounts {
  readonly enrolled: number;
  readonly notEnrolled: Record<string, number>;
  readonly importId: string;
  readonly practiceId: string;
  readonly file: string;
  readonly status: 'imported' | 'failed';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly rejectsFile?: string;
  readonly warningsFile?: string;
  readonly failure?: string;
}

export function summarise(run: ImportRun, finishedAt: string, files: { rejectsFile?: string; warningsFile?: string }): ImportSummary {
  return {
    importId: run.importId,
    practiceId: run.practiceId,
    file: `s3://${run.source.bucket}/${run.source.key}`,
    status: run.failure ? 'failed' : 'imported',
    startedAt: run.startedAt,
    finishedAt,
    ...run.rowCounts,
    ...run.numberCounts,
    enrolled: run.enrollCounts?.enrolled ?? 0,
    notEnrolled: run.enrollCounts?.notEnrolled ?? {},
    ...files,
    ...(run.failure ? { failure: run.failure.cause } : {}),
  };
}
