/**
 * Normalisers for the person fields an import row carries: names, US addresses,
 * languages, yes/no flags, dates, tags and e-mail. Each returns undefined for what it
 * cannot read, so the caller decides whether that is a warning or a reject.
 */

/**
 * "  MARY  ANN " or "mary ann" → "Mary Ann": a name written all in capitals or all in
 * lower case is title-cased; anything in mixed case ("van Gogh", "McDonald") is kept as written.
 */
export function tidyName(raw: string | undefined): string | undefined {
  const text = (raw ?? '').replace(/\s+/g, ' ').trim();
  if (text === '') return undefined;
  if (text !== text.toUpperCase() && text !== text.toLowerCase()) return text;
  return text.toLowerCase().replace(/(^|[\s\-'’.])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
}

const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'md', 'phd', 'dds']);

/** Splits one full-name column: "Garcia, Maria Elena" or "Maria Elena Garcia Jr." */
export function splitFullName(full: string): { first?: string; middle?: string; last?: string } {
  const comma = full.indexOf(',');
  if (comma > 0) {
    const last = full.slice(0, comma).trim();
    const rest = full.slice(comma + 1).trim().split(' ').filter(Boolean);
    const isSuffix = (w: string | undefined) => w !== undefined && SUFFIXES.has(w.toLowerCase().replace(/\./g, ''));
    const suffix = rest.length > 1 && isSuffix(rest.at(-1)) ? rest.pop() : undefined;
    if (rest.length > 0 && !isSuffix(rest[0])) {
      return { first: rest[0], middle: rest.slice(1).join(' ') || undefined, last: [last, suffix].filter(Boolean).join(' ') || undefined };
    }
  }
  const words = full.split(' ').filter(Boolean);
  if (words.length === 1) return { first: words[0] };
  let lastIndex = words.length - 1;
  if (lastIndex > 1 && SUFFIXES.has(words[lastIndex]!.toLowerCase().replace(/\./g, ''))) lastIndex -= 1;
  return {
    first: words[0],
    middle: words.slice(1, lastIndex).join(' ') || undefined,
    last: words.slice(lastIndex).join(' '),
  };
}

/** The name as compared for duplicates: letters of any script, no accents, no case. */
export function nameKey(first: string | undefined, last: string | undefined): string {
  const fold = (s: string | undefined) =>
    (s ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}]/gu, '');
  return `${fold(first)}|${fold(last)}`;
}

const STATES: Readonly<Record<string, string>> = {
  alabama: 'AL', alaska: 'AK', arizona: 'AZ', arkansas: 'AR', california: 'CA', colorado: 'CO', connecticut: 'CT',
  delaware: 'DE', districtofcolumbia: 'DC', florida: 'FL', georgia: 'GA', hawaii: 'HI', idaho: 'ID', illinois: 'IL',
  indiana: 'IN', iowa: 'IA', kansas: 'KS', kentucky: 'KY', louisiana: 'LA', maine: 'ME', maryland: 'MD',
  massachusetts: 'MA', michigan: 'MI', minnesota: 'MN', mississippi: 'MS', missouri: 'MO', montana: 'MT',
  nebraska: 'NE', nevada: 'NV', newhampshire: 'NH', newjersey: 'NJ', newmexico: 'NM', newyork: 'NY',
  northcarolina: 'NC', northdakota: 'ND', ohio: 'OH', oklahoma: 'OK', oregon: 'OR', pennsylvania: 'PA',
  rhodeisland: 'RI', southcarolina: 'SC', southdakota: 'SD', tennessee: 'TN', texas: 'TX', utah: 'UT', vermont: 'VT',
  virginia: 'VA', washington: 'WA', westvirginia: 'WV', wisconsin: 'WI', wyoming: 'WY', puertorico: 'PR',
  guam: 'GU', virginislands: 'VI', americansamoa: 'AS', northernmarianaislands: 'MP',
};
const STATE_CODES = new Set(Object.values(STATES));

