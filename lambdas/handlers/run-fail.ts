/** Run task "RecordFailure" (the Catch of every task): marks the run failed with the error, so staff see it; the workflow then fails. */
import { z } from 'zod';
import { logger } from '../adapters/powertools';
import { now } from '../adapters/clock';
import { runDependencies } from './run-support';

const failure = z.object({ practiceId: z.string().min(1), runId: z.string().min(1), error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() }).loose();

export const handler = async (payload: unknown): Promise<{ recorded: boolean }> => {
  const state = failure.parse(payload);
  const error = state.error?.Error ?? 'Unknown';
  const recorded = await runDependencies().runs.setStatus(state.practiceId, state.runId, 'failed', ['queued', 'sending'], { failedAt: now().toISOString(), failure: `${error}: ${(state.error?.Cause ?? '').slice(0, 500)}` });
  logger.error('run failed', { practiceId: state.practiceId, runId: state.runId, error });
  return { recorded };
};
