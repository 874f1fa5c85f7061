/**
 * Message templates: the fields a template may use, rendering, and the measures the
 * compliance limits are stated in (SMS segments, voicemail seconds). The field list is
 * closed on purpose: there is no field for a diagnosis, medication, test result or visit
 * reason, so a template cannot carry protected health information by construction.
 *
 * Template text uses `{field}` or `{field|fallback}` (the fallback is used when the field
 * has no value, e.g. `Hi {firstName|there}`); links are `{link:NAME}`, from the practice's
 * `links`. Appointment fields exist only for SMS templates of kind "appointment".
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { SegmentedMessage } from 'sms-segments-calculator';
import type { Template } from './cadence-config';
import { healthDetails } from './health-details';

/** Fields every template may use. */
export const GENERAL_FIELDS = ['firstName', 'practiceName', 'callbackNumber', 'practiceAddress'] as const;
/** Fields only SMS templates of kind "appointment" may use (names and appointment date/time/place are allowed there). */
export const APPOINTMENT_FIELDS = ['appointmentDate', 'appointmentTime', 'appointmentPlace'] as const;
export type FieldName = (typeof GENERAL_FIELDS)[number] | (typeof APPOINTMENT_FIELDS)[number];

/**
 * The most characters a variable field renders to. Config checks render every SMS with
 * fields at these lengths, and rendering cuts values to them, so the check is a promise.
 * Dates and times fit the short forms `formatAppointment` produces ("Wed, Sep 30", "10:30 AM",
 * "mié, 30 sept", "10:30").
 */
export const FIELD_BUDGET = {
  firstName: 20,
  appointmentDate: 14,
  appointmentTime: 8,
  appointmentPlace: 24,
} as const;

/** Values a template is rendered with. Practice fields come from the stage config, the rest from the person and appointment. */
export interface TemplateFields {
  readonly firstName?: string;
  readonly practiceName: string;
  /** The callback number as people read it, e.g. "(206) 555-0143". */
  readonly callbackNumber: string;
  /** One line, e.g. "1200 Pine St, Suite 300, Seattle, WA 98101". */
  readonly practiceAddress: string;
  readonly appointmentDate?: string;
  readonly appointmentTime?: string;
  readonly appointmentPlace?: string;
  /** The practice's named links, for `{link:NAME}`. */
  readonly links: Readonly<Record<string, string>>;
}

/** What `templateFields` needs of a practice (a PracticeProfile has it all). */
export interface TemplatePractice {
  readonly displayName: string;
  readonly callbackNumber: string;
  readonly address: { readonly line1: string; readonly line2?: string; readonly city: string; readonly state: string; readonly zip: string };
  readonly links?: Readonly<Record<string, string>>;
}

export interface AppointmentFields {
  readonly date: string;
  readonly time: string;
  readonly place: string;
}

/** The fields for one message to one person; `links` defaults to the practice's own. */
export function templateFields(
  practice: TemplatePractice,
  person: { readonly firstName?: string },
  appointment?: AppointmentFields,
  links: Readonly<Record<string, string>> = practice.links ?? {},
): TemplateFields {
  const { line1, line2, city, state, zip } = practice.address;
  return {
    firstName: person.firstName,
    practiceName: practice.displayName,
    callbackNumber: displayPhone(practice.callbackNumber),
    practiceAddress: `${line1}${line2 ? `, ${line2}` : ''}, ${city}, ${state} ${zip}`,
    appointmentDate: appointment?.date,
    appointmentTime: appointment?.time,
    // A place is free text from the practice's file or an agent: one that names a department
    // or service ("Cancer Center") would say why the person goes, so the street address stands in.
    appointmentPlace: appointment && healthDetails(appointment.place).length > 0 ? line1 : appointment?.place,
    links,
  };
}

/**
 * An appointment's date and time in short local forms that fit FIELD_BUDGET, in the
 * person's language: "Wed, Sep 30" / "10:30 AM" in English, "mié, 30 sept" / "10:30" in Spanish.
 */
