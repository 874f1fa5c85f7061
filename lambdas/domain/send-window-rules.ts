/**
 * The send-window rules as configuration: the base window every text, voicemail and call
 * must fall in (recipient's local time), the holiday list, and the per-state table for
 * solicitations. Ops update the table in the stage config; each row names its source and
 * when it was last checked. The defaults below ship with the product (compliance.md).
 */
import federalHolidays from '@18f/us-federal-holidays';
import { gregorianEaster } from 'date-easter';
import { DateTime } from 'luxon';
import { z } from 'zod';

/** The widest window the law allows (TCPA, 47 CFR 64.1200(c)(1)): 8:00 to 21:00 local. */
export const LEGAL_WINDOW = { start: '08:00', end: '21:00' } as const;

export const CONSENT_PURPOSES = ['care', 'outreach'] as const;
export type Purpose = (typeof CONSENT_PURPOSES)[number];

/** A local time of day, HH:MM (24-hour). */
export const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time as HH:MM (24-hour)');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const stateCode = z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code');

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A window [start, end) in local time; never wider than the legal one. */
export const localWindowSchema = z
  .strictObject({ start: clockTime, end: clockTime })
  .refine((w) => minutes(w.start) < minutes(w.end), { message: 'the window must start before it ends' })
  .refine((w) => minutes(w.start) >= minutes(LEGAL_WINDOW.start) && minutes(w.end) <= minutes(LEGAL_WINDOW.end), {
    message: `the window is wider than the law allows (${LEGAL_WINDOW.start}–${LEGAL_WINDOW.end} recipient's local time); it may only be narrower`,
  });

export const holidaySchema = z.strictObject({
  date: isoDate,
  name: z.string().min(1),
  /** States where it is a state holiday; omitted for a national holiday. */
  states: z.array(stateCode).optional(),
});

export const stateRuleSchema = z
  .strictObject({
    state: stateCode,
    /** Purposes the rule restricts (state telemarketing laws cover solicitations, i.e. outreach). */
    purposes: z.array(z.enum(CONSENT_PURPOSES)).min(1).default(['outreach']),
    start: clockTime.optional(),
    end: clockTime.optional(),
    noSundays: z.boolean().default(false),
    /** No sends on national holidays and this state's holidays from the holiday list. */
    noHolidays: z.boolean().default(false),
    /** Where the rule comes from (statute, regulator page). */
    source: z.string().min(1),
    /** When someone last checked the rule against its source. */
    checkedOn: isoDate,
  })
  .refine((r) => r.start === undefined || r.end === undefined || minutes(r.start) < minutes(r.end), {
    message: 'the state window must start before it ends',
  });

export type LocalWindow = z.infer<typeof localWindowSchema>;
export type Holiday = z.infer<typeof holidaySchema>;
export type StateRule = z.infer<typeof stateRuleSchema>;

/**
 * How many calendar years the shipped holiday list covers from the current one: whatever a
 * cadence, reminder or yearly campaign plans ahead, and, at 11 national holidays a year,
 * within the 50 overrides Connect keeps per hours of operation.
 */
export const HOLIDAY_YEARS = 3;

/** The state holidays the shipped state rules use (AL and LA forbid solicitations on them). */
const STATE_HOLIDAYS: readonly { readonly name: string; readonly states: readonly string[]; readonly on: (year: number) => DateTime }[] = [
  { name: 'Mardi Gras', states: ['LA'], on: (y) => easterSunday(y).minus({ days: 47 }) },
  { name: 'Good Friday', states: ['LA'], on: (y) => easterSunday(y).minus({ days: 2 }) },
  { name: 'Confederate Memorial Day', states: ['AL'], on: (y) => nthMonday(y, 4, 4) },
  { name: "Jefferson Davis' Birthday", states: ['AL'], on: (y) => nthMonday(y, 6, 1) },
];

/**
 * The shipped holidays of `years` calendar years from `fromYear`: the 11 US federal holidays
 * on their own dates, not the observed weekday (5 U.S.C. 6103, from @18f/us-federal-holidays),
 * and the state holidays above. Computed, so the list never runs out.
 */
export function shippedHolidays(fromYear: number, years = HOLIDAY_YEARS): Holiday[] {
  return Array.from({ length: years }, (_, i) => fromYear + i).flatMap((year) => [
    ...federalHolidays.allForYear(year, { shiftSaturdayHolidays: false, shiftSundayHolidays: false }).map((h) => ({ date: h.dateString, name: h.name })),
    ...STATE_HOLIDAYS.map((h) => ({ date: h.on(year).toISODate()!, name: h.name, states: [...h.states] })),
  ]);
}

/** The default holiday list: this year's and the next ones' (read when the config is). */
export function defaultHolidays(): Holiday[] {
  return shippedHolidays(new Date().getUTCFullYear());
}

function easterSunday(year: number): DateTime {
  const { month, day } = gregorianEaster(year);
  return DateTime.utc(year, month, day);
}

function nthMonday(year: number, month: number, n: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((8 - first.weekday) % 7) + (n - 1) * 7 });
}

/**
 * The shipped per-state table for solicitations (outreach). Sources as compliance.md
 * gives them; counsel should confirm each row before go-live and update checkedOn.
 */
export const DEFAULT_STATE_RULES: readonly StateRule[] = [
  { state: 'FL', purposes: ['outreach'], start: '08:00', end: '20:00', noSundays: false, noHolidays: false, source: 'Florida Telemarketing Act, Fla. Stat. § 501.616(6)(a) (calls 8 a.m.–8 p.m.)', checkedOn: '2026-11-22' },
  { state: 'AL', purposes: ['outreach'], start: '08:00', end: '20:00', noSundays: true, noHolidays: true, source: 'Alabama Telephone Solicitation Act (no Sunday or state-holiday solicitations), per compliance.md', checkedOn: '2026-11-22' },
  { state: 'LA', purposes: ['outreach'], start: '08:00', end: '20:00', noSundays: true, noHolidays: true, source: 'Louisiana Telephone Solicitation Relief Act, La. R.S. 45:844.11 et seq. (no Sunday or state-holiday solicitations), per compliance.md', checkedOn: '2026-11-22' },
  { state: 'KY', purposes: ['outreach'], start: '10:00', end: '21:00', noSundays: false, noHolidays: false, source: 'Kentucky telephone solicitation law, KRS 367.46955 (no calls before 10 a.m.), per compliance.md', checkedOn: '2026-11-22' },
];

export const sendWindowConfigSchema = z
  .strictObject({
    /** Base window for every text, voicemail and call; may be narrowed, never widened. */
    window: localWindowSchema.default({ ...LEGAL_WINDOW }),
    /** @default the shipped holidays of this year and the next two (shippedHolidays) */
    holidays: z.array(holidaySchema).default(defaultHolidays),
    stateRules: z.array(stateRuleSchema).default(() => [...DEFAULT_STATE_RULES]),
  })
  .default(() => ({ window: { ...LEGAL_WINDOW }, holidays: defaultHolidays(), stateRules: [...DEFAULT_STATE_RULES] }));

export type SendWindowConfig = z.infer<typeof sendWindowConfigSchema>;
