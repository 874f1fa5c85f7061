/**
 * Segments: saved filters over a practice's people, evaluated against each person's roster
 * card (the few fields segments filter on, kept beside the profile so a segment is read
 * from compact items, never by scanning the tracker). Pure: the roster adapter reads the
 * cards, this module says who is in.
 *
 * A filter is a conjunction: every condition given must hold; lists inside one condition
 * are alternatives ("any of these languages").
 */
import { z } from 'zod';
import { CONSENT_KEYS } from './cadence-config';
import { CONTACT_STATUSES, usableNumbers, type ConsentChannel, type ConsentKey, type Contact, type ContactStatus } from './contact';
import { calendarDate } from './person-fields';
import { PHONE_TYPES, type PhoneType } from './phone';

/** What a segment can see of a person: no name, no number, no message text. */
export interface SegmentCard {
  readonly contactId: string;
  readonly tags: readonly string[];
  readonly language?: string;
  readonly status: ContactStatus;
  /** Consent recorded for the person (true granted, false refused); practice defaults apply where absent. */
  readonly consent: Readonly<Partial<Record<ConsentKey, boolean>>>;
  readonly optedOut: readonly (ConsentChannel | 'all')[];
  readonly doNotCall: boolean;
  readonly zip?: string;
  readonly state?: string;
  /** Calendar dates (YYYY-MM-DD) by field: dateOfBirth, lastVisitDate, and import columns holding dates (e.g. recallDate). */
  readonly dates: Readonly<Record<string, string>>;
  /** Types of the person's usable numbers, once PhoneNumberValidate has answered (written by the import's enroll step). */
  readonly phoneTypes?: readonly PhoneType[];
  /** The practice-local date of the person's next booked appointment (the appointment desk keeps it on the profile). */
  readonly appointmentDate?: string;
}

/** The profile part of a card (the number types come from the import's enroll step). */
export type ProfileCard = Omit<SegmentCard, 'phoneTypes'>;

export function profileCardOf(contact: Contact): ProfileCard {
  const dates: Record<string, string> = {};
  if (contact.dateOfBirth) dates.dateOfBirth = contact.dateOfBirth;
  if (contact.lastVisitDate) dates.lastVisitDate = contact.lastVisitDate;
  // Extra columns that hold dates (a recall date, a vaccine due date) can anchor campaigns, by their name in camelCase.
  for (const [header, value] of Object.entries(contact.attributes ?? {})) {
    const name = fieldName(header);
    const date = DATE_ONLY.test(value) ? calendarDate(value.trim(), new Date()) : undefined;
    if (date && name && !Object.hasOwn(dates, name)) dates[name] = date;
  }
  return {
    contactId: contact.contactId,
    tags: contact.tags,
    ...(contact.language ? { language: contact.language } : {}),
    status: contact.status ?? 'open',
    consent: Object.fromEntries(Object.entries(contact.consent).map(([k, v]) => [k, v!.granted])),
    optedOut: (Object.keys(contact.optedOut) as (ConsentChannel | 'all')[]).filter((k) => contact.optedOut[k]),
    doNotCall: Boolean(contact.doNotCall),
    ...(contact.address?.zip ? { zip: contact.address.zip.slice(0, 5) } : {}),
    ...(contact.address?.state ? { state: contact.address.state } : {}),
    dates,
    ...(contact.appointmentDate ? { appointmentDate: contact.appointmentDate } : {}),
  };
}

/** A cell that is a date and nothing else: 2026-09-01, 9/1/2026, 09/01/26. */
const DATE_ONLY = /^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\/\d{1,2}\/(\d{2}|\d{4}))\s*$/;

/** An import column's header as a field name: "Recall Date" → "recallDate" (a header without spaces is kept as written). */
export function fieldName(header: string): string {
  const words = header.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (words.length === 1 && /^[A-Za-z]/.test(words[0]!)) return words[0]!;
  const camel = words.map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[A-Za-z]/.test(camel) ? camel.slice(0, 41) : '';
}