export function formatAppointment(start: Date | string, timeZone: string, language: string): { date: string; time: string } {
  const at = typeof start === 'string' ? new Date(start) : start;
  if (Number.isNaN(at.getTime())) throw new Error(`not a date and time: ${String(start)}`);
  const date = new Intl.DateTimeFormat(language, { weekday: 'short', month: 'short', day: 'numeric', timeZone }).format(at);
  const time = new Intl.DateTimeFormat(language, { hour: 'numeric', minute: '2-digit', timeZone }).format(at);
  return { date: cleanValue(date), time: cleanValue(time) };
}

/** "+12065550143" → "(206) 555-0143"; a number libphonenumber cannot read is shown as given. */
export function displayPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}

/** One `{…}` in a template. */
export interface FieldUse {
  /** As written, e.g. "{firstName|there}". */
  readonly raw: string;
  /** The field name, e.g. "firstName", or "link:book". */
  readonly name: string;
  /** For `{link:NAME}`, NAME. */
  readonly link?: string;
  readonly fallback?: string;
  /** Whether the name is one of the approved fields (or a well-formed link). */
  readonly known: boolean;
}

const FIELD_PATTERN = /\{([^{}]*)\}/g;

/** A template's own words, its `{fields}` taken out: what the config checks screen (a field's value is checked where it is filled in). */
export function fixedWords(text: string): string {
  return text.replace(FIELD_PATTERN, ' ');
}
const LINK_NAME = /^[a-z][a-z0-9-]{0,20}$/;
const KNOWN_FIELDS: ReadonlySet<string> = new Set([...GENERAL_FIELDS, ...APPOINTMENT_FIELDS]);

/** The fields a template text uses, in order, and whether a `{` or `}` is left unpaired. */
export function templateFieldUses(text: string): { fields: FieldUse[]; unpairedBrace: boolean } {
  const fields = [...text.matchAll(FIELD_PATTERN)].map((m): FieldUse => {
    const inner = m[1]!;
    const bar = inner.indexOf('|');
    const name = (bar === -1 ? inner : inner.slice(0, bar)).trim();
    const fallback = bar === -1 ? undefined : inner.slice(bar + 1);
    if (name.startsWith('link:')) {
      const link = name.slice('link:'.length);
      return { raw: m[0], name, link, fallback, known: LINK_NAME.test(link) };
    }
    return { raw: m[0], name, fallback, known: KNOWN_FIELDS.has(name) };
  });
  return { fields, unpairedBrace: /[{}]/.test(text.replace(FIELD_PATTERN, '')) };
}

/**
 * Renders a template: each field is replaced by its value, or its fallback when it has
 * none. Values are cleaned first: control characters and `< > { }` removed (a value can
 * never add a field or an SSML tag), whitespace collapsed; a first name keeps only letters,
 * spaces, apostrophes, hyphens and dots, and each variable field is cut to FIELD_BUDGET.
 * Throws on an unknown field, an unknown link, or a field with no value and no fallback.
 */
export function renderTemplate(text: string, fields: TemplateFields): string {
  return render(text, fields, (value) => value);
}

/**
 * Renders an SMS. When the template's own text is GSM-7, field values are folded into the
 * GSM-7 alphabet ("María" → "Maria", "sáb" → "sab"), so a name never turns a one-segment
 * text into a UCS-2 text of three; a first name that cannot be folded is treated as absent
 * (its fallback is used) and other characters that cannot be are dropped.
 */
export function renderSms(text: string, fields: TemplateFields): string {
  const literal = text.replace(FIELD_PATTERN, (_m, inner: string) => (inner.includes('|') ? inner.slice(inner.indexOf('|') + 1) : ''));
  if (!isGsm7(literal)) return renderTemplate(text, fields);
  return render(text, fields, (value, name) => {
    const folded = foldToGsm7(value);
    return folded.complete || name !== 'firstName' ? folded.value : undefined;
  });
}

