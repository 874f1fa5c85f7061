/**
 * Date-relative campaigns: a message at an offset from a date of each person's (365 days
 * after the last visit, on the birthday, 30 days before a recall date). Evaluated every
 * day: whoever's send date is today (or within the grace days after a missed evaluation)
 * is queued. The occurrence (the anchor date it was computed from, and the year for yearly
 * ones) is part of the exactly-once key, so a person gets each occurrence once, and a
 * changed date makes a new occurrence while the old one, if still queued, is dropped.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { clockTime } from './send-window-rules';
import { dateOf, segmentFilterSchema, type SegmentCard } from './segment';
import { broadcastTemplatesSchema } from './broadcast';

export const campaignSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'campaign name: lower-case letters, digits and dashes'),
  practice: z.string().min(1),
  /** A segment of the practice the campaign is limited to (its name); omitted → everyone with the date. */
  segment: z.string().min(1).optional(),
  /** Extra conditions on top of the segment. */
  filter: segmentFilterSchema.optional(),
  date: z.strictObject({
    /** dateOfBirth, lastVisitDate, appointmentDate, or an import column holding dates (e.g. recallDate). */
    field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,40}$/, 'a field name'),
    /** Days after the date (negative: before it). @default 0 */
    offsetDays: z.number().int().min(-3650).max(3650).default(0),
    /** Every year on the date's anniversary (birthdays), instead of once. @default false */
    yearly: z.boolean().default(false),
  }),
  /** The recipient's local time the message is due; the send window and cap may hold it later that day. @default "10:00" */
  at: clockTime.default('10:00'),
  /** Days after the send date it is still sent when an evaluation was missed. @default 1 */
  graceDays: z.number().int().min(0).max(30).default(1),
  templates: broadcastTemplatesSchema,
});
export type Campaign = z.infer<typeof campaignSchema>;

export interface Occurrence {
  /** What makes this occurrence itself: the anchor date, and the year for yearly campaigns. */
  readonly id: string;
  /** The practice-local date it is due. */
  readonly sendDate: string;
}

/**
 * The occurrence of `campaign` due for the person between `today - graceDays` and `today`,
 * if any (yearly: this year's anniversary, Feb 29 → Feb 28 in other years).
 */
export function dueOccurrence(card: SegmentCard, campaign: Pick<Campaign, 'date' | 'graceDays'>, today: string): Occurrence | undefined {
  const anchor = dateOf(card, campaign.date.field);
  if (!anchor) return undefined;
  const day = DateTime.fromISO(today, { zone: 'utc' });
  const candidates: Occurrence[] = [];
  if (!campaign.date.yearly) {
    candidates.push({ id: anchor, sendDate: shift(anchor, campaign.date.offsetDays) });
  } else {
    // The anniversary whose send date is near today is near today minus the offset, in that year or the one before or after (offsets cross New Year).
    const around = day.minus({ days: campaign.date.offsetDays }).year;
    for (const year of [around - 1, around, around + 1]) {
      const anniversary = anniversaryIn(anchor, year);
      if (anniversary && anniversary > anchor) candidates.push({ id: `${anchor}@${year}`, sendDate: shift(anniversary, campaign.date.offsetDays) });
    }
  }
  const earliest = day.minus({ days: campaign.graceDays }).toISODate()!;
  return candidates.find((o) => o.sendDate >= earliest && o.sendDate <= today);
}

/** The occurrence a queued send was for is still the person's (their date did not change since). */
export function stillDue(card: SegmentCard, campaign: Pick<Campaign, 'date'>, occurrenceId: string): boolean {
  const anchor = dateOf(card, campaign.date.field);
  return anchor !== undefined && occurrenceId.split('@')[0] === anchor;
}

function shift(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

function anniversaryIn(date: string, year: number): string | undefined {
  const [, m, d] = date.split('-').map(Number) as [number, number, number];
  const leapDayElsewhere = m === 2 && d === 29 && !DateTime.utc(year, 1, 1).isInLeapYear;
  const at = DateTime.utc(year, m, leapDayElsewhere ? 28 : d);
  return at.isValid ? at.toISODate()! : undefined;
}
