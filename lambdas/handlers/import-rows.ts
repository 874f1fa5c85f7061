/**
 * Import step 2, repeated until the file is read: stream rows from the checkpoint,
 * merge them into the tracker batch by batch, and move the checkpoint after each batch.
 * Stops early (and is called again) before its time or row budget runs out.
 */
import { HeaderResolver } from '../domain/import-columns';
import { identityKeysOf, planBatch, readRows, type BatchContext } from '../domain/import-batch';
import { readEntries, type FileEntry, type FilePosition } from '../domain/import-file';
import { numberShard } from '../domain/import-run';
import { practiceCountry, findPractice } from '../domain/stage-config';
import { logger } from '../adapters/powertools';
import type { NumberWorkItem } from '../adapters/tracker';
import { dependencies, expiresAt, ownedRun, stepInput, versionIdOf, type TimeBudget } from './import-support';

const ROWS_PER_BATCH = 250;
/** Time kept in hand for the last batch and the checkpoint. */
const SAFETY_MS = 60_000;

export const handler = async (payload: unknown, context: TimeBudget): Promise<{ done: boolean; rowsRead: number }> => {
  const { importId, executionId } = stepInput.parse(payload);
  const { config, tracker, files, ledger } = dependencies();
  const run = await ownedRun(tracker, importId, executionId);
  if (run.phase !== 'rows') return { done: true, rowsRead: run.rowCounts.rowsRead };

  const practice = findPractice(config, run.practiceId)!;
  const startedAt = new Date(run.startedAt);
  const ctx: BatchContext = {
    practiceId: run.practiceId,
    importId,
    now: run.startedAt,
    today: startedAt,
    defaultCountry: practiceCountry(config, practice),
    headers: new HeaderResolver({ ...config.import.headerAliases, ...practice.import.headerAliases }),
  };
  const expiry = expiresAt(startedAt, config.import.reportRetentionDays);

  let cursor: FilePosition = run.rowCursor;
  let rowsThisCall = 0;
  const commit = async (batch: FileEntry[], done: boolean) => {
    const rows = readRows(batch, ctx);
    const claims = await tracker.getClaims(run.practiceId, identityKeysOf(rows));
    const contacts = await tracker.getContacts(run.practiceId, [...new Set(claims.values())]);
    const plan = planBatch(rows, { claims, contacts }, ctx);
    const numbers: NumberWorkItem[] = plan.numbers.map((n) =>
      n.kind === 'lookup' ? { shard: numberShard(n.e164), number: n.e164 } : { shard: numberShard(n.value), number: `x:${n.value}`, invalidReason: n.reason },
    );
    if (done) {
      // Numbers whose lookup failed in an earlier import are retried with this one.
      const inBatch = new Set(numbers.map((n) => n.number));
      for (const e164 of await tracker.lookupRetries(run.practiceId)) {
        if (!inBatch.has(e164)) numbers.push({ shard: numberShard(e164), number: e164, retry: true });
      }
    }
    await tracker.writeImportBatch(run.practiceId, importId, { ...plan, numbers }, expiry);
    // Everyone the batch touched is considered for enrollment once the numbers are known.
    const touched = new Set([...plan.claims.values(), ...claims.values(), ...plan.contacts.map((c) => c.contactId)]);
    await ledger.addEnrollmentWork(importId, [...touched].map((contactId) => ({ shard: numberShard(contactId), contactId })), expiry);
    const to = batch.at(-1)?.next ?? cursor;
    await tracker.checkpointRows(importId, executionId, cursor, to, plan.counts, done, new Date().toISOString());
    cursor = to;
    rowsThisCall += plan.counts.rowsRead;
  };

  // A budget that ran out exactly at the end of the file leaves nothing to read (S3 refuses an empty range).
  if (cursor.byte >= run.source.size) {
    await commit([], true);
    return { done: true, rowsRead: 0 };
  }
  const stream = await files.read(run.source.bucket, run.source.key, versionIdOf(run.source), cursor.byte);
  let batch: FileEntry[] = [];
  try {
    for await (const entry of readEntries(stream, run.layout.format, cursor)) {
      batch.push(entry);
      if (batch.length < ROWS_PER_BATCH) continue;
      await commit(batch, false);
      batch = [];
      if (rowsThisCall >= config.import.rowsPerInvocation || context.getRemainingTimeInMillis() < SAFETY_MS) {
        logger.info('row budget used; handing back', { importId, rowsThisCall, byte: cursor.byte });
        return { done: false, rowsRead: rowsThisCall };
      }
    }
    await commit(batch, true);
  } finally {
    stream.destroy();
  }
  logger.info('rows imported', { importId, rowsThisCall });
  return { done: true, rowsRead: rowsThisCall };
};
