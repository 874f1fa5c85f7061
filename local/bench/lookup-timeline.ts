/** When the lookups reached the sandbox: how steady the stream of calls was, and where it paused. */
import type { SandboxControl } from '../sandbox/types';

export interface LookupTimeline {
  readonly calls: number;
  /** First to last call. */
  readonly spanSeconds: number;
  /** Gaps between consecutive calls longer than `pauseMs` (the limiter spaces calls far closer). */
  readonly pauses: number;
  readonly pauseMs: number;
  readonly pausedSeconds: number;
  readonly longestPauseMs: number;
  /** Calls per second outside the pauses: what the limiter achieves while it has numbers to look up. */
  readonly ratePerSecWhileCalling: number;
}

export function lookupTimeline(arrivals: readonly number[], pauseMs: number): LookupTimeline {
  const times = [...arrivals].sort((a, b) => a - b);
  let pauses = 0;
  let paused = 0;
  let longest = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap > pauseMs) {
      pauses += 1;
      paused += gap;
      longest = Math.max(longest, gap);
    }
  }
  const span = times.length > 1 ? times.at(-1)! - times[0]! : 0;
  const calling = span - paused;
  return {
    calls: times.length,
    spanSeconds: Math.round(span) / 1000,
    pauses,
    pauseMs,
    pausedSeconds: Math.round(paused) / 1000,
    longestPauseMs: Math.round(longest),
    ratePerSecWhileCalling: calling > 0 ? Math.round(((times.length - 1 - pauses) / (calling / 1000)) * 10) / 10 : 0,
  };
}

/** Arrival times (ms since the epoch) of every PhoneNumberValidate the sandbox recorded. */
export async function validationArrivals(sandbox: SandboxControl): Promise<number[]> {
  const times: number[] = [];
  let since = 0;
  for (;;) {
    const page = await sandbox.records('validations', { since, limit: 5000 });
    if (page.length === 0) break;
    for (const r of page) times.push(Date.parse(r.at));
    since = page.at(-1)!.seq;
  }
  return times;
}
