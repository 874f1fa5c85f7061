/**
 * The send window: may a text, voicemail or call go out to this person at this instant,
 * and if not, the earliest instant it may (compliance.md, "When a person may be contacted").
 * Pure: no AWS, no I/O; the rules come in as the stage config's send-window section.
 *
 * How the answer is reached:
 * - Local time. The time zone of the person's address ZIP, then the zone PhoneNumberValidate
 *   gave for the number, then the practice's zone. The practice zone is used only when neither
 *   of the others is known. When the ZIP zone and the phone zone are both known and differ, a
 *   message may go only when every rule is met in both (the intersection), because the
 *   person may be in either. Malformed or unknown ZIPs and unrecognised phone zones count as
 *   not known. In a few ZIP prefixes a time-zone line runs through, the ZIP table is known to
 *   be wrong; there the ZIP counts as both zones (see ZONE_LINE_PREFIXES).
 * - The window. rules.window (default 08:00–21:00), narrowed by the practice's window, is
 *   wall-clock time in each zone, [start, end). It is always clipped to the legal window, so
 *   no configuration can widen it.
 * - State rules. The state is the address state, else the state of the ZIP's prefix. A state
 *   rule applies only to the purposes it lists (solicitations, i.e. outreach, by default); it
 *   narrows start/end and can forbid Sundays and holidays (national holidays: list entries
 *   without `states`; state holidays: entries naming that state). Sundays and holidays are
 *   judged on the person's local date in each zone.
 * - Unknown state. When the state is unknown and some rule restricts the purpose, the strictest
 *   combination of all such rules applies: the latest start, the earliest end, no Sundays if
 *   any rule forbids them, and no national holidays nor any holiday of a state whose rule
 *   forbids holidays. Without the state we cannot show that its law is met, so we meet them all.
 * - DST. Every opening and closing is the wall-clock time on that local date turned into an
 *   instant with the zone's rules for that date, so spring-forward and fall-back days get the
 *   right instants. opensAt is found by intersecting each zone's open intervals day by day,
 *   up to 30 days ahead.
 */
import { DateTime, IANAZone } from 'luxon';
import { lookup as zipTimeZone } from 'zipcode-to-timezone';
import { LEGAL_WINDOW, type Holiday, type LocalWindow, type Purpose, type SendWindowConfig, type StateRule } from './send-window-rules';
import { stateForZip, US_STATE_CODES, zipFive } from './us-zip-states';

export interface SendWindowQuestion {
  /** The instant the message would go out. */
  readonly at: Date;
  readonly purpose: Purpose;
  /** The person's address ZIP (5 digits or ZIP+4). */
  readonly zip?: string;
  /** The IANA zone PhoneNumberValidate gave for the number (where it was registered). */
  readonly phoneTimeZone?: string;
  /** The practice's IANA zone; used only when neither the ZIP nor the phone zone is known. */
  readonly practiceTimeZone: string;
  /** The person's two-letter state from their address. */
  readonly state?: string;
  /** The practice's own window, if it configured a narrower one. */
  readonly practiceWindow?: LocalWindow;
}

export interface SendWindowAnswer {
  readonly allowed: boolean;
  /** Not allowed: the earliest instant >= at when every rule is met in every zone; null if none within 30 days. Allowed: null. */
  readonly opensAt: Date | null;
  /** Allowed: the end of the current open stretch. Not allowed: null. */
  readonly closesAt: Date | null;
  /** The zones whose local time applied. */
  readonly timeZones: readonly string[];
  /** The person's state (whose rules applied), or undefined when it is unknown. */
  readonly state?: string;
  /** Why the window is closed, in plain words; empty when allowed. */
  readonly reasons: readonly string[];
}

/** How far ahead opensAt is looked for. */
export const OPENS_AT_HORIZON_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The zones whose local time applies to the question, in the order of the sources. */
export function timeZonesFor(q: Partial<SendWindowQuestion> & Pick<SendWindowQuestion, 'practiceTimeZone'>): string[] {
  const fromZip = q.zip === undefined ? [] : zipZones(q.zip);
  const fromPhone = q.phoneTimeZone !== undefined && IANAZone.isValidZone(q.phoneTimeZone) ? [q.phoneTimeZone] : [];
  const known = unique([...fromZip, ...fromPhone]);
  if (known.length > 0) return known;
  if (!IANAZone.isValidZone(q.practiceTimeZone)) {
    throw new RangeError(`practice time zone "${q.practiceTimeZone}" is not an IANA time zone (e.g. America/Chicago)`);
  }
  return [q.practiceTimeZone];
}

