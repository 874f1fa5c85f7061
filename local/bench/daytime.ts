/**
 * A daytime instant for the cadence runner's virtual clocks: the sender benchmark starts
 * every execution there, so the recipients' send window is open whatever the real time is
 * (send-window.ts: the window is wall-clock time in the recipient's zone, 08:00–21:00 by default).
 */
import { DateTime } from 'luxon';
import { checkSendWindow, type SendWindowQuestion } from '../../lambdas/domain/send-window';
import type { SendWindowConfig } from '../../lambdas/domain/send-window-rules';

/**
 * Local noon (or `hour`) on the first weekday after `after` (in `zone`) when the window is open
 * for `question` and stays open at least `openForMs` longer; `open` false when no day of the
 * next two weeks qualifies (then the first candidate is given).
 */
export function daytimeStart(after: Date, zone: string, question: Omit<SendWindowQuestion, 'at'>, rules: SendWindowConfig, openForMs = 2 * 3_600_000, hour = 12): { at: Date; open: boolean } {
  const first = DateTime.fromJSDate(after, { zone }).startOf('day').plus({ days: 1 }).set({ hour });
  for (let d = 0; d < 14; d++) {
    const candidate = first.plus({ days: d });
    if (candidate.weekday > 5) continue;
    const at = candidate.toJSDate();
    const answer = checkSendWindow({ ...question, at }, rules);
    if (answer.allowed && answer.closesAt && answer.closesAt.getTime() - at.getTime() >= openForMs) return { at, open: true };
  }
  return { at: first.toJSDate(), open: false };
}
