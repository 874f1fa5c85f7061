/**
 * Import step 4: write the rejects and warnings files and the summary next to them in
 * the reports bucket, mark the run done, and publish the summary as an event.
 * Safe to repeat: the files are rewritten with the same content.
 */
import { csvLine } from '../domain/csv';
import { summarise, type ImportRun, type ImportSummary } from '../domain/import-run';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import type { Tracker } from '../adapters/tracker';
import type { ObjectStore } from '../adapters/object-store';
import { dependencies, ownedRun, stepInput } from './import-support';

export const handler = async (payload: unknown): Promise<ImportSummary> => {
  const { importId, executionId } = stepInput.parse(payload);
  const { tracker, files, events, reportsBucket } = dependencies();
  const run = await ownedRun(tracker, importId, executionId);
  const summary = await publishSummary(run, tracker, files, reportsBucket);
  if (run.phase !== 'done') await tracker.finishImport(importId, executionId, summary.finishedAt);
  await events.publish('Import Completed', summary);

  const practice = { practice: run.practiceId };
  countOutcome('RowsImported', practice, summary.rowsRead - summary.rejected);
  countOutcome('RowsRejected', practice, summary.rejected);
  countOutcome('NumberLookups', practice, summary.lookups);
  countOutcome('NumberLookupFailures', practice, summary.lookupFailures);
  logger.info('import finished', { importId, rowsRead: summary.rowsRead, created: summary.created, rejected: summary.rejected, lookups: summary.lookups });
  return summary;
};

/** Writes rejects.csv, warnings.csv and summary.json under imports/<practice>/<import>/ and returns the summary. */
export async function publishSummary(run: ImportRun, tracker: Tracker, files: ObjectStore, bucket: string): Promise<ImportSummary> {
  const prefix = `imports/${run.practiceId}/${run.importId}`;
  const fileOf = async (kind: 'REJECT' | 'WARNING', name: string, count: number) => {
    if (count === 0) return undefined;
    const key = `${prefix}/${name}`;
    await files.writeLines(bucket, key, 'text/csv; charset=utf-8', csvRows(tracker.rowNotes(run.importId, kind)));
    return `s3://${bucket}/${key}`;
  };
  const rejectsFile = await fileOf('REJECT', 'rejects.csv', run.rowCounts.rejected);
  const warningsFile = await fileOf('WARNING', 'warnings.csv', run.rowCounts.warnings);
  const summary = summarise(run, run.finishedAt ?? new Date().toISOString(), { rejectsFile, warningsFile });
  await files.writeText(bucket, `${prefix}/summary.json`, 'application/json', `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

async function* csvRows(notes: AsyncIterable<{ line: number; reason: string; raw: string }>): AsyncGenerator<string> {
  yield '\uFEFF' + csvLine(['line', 'reason', 'original row']);
  for await (const note of notes) yield csvLine([note.line, note.reason, note.raw]);
}
