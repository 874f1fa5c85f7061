/**
 * Generated import files for the benchmark: a realistic practice export (External ID,
 * names, two phone columns, mailing address, language, SMS consent), written as a stream
 * so a million rows never sit in memory. Deterministic for a given seed.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { mulberry32 as seededRandom } from '../sandbox/behaviour';
import type { SegmentCard } from '../../lambdas/domain/segment';

/** Area codes with a city that matches them, so addresses and numbers look alike. */
const PLACES = [
  { areaCodes: ['206', '425'], city: 'Seattle', state: 'WA', zips: ['98101', '98103', '98109', '98115', '98122'] },
  { areaCodes: ['312', '773'], city: 'Chicago', state: 'IL', zips: ['60601', '60611', '60614', '60622', '60647'] },
  { areaCodes: ['212', '646', '718'], city: 'New York', state: 'NY', zips: ['10001', '10011', '10025', '11201', '11215'] },
  { areaCodes: ['713'], city: 'Houston', state: 'TX', zips: ['77002', '77006', '77019'] },
  { areaCodes: ['303'], city: 'Denver', state: 'CO', zips: ['80202', '80205', '80218'] },
  { areaCodes: ['617'], city: 'Boston', state: 'MA', zips: ['02108', '02115', '02130'] },
  { areaCodes: ['503'], city: 'Portland', state: 'OR', zips: ['97204', '97209', '97214'] },
  { areaCodes: ['404'], city: 'Atlanta', state: 'GA', zips: ['30303', '30308', '30312'] },
] as const;
const AREA_CODES: readonly string[] = PLACES.flatMap((p) => p.areaCodes);

const FIRST_NAMES = (
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah ' +
  'Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily ' +
  'Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Rebecca Jose Maria ' +
  'Luis Carmen Juan Rosa Carlos Ana Miguel Sofia Wei Mei Hiroshi Yuki Nguyen Linh Ahmed Fatima Olga Ivan Priya Arjun Chloe Noah'
).split(' ');
const LAST_NAMES = (
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor ' +
  'Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott ' +
  'Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Chen Wang Kim Patel Singh Ivanova ' +
  "O'Brien Murphy Kowalski Schmidt Rossi Tanaka Sato Haddad Cohen Novak Silva Santos Okafor Mensah Johansson Dubois Müller"
).split(' ');
const STREETS = ['Pine St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Lake Shore Dr', '1st Ave', 'Broadway', 'Main St', 'Elm St', 'Park Pl', 'Washington Blvd', 'Hillside Rd'];
const LANGUAGES = ['English', 'English', 'English', 'English', 'Spanish', 'Spanish', 'en', 'es', 'Vietnamese', 'Chinese', 'Russian', ''];
const CONSENT = ['Y', 'Y', 'Yes', 'N', 'No', '', 'TRUE', 'false'];
/** Numbers that can never be valid: settled without a lookup (and reported as warnings). */
const UNUSABLE_NUMBERS = ['555-1234', '000-000-0000', '123', 'n/a', '(206) 555-01', '1-800-CALL-NOW-PLS'];

export const HEADER = ['External ID', 'First Name', 'Last Name', 'Mobile Phone', 'Home Phone', 'Address', 'City', 'State', 'ZIP', 'Language', 'SMS Consent'] as const;

/**
 * `count` distinct valid US numbers (E.164), each one checked with libphonenumber's full
 * metadata. Exchanges 200–999, never N11 or 555, so every number is a real-looking one.
 */
export function phoneNumberPool(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const pool: string[] = [];
  let attempts = 0;
  while (pool.length < count) {
    if (++attempts > count * 20 + 1000) throw new Error(`could not find ${count} valid numbers`);
    const area = AREA_CODES[Math.floor(random() * AREA_CODES.length)]!;
    const exchange = 200 + Math.floor(random() * 800);
    if (exchange % 100 === 11 || exchange === 555 || exchange === 950 || exchange === 958 || exchange === 959 || exchange === 976) continue;
    const line = String(Math.floor(random() * 10_000)).padStart(4, '0');
    const e164 = `+1${area}${exchange}${line}`;
    if (seen.has(e164) || !isValidPhoneNumber(e164)) continue;
    seen.add(e164);
    pool.push(e164);
  }
  return pool;
}