/** "wa", "Washington", "WA." → "WA". */
export function stateCode(raw: string | undefined): string | undefined {
  const key = (raw ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (key.length === 2 && STATE_CODES.has(key.toUpperCase())) return key.toUpperCase();
  return STATES[key];
}

/** "98101", "98101-1234", "981011234", and "2134" (a spreadsheet ate the leading zero) → ZIP. */
export function zipCode(raw: string | undefined): string | undefined {
  const digits = (raw ?? '').replace(/[^0-9]/g, '');
  if (digits.length === 4 || digits.length === 5) return digits.padStart(5, '0');
  if (digits.length === 8 || digits.length === 9) {
    const full = digits.padStart(9, '0');
    return `${full.slice(0, 5)}-${full.slice(5)}`;
  }
  return undefined;
}

const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'en', eng: 'en', english: 'en', ingles: 'en',
  es: 'es', spa: 'es', spanish: 'es', espanol: 'es', castellano: 'es',
  zh: 'zh', chinese: 'zh', mandarin: 'zh', cantonese: 'zh', zho: 'zh',
  vi: 'vi', vietnamese: 'vi', tiengviet: 'vi',
  ko: 'ko', korean: 'ko', tl: 'tl', tagalog: 'tl', filipino: 'tl',
  ru: 'ru', russian: 'ru', ar: 'ar', arabic: 'ar', fr: 'fr', french: 'fr', francais: 'fr',
  ht: 'ht', haitiancreole: 'ht', kreyol: 'ht', pt: 'pt', portuguese: 'pt', portugues: 'pt',
  de: 'de', german: 'de', ja: 'ja', japanese: 'ja', hi: 'hi', hindi: 'hi', pl: 'pl', polish: 'pl',
  so: 'so', somali: 'so', am: 'am', amharic: 'am', fa: 'fa', farsi: 'fa', persian: 'fa',
};

/** "Spanish", "Español", "es", "es-MX", "English (US)", "Chinese (Mandarin)", "Spanish/English" → the first language named. */
export function languageCode(raw: string | undefined): string | undefined {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  const key = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
  const first = text.split(/[-_(/,;|]/)[0]!;
  return LANGUAGES[key(first)] ?? LANGUAGES[key(text)];
}

/** Yes/no columns: "Y", "yes", "true", "1", "x", "opted in" … and their opposites. */
export function yesNo(raw: string | undefined): boolean | undefined | 'unreadable' {
  const key = (raw ?? '').trim().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');
  if (key === '') return undefined;
  if (['y', 'yes', 'true', 't', '1', 'x', 'optin', 'optedin', 'si', 'ok', 'consent', 'consented'].includes(key)) return true;
  if (['n', 'no', 'false', 'f', '0', 'optout', 'optedout', 'declined', 'refused', 'none'].includes(key)) return false;
  return 'unreadable';
}

/**
 * Calendar dates as spreadsheets write them: 2024-03-09, 03/09/2024, 3/9/24, 20240309.
 * US order (month first) for slashed dates. `kind` says what the date can be:
 * - `past` (a birth, a visit): a two-digit year is the most recent such date not after
 *   today (so a 1950s birthday stays in the 1900s and 12/31/26 read in March 2026 is 1926),
 *   and a date after today is no such date;
 * - `any` (a recall or due date): a two-digit year is the one nearest today.
 */
export function calendarDate(raw: string | undefined, today: Date, kind: 'past' | 'any' = 'any'): string | undefined {
  const text = (raw ?? '').trim();
  let y: number, m: number, d: number;
  let match: RegExpExecArray | null;
  let twoDigitYear = false;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$/.exec(text))) [y, m, d] = [+match[1]!, +match[2]!, +match[3]!];
  else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text))) {
    [m, d, y] = [+match[1]!, +match[2]!, +match[3]!];
    twoDigitYear = match[3]!.length === 2;
  } else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(text))) [y, m, d] = [+match[1]!, +match[2]!, +match[3]!];
  else return undefined;
  const todayIso = today.toISOString().slice(0, 10);
  if (twoDigitYear) {
    const century = Math.floor(today.getUTCFullYear() / 100) * 100;
    y += century;
    if (kind === 'past' && isoDate(y, m, d) > todayIso) y -= 100;
    if (kind === 'any' && y - today.getUTCFullYear() > 50) y -= 100;
    if (kind === 'any' && today.getUTCFullYear() - y > 50) y += 100;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  const iso = date.toISOString().slice(0, 10);
  return kind === 'past' && iso > todayIso ? undefined : iso;
}

const isoDate = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** "Diabetes; Spanish speakers | staff" → ["diabetes", "spanish speakers", "staff"]. */
export function tagList(raw: string | undefined): string[] {
  const tags = (raw ?? '')
    .split(/[;,|]/)
    .map((t) => t.trim().replace(/\s+/g, ' ').toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

export function emailAddress(raw: string | undefined): string | undefined {
  const text = (raw ?? '').trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(text) ? text : undefined;
}
