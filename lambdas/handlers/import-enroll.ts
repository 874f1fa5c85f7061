/**
 * Import step 3: enrolls the people the file touched in the cadence the import names
 * (the file's cadence column, else its prefix, else the practice's default), unless they
 * are already enrolled, opted out, or finished; starts one cadence execution each, named
 * after the enrollment so a retry starts nothing twice. Checkpointed per page, paced
 * under Step Functions' StartExecution quota; hands back before the Lambda's time is up.
 */
import Bottleneck from 'bottleneck';
import { logger } from '../adapters/powertools';
import { cadenceFor } from '../domain/cadence-config';
import { enrollmentDecision, newEnrollment } from '../domain/enrollment';
import { NUMBER_SHARDS, type EnrollCounts, type NumberCursor } from '../domain/import-run';
import { findPractice } from '../domain/stage-config';
import { usablePhoneTypes } from '../domain/segment';
import { dependencies, ownedRun, stepInput, type TimeBudget } from './import-support';

const PAGE = 100;
const SAFETY_MS = 60_000;

export const handler = async (payload: unknown, context: TimeBudget): Promise<{ done: boolean; enrolled: number }> => {
  const { importId, executionId } = stepInput.parse(payload);
  const { config, tracker, ledger, roster, starter } = dependencies();
  let run = await ownedRun(tracker, importId, executionId);
  if (run.phase !== 'enrolling') return { done: true, enrolled: 0 };
  if (!run.enrollCursor) {
    await tracker.prepareEnrollment(importId, executionId);
    run = await ownedRun(tracker, importId, executionId);
  }
  const practice = findPractice(config, run.practiceId)!;
  const limiter = new Bottleneck({ minTime: 1000 / config.enrollment.startsPerSecond, maxConcurrent: 10 });
  let cursor: NumberCursor = run.enrollCursor!;
  let enrolledThisCall = 0;

  while (cursor.shard < NUMBER_SHARDS) {
    const page = await ledger.enrollmentWorkPage(importId, cursor.shard, cursor.after, PAGE);
    const counts: EnrollCounts = { enrolled: 0, notEnrolled: {} };
    const contacts = await tracker.getContacts(run.practiceId, page.map((w) => w.contactId));
    // The numbers are classified by now: segments can filter on their types.
    const validations = await tracker.getValidations([...contacts.values()].flatMap((c) => c.phones.map((p) => p.e164)));
    await Promise.all([...contacts.values()].map((c) => roster.savePhoneTypes(run.practiceId, c.contactId, usablePhoneTypes(c, (e164) => validations.get(e164)?.phoneType))));
    await Promise.all(
      page.map(async ({ contactId }) => {
        const contact = contacts.get(contactId);
        if (!contact) return;
        const cadence = cadenceFor(practice, run.source.key, contact.cadence, config.cadences);
        const existing = cadence ? await ledger.getEnrollment(run.practiceId, contactId, cadence) : undefined;
        const decision = enrollmentDecision(contact, cadence, existing, importId);
        if (!decision.enroll) {
          counts.notEnrolled[decision.reason] = (counts.notEnrolled[decision.reason] ?? 0) + 1;
          return;
        }
        // The stored enrollment (this import's, on a retry) gives the same execution input, so the start is idempotent.
        const { enrollment } = await ledger.createEnrollment(newEnrollment(contact, cadence!, importId, run.startedAt));
        await limiter.schedule(() =>
          starter().start(enrollment.executionName, { practiceId: enrollment.practiceId, contactId, cadence: enrollment.cadence, enrollmentId: enrollment.enrollmentId }),
        );
        counts.enrolled += 1;
      }),
    );
    const last = page.at(-1);
    const next: NumberCursor = page.length < PAGE ? { shard: cursor.shard + 1 } : { shard: cursor.shard, after: last!.contactId };
    const done = next.shard >= NUMBER_SHARDS;
    await tracker.checkpointEnrollment(importId, executionId, cursor, next, counts, done, new Date().toISOString());
    cursor = next;
    enrolledThisCall += counts.enrolled;
    if (!done && context.getRemainingTimeInMillis() < SAFETY_MS) {
      logger.info('enrollment budget used; handing back', { importId, enrolledThisCall });
      return { done: false, enrolled: enrolledThisCall };
    }
  }
  logger.info('contacts enrolled', { importId, enrolledThisCall });
  return { done: true, enrolled: enrolledThisCall };
};