/** The types of the numbers messages may still use for the person (not a wrong number, not given up on). */
export function usablePhoneTypes(contact: Pick<Contact, 'phones' | 'wrongNumbers' | 'undeliverable'>, typeOf: (e164: string) => PhoneType | undefined): PhoneType[] {
  const types = usableNumbers(contact)
    .map((e164) => typeOf(e164))
    .filter((t): t is PhoneType => t !== undefined);
  return [...new Set(types)].sort();
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const days = z.number().int().min(0).max(36_500);

/**
 * A condition on a date field. Absolute bounds (`onOrAfter`, `before`) and relative ones
 * against the evaluation day (`daysAgo`: how long ago it was; `daysAhead`: how soon it comes),
 * `present: false` for people without the date; `age` for birth dates.
 */
const dateConditionSchema = z
  .strictObject({
    present: z.boolean().optional(),
    onOrAfter: isoDate.optional(),
    before: isoDate.optional(),
    daysAgo: z.strictObject({ min: days.optional(), max: days.optional() }).optional(),
    daysAhead: z.strictObject({ min: days.optional(), max: days.optional() }).optional(),
    age: z.strictObject({ min: z.number().int().min(0).max(150).optional(), max: z.number().int().min(0).max(150).optional() }).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { message: 'a date condition needs at least one of present, onOrAfter, before, daysAgo, daysAhead, age' });
export type DateCondition = z.infer<typeof dateConditionSchema>;

const nonEmpty = <T extends z.ZodType>(item: T) => z.array(item).min(1);
const tag = z.string().trim().min(1).transform((t) => t.trim().replace(/\s+/g, ' ').toLowerCase());

export const segmentFilterSchema = z.strictObject({
  /** Import tags and groups ("staff", "patient", "diabetes"). */
  tags: z
    .strictObject({ anyOf: nonEmpty(tag).optional(), allOf: nonEmpty(tag).optional(), noneOf: nonEmpty(tag).optional() })
    .optional(),
  /** Preferred language codes; "unknown" matches people without one. */
  languages: nonEmpty(z.string().regex(/^([a-z]{2}|unknown)$/, 'a two-letter language code or "unknown"')).optional(),
  /** People with at least one usable number of these types. */
  phoneTypes: nonEmpty(z.enum(PHONE_TYPES)).optional(),
  statuses: nonEmpty(z.enum(CONTACT_STATUSES)).optional(),
  /** Consent that must be in place (recorded, or the practice's defaults), and channels that must not be opted out. */
  consent: z
    .strictObject({ granted: nonEmpty(z.enum(CONSENT_KEYS)).optional(), notOptedOut: nonEmpty(z.enum(['sms', 'voice'])).optional(), notDoNotCall: z.boolean().optional() })
    .optional(),
  /** ZIP codes or prefixes ("981", "98101"). */
  zips: nonEmpty(z.string().regex(/^\d{3,5}$/, 'a ZIP code or its first 3–4 digits')).optional(),
  states: nonEmpty(z.string().regex(/^[A-Z]{2}$/, 'a two-letter state code')).optional(),
  /** Conditions on date fields: dateOfBirth, lastVisitDate, appointmentDate, or an import column holding dates. */
  dates: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,40}$/, 'a field name'), dateConditionSchema).optional(),
});
export type SegmentFilter = z.infer<typeof segmentFilterSchema>;

export const segmentSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'segment name: lower-case letters, digits and dashes'),
  practice: z.string().min(1),
  description: z.string().max(200).optional(),
  filter: segmentFilterSchema,
});
export type Segment = z.infer<typeof segmentSchema>;

/** What evaluation needs beyond the card: the day (practice-local) and the practice's consent defaults. */
export interface SegmentContext {
  /** The practice-local date the segment is evaluated on (YYYY-MM-DD). */
  readonly today: string;
  readonly consentDefaults: (tags: readonly string[]) => readonly ConsentKey[];
}

export function inSegment(card: SegmentCard, filter: SegmentFilter, ctx: SegmentContext): boolean {
  const { tags, languages, phoneTypes, statuses, consent, zips, states, dates } = filter;
  if (tags) {
    const carried = new Set(card.tags);
    if (tags.anyOf && !tags.anyOf.some((t) => carried.has(t))) return false;
    if (tags.allOf && !tags.allOf.every((t) => carried.has(t))) return false;
    if (tags.noneOf && tags.noneOf.some((t) => carried.has(t))) return false;
  }
  if (languages && !languages.includes(card.language ?? 'unknown')) return false;
  if (phoneTypes && !(card.phoneTypes ?? []).some((t) => phoneTypes.includes(t))) return false;
  if (statuses && !statuses.includes(card.status)) return false;
  if (consent) {
    const defaults = consent.granted ? ctx.consentDefaults(card.tags) : [];
    if (consent.granted && !consent.granted.every((key) => card.consent[key] ?? defaults.includes(key))) return false;
    if (consent.notOptedOut && (card.optedOut.includes('all') || consent.notOptedOut.some((c) => card.optedOut.includes(c)))) return false;
    if (consent.notDoNotCall && card.doNotCall) return false;
  }
  if (zips && !zips.some((z) => card.zip?.startsWith(z))) return false;
  if (states && !states.includes(card.state ?? '')) return false;
  if (dates) {
    for (const [field, condition] of Object.entries(dates)) {
      if (!dateHolds(dateOf(card, field), condition, ctx.today)) return false;
    }
  }
  return true;
}

export function dateOf(card: SegmentCard, field: string): string | undefined {
  return field === 'appointmentDate' ? card.appointmentDate : Object.hasOwn(card.dates, field) ? card.dates[field] : undefined;
}

export function dateHolds(value: string | undefined, c: DateCondition, today: string): boolean {
  if (c.present !== undefined && c.present !== (value !== undefined)) return false;
  const bounded = c.onOrAfter || c.before || c.daysAgo || c.daysAhead || c.age;
  if (!bounded) return true;
  if (value === undefined) return false;
  if (c.onOrAfter && value < c.onOrAfter) return false;
  if (c.before && value >= c.before) return false;
  // Only relative bounds need the day count (a date library call: the costliest part of a filter over a million cards).
  const ago = c.daysAgo || c.daysAhead ? daysBetween(value, today) : 0;
  if (c.daysAgo && (ago < (c.daysAgo.min ?? 0) || (c.daysAgo.max !== undefined && ago > c.daysAgo.max))) return false;
  if (c.daysAhead && (-ago < (c.daysAhead.min ?? 0) || (c.daysAhead.max !== undefined && -ago > c.daysAhead.max))) return false;
  if (c.age) {
    const age = ageOn(value, today);
    if ((c.age.min !== undefined && age < c.age.min) || (c.age.max !== undefined && age > c.age.max)) return false;
  }
  return true;
}

/** Whole days from `from` to `to` (positive when `from` is earlier). */
export function daysBetween(from: string, to: string): number {
  // Calendar dates at UTC midnight: whole days apart, no time zone or DST in between.
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Completed years from a birth date to a day (a Feb 29 birthday counts from Mar 1 in other years). */
export function ageOn(birth: string, today: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
