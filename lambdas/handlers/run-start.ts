/**
 * Starts broadcast and campaign runs: a broadcast's one-time schedule (or the CLI) names
 * it; the daily schedule starts every campaign's run for the day. Each trigger starts its
 * run once: a duplicate finds the run and the execution already there.
 */
import { z } from 'zod';
import { logger } from '../adapters/powertools';
import { startBroadcast, startCampaignDay, type StartAnswer } from './run-support';

const startRequest = z.discriminatedUnion('start', [
  z.object({
    start: z.literal('broadcast'),
    practiceId: z.string().min(1),
    name: z.string().min(1),
    at: z.string().optional(),
    confirm: z.boolean().optional(),
    trigger: z.string().min(1).optional(),
    by: z.string().min(1).default('schedule'),
  }),
  z.object({ start: z.literal('campaigns'), only: z.string().min(1).optional(), by: z.string().min(1).default('schedule') }),
]);

/** A schedule has no one to answer "confirm?": a run it cannot start fails, so the schedule's dead-letter queue and alarms see it. */
export class RunNotStarted extends Error {
  override readonly name = 'RunNotStarted';
}

export const handler = async (payload: unknown): Promise<StartAnswer[]> => {
  const request = startRequest.parse(payload);
  const answers = request.start === 'campaigns' ? await startCampaignDay(request.by, request.only) : [await startBroadcast(request)];
  const problems = answers.flatMap((a) =>
    a.status === 'refused' ? [a.reason] : a.status === 'needs-confirmation' ? [`${a.members} people are more than ${a.confirmAbove}: set "confirmed": true on the broadcast to send it on schedule`] : [],
  );
  if (problems.length > 0) {
    logger.error('run not started', { problems });
    throw new RunNotStarted(problems.join('; '));
  }
  return answers;
};