/** How a person might have typed a number into the practice system. */
function formatNumber(e164: string, style: number): string {
  const area = e164.slice(2, 5);
  const exchange = e164.slice(5, 8);
  const line = e164.slice(8);
  switch (style % 5) {
    case 0:
      return `(${area}) ${exchange}-${line}`;
    case 1:
      return `${area}-${exchange}-${line}`;
    case 2:
      return `${area}.${exchange}.${line}`;
    case 3:
      return `+1 ${area} ${exchange} ${line}`;
    default:
      return `${area}${exchange}${line}`;
  }
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface GenerateOptions {
  readonly rows: number;
  /** Numbers the rows draw from (mobile and home phones alike). */
  readonly numbers: NumberSource;
  /** Share of rows that cannot be imported (no name, or no phone and no full address). @default 0.02 */
  readonly rejectRate?: number;
  /** Share of rows that repeat an earlier row's person (same External ID). @default 0.03 */
  readonly duplicateRate?: number;
  /** Share of rows with a home phone as well. @default 0.4 */
  readonly homePhoneRate?: number;
  /** Share of rows whose home phone cannot be valid (a warning, not a reject). @default 0.01 */
  readonly unusablePhoneRate?: number;
  readonly seed?: number;
}

/**
 * Where a row's numbers come from: `sequential` hands out pool[0], pool[1], … in order and
 * wraps (every number used equally); `random` draws from the pool.
 */
export interface NumberSource {
  readonly pool: readonly string[];
  readonly pick: 'sequential' | 'random';
}

export interface GeneratedFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
  /** Rows written to be rejected. */
  readonly rejectRows: number;
  /** Rows that repeat an earlier row's External ID. */
  readonly duplicateRows: number;
  /** Phone cells that hold a possibly-valid number (each a lookup candidate). */
  readonly phoneCells: number;
  /** Distinct valid numbers the file contains. */
  readonly uniqueNumbers: number;
  readonly seconds: number;
}

/** Writes the file row by row, waiting for the stream to drain; memory stays flat. */
export async function generateImportFile(path: string, options: GenerateOptions): Promise<GeneratedFile> {
  const started = performance.now();
  const random = seededRandom(options.seed ?? 42);
  const rejectRate = options.rejectRate ?? 0.02;
  const duplicateRate = options.duplicateRate ?? 0.03;
  const homePhoneRate = options.homePhoneRate ?? 0.4;
  const unusablePhoneRate = options.unusablePhoneRate ?? 0.01;
  const { pool, pick } = options.numbers;
  const pickInt = (n: number) => Math.floor(random() * n);
  const pickOf = <T>(list: readonly T[]): T => list[pickInt(list.length)]!;

  let nextNumber = 0;
  const usedNumbers = new Uint8Array(pool.length);
  let uniqueNumbers = 0;
  const takeNumber = (): string => {
    const index = pick === 'sequential' ? nextNumber++ % pool.length : pickInt(pool.length);
    if (usedNumbers[index] === 0) {
      usedNumbers[index] = 1;
      uniqueNumbers += 1;
    }
    return pool[index]!;
  };

  // Recent people, for duplicates: a bounded ring, so memory does not grow with the file.
  const recent: string[][] = [];
  const RECENT = 2000;

  const out = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let bytes = 0;
  let chunk = '';
  const flush = async () => {
    if (chunk === '') return;
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await once(out, 'drain');
  };
  const writeLine = async (cells: readonly string[]) => {
    chunk += `${cells.map(csvCell).join(',')}\n`;
    if (chunk.length > 256 * 1024) await flush();
  };

  let rejectRows = 0;
  let duplicateRows = 0;
  let phoneCells = 0;
  await writeLine(HEADER);
  for (let row = 1; row <= options.rows; row++) {
    const roll = random();
    if (roll < duplicateRate && recent.length > 0) {
      // The same person again, sometimes with a changed consent answer.
      const again = [...pickOf(recent)];
      if (random() < 0.3) again[10] = pickOf(CONSENT);
      duplicateRows += 1;
      phoneCells += (again[3] ? 1 : 0) + (again[4] && !UNUSABLE_NUMBERS.includes(again[4]) ? 1 : 0);
      await writeLine(again);
      continue;
    }
    const reject = roll >= duplicateRate && roll < duplicateRate + rejectRate;
    const noName = reject && random() < 0.5;
    const place = pickOf(PLACES);
    const externalId = `MRN${String(row).padStart(8, '0')}`;
    const first = noName ? '' : pickOf(FIRST_NAMES);
    const last = noName ? '' : pickOf(LAST_NAMES);
    const address = `${100 + pickInt(9900)} ${pickOf(STREETS)}${random() < 0.1 ? `, Apt ${1 + pickInt(40)}` : ''}`;
    let mobile = '';
    let home = '';
    let zip: string = pickOf(place.zips);
    if (noName) {
      // Its number never reaches the work list: not taken from the sequence.
      mobile = formatNumber(pool[pickInt(pool.length)]!, pickInt(5));
    } else if (reject) {
      zip = ''; // no phone, and an address without a ZIP: no way to reach the person
    } else {
      mobile = formatNumber(takeNumber(), pickInt(5));
      phoneCells += 1;
      if (random() < homePhoneRate) {
        if (random() < unusablePhoneRate / homePhoneRate) home = pickOf(UNUSABLE_NUMBERS);
        else {
          home = formatNumber(takeNumber(), pickInt(5));
          phoneCells += 1;
        }
      }
    }
    if (reject) rejectRows += 1;
    const cells = [externalId, first, last, mobile, home, address, place.city, place.state, zip, pickOf(LANGUAGES), pickOf(CONSENT)];
    if (!reject) {
      if (recent.length < RECENT) recent.push(cells);
      else recent[pickInt(RECENT)] = cells;
    }
    await writeLine(cells);
  }
  await flush();
  out.end();
  await once(out, 'finish');
  return { path, rows: options.rows, bytes, rejectRows, duplicateRows, phoneCells, uniqueNumbers, seconds: (performance.now() - started) / 1000 };
}

