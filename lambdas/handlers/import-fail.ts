/**
 * The import workflow's catch-all: records why the import stopped, writes a failed
 * summary where staff look for it, publishes "Import Failed", and hands the workflow a
 * plain-language error and cause for its Fail state. Counted as ImportFailed (by practice, when
 * the file names one) for the alarm.
 */
import { z } from 'zod';
import { countOutcome } from '../adapters/outcome-metrics';
import { ConflictError } from '../adapters/tracker';
import { logger } from '../adapters/powertools';
import { UNKNOWN_PRACTICE } from '../domain/outcome-metrics';
import { publishSummary } from './import-finish';
import { dependencies, identifyUpload, objectCreatedEvent } from './import-support';

const input = z.object({
  executionId: z.string().min(1),
  state: z
    .object({
      'detail-type': z.string().optional(),
      detail: z.unknown().optional(),
      import: z.object({ result: z.object({ importId: z.string() }) }).optional(),
      error: z.object({ Error: z.string(), Cause: z.string().optional() }),
    })
    .passthrough(),
});

export const handler = async (payload: unknown): Promise<{ error: string; cause: string; importId?: string }> => {
  const { executionId, state } = input.parse(payload);
  const error = state.error.Error;
  const cause = plainCause(state.error.Cause);
  const { config, tracker, files, events, reportsBucket } = dependencies();

  let importId = state.import?.result.importId;
  let practiceId: string | undefined;
  if (!importId) {
    const event = objectCreatedEvent.safeParse(state);
    const upload = event.success ? await identifyUpload(event.data, files, config).catch(() => undefined) : undefined;
    importId = upload?.importId;
    practiceId = upload?.practice.id;
  }
  const run = importId ? await tracker.getImport(importId) : undefined;
  if (!run) {
    countOutcome('ImportFailed', { practice: practiceId ?? UNKNOWN_PRACTICE });
    await events.publish('Import Failed', { importId, error, cause });
    logger.error('import failed before it could be claimed', { error });
    return { error, cause, importId };
  }
  if (run.owner !== executionId) {
    // Another execution took the run over; it decides how the import ends.
    return { error: 'ConflictError', cause: new ConflictError(`import ${run.importId} is owned by another execution`).message, importId: run.importId };
  }
  const finishedAt = new Date().toISOString();
  const failure = run.failure ?? { error, cause };
  if (!run.failure) await tracker.recordImportFailure(run.importId, executionId, finishedAt, failure);
  const failed = { ...run, finishedAt, failure };
  countOutcome('ImportFailed', { practice: run.practiceId });
  const summary = await publishSummary(failed, tracker, files, reportsBucket);
  await events.publish('Import Failed', summary);
  logger.error('import failed', { importId: run.importId, error });
  return { error: failed.failure.error, cause: failed.failure.cause, importId: run.importId };
};

/** Lambda's Cause is a JSON document with errorMessage; a local run passes the message itself. */
function plainCause(cause: string | undefined): string {
  if (!cause) return 'unknown cause';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ?? cause;
  } catch {
    return cause;
  }
}
