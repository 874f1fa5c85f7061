/**
 * Starts broadcast and campaign runs: a broadcast's one-time schedule (or the CLI) names
 * it; the daily schedule starts every campaign's run for the day. Each trigger starts its
 * run once: a duplicate finds the run and the execution already there.
 */
import { z } from 'zod';
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

export const handler = async (payload: unknown): Promise<StartAnswer[]> => {
  const request = startRequest.parse(payload);
  if (request.start === 'campaigns') return startCampaignDay(request.by, request.only);
  return [await startBroadcast(request)];
};
