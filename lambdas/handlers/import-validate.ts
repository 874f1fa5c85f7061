/**
 * Import step 3, repeated until the work list is done: classify each unique number of
 * the import. Numbers settled as invalid cost nothing; numbers validated within the
 * freshness window come from the cache; the rest go to PhoneNumberValidate through the
 * rate limiter. A number whose lookup finally fails is recorded and retried by the next
 * import. Counts move with the checkpoint, so a re-run page counts as it did.
 *
 * Pages are pipelined: the next page's lookups queue on the limiter while the current
 * page is checkpointed, so the limiter never idles between pages. Each page saves its
 * outcomes as soon as they are answered; the checkpoint only moves the counts.
 */
import { emptyNumberCounts, NUMBER_SHARDS, type NumberCounts, type NumberCursor } from '../domain/import-run';
import { validationOf } from '../adapters/phone-validator';
import { logger } from '../adapters/powertools';
import type { NumberWorkItem, PhoneValidation } from '../adapters/tracker';
import { dependencies, expiresAt, ownedRun, stepInput, type TimeBudget } from './import-support';

const SAFETY_MS = 60_000;
const DAY_MS = 86_400_000;

/** One page of the work list: where it starts and ends, and its lookups under way. */
interface PageInFlight {
  readonly from: NumberCursor;
  readonly to: NumberCursor;
  readonly size: number;
  readonly outcome: Promise<PageOutcome>;
}

interface PageOutcome {
  readonly results: NumberWorkItem[];
  readonly changed: NumberWorkItem[];
  readonly validations: PhoneValidation[];
  readonly failed: string[];
  readonly retried: string[];
}

export const handler = async (payload: unknown, context: TimeBudget): Promise<{ done: boolean; numbers: number }> => {
  const { importId, executionId } = stepInput.parse(payload);
  const { config, tracker, validator } = dependencies();
  const run = await ownedRun(tracker, importId, executionId);
  if (run.phase !== 'numbers') return { done: true, numbers: 0 };

  const pageSize = Math.min(1000, Math.max(50, Math.ceil(config.validation.ratePerSecond * 5)));
  const expiry = expiresAt(new Date(run.startedAt), config.import.reportRetentionDays);
  const freshAfter = Date.now() - config.validation.freshnessDays * DAY_MS;

  /** Reads the page at `from` (moving past empty shards) and starts its lookups. */
  const startPage = async (from: NumberCursor): Promise<PageInFlight> => {
    const page = await tracker.numberWorkPage(importId, from, pageSize);
    const to: NumberCursor = page.length < pageSize ? { shard: from.shard + 1 } : { shard: from.shard, after: page.at(-1)!.number };
    return { from, to, size: page.length, outcome: lookUp(page) };
  };

  const lookUp = async (page: readonly NumberWorkItem[]): Promise<PageOutcome> => {
    const pending = page.filter((n) => !n.outcome && !n.invalidReason);
    const cached = await tracker.getValidations(pending.map((n) => n.number));
    const out: PageOutcome = { results: [], changed: [], validations: [], failed: [], retried: [] };
    out.results.push(
      ...(await Promise.all(
        page.map(async (item): Promise<NumberWorkItem> => {
          if (item.outcome) return item; // handled before a crash: counted again, not looked up again
          if (item.invalidReason) return { ...item, outcome: 'invalid', phoneType: 'INVALID' };
          const hit = cached.get(item.number);
          if (hit && Date.parse(hit.validatedAt) >= freshAfter) {
            if (item.retry) out.retried.push(item.number);
            return { ...item, outcome: 'cached', phoneType: hit.phoneType };
          }
          const answer = await validator().validate(item.number);
          if (!answer.ok) {
            out.failed.push(item.number);
            return { ...item, outcome: 'failed' };
          }
          const validation = validationOf(item.number, answer.answer, new Date().toISOString());
          out.validations.push(validation);
          if (item.retry) out.retried.push(item.number);
          return { ...item, outcome: 'looked-up', phoneType: validation.phoneType };
        }),
      )),
    );
    out.changed.push(...out.results.filter((r, i) => r !== page[i]));
    // Saved as soon as answered, ahead of the checkpoint: a re-run finds the outcome and never pays twice.
    await tracker.saveNumberResults(importId, out.validations, out.changed, expiry);
    if (out.failed.length) await tracker.addLookupRetries(run.practiceId, out.failed, new Date().toISOString());
    if (out.retried.length) await tracker.clearLookupRetries(run.practiceId, out.retried);
    return out;
  };

  /** Moves the checkpoint past a page once its results are saved, adding its counts. */
  const checkpoint = async (page: PageInFlight, done: boolean): Promise<void> => {
    const outcome = await page.outcome;
    await tracker.checkpointNumbers(importId, executionId, page.from, page.to, countOf(outcome.results), done, new Date().toISOString());
  };

  let handled = 0;
  let current = await startPage(run.numberCursor);
  for (;;) {
    const done = current.to.shard >= NUMBER_SHARDS;
    const stopping = !done && (handled + current.size >= config.validation.numbersPerInvocation || context.getRemainingTimeInMillis() < SAFETY_MS);
    // Lookups already started are paid for: a page is only started when it will be saved in this call.
    const next = done || stopping ? undefined : startPage(current.to);
    try {
      await checkpoint(current, done);
    } catch (e) {
      await next?.then((p) => p.outcome).catch(() => undefined); // let the page in flight save what it paid for
      throw e;
    }
    handled += current.size;
    if (done || stopping || !next) {
      logger.info(done ? 'numbers classified' : 'number budget used; handing back', { importId, handled, ...validator().stats });
      return { done, numbers: handled };
    }
    current = await next;
  }
};

function countOf(results: readonly NumberWorkItem[]): NumberCounts {
  const counts = emptyNumberCounts();
  for (const r of results) {
    counts.uniqueNumbers += 1;
    if (r.outcome === 'looked-up') counts.lookups += 1;
    if (r.outcome === 'cached') counts.cacheHits += 1;
    if (r.outcome === 'failed') counts.lookupFailures += 1;
    if (r.phoneType) counts.byPhoneType[r.phoneType] += 1;
  }
  return counts;
}
