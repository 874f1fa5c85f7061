/**
 * Daily task: writes each practice's print-vendor manifest for a day — one CSV line per
 * postcard the cadence queued (name, address, vendor template, return code) — to
 * postcards/<practice>/<date>.csv in the reports bucket. The mailing itself is the
 * vendor's. By default it writes yesterday's (each practice's local date), which is
 * complete; rewriting a day gives the same file.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import { csvLine } from '../domain/csv';
import type { PostcardLine } from '../adapters/cadence-ledger';
import { dependencies } from './cadence-support';

const manifestInput = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), practiceId: z.string().optional() }).loose();

export interface ManifestWritten {
  readonly practiceId: string;
  readonly date: string;
  readonly postcards: number;
  readonly file?: string;
}

let files: ObjectStore | undefined;

export const handler = async (payload: unknown): Promise<ManifestWritten[]> => {
  const input = manifestInput.parse(payload ?? {});
  const { config, ledger } = dependencies();
  files ??= new ObjectStore();
  const bucket = requiredEnv('REPORTS_BUCKET_NAME');
  const written: ManifestWritten[] = [];
  for (const practice of config.practices.filter((p) => !input.practiceId || p.id === input.practiceId)) {
    const date = input.date ?? DateTime.fromJSDate(now(), { zone: practice.timeZone }).minus({ days: 1 }).toISODate()!;
    const lines: PostcardLine[] = [];
    for await (const line of ledger.postcards(practice.id, date)) lines.push(line);
    if (lines.length === 0) {
      written.push({ practiceId: practice.id, date, postcards: 0 });
      continue;
    }
    const key = `postcards/${practice.id}/${date}.csv`;
    await files.writeText(bucket, key, 'text/csv; charset=utf-8', manifestCsv(lines));
    written.push({ practiceId: practice.id, date, postcards: lines.length, file: `s3://${bucket}/${key}` });
    logger.info('postcard manifest written', { practiceId: practice.id, date, postcards: lines.length });
  }
  return written;
};

export function manifestCsv(lines: readonly PostcardLine[]): string {
  const header = csvLine(['name', 'address line 1', 'address line 2', 'city', 'state', 'zip', 'template id', 'return code']);
  return '\uFEFF' + header + lines.map((l) => csvLine([l.name, l.address.line1, l.address.line2, l.address.city, l.address.state, l.address.zip, l.vendorTemplate, l.returnCode])).join('');
}
