/**
 * Cadence task "RecordFailure" (the Catch of every task): marks the enrollment failed
 * with the error, so staff see it and a re-drive can pick it up; the workflow then fails.
 */
import { logger } from '../adapters/powertools';
import { now } from '../adapters/clock';
import { ConflictError } from '../adapters/tracker';
import { z } from 'zod';
import { cadenceState, dependencies } from './cadence-support';

const failureInput = z.object({
  state: cadenceState.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() }),
});

export const handler = async (payload: unknown): Promise<{ recorded: boolean }> => {
  const { state } = failureInput.parse(payload);
  const failure = { error: state.error?.Error ?? 'Unknown', cause: (state.error?.Cause ?? '').slice(0, 1000) };
  const { ledger } = dependencies();
  try {
    await ledger.updateEnrollment(state, { status: 'failed', failure }, now().toISOString());
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
  }
  logger.error('cadence step failed', { enrollmentId: state.enrollmentId, error: failure.error });
  return { recorded: true };
};