/**
 * `count` distinct valid mobile numbers in one area code, as the telephony sandbox types them:
 * the national number's last digit 0–4 is MOBILE (and never …99). Area code 206 is Seattle,
 * America/Los_Angeles, in the sandbox's table.
 */
export function mobileNumberPool(count: number, seed: number, areaCode = '206'): string[] {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const pool: string[] = [];
  let attempts = 0;
  while (pool.length < count) {
    if (++attempts > count * 50 + 1000) throw new Error(`could not find ${count} valid mobile numbers in ${areaCode}`);
    const exchange = 200 + Math.floor(random() * 800);
    if (exchange % 100 === 11 || exchange === 555 || exchange === 950 || exchange === 958 || exchange === 959 || exchange === 976) continue;
    const line = `${String(Math.floor(random() * 1000)).padStart(3, '0')}${Math.floor(random() * 5)}`;
    const e164 = `+1${areaCode}${exchange}${line}`;
    if (seen.has(e164) || !isValidPhoneNumber(e164)) continue;
    seen.add(e164);
    pool.push(e164);
  }
  return pool;
}

/** Who generateMobileFile's people are, for a send-window question: Seattle, WA 98101, a 206 mobile. */
export const MOBILE_FILE_RECIPIENT = { purpose: 'care', zip: '98101', phoneTimeZone: 'America/Los_Angeles', state: 'WA' } as const;

/**
 * One row per number: a named person in Seattle (WA 98101) with that mobile and SMS consent,
 * so every row is a contact a care text may reach.
 */
export async function generateMobileFile(path: string, numbers: readonly string[], seed = 1): Promise<GeneratedFile> {
  const started = performance.now();
  const random = seededRandom(seed);
  const pickOf = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const header = ['External ID', 'First Name', 'Last Name', 'Mobile Phone', 'Address', 'City', 'State', 'ZIP', 'Language', 'SMS Consent'];
  const lines = [header.join(',')];
  numbers.forEach((e164, i) => {
    const cells = [`SMS${String(i + 1).padStart(8, '0')}`, pickOf(FIRST_NAMES), pickOf(LAST_NAMES), formatNumber(e164, i), `${100 + i} Pine St`, 'Seattle', 'WA', '98101', 'English', 'Yes'];
    lines.push(cells.map(csvCell).join(','));
  });
  const text = `${lines.join('\n')}\n`;
  const out = createWriteStream(path, { encoding: 'utf8' });
  out.end(text);
  await once(out, 'finish');
  return {
    path,
    rows: numbers.length,
    bytes: Buffer.byteLength(text),
    rejectRows: 0,
    duplicateRows: 0,
    phoneCells: numbers.length,
    uniqueNumbers: new Set(numbers).size,
    seconds: (performance.now() - started) / 1000,
  };
}