/** The person's state: the address state if it is a US state code, else the state of the ZIP's prefix. */
export function recipientState(q: Partial<SendWindowQuestion>): string | undefined {
  const fromAddress = q.state?.trim().toUpperCase();
  if (fromAddress !== undefined && US_STATE_CODES.has(fromAddress)) return fromAddress;
  return q.zip === undefined ? undefined : stateForZip(q.zip);
}

export function checkSendWindow(q: SendWindowQuestion, rules: SendWindowConfig): SendWindowAnswer {
  if (Number.isNaN(q.at.getTime())) throw new RangeError('the send instant is not a valid date');
  const timeZones = timeZonesFor(q);
  const state = recipientState(q);
  const effective = effectiveRules(q, rules, state);
  const at = q.at.getTime();

  const open = timeZones
    .map((zone) => openIntervals(zone, at, effective))
    .reduce((acc, next) => intersect(acc, next));
  const current = open.find((i) => i.start <= at && at < i.end);
  if (current) {
    return { allowed: true, opensAt: null, closesAt: new Date(current.end), timeZones, state, reasons: [] };
  }
  const next = open.find((i) => i.start >= at && i.start <= at + OPENS_AT_HORIZON_DAYS * DAY_MS);
  const reasons = [...new Set(timeZones.flatMap((zone) => closedReasons(zone, at, effective)))];
  return {
    allowed: false,
    opensAt: next ? new Date(next.start) : null,
    closesAt: null,
    timeZones,
    state,
    reasons: reasons.length > 0 ? reasons : ['outside the send window'],
  };
}

/** A bound of the daily window and what set it, so a reason can name the rule. */
interface Bound {
  readonly minutes: number;
  readonly clock: string;
  /** Empty for the base window; else e.g. "FL rule" or "practice window". */
  readonly setBy: string;
}

interface EffectiveRules {
  readonly start: Bound;
  readonly end: Bound;
  readonly purpose: Purpose;
  /** Who forbids Sundays ("in AL"), or undefined when Sundays are open. */
  readonly noSundays?: string;
  /** The forbidden holidays by date, each with who forbids it. */
  readonly holidays: ReadonlyMap<string, { readonly names: string[]; readonly forbiddenBy: string }>;
}

function effectiveRules(q: SendWindowQuestion, rules: SendWindowConfig, state: string | undefined): EffectiveRules {
  const restricting = rules.stateRules.filter((r) => r.purposes.includes(q.purpose) && (state === undefined || r.state === state));
  const label = (r: StateRule) => (state === undefined ? `${r.state} rule; state unknown, so the strictest applies` : `${r.state} rule`);

  let start = bound(LEGAL_WINDOW.start, '');
  let end = bound(LEGAL_WINDOW.end, '');
  const narrow = (s: string | undefined, e: string | undefined, setBy: string) => {
    if (s !== undefined && minutesOf(s) > start.minutes) start = bound(s, setBy);
    if (e !== undefined && minutesOf(e) < end.minutes) end = bound(e, setBy);
  };
  narrow(rules.window.start, rules.window.end, '');
  if (q.practiceWindow) narrow(q.practiceWindow.start, q.practiceWindow.end, 'practice window');
  for (const r of restricting) narrow(r.start, r.end, label(r));

  const where = (states: readonly string[]) =>
    state !== undefined ? `in ${state}` : `while the state is unknown (${states.join(', ')} ${states.length === 1 ? 'forbids' : 'forbid'} them)`;
  const sundayStates = unique(restricting.filter((r) => r.noSundays).map((r) => r.state));
  const holidayStates = unique(restricting.filter((r) => r.noHolidays).map((r) => r.state));

  const holidayNames = new Map<string, { names: string[]; states: Set<string> }>();
  for (const h of rules.holidays) {
    const forbidding = holidayStates.filter((s) => isHolidayIn(h, s));
    if (forbidding.length === 0) continue;
    const entry = holidayNames.get(h.date) ?? { names: [], states: new Set<string>() };
    if (!entry.names.includes(h.name)) entry.names.push(h.name);
    forbidding.forEach((s) => entry.states.add(s));
    holidayNames.set(h.date, entry);
  }
  const holidays = new Map([...holidayNames].map(([date, h]) => [date, { names: h.names, forbiddenBy: where([...h.states]) }] as const));
  return {
    start,
    end,
    purpose: q.purpose,
    noSundays: sundayStates.length > 0 ? where(sundayStates) : undefined,
    holidays,
  };
}

