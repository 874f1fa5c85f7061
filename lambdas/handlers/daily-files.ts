/**
 * What the daily file tasks share (postcard manifests, scheduling hand-offs): for each
 * practice, the lines of one of its local days — yesterday by default, which is complete —
 * written as one spreadsheet-safe CSV under `<prefix><practice>/<date>.csv` in the reports
 * bucket. Rewriting a day gives the same file; a day without lines writes none.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import { dependencies } from './cadence-support';

export const dailyFileInput = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(), practiceId: z.string().optional() }).loose();

export interface DailyFileWritten {
  readonly practiceId: string;
  readonly date: string;
  readonly lines: number;
  readonly file?: string;
}

export interface DailyFile<T> {
  /** Key prefix in the reports bucket, e.g. "postcards/". */
  readonly prefix: string;
  /** For the log line: "postcard manifest". */
  readonly name: string;
  readonly lines: (practiceId: string, date: string) => AsyncIterable<T>;
  /** The file's text (with a byte-order mark, so spreadsheets read it as UTF-8). */
  readonly csv: (lines: readonly T[]) => string;
}

let files: ObjectStore | undefined;

export async function writeDailyFiles<T>(payload: unknown, file: DailyFile<T>): Promise<DailyFileWritten[]> {
  const input = dailyFileInput.parse(payload ?? {});
  const { config } = dependencies();
  files ??= new ObjectStore();
  const bucket = requiredEnv('REPORTS_BUCKET_NAME');
  const written: DailyFileWritten[] = [];
  for (const practice of config.practices.filter((p) => !input.practiceId || p.id === input.practiceId)) {
    const date = input.date ?? DateTime.fromJSDate(now(), { zone: practice.timeZone }).minus({ days: 1 }).toISODate()!;
    const lines: T[] = [];
    for await (const line of file.lines(practice.id, date)) lines.push(line);
    if (lines.length === 0) {
      written.push({ practiceId: practice.id, date, lines: 0 });
      continue;
    }
    const key = `${file.prefix}${practice.id}/${date}.csv`;
    await files.writeText(bucket, key, 'text/csv; charset=utf-8', file.csv(lines));
    written.push({ practiceId: practice.id, date, lines: lines.length, file: `s3://${bucket}/${key}` });
    logger.info(`${file.name} written`, { practiceId: practice.id, date, lines: lines.length });
  }
  return written;
}