/** `[share, value]` pairs; the last value takes whatever the shares leave. */
type Choices<T> = ReadonlyArray<readonly [number, T]>;

function weighted<T>(random: () => number, choices: Choices<T>): T {
  let roll = random();
  for (const [share, value] of choices) {
    if (roll < share) return value;
    roll -= share;
  }
  return choices.at(-1)![1];
}

const CARD_TAGS: Choices<readonly string[]> = [[0.5, ['patient']], [0.12, ['diabetes', 'patient']], [0.33, ['prospect']], [0.05, ['staff']]];
const CARD_LANGUAGES: Choices<string | undefined> = [[0.7, 'en'], [0.2, 'es'], [0.07, 'vi'], [0.03, undefined]];
const CARD_STATUSES: Choices<SegmentCard['status']> = [[0.85, 'open'], [0.06, 'already-patient'], [0.04, 'booked'], [0.03, 'declined'], [0.015, 'wrong-number'], [0.005, 'deceased']];
/** 80% with a mobile; the rest a landline, VoIP, or no usable number. */
const CARD_PHONE_TYPES: Choices<NonNullable<SegmentCard['phoneTypes']>> = [[0.75, ['MOBILE']], [0.05, ['LANDLINE', 'MOBILE']], [0.1, ['LANDLINE']], [0.06, ['VOIP']], [0.04, []]];
/** ~3% opted out. */
const CARD_OPT_OUTS: Choices<SegmentCard['optedOut']> = [[0.02, ['sms']], [0.01, ['all']], [0.97, []]];
const CONSENT_ANSWER: Choices<boolean | undefined> = [[0.7, true], [0.05, false], [0.25, undefined]];

/**
 * Roster cards as imports leave them (lambdas/adapters/roster.ts), person `index` of a
 * practice: tags, languages, statuses, number types, consent and opt-outs in a fixed mix,
 * ZIPs of eight states, birth dates over 80 years and last visits over 3 years before
 * `today` (YYYY-MM-DD). Deterministic for a seed when called for 0, 1, 2, … in order.
 */
export function cardGenerator(seed: number, today: string): (index: number) => SegmentCard & { readonly updatedAt: string } {
  const random = seededRandom(seed);
  const day0 = Date.parse(`${today}T00:00:00Z`);
  const daysFrom = (days: number) => new Date(day0 + Math.round(days) * 86_400_000).toISOString().slice(0, 10);
  return (index) => {
    const place = PLACES[Math.floor(random() * PLACES.length)]!;
    const consent = Object.fromEntries(
      (['sms:care', 'voice:care', 'sms:outreach'] as const).map((key) => [key, weighted(random, CONSENT_ANSWER)] as const).filter(([, v]) => v !== undefined),
    );
    const language = weighted(random, CARD_LANGUAGES);
    const dates: Record<string, string> = {};
    if (random() < 0.95) dates.dateOfBirth = daysFrom(-random() * 80 * 365.25);
    if (random() < 0.75) dates.lastVisitDate = daysFrom(-random() * 3 * 365.25);
    const appointment = random() < 0.04 ? daysFrom(1 + random() * 60) : undefined;
    return {
      contactId: `c_${createHash('sha256').update(`bench-card:${seed}:${index}`).digest('hex').slice(0, 24)}`,
      tags: weighted(random, CARD_TAGS),
      ...(language ? { language } : {}),
      status: weighted(random, CARD_STATUSES),
      consent,
      optedOut: weighted(random, CARD_OPT_OUTS),
      doNotCall: random() < 0.02,
      zip: place.zips[Math.floor(random() * place.zips.length)]!,
      state: place.state,
      dates,
      phoneTypes: weighted(random, CARD_PHONE_TYPES),
      ...(appointment ? { appointmentDate: appointment } : {}),
      updatedAt: `${today}T08:00:00.000Z`,
    };
  };
}
