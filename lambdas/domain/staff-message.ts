/**
 * A text staff write to one person (from the staff API): it names the practice, gives its
 * number and says how to stop, as every message must, fits the segments the stage allows (the healthcare exemption:
 * one GSM-7 segment by default), and names no health details (no PHI in texts). Pure: the words in, the text or why not out.
 */
import { healthDetailsProblem } from './health-details';
import { displayPhone, smsSegments } from './templates';

export type StaffMessage = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly reason: string };

export function staffMessage(practice: { readonly displayName: string; readonly callbackNumber: string }, text: string, maxSegments: number): StaffMessage {
  const words = text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  if (!words) return { ok: false, reason: 'the message is empty' };
  const health = healthDetailsProblem(words);
  if (health) return { ok: false, reason: `the text ${health}; call the person instead` };
  const named = words.toLowerCase().includes(practice.displayName.toLowerCase()) ? words : `${practice.displayName}: ${words}`;
  // A way to reach the practice: its number, unless the text gives it already (in any format).
  const national = practice.callbackNumber.replace(/\D/g, '').slice(-10);
  const reachable = named.replace(/\D/g, '').includes(national) ? named : `${named} Call ${displayPhone(practice.callbackNumber)}.`;
  const body = /\b(STOP|PARAR)\b/.test(reachable) ? reachable : `${reachable} Reply STOP to opt out`;
  const { segments, encoding } = smsSegments(body);
  if (segments > maxSegments) return { ok: false, reason: `the text takes ${segments} ${encoding} segments with the practice's name and STOP; at most ${maxSegments} allowed` };
  return { ok: true, body };
}