function isHolidayIn(h: Holiday, state: string): boolean {
  return h.states === undefined || h.states.includes(state);
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

/** The open intervals in one zone, from the local day before `at` to past the horizon. */
function openIntervals(zone: string, at: number, rules: EffectiveRules): Interval[] {
  if (rules.start.minutes >= rules.end.minutes) return [];
  const local = DateTime.fromMillis(at, { zone });
  // Calendar arithmetic on a zone-free date, so a DST change never shifts the day.
  const first = DateTime.utc(local.year, local.month, local.day).minus({ days: 1 });
  const intervals: Interval[] = [];
  for (let i = 0; i <= OPENS_AT_HORIZON_DAYS + 2; i++) {
    const day = first.plus({ days: i });
    if (dayClosedBecause(day, rules) !== undefined) continue;
    intervals.push({ start: wallClock(day, rules.start.minutes, zone), end: wallClock(day, rules.end.minutes, zone) });
  }
  return intervals;
}

/** The instant the wall clock in `zone` shows `minutes` past midnight on `day`'s date. */
function wallClock(day: DateTime, minutes: number, zone: string): number {
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toMillis();
}

/** Both lists are sorted and non-overlapping; so is the result. */
function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i].start, b[j].start);
    const end = Math.min(a[i].end, b[j].end);
    if (start < end) out.push({ start, end });
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return out;
}

/** Why a whole local day is closed (Sunday or a holiday), or undefined if it is not. */
function dayClosedBecause(day: DateTime, rules: EffectiveRules): string[] | undefined {
  const why: string[] = [];
  const what = rules.purpose === 'outreach' ? 'solicitations' : `${rules.purpose} messages`;
  if (rules.noSundays !== undefined && day.weekday === 7) why.push(`Sunday: no ${what} ${rules.noSundays}`);
  const holiday = rules.holidays.get(day.toISODate() ?? '');
  if (holiday) why.push(`holiday (${holiday.names.join(', ')}): no ${what} ${holiday.forbiddenBy}`);
  return why.length > 0 ? why : undefined;
}

function closedReasons(zone: string, at: number, rules: EffectiveRules): string[] {
  const { start, end } = rules;
  if (start.minutes >= end.minutes) {
    return [`no time of day meets every rule: they open at ${start.clock}${suffix(start)} but close at ${end.clock}${suffix(end)}`];
  }
  const local = DateTime.fromMillis(at, { zone });
  const why = [...(dayClosedBecause(DateTime.utc(local.year, local.month, local.day), rules) ?? [])];
  const minutes = local.hour * 60 + local.minute;
  if (minutes < start.minutes) why.push(`before ${start.clock} in ${zone}${suffix(start)}`);
  if (minutes >= end.minutes) why.push(`at or after ${end.clock} in ${zone}${suffix(end)}`);
  return why;
}

const suffix = (b: Bound) => (b.setBy === '' ? '' : ` (${b.setBy})`);

function bound(clock: string, setBy: string): Bound {
  return { minutes: minutesOf(clock), clock, setBy };
}

function minutesOf(clock: string): number {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(clock);
  if (!match) throw new RangeError(`"${clock}" is not a local time as HH:MM (24-hour)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * ZIP prefixes a time-zone line runs through where zipcode-to-timezone puts places on the
 * wrong side of it, e.g. Paducah KY 42001, Evansville IN 47712 and Gary IN 46402 (Central
 * time) as Eastern, and Ontario OR 97914 (Mountain) as Pacific. Texting them at 08:00 by the
 * table's zone would reach people at 07:00, so a ZIP there also gets the zone across the
 * line and the window used is the one open on both sides.
 */
const ZONE_LINE_PREFIXES: ReadonlyArray<readonly [readonly string[], string]> = [
  [['420', '421', '422', '423', '424'], 'America/Chicago'], // western Kentucky
  [['463', '464', '476', '477'], 'America/Chicago'], // north-west and south-west Indiana
  [['979'], 'America/Boise'], // Malheur County, Oregon
];

/** The zones of a ZIP: the table's zone, plus the zone across the line where the table is unreliable. */
function zipZones(zip: string): string[] {
  const five = zipFive(zip);
  const zone = five === undefined ? null : zipTimeZone(five);
  if (five === undefined || zone === null || !IANAZone.isValidZone(zone)) return [];
  const across = ZONE_LINE_PREFIXES.find(([prefixes]) => prefixes.includes(five.slice(0, 3)))?.[1];
  return across === undefined ? [zone] : unique([zone, across]);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
