/** Run task "PlanShard": queues the run's members from one roster shard (16 in all), once. */
import { z } from 'zod';
import { planShard, type RunState } from './run-support';

export const runState = z.object({ practiceId: z.string().min(1), runId: z.string().min(1), startAt: z.string().min(1), shard: z.number().int().min(0) }).loose();

export const handler = async (payload: unknown): Promise<RunState> => planShard(runState.parse(payload) as RunState);
