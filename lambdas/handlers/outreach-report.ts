/**
 * Scheduled task: for each practice (or one), the outreach report for a period — by
 * default the practice's yesterday, and on Mondays also the week before — written to the
 * reports bucket as CSV and as a self-contained HTML page:
 *
 *   reports/<practice>/daily/<date>.csv|.html
 *   reports/<practice>/weekly/<monday>.csv|.html
 *
 * Counts only ids and totals in its logs; the page holds no names or numbers either.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { ReportReader } from '../adapters/report-reader';
import { requiredEnv } from '../adapters/settings';
import { ReportTally, type OutreachReport, type ReportPeriod } from '../domain/outreach-report';
import { reportCsv, reportHtml } from '../domain/report-page';
import type { PracticeProfile } from '../domain/stage-config';
import { dependencies } from './cadence-support';

const request = z
  .object({
    practiceId: z.string().min(1).optional(),
    /** Which periods; omitted → yesterday, and the week before on a Monday. */
    periods: z.array(z.enum(['daily', 'weekly', 'all'])).optional(),
    /** The practice-local day the run is for (YYYY-MM-DD); omitted → today. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .default({});

export interface WrittenReport {
  readonly practiceId: string;
  readonly period: 'daily' | 'weekly' | 'all';
  readonly csv: string;
  readonly html: string;
  readonly report: OutreachReport;
}

let reader: ReportReader | undefined;
let files: ObjectStore | undefined;

export const handler = async (payload: unknown): Promise<WrittenReport[]> => {
  const input = request.parse(payload ?? {});
  const { config } = dependencies();
  reader ??= new ReportReader(requiredEnv('TRACKER_TABLE_NAME'));
  files ??= new ObjectStore();
  const bucket = requiredEnv('REPORTS_BUCKET_NAME');
  const written: WrittenReport[] = [];
  for (const practice of config.practices.filter((p) => !input.practiceId || p.id === input.practiceId)) {
    const today = input.date ? DateTime.fromISO(input.date, { zone: practice.timeZone }) : DateTime.fromJSDate(now(), { zone: practice.timeZone }).startOf('day');
    const wanted = input.periods ?? (today.weekday === 1 ? ['daily', 'weekly'] : ['daily']);
    // One pass over the people for every period wanted (Mondays: the day and the week).
    const periods = wanted.map((kind) => ({ kind, ...periodOf(kind, today) }));
    const reports = await build(practice, periods.map((p) => p.period));
    for (const [i, { kind, name }] of periods.entries()) {
      const report = reports[i]!;
      const base = `reports/${practice.id}/${kind}/${name}`;
      await files.writeText(bucket, `${base}.csv`, 'text/csv; charset=utf-8', reportCsv(report));
      await files.writeText(bucket, `${base}.html`, 'text/html; charset=utf-8', reportHtml(report, practice.displayName));
      written.push({ practiceId: practice.id, period: kind, csv: `s3://${bucket}/${base}.csv`, html: `s3://${bucket}/${base}.html`, report });
      logger.info('report written', { practiceId: practice.id, period: kind, name, people: report.people });
    }
  }
  return written;
};

/** The practice-local day before `today`, the week (Monday to Monday) before it, or everything until today. */
function periodOf(kind: 'daily' | 'weekly' | 'all', today: DateTime): { period: ReportPeriod; name: string } {
  const iso = (d: DateTime) => d.toUTC().toISO()!;
  if (kind === 'daily') {
    const day = today.minus({ days: 1 });
    return { period: { from: iso(day), to: iso(today) }, name: day.toISODate()! };
  }
  if (kind === 'weekly') {
    const monday = today.minus({ days: today.weekday - 1 }).minus({ weeks: 1 });
    return { period: { from: iso(monday), to: iso(monday.plus({ weeks: 1 })) }, name: monday.toISODate()! };
  }
  return { period: { from: '0000-01-01T00:00:00.000Z', to: iso(today.plus({ days: 1 })) }, name: `until-${today.toISODate()}` };
}

/** The practice's report for each period, from one read of its people, flags and imports. */
async function build(practice: PracticeProfile, periods: readonly ReportPeriod[]): Promise<OutreachReport[]> {
  const tallies = periods.map((period) => new ReportTally(period));
  await reader!.eachPerson(practice.id, (person) => {
    for (const tally of tallies) tally.add(person);
  });
  const [flags, imports] = await Promise.all([reader!.flags(practice.id), reader!.imports(practice.id)]);
  const at = now();
  return tallies.map((tally) => tally.finish(practice.id, flags, imports, at));
}

export function resetOutreachReport(): void {
  reader = undefined;
  files = undefined;
}
