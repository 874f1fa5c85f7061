/**
 * The daily digest of what staff still have to look at: unhandled flags by kind, and how old
 * the oldest is. Pure: flags in, the digest out.
 */
export interface FlagForDigest {
  readonly kind: string;
  readonly at: string;
  readonly handledAt?: string;
}

/** Where flags go that name no practice (a reply to a number no practice texts from, a call that names none): staff read them under this name. */
export const UNMATCHED = 'unmatched';

export interface FlagDigest {
  readonly practiceId: string;
  /** When it was made (UTC ISO). */
  readonly at: string;
  readonly unhandled: number;
  readonly byKind: Readonly<Record<string, number>>;
  /** Hours since the oldest unhandled flag was raised (0 when there is none). */
  readonly oldestHours: number;
  readonly handledSinceYesterday: number;
}

export function flagDigest(practiceId: string, flags: readonly FlagForDigest[], now: Date): FlagDigest {
  const open = flags.filter((f) => !f.handledAt);
  const byKind: Record<string, number> = {};
  for (const f of open) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  const oldest = open.reduce((min, f) => Math.min(min, Date.parse(f.at)), Number.POSITIVE_INFINITY);
  const dayAgo = now.getTime() - 86_400_000;
  return {
    practiceId,
    at: now.toISOString(),
    unhandled: open.length,
    byKind,
    oldestHours: open.length ? Math.round(((now.getTime() - oldest) / 3_600_000) * 10) / 10 : 0,
    handledSinceYesterday: flags.filter((f) => f.handledAt && Date.parse(f.handledAt) >= dayAgo).length,
  };
}
