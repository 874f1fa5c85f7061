/**
 * The sandbox's documented, deterministic answers about a phone number (see README.md).
 * Pure functions so the SMS/voice operations can reuse them (e.g. refuse an INVALID number).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';

/** Pinpoint's PhoneType values and their PhoneTypeCode. */
export const PHONE_TYPE_CODES = {
  MOBILE: 0,
  LANDLINE: 1,
  VOIP: 2,
  INVALID: 3,
  OTHER: 4,
  PREPAID: 5,
} as const;

export type PhoneType = keyof typeof PHONE_TYPE_CODES;

export const CARRIERS: Record<Exclude<PhoneType, 'INVALID'>, string> = {
  MOBILE: 'Sandbox Wireless',
  LANDLINE: 'Sandbox Telephone',
  VOIP: 'Sandbox VoIP',
  PREPAID: 'Sandbox Prepaid Wireless',
  OTHER: 'Sandbox Other',
};

/** By the national number: ends in 99 → OTHER; otherwise by the last digit. */
export function phoneTypeOf(nationalNumber: string): PhoneType {
  if (nationalNumber.endsWith('99')) return 'OTHER';
  const last = Number(nationalNumber.at(-1));
  if (last <= 4) return 'MOBILE';
  if (last <= 6) return 'LANDLINE';
  if (last === 7) return 'VOIP';
  if (last === 8) return 'PREPAID';
  return 'INVALID';
}

export interface AreaCodeInfo {
  city: string;
  county: string;
  zip: string;
  timezone: string;
}

const place = (city: string, county: string, zip: string, timezone: string): AreaCodeInfo => ({
  city,
  county,
  zip,
  timezone,
});

/** A small built-in table of US area codes. Unknown US area codes: America/New_York, no city. */
export const US_AREA_CODES: Readonly<Record<string, AreaCodeInfo>> = {
  '202': place('Washington', 'District of Columbia', '20001', 'America/New_York'),
  '205': place('Birmingham', 'Jefferson', '35203', 'America/Chicago'),
  '206': place('Seattle', 'King', '98101', 'America/Los_Angeles'),
  '212': place('New York', 'New York', '10001', 'America/New_York'),
  '213': place('Los Angeles', 'Los Angeles', '90012', 'America/Los_Angeles'),
  '215': place('Philadelphia', 'Philadelphia', '19102', 'America/New_York'),
  '303': place('Denver', 'Denver', '80202', 'America/Denver'),
  '305': place('Miami', 'Miami-Dade', '33101', 'America/New_York'),
  '312': place('Chicago', 'Cook', '60601', 'America/Chicago'),
  '317': place('Indianapolis', 'Marion', '46204', 'America/Indiana/Indianapolis'),
  '404': place('Atlanta', 'Fulton', '30303', 'America/New_York'),
  '415': place('San Francisco', 'San Francisco', '94102', 'America/Los_Angeles'),
  '425': place('Seattle', 'King', '98101', 'America/Los_Angeles'),
  '502': place('Louisville', 'Jefferson', '40202', 'America/Kentucky/Louisville'),
  '503': place('Portland', 'Multnomah', '97204', 'America/Los_Angeles'),
  '504': place('New Orleans', 'Orleans', '70112', 'America/Chicago'),
  '520': place('Tucson', 'Pima', '85701', 'America/Phoenix'),
  '602': place('Phoenix', 'Maricopa', '85004', 'America/Phoenix'),
  '612': place('Minneapolis', 'Hennepin', '55401', 'America/Chicago'),
  '617': place('Boston', 'Suffolk', '02108', 'America/New_York'),
  '646': place('New York', 'New York', '10001', 'America/New_York'),
  '702': place('Las Vegas', 'Clark', '89101', 'America/Los_Angeles'),
  '713': place('Houston', 'Harris', '77002', 'America/Chicago'),
  '718': place('New York', 'Kings', '11201', 'America/New_York'),
  '773': place('Chicago', 'Cook', '60614', 'America/Chicago'),
  '786': place('Miami', 'Miami-Dade', '33125', 'America/New_York'),
  '801': place('Salt Lake City', 'Salt Lake', '84101', 'America/Denver'),
  '808': place('Honolulu', 'Honolulu', '96813', 'Pacific/Honolulu'),
  '907': place('Anchorage', 'Anchorage', '99501', 'America/Anchorage'),
};

export const UNKNOWN_US_TIMEZONE = 'America/New_York';

/** Pinpoint's NumberValidateResponse (every member optional on the wire). */
export interface NumberValidation {
  Carrier?: string;
  City?: string;
  CleansedPhoneNumberE164?: string;
  CleansedPhoneNumberNational?: string;
  Country?: string;
  CountryCodeIso2?: string;
  CountryCodeNumeric?: string;
  County?: string;
  OriginalCountryCodeIso2?: string;
  OriginalPhoneNumber?: string;
  PhoneType: PhoneType;
  PhoneTypeCode: number;
  Timezone?: string;
  ZipCode?: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** The main country of a calling code (`1` → US), for numbers libphonenumber cannot place. */
function mainCountryOf(callingCode: string): string | undefined {
  const countries = (metadata.country_calling_codes as Record<string, string[] | undefined>)[callingCode];
  const main = countries?.[0];
  return main && /^[A-Z]{2}$/.test(main) ? main : undefined;
}

function isCountryCode(value: string | undefined): value is CountryCode {
  return !!value && /^[A-Z]{2}$/.test(value);
}

/**
 * Validate a number as the sandbox's PhoneNumberValidate does. A number without `+` is read
 * as national to `isoCountryCode` (default US). A number that cannot be parsed into a
 * possible number answers INVALID with only the Original* members.
 */
export function validatePhoneNumber(phoneNumber: string, isoCountryCode?: string): NumberValidation {
  const iso = isoCountryCode?.trim().toUpperCase() || undefined;
  const defaultCountry: CountryCode = isCountryCode(iso) ? iso : 'US';
  const parsed = parsePhoneNumberFromString(phoneNumber, defaultCountry);
  const original = {
    OriginalPhoneNumber: phoneNumber,
    ...(iso ? { OriginalCountryCodeIso2: iso } : {}),
  };
  if (!parsed || !parsed.isPossible()) {
    return { ...original, PhoneType: 'INVALID', PhoneTypeCode: PHONE_TYPE_CODES.INVALID };
  }

  const national = String(parsed.nationalNumber);
  const country = parsed.country ?? mainCountryOf(String(parsed.countryCallingCode));
  const type = phoneTypeOf(national);
  const answer: NumberValidation = {
    ...original,
    OriginalCountryCodeIso2: iso ?? country,
    CleansedPhoneNumberE164: String(parsed.number),
    CleansedPhoneNumberNational: national,
    CountryCodeNumeric: String(parsed.countryCallingCode),
    ...(country ? { CountryCodeIso2: country, Country: regionNames.of(country) } : {}),
    PhoneType: type,
    PhoneTypeCode: PHONE_TYPE_CODES[type],
  };
  if (type === 'INVALID') return dropUndefined(answer);

  answer.Carrier = CARRIERS[type];
  if (country === 'US') {
    const area = US_AREA_CODES[national.slice(0, 3)];
    answer.Timezone = area?.timezone ?? UNKNOWN_US_TIMEZONE;
    if (area) {
      answer.City = area.city;
      answer.County = area.county;
      answer.ZipCode = area.zip;
    }
  }
  return dropUndefined(answer);
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