function render(text: string, fields: TemplateFields, fold: (value: string, name: string) => string | undefined): string {
  return text.replace(FIELD_PATTERN, (raw: string) => {
    const [use] = templateFieldUses(raw).fields;
    if (!use || !use.known) throw new Error(`unknown template field ${raw}`);
    let value: string | undefined;
    if (use.link !== undefined) {
      value = Object.hasOwn(fields.links, use.link) ? fields.links[use.link] : undefined;
      if (value === undefined && use.fallback === undefined) throw new Error(`no link "${use.link}" for ${raw}`);
    } else {
      value = fieldValue(use.name as FieldName, fields);
    }
    const folded = value === undefined ? undefined : fold(value, use.name);
    const shown = folded === undefined || folded === '' ? undefined : folded;
    if (shown !== undefined) return shown;
    if (use.fallback !== undefined) return use.fallback;
    throw new Error(`template field ${raw} has no value and no fallback`);
  });
}

function fieldValue(name: FieldName, fields: TemplateFields): string | undefined {
  switch (name) {
    case 'firstName':
      return cut(cleanName(fields.firstName), FIELD_BUDGET.firstName);
    case 'appointmentDate':
    case 'appointmentTime':
    case 'appointmentPlace':
      return cut(cleanValue(fields[name]), FIELD_BUDGET[name]);
    case 'practiceName':
    case 'callbackNumber':
    case 'practiceAddress':
      return cleanValue(fields[name]);
  }
}

