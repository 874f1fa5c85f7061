/**
 * Do-not-call list files: a practice's own list (do-not-call/<practice-id>/…) or an
 * extract of a national registry for every practice (do-not-call/all/…), one number per
 * line or a CSV whose first number-looking cell is taken. Every voicemail and call step
 * checks the numbers stored here, and so does every outreach text (the FCC applies the
 * national registry to texts). Lines that hold no valid number are counted, never fatal.
 */
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ObjectStore } from '../adapters/object-store';
import { logger } from '../adapters/powertools';
import { DNC_ALL } from '../adapters/cadence-ledger';
import { normalisePhone } from '../domain/phone';
import { findPractice } from '../domain/stage-config';
import type { CountryCode } from 'libphonenumber-js/max';
import { dependencies } from './cadence-support';
import { now } from '../adapters/clock';

const event = z.object({
  detail: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string(), 'version-id': z.string().optional() }) }),
});

const BATCH = 500;
let files: ObjectStore | undefined;

export const handler = async (payload: unknown): Promise<{ scope: string; listed: number; unreadable: number }> => {
  const { bucket, object } = event.parse(payload).detail;
  const { config, ledger } = dependencies();
  const match = /^do-not-call\/([a-z0-9][a-z0-9-]{1,40})\/[^/]+$/.exec(object.key);
  const scope = match?.[1] === 'all' ? DNC_ALL : match && findPractice(config, match[1]!) ? match[1]! : undefined;
  if (!scope) throw new Error(`${object.key}: do-not-call files go under do-not-call/<practice-id>/ or do-not-call/all/`);
  files ??= new ObjectStore();
  const country = (scope === DNC_ALL ? config.defaultCountry : (findPractice(config, scope)!.defaultCountry ?? config.defaultCountry)) as CountryCode;
  const source = `file:${object.key}`;
  const at = now().toISOString();
  let listed = 0;
  let unreadable = 0;
  let batch: string[] = [];
  const flush = async () => {
    await ledger.addDoNotCall(scope, [...new Set(batch)], source, at);
    listed += batch.length;
    batch = [];
  };
  const stream = await files.read(bucket.name, object.key, object['version-id'], 0);
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    const number = numberIn(line, country);
    if (number) batch.push(number);
    else if (line.trim() !== '' && !/phone|number|tel/i.test(line)) unreadable += 1;
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  logger.info('do-not-call list imported', { scope, listed, unreadable });
  return { scope, listed, unreadable };
};

/**
 * The first cell of the line that is a valid phone number, in E.164. A cell without a
 * digit is a name or a place, not a number: read as a vanity number, "Alexandria" would
 * be +1 253-926-3742 and hide the real number later on the line.
 */
export function numberIn(line: string, country: CountryCode): string | undefined {
  for (const cell of line.split(/[,;\t|]/)) {
    if (!/\d/.test(cell)) continue;
    const n = normalisePhone(cell.replace(/"/g, ''), country);
    if (n.ok) return n.e164;
  }
  return undefined;
}
