/**
 * The contact center's hours of operation: agent calls are queued only while agents
 * are there (and, separately, inside the recipient's send window). Hours are wall-clock
 * times in the practice's time zone; holidays from the send-window holiday list close
 * the center all day.
 */
import { DateTime } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningHours {
  readonly open: string;
  readonly close: string;
}

export type WeeklyHours = Readonly<Partial<Record<Weekday, OpeningHours>>>;

export interface AgentHoursAnswer {
  readonly open: boolean;
  /** Not open → when agents are next there (within 14 days), else null. */
  readonly opensAt: Date | null;
}

/**
 * The days the contact center is closed all day: the national holidays of the send-window
 * list (entries naming no state). Outbound calls skip them, and a created instance's hours
 * of operation carry them as overrides, so the IVR says the office is closed.
 */
export function closedDays(holidays: readonly { readonly date: string; readonly name: string; readonly states?: readonly string[] }[]): { date: string; name: string }[] {
  return holidays.filter((h) => !h.states?.length).map(({ date, name }) => ({ date, name }));
}

export function agentHoursAt(at: Date, hours: WeeklyHours, timeZone: string, closedDates: ReadonlySet<string> = new Set()): AgentHoursAnswer {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  for (let d = 0; d <= 14; d++) {
    const day = local.startOf('day').plus({ days: d });
    const today = hours[WEEKDAYS[day.weekday - 1]!];
    if (!today || closedDates.has(day.toISODate()!)) continue;
    const open = atClock(day, today.open);
    const close = atClock(day, today.close);
    if (d === 0 && local >= open && local < close) return { open: true, opensAt: null };
    if (open > local) return { open: false, opensAt: open.toJSDate() };
  }
  return { open: false, opensAt: null };
}

function atClock(day: DateTime, hhmm: string): DateTime {
  return day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)), second: 0, millisecond: 0 });
}
