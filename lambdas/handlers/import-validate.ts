/**
 * Import step 3, repeated until the work list is done: classify each unique number of
 * the import. Numbers settled as invalid cost nothing; numbers validated within the
 * freshness window come from the cache; the rest go to PhoneNumberValidate through the
 * rate limiter. A number whose lookup finally fails is recorded and retried by the next
 * import. Counts move with the checkpoint, so a re-run page counts as it did.
 */
import { emptyNumberCounts, NUMBER_SHARDS, type NumberCounts, type NumberCursor } from '../domain/import-run';
import { phoneTypeOf } from '../domain/phone';
import { logger } from '../adapters/powertools';
import type { NumberWorkItem, PhoneValidation } from '../adapters/tracker';
import { dependencies, expiresAt, ownedRun, stepInput, type TimeBudget } from './import-support';

const SAFETY_MS = 60_000;
const DAY_MS = 86_400_000;

export const handler = async (payload: unknown, context: TimeBudget): Promise<{ done: boolean; numbers: number }> => {
  const { importId, executionId } = stepInput.parse(payload);
  const { config, tracker, validator } = dependencies();
  const run = await ownedRun(tracker, importId, executionId);
  if (run.phase !== 'numbers') return { done: true, numbers: 0 };

  const pageSize = Math.min(1000, Math.max(50, Math.ceil(config.validation.ratePerSecond * 5)));
  const expiry = expiresAt(new Date(run.startedAt), config.import.reportRetentionDays);
  let cursor: NumberCursor = run.numberCursor;
  let handled = 0;

  while (cursor.shard < NUMBER_SHARDS) {
    const page = await tracker.numberWorkPage(importId, cursor, pageSize);
    const next: NumberCursor = page.length < pageSize ? { shard: cursor.shard + 1 } : { shard: cursor.shard, after: page.at(-1)!.number };
    const counts = await classify(page, run.practiceId, importId, expiry);
    const done = next.shard >= NUMBER_SHARDS;
    await tracker.checkpointNumbers(importId, executionId, cursor, next, counts, done, new Date().toISOString());
    cursor = next;
    handled += page.length;
    if (!done && (handled >= config.validation.numbersPerInvocation || context.getRemainingTimeInMillis() < SAFETY_MS)) {
      logger.info('number budget used; handing back', { importId, handled, calls: validator().stats.calls });
      return { done: false, numbers: handled };
    }
  }
  logger.info('numbers classified', { importId, handled, ...validator().stats });
  return { done: true, numbers: handled };

  async function classify(page: readonly NumberWorkItem[], practiceId: string, id: string, expiry: number): Promise<NumberCounts> {
    const counts = emptyNumberCounts();
    const now = new Date();
    const pending = page.filter((n) => !n.outcome && !n.invalidReason);
    const cached = await tracker.getValidations(pending.map((n) => n.number));
    const freshAfter = now.getTime() - config.validation.freshnessDays * DAY_MS;

    const validations: PhoneValidation[] = [];
    const failed: string[] = [];
    const retried: string[] = [];
    const results = await Promise.all(
      page.map(async (item): Promise<NumberWorkItem> => {
        if (item.outcome) return item; // handled before a crash: counted again below, not looked up again
        if (item.invalidReason) return { ...item, outcome: 'invalid', phoneType: 'INVALID' };
        const hit = cached.get(item.number);
        if (hit && Date.parse(hit.validatedAt) >= freshAfter) {
          if (item.retry) retried.push(item.number);
          return { ...item, outcome: 'cached', phoneType: hit.phoneType };
        }
        const answer = await validator().validate(item.number);
        if (!answer.ok) {
          failed.push(item.number);
          return { ...item, outcome: 'failed' };
        }
        const validation: PhoneValidation = { ...answer.answer, e164: item.number, phoneType: phoneTypeOf(answer.answer.phoneType), validatedAt: new Date().toISOString() };
        validations.push(validation);
        if (item.retry) retried.push(item.number);
        return { ...item, outcome: 'looked-up', phoneType: validation.phoneType };
      }),
    );

    await tracker.saveNumberResults(id, validations, results.filter((r, i) => r !== page[i]), expiry);
    if (failed.length) await tracker.addLookupRetries(practiceId, failed, now.toISOString());
    if (retried.length) await tracker.clearLookupRetries(practiceId, retried);

    for (const r of results) {
      counts.uniqueNumbers += 1;
      if (r.outcome === 'looked-up') counts.lookups += 1;
      if (r.outcome === 'cached') counts.cacheHits += 1;
      if (r.outcome === 'failed') counts.lookupFailures += 1;
      if (r.phoneType) counts.byPhoneType[r.phoneType] += 1;
    }
    return counts;
  }
};