/** Control and format characters out, `< > { }` out, whitespace (including the narrow no-break space some locales put in times) collapsed. */
function cleanValue(raw: string | undefined): string {
  return (raw ?? '')
    .replace(/[\p{Cc}\p{Cf}<>{}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function cleanName(raw: string | undefined): string {
  return cleanValue((raw ?? '').replace(/[^\p{L}\p{M}\s'’.-]/gu, ' '));
}

/** Cuts to `max` code points (never half a surrogate pair) and drops a dangling separator. */
function cut(value: string, max: number): string {
  const points = Array.from(value);
  if (points.length <= max) return value;
  return points.slice(0, max).join('').replace(/[\s'’.-]+$/u, '');
}

/** GSM-7 code units per character: 1 in the basic set, 2 in the extension table (€ [ ] { } ^ ~ | \\ and form feed), 0 outside GSM-7. */
const gsm7Units = new Map<string, number>();
function unitsOf(ch: string): number {
  let units = gsm7Units.get(ch);
  if (units === undefined) {
    const message = new SegmentedMessage(ch, 'auto');
    units = message.encodingName === 'GSM-7' ? message.numberOfCharacters : 0;
    gsm7Units.set(ch, units);
  }
  return units;
}

/** GSM-7 code units of the text, or undefined when a character is outside GSM-7. Per code point, which agrees with the calculator: a character made of several code points is never GSM-7. */
function gsm7Length(text: string): number | undefined {
  let total = 0;
  for (const ch of text) {
    const units = unitsOf(ch);
    if (units === 0) return undefined;
    total += units;
  }
  return total;
}

/** Whether the whole text fits the GSM-7 alphabet (basic set or extension table). */
export function isGsm7(text: string): boolean {
  return gsm7Length(text) !== undefined;
}

/** The characters of a text GSM-7 does not have (each once), e.g. ["á"] for "sábado". */
export function nonGsm7Characters(text: string): string[] {
  return [...new Set(new SegmentedMessage(text, 'auto').getNonGsmCharacters())];
}

const GSM_LOOKALIKES: Readonly<Record<string, string>> = { '’': "'", '‘': "'", '“': '"', '”': '"', '–': '-', '—': '-' };

/** Folds a value into GSM-7; `complete` is false when some character could not be folded (it was dropped). */
function foldToGsm7(value: string): { value: string; complete: boolean } {
  let complete = true;
  const folded = Array.from(value)
    .map((ch) => {
      if (unitsOf(ch) > 0) return ch;
      const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
      if (bare !== '' && isGsm7(bare)) return bare;
      if (GSM_LOOKALIKES[ch]) return GSM_LOOKALIKES[ch];
      complete = false;
      return '';
    })
    .join('');
  return { value: folded.replace(/\s+/g, ' ').trim(), complete };
}

export interface SmsSegments {
  readonly segments: number;
  readonly encoding: 'GSM-7' | 'UCS-2';
  /** Length in the encoding's units: a GSM-7 extended character (€ [ ] { } ^ ~ | \) counts 2, an emoji 2 in UCS-2. */
  readonly characters: number;
}

/** Segments a text takes: GSM-7 160 in one segment, 153 each when split; UCS-2 70, then 67. */
export function smsSegments(text: string): SmsSegments {
  // The calculator splits graphemes slowly (about 1 ms a text); a one-segment GSM-7 text is counted here exactly as it would count it.
  const units = gsm7Length(text);
  if (units !== undefined && units <= 160) return { segments: 1, encoding: 'GSM-7', characters: units };
  const message = new SegmentedMessage(text, 'auto');
  return { segments: message.segmentsCount, encoding: message.encodingName, characters: message.numberOfCharacters };
}

/** The only markup voicemail text may carry: `<break time="500ms"/>` or `<break time="1s"/>`. */
const BREAK_TAG = /<break\s+time="(\d+(?:\.\d+)?)(ms|s)"\s*\/>/g;

/** The pauses of a voicemail text, in seconds, in order. */
export function voicemailPauses(text: string): { tag: string; seconds: number }[] {
  return [...text.matchAll(BREAK_TAG)].map((m) => ({ tag: m[0], seconds: m[2] === 'ms' ? Number(m[1]) / 1000 : Number(m[1]) }));
}

/** The first markup in a voicemail text that is not a `<break>` (voicemail text is plain text otherwise), or undefined. */
export function voicemailStrayMarkup(text: string): string | undefined {
  return text.replace(BREAK_TAG, ' ').match(/<[^>]*>?/)?.[0];
}
/** Speaking rate the estimate assumes (text-to-speech at its default rate is close to it). */
export const WORDS_PER_MINUTE = 150;

/**
 * Estimated length of a rendered voicemail in seconds: words at WORDS_PER_MINUTE plus the
 * pauses. A number of three or more digits counts a word per digit (phone numbers and ZIP
 * codes are read digit by digit), which over-counts a spoken year: the estimate errs long.
 */
export function voicemailSeconds(text: string): number {
  const pauses = voicemailPauses(text).reduce((sum, p) => sum + p.seconds, 0);
  const spoken = text.replace(BREAK_TAG, ' ');
  const words = spoken
    .split(/[\s()/:,;–—-]+|\.(?!\d)/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .reduce((n, w) => n + (/^\d{3,}$/.test(w) ? w.length : 1), 0);
  return (words * 60) / WORDS_PER_MINUTE + pauses;
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** SSML for a rendered voicemail: the text XML-escaped, its `<break>` tags kept. */
export function voicemailSsml(text: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(BREAK_TAG)) {
    parts.push(xmlEscape(text.slice(last, m.index)), `<break time="${m[1]}${m[2]}"/>`);
    last = m.index + m[0].length;
  }
  parts.push(xmlEscape(text.slice(last)));
  return `<speak>${parts.join('')}</speak>`;
}

function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** A template's text per language: the message for SMS and voicemail, the agent's script for calls, the vendor's template id for postcards. */
export function templateTexts(template: Template): Readonly<Record<string, string>> {
  switch (template.channel) {
    case 'sms':
    case 'voicemail':
      return template.text;
    case 'call':
      return template.script;
    case 'postcard':
      return template.vendorTemplate;
  }
}

/** The text in the person's language when the template has it, else in the practice's first language. */
export function templateText(template: Template, language: string | undefined, fallbackLanguage: string): { language: string; text: string } {
  const texts = templateTexts(template);
  for (const candidate of [language, fallbackLanguage]) {
    if (candidate !== undefined && Object.hasOwn(texts, candidate)) return { language: candidate, text: texts[candidate]! };
  }
  throw new Error(`the template has no '${language ?? fallbackLanguage}' text and no '${fallbackLanguage}' text`);
}
