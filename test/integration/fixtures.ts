/**
 * Generated import files with known answers, and a stage config tuned for fast tests.
 */
import { createWriteStream } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_CONFIG } from '../../local/local-stack';

export interface GeneratedFile {
  readonly path: string;
  /** Rows that make a new person. */
  readonly people: number;
  /** Rows that repeat an earlier person's external id. */
  readonly duplicates: number;
  /** Rows with no name. */
  readonly rejects: number;
  readonly rows: number;
  readonly uniqueNumbers: number;
}

/**
 * `rows` rows: every 50th has no name (rejected), every 40th repeats the row before it
 * (same external id: a duplicate), the rest are distinct people whose mobile numbers
 * come from a pool of `numberPool` numbers starting at `firstNumber` (so lookups stay
 * few on big files, and files of one test share no number with another's).
 */
export async function generateCsv(dir: string, name: string, rows: number, numberPool = rows, firstNumber = 0): Promise<GeneratedFile> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('External ID,First Name,Last Name,Mobile,Address,City,State,ZIP,Language\r\n');
  let people = 0;
  let duplicates = 0;
  let rejects = 0;
  const used = new Set<number>();
  const id = name.replace(/\.[^.]*$/, '');
  let previous = '';
  for (let i = 1; i <= rows; i++) {
    let line: string;
    if (i % 50 === 0) {
      line = `${id}-X-${i},,,${phone(firstNumber + (i % numberPool))},,,,,en`;
      rejects += 1;
    } else if (i % 40 === 0 && previous) {
      line = previous;
      duplicates += 1;
    } else {
      const n = i % numberPool;
      used.add(n);
      line = `${id}-${i},Pat${i},"Doe, ${i}",${phone(firstNumber + n)},${100 + (i % 900)} Main St,Seattle,WA,98101,${i % 3 === 0 ? 'es' : 'en'}`;
      people += 1;
    }
    previous = line;
    await write(`${line}\r\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { path, people, duplicates, rejects, rows, uniqueNumbers: used.size };
}

/** A valid Seattle-area mobile-format number for index n (exchange 2xx–9xx, never 555). */
export function phone(n: number): string {
  const exchange = 200 + Math.floor(n / 10_000) % 700;
  return `(206) ${exchange === 555 ? 556 : exchange}-${String(n % 10_000).padStart(4, '0')}`;
}

/**
 * The sample config with overrides, written to `dir`. `enroll: false` gives every practice
 * no cadence, so imports track people without enrolling them (for tests about the import alone).
 */
export function testConfig(dir: string, overrides: { validation?: object; import?: object; enroll?: boolean } = {}): string {
  const config = JSON.parse(readFileSync(SAMPLE_CONFIG, 'utf8')) as { validation: object; import: object; practices: { enrollment?: object }[] };
  config.validation = { ...config.validation, ...overrides.validation };
  config.import = { ...config.import, ...overrides.import };
  if (overrides.enroll === false) for (const practice of config.practices) practice.enrollment = {};
  const path = join(dir, 'stage.test.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}
