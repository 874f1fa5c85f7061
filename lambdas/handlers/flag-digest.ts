/**
 * Daily task: for each practice, and for the flags that name none (`unmatched`), the digest of
 * flags staff have not handled (replies no rule answers, dispositions that could not be read or applied) — how many, by kind, and the age of
 * the oldest — written to digests/<practice>/<date>.json in the reports bucket and published as
 * metrics (UnhandledFlags, OldestFlagHours by practice, adapters/outcome-metrics.ts) for the dashboard. Ids and
 * counts only.
 */
import { DateTime } from 'luxon';
import { now } from '../adapters/clock';
import { ObjectStore } from '../adapters/object-store';
import { countOutcome } from '../adapters/outcome-metrics';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import { StaffFlags, UNMATCHED } from '../adapters/staff-flags';
import { flagDigest, type FlagDigest } from '../domain/flag-digest';
import { dependencies } from './cadence-support';

let flags: StaffFlags | undefined;
let files: ObjectStore | undefined;

export const handler = async (): Promise<Array<FlagDigest & { readonly file: string }>> => {
  const { config } = dependencies();
  flags ??= new StaffFlags(requiredEnv('TRACKER_TABLE_NAME'));
  files ??= new ObjectStore();
  const bucket = requiredEnv('REPORTS_BUCKET_NAME');
  const at = now();
  const out = [];
  // Flags that name no practice have a digest of their own, so no one's flags go unseen.
  for (const practice of [...config.practices, { id: UNMATCHED, timeZone: 'UTC' }]) {
    const digest = flagDigest(practice.id, await flags.list(practice.id), at);
    const key = `digests/${practice.id}/${DateTime.fromJSDate(at, { zone: practice.timeZone }).toISODate()}.json`;
    await files.writeText(bucket, key, 'application/json', `${JSON.stringify(digest, null, 2)}\n`);
    countOutcome('UnhandledFlags', { practice: practice.id }, digest.unhandled);
    countOutcome('OldestFlagHours', { practice: practice.id }, digest.oldestHours);
    out.push({ ...digest, file: `s3://${bucket}/${key}` });
  }
  logger.info('flag digests written', { practices: out.length, unhandled: out.reduce((n, d) => n + d.unhandled, 0) });
  return out;
};
