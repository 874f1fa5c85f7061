/**
 * Cadence task "AddToPostcardManifest": adds the person to today's print-vendor manifest
 * (the practice's local date); the daily manifest task writes the file. Mail is not paced
 * or capped; the attempt ledger still makes it once.
 */
import { DateTime } from 'luxon';
import { now } from '../adapters/clock';
import { templateText } from '../domain/templates';
import { deliver, dependencies, taskInput, type CadenceState } from './cadence-support';

export const handler = async (payload: unknown): Promise<CadenceState> =>
  deliver(taskInput.parse(payload), undefined, async (plan, attempt, s) => {
    const { ledger, config } = dependencies();
    const date = DateTime.fromJSDate(now(), { zone: s.practice.timeZone }).toISODate()!;
    const template = config.templates[attempt.template!]!;
    const { text: vendorTemplate } = templateText(template, plan.language, s.practice.languages[0]!);
    const c = s.contact;
    return async () => {
      await ledger.addPostcard(s.practice.id, date, {
      attemptKey: attempt.attemptKey,
      contactId: c.contactId,
      name: [c.firstName, c.lastName].filter(Boolean).join(' '),
      address: c.address!,
      vendorTemplate,
        returnCode: returnCodeFor(attempt.attemptKey),
      });
      return `manifest:${s.practice.id}:${date}`;
    };
  });

/** A short code printed on the card (8 characters, no look-alike letters) that finds the attempt again. */
export function returnCodeFor(attemptKey: string): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let h = 0n;
  for (const b of Buffer.from(attemptKey)) h = (h * 131n + BigInt(b)) % 2n ** 40n;
  let code = '';
  for (let i = 0; i < 8; i++) {
    code += alphabet[Number(h % 32n)];
    h /= 32n;
  }
  return code;
}
