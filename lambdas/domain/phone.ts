/**
 * Phone numbers: normalisation to E.164 (libphonenumber-js with full metadata), the
 * phone types PhoneNumberValidate reports, and which channels each type can take.
 * A number that cannot be valid is settled here, without a paid lookup.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type PhoneLabel = 'mobile' | 'home' | 'work' | 'other';

/** The types PhoneNumberValidate returns (PhoneType). */
export const PHONE_TYPES = ['MOBILE', 'LANDLINE', 'VOIP', 'PREPAID', 'INVALID', 'OTHER'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

export type NormalisedPhone =
  | { readonly ok: true; readonly e164: string; readonly extension?: string }
  | { readonly ok: false; readonly reason: string };

const KEYPAD: Readonly<Record<string, string>> = Object.fromEntries(
  ['abc2', 'def3', 'ghi4', 'jkl5', 'mno6', 'pqrs7', 'tuv8', 'wxyz9'].flatMap((g) => [...g.slice(0, -1)].map((c) => [c, g.at(-1)!])),
);

/**
 * Normalises what a person typed into E.164. Accepts parentheses, dots, dashes, spaces,
 * `+1` or a leading 1, "x12"/"ext. 12" extensions (kept apart: a text cannot dial them)
 * and vanity words (1-800-FLOWERS). A lone letter among digits is a typo, not a vanity
 * word, so such a number is refused rather than guessed.
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode = 'US'): NormalisedPhone {
  let text = raw.trim().replace(/^tel:/i, '');
  if (text === '') return { ok: false, reason: 'empty' };
  const extMatch = /\s*(?:#|x|ext\.?|extension)\s*(\d{1,6})\s*$/i.exec(text);
  const extension = extMatch?.[1];
  if (extMatch) text = text.slice(0, extMatch.index);
  const letterRuns = text.match(/[a-z]+/gi) ?? [];
  if (letterRuns.some((run) => run.length < 3)) return { ok: false, reason: 'contains letters' };
  text = text.replace(/[a-z]/gi, (c) => KEYPAD[c.toLowerCase()]!);
  if (!/\d/.test(text)) return { ok: false, reason: 'no digits' };
  text = withoutMexicanMobileOne(text);

  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (!parsed) return { ok: false, reason: 'not a phone number' };
  if (!parsed.isPossible()) return { ok: false, reason: parsed.nationalNumber.length < 10 ? 'too short' : 'wrong length' };
  if (!parsed.isValid()) return { ok: false, reason: 'not a valid number for its country' };
  return extension ? { ok: true, e164: parsed.number, extension } : { ok: true, e164: parsed.number };
}

/**
 * Mexico dropped the "1" its mobiles were dialled with from abroad (+52 1 55 …) in 2019;
 * address books still hold it, and the number without it is the same phone.
 */
function withoutMexicanMobileOne(text: string): string {
  const match = /^(?:\+|00|011)521(\d{10})$/.exec(text.replace(/[^\d+]/g, ''));
  return match ? `+52${match[1]}` : text;
}

export type Channel = 'sms' | 'voice';

/**
 * Channel eligibility by type: mobiles (and prepaid mobiles) take texts and calls;
 * landlines and VoIP only calls; OTHER only calls and is flagged for a person to check;
 * INVALID takes no phone outreach (a postcard still can, given an address).
 */
export function channelsForType(type: PhoneType): { readonly channels: readonly Channel[]; readonly flagged: boolean } {
  switch (type) {
    case 'MOBILE':
    case 'PREPAID':
      return { channels: ['sms', 'voice'], flagged: false };
    case 'LANDLINE':
    case 'VOIP':
      return { channels: ['voice'], flagged: false };
    case 'OTHER':
      return { channels: ['voice'], flagged: true };
    case 'INVALID':
      return { channels: [], flagged: false };
  }
}

/** Maps PhoneNumberValidate's PhoneType text onto ours; anything unknown is OTHER. */
export function phoneTypeOf(value: string | undefined): PhoneType {
  const upper = (value ?? '').toUpperCase();
  return (PHONE_TYPES as readonly string[]).includes(upper) ? (upper as PhoneType) : 'OTHER';
}
