/**
 * One import row → a contact draft, or a reject with a plain-language reason.
 * A row is rejected only when it is unusable: no name, or no way to reach the person
 * (no possibly-valid phone and no complete mailing address). Everything readable is kept;
 * what cannot be read becomes a warning, never a silent drop.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import type { CanonicalField, ColumnMapping, PhoneField } from './import-columns';
import { normalisePhone, type PhoneLabel } from './phone';
import {
  calendarDate,
  emailAddress,
  languageCode,
  nameKey,
  splitFullName,
  stateCode,
  tagList,
  tidyName,
  yesNo,
  zipCode,
} from './person-fields';

export interface DraftPhone {
  readonly e164: string;
  readonly label: PhoneLabel;
  readonly extension?: string;
}

/** A number the row gave that cannot be valid: kept so staff can see what the file said. */
export interface UnusablePhone {
  readonly value: string;
  readonly label: PhoneLabel;
  readonly reason: string;
}

export interface MailingAddress {
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly state?: string;
  readonly zip?: string;
}

/** What a file says about consent; undefined where the file is silent. */
export interface ConsentFlags {
  readonly sms?: boolean;
  readonly voice?: boolean;
  /** Prior express written consent to marketing outreach. */
  readonly outreach?: boolean;
}

export interface ContactDraft {
  readonly externalId?: string;
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName?: string;
  readonly nameKey: string;
  readonly phones: readonly DraftPhone[];
  readonly unusablePhones: readonly UnusablePhone[];
  readonly address?: MailingAddress;
  readonly language?: string;
  readonly email?: string;
  readonly dateOfBirth?: string;
  readonly lastVisitDate?: string;
  readonly tags: readonly string[];
  readonly consent: ConsentFlags;
  readonly doNotCall: boolean;
  readonly cadence?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export type RowOutcome =
  | { readonly kind: 'contact'; readonly draft: ContactDraft; readonly warnings: readonly string[] }
  | { readonly kind: 'reject'; readonly reason: string };

export interface RowContext {
  readonly defaultCountry: CountryCode;
  readonly today: Date;
}

const PHONE_LABELS: Readonly<Record<PhoneField, PhoneLabel>> = {
  mobilePhone: 'mobile',
  homePhone: 'home',
  workPhone: 'work',
  otherPhone: 'other',
};

export function isCompleteAddress(a: MailingAddress | undefined): boolean {
  return Boolean(a?.line1 && a.city && a.state && a.zip);
}

/** Reads one row given as (column, cell) pairs in file order. */
export function readRow(cells: Iterable<readonly [ColumnMapping, string]>, ctx: RowContext): RowOutcome {
  const single = new Map<CanonicalField, string>();
  const phoneCells: Array<{ field: PhoneField; value: string }> = [];
  const attributes: Record<string, string> = {};
  const warnings: string[] = [];

  for (const [column, rawValue] of cells) {
    const value = rawValue.trim();
    if (value === '') continue;
    if (column.kind === 'attribute') attributes[column.header] = value;
    else if (column.field in PHONE_LABELS) phoneCells.push({ field: column.field as PhoneField, value });
    else if (!single.has(column.field)) single.set(column.field, value);
    else if (column.field === 'tags') single.set('tags', `${single.get('tags')};${value}`);
  }

  const names = personName(single);
  if (!names.first && !names.last) return { kind: 'reject', reason: 'no name: the row has no first, last or full name' };

  const phones: DraftPhone[] = [];
  const unusablePhones: UnusablePhone[] = [];
  for (const { field, value } of phoneCells) {
    const label = PHONE_LABELS[field];
    const phone = normalisePhone(value, ctx.defaultCountry);
    if (!phone.ok) unusablePhones.push({ value, label, reason: phone.reason });
    else if (!phones.some((p) => p.e164 === phone.e164)) phones.push({ e164: phone.e164, label, ...(phone.extension ? { extension: phone.extension } : {}) });
  }

  const address = mailingAddress(single, warnings);
  if (phones.length === 0 && !isCompleteAddress(address)) {
    const phoneWhy = unusablePhones.length ? `its phone numbers cannot be valid (${unusablePhones.map((p) => p.reason).join(', ')})` : 'it has no phone number';
    return { kind: 'reject', reason: `no way to reach the person: ${phoneWhy} and no complete mailing address (street, city, state, ZIP)` };
  }

  const language = optional(single.get('language'), languageCode, 'language', warnings);
  const email = optional(single.get('email'), emailAddress, 'email', warnings);
  const dateOfBirth = pastDate(single.get('dateOfBirth'), ctx.today, 'date of birth', warnings);
  const lastVisitDate = pastDate(single.get('lastVisitDate'), ctx.today, 'last visit date', warnings);
  const flag = (field: CanonicalField) => {
    const parsed = yesNo(single.get(field));
    if (parsed === 'unreadable') {
      warnings.push(`${field}: "${single.get(field)}" is not yes or no; ignored`);
      return undefined;
    }
    return parsed;
  };

  const draft: ContactDraft = {
    externalId: single.get('externalId'),
    firstName: names.first,
    middleName: names.middle,
    lastName: names.last,
    nameKey: nameKey(names.first, names.last),
    phones,
    unusablePhones,
    address,
    language,
    email,
    dateOfBirth,
    lastVisitDate,
    tags: tagList(single.get('tags')),
    consent: { sms: flag('smsConsent'), voice: flag('voiceConsent'), outreach: flag('outreachConsent') },
    doNotCall: flag('doNotCall') === true,
    cadence: single.get('cadence'),
    attributes,
  };
  return { kind: 'contact', draft, warnings };
}

function personName(single: ReadonlyMap<CanonicalField, string>): { first?: string; middle?: string; last?: string } {
  const first = tidyName(single.get('firstName'));
  const last = tidyName(single.get('lastName'));
  if (first || last) return { first, middle: tidyName(single.get('middleName')), last };
  const full = tidyName(single.get('fullName'));
  return full ? splitFullName(full) : {};
}

function mailingAddress(single: ReadonlyMap<CanonicalField, string>, warnings: string[]): MailingAddress | undefined {
  const line1 = tidySpaces(single.get('addressLine1'));
  const line2 = tidySpaces(single.get('addressLine2'));
  const city = tidyName(single.get('city'));
  const state = optional(single.get('state'), stateCode, 'state', warnings);
  const zip = optional(single.get('zip'), zipCode, 'ZIP', warnings);
  if (!line1 && !line2 && !city && !state && !zip) return undefined;
  return { line1, line2, city, state, zip };
}

function tidySpaces(raw: string | undefined): string | undefined {
  const text = (raw ?? '').replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text;
}

/** Births and visits are behind us: a date after today is a typo, left out with a warning saying so. */
function pastDate(raw: string | undefined, today: Date, what: string, warnings: string[]): string | undefined {
  if (raw === undefined) return undefined;
  const date = calendarDate(raw, today, 'past');
  if (date === undefined) warnings.push(calendarDate(raw, today) ? `${what}: "${raw}" is after today; ignored` : `${what}: "${raw}" could not be read; ignored`);
  return date;
}

function optional<T>(raw: string | undefined, read: (v: string) => T | undefined, what: string, warnings: string[]): T | undefined {
  if (raw === undefined) return undefined;
  const value = read(raw);
  if (value === undefined) warnings.push(`${what}: "${raw}" could not be read; ignored`);
  return value;
}
