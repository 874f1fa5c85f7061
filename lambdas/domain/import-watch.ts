/**
 * Is a practice's monthly import file late? Each practice drops its file every month; once the
 * configured due day has passed in the practice's time zone, a month with no import started
 * yet is a missing file (ops call the practice). Pure: the latest import's start time in, the
 * answer out.
 */
import { DateTime } from 'luxon';

export interface ImportWatchQuestion {
  readonly now: Date;
  /** The practice's IANA zone: its month and its due day are local. */
  readonly timeZone: string;
  /** The last day of the month the file may arrive (1–27). */
  readonly dueDay: number;
  /** When the practice's latest import started (UTC ISO), if it ever had one. */
  readonly latestImportStartedAt?: string;
}

export function importMissing(q: ImportWatchQuestion): boolean {
  const local = DateTime.fromJSDate(q.now, { zone: q.timeZone });
  if (local.day <= q.dueDay) return false;
  const monthStarted = local.startOf('month').toMillis();
  return q.latestImportStartedAt === undefined || Date.parse(q.latestImportStartedAt) < monthStarted;
}
