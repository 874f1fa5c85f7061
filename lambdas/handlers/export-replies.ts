/**
 * On request (ops, the CLI): every reply a practice received between two of its local days,
 * both included, as a spreadsheet-safe CSV in the reports bucket:
 *
 *   exports/<practice>/replies-<from>-<to>.csv
 *
 * Columns: received at, contact id, external id, kind (how it was read), handled?, text
 * (domain/reply-export.ts). Input {practiceId, from, to} with dates as YYYY-MM-DD. Reads the
 * tracker only; logs ids and counts, never a text.
 */
import { z } from 'zod';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { ReplyExportReader } from '../adapters/reply-export-reader';
import { requiredEnv } from '../adapters/settings';
import { exportRange, replyExportCsv, replyExportRows, type ExportRange } from '../domain/reply-export';
import { findPractice } from '../domain/stage-config';
import { dependencies } from './cadence-support';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const request = z.object({ practiceId: z.string().min(1), from: day, to: day }).refine((r) => r.from <= r.to, { message: 'from must not be after to', path: ['to'] });

export interface RepliesExported {
  readonly practiceId: string;
  /** s3://<reports bucket>/exports/<practice>/replies-<from>-<to>.csv */
  readonly file: string;
  readonly rows: number;
  /** The range as UTC instants: [from, to). */
  readonly range: ExportRange;
}

let reader: ReplyExportReader | undefined;
let files: ObjectStore | undefined;

export const handler = async (payload: unknown): Promise<RepliesExported> => {
  const parsed = request.safeParse(payload ?? {});
  if (!parsed.success) throw new Error(`not a replies export request ({practiceId, from, to} with dates as YYYY-MM-DD): ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  const practice = findPractice(dependencies().config, input.practiceId);
  if (!practice) throw new Error(`no practice "${input.practiceId}" in the stage config`);
  reader ??= new ReplyExportReader(requiredEnv('TRACKER_TABLE_NAME'));
  files ??= new ObjectStore();
  const bucket = requiredEnv('REPORTS_BUCKET_NAME');

  const range = exportRange(input.from, input.to, practice.timeZone);
  const { found, states, people } = await reader.replies(practice.id, range);
  const rows = replyExportRows(found, states, range);
  const key = `exports/${practice.id}/replies-${input.from}-${input.to}.csv`;
  await files.writeText(bucket, key, 'text/csv; charset=utf-8', replyExportCsv(rows));
  logger.info('replies exported', { practiceId: practice.id, from: input.from, to: input.to, people, rows: rows.length });
  return { practiceId: practice.id, file: `s3://${bucket}/${key}`, rows: rows.length, range };
};

export function resetExportReplies(): void {
  reader = undefined;
  files = undefined;
}
