/**
 * Appointment-changes files a practice drops under appointments/<practice-id>/ in the import
 * bucket (CSV: appointment id, contact id, change, new time, place — the ids of the hand-off
 * file). Each row goes through the appointment desk like the practice's events; what came of
 * every row (applied, unchanged and why, or unreadable and why, with its line) is written to
 * appointments/<practice-id>/<file>.results.csv in the reports bucket. The same file twice
 * changes nothing the second time.
 */
import { parse } from 'csv-parse';
import { z } from 'zod';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { requiredEnv } from '../adapters/settings';
import { readChangeRow } from '../domain/appointment-changes';
import { csvLine } from '../domain/csv';
import { findPractice } from '../domain/stage-config';
import { changeAppointmentOf } from './appointment-desk';
import { dependencies } from './cadence-support';

const event = z.object({
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string(), 'version-id': z.string().optional() }) }),
});

interface RowResult {
  readonly line: number;
  readonly appointmentId: string;
  readonly outcome: 'applied' | 'unchanged' | 'unreadable';
  readonly detail: string;
}

let files: ObjectStore | undefined;

export const handler = async (payload: unknown): Promise<{ readonly file: string; readonly counts: Record<RowResult['outcome'], number> }> => {
  const { bucket, object } = event.parse(payload).detail;
  const match = /^appointments\/([a-z0-9][a-z0-9-]{1,40})\/([^/]+)$/.exec(object.key);
  const practice = match ? findPractice(dependencies().config, match[1]!) : undefined;
  if (!match || !practice) throw new Error(`${object.key}: appointment-changes files go under appointments/<practice-id>/ of a practice in the stage config`);
  files ??= new ObjectStore();
  const results: RowResult[] = [];
  const rows = (await files.read(bucket.name, object.key, object['version-id'], 0)).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  for await (const { record, info } of rows as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    const reading = readChangeRow(record, practice.timeZone);
    if (!reading.ok) {
      results.push({ line: info.lines, appointmentId: '', outcome: 'unreadable', detail: reading.reason });
      continue;
    }
    const { appointmentId, contactId, change } = reading.row;
    const outcome = await changeAppointmentOf(practice, contactId, appointmentId, change);
    results.push({ line: info.lines, appointmentId, outcome: outcome.ok ? 'applied' : 'unchanged', detail: outcome.ok ? `${change.kind}: now ${outcome.appointment.status}` : `${change.kind}: ${outcome.reason}` });
  }
  const resultsKey = `appointments/${practice.id}/${match[2]}.results.csv`;
  const text = '\uFEFF' + csvLine(['line', 'appointment id', 'outcome', 'detail']) + results.map((r) => csvLine([r.line, r.appointmentId, r.outcome, r.detail])).join('');
  await files.writeText(requiredEnv('REPORTS_BUCKET_NAME'), resultsKey, 'text/csv; charset=utf-8', text);
  const counts = { applied: 0, unchanged: 0, unreadable: 0 };
  for (const r of results) counts[r.outcome] += 1;
  logger.info('appointment-changes file read', { practiceId: practice.id, ...counts });
  return { file: resultsKey, counts };
};
