/**
 * An opt-out the system hears other than by a keyword End User Messaging saw (an agent, staff):
 * recorded for the person first, then the numbers go on the SMS opt-out list, so the service
 * refuses texts to them too and both lists say the same.
 */
import { Messaging } from '../adapters/messaging';
import { requiredEnv } from '../adapters/settings';
import { dependencies } from './cadence-support';

let messaging: Messaging | undefined;

export async function recordOptOutEverywhere(practiceId: string, contactId: string, channel: 'sms' | 'all', numbers: readonly string[], source: string, at: string): Promise<void> {
  await dependencies().tracker.recordOptOut(practiceId, contactId, channel, source, at);
  messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
  for (const number of numbers) await messaging.optOut(requiredEnv('OPT_OUT_LIST_NAME'), number);
}

export function resetOptOuts(): void {
  messaging = undefined;
}
