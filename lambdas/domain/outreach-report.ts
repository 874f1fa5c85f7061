/**
 * What the outreach achieved, for one practice over a period, from what the tracker holds
 * of each person (their profile, enrollments, attempts, appointments, replies and history)
 * plus the practice's flags and imports. Pure: the report reader gathers, this counts.
 *
 * - the funnel by cadence round: enrolled → reachable → contacted → responded → booked → seen;
 * - by channel and step: sent, delivered, failed, skipped and why;
 * - A/B variants: response and booking rates with 95% Wilson intervals, and a two-proportion
 *   z-test between the variants of a step;
 * - dispositions by code and by agent; opt-outs by channel; flagged replies and their age;
 *   imports with their rejects.
 */
import type { AppointmentStatus } from './appointment';
import { usableNumbers, type Contact } from './contact';
import { isCompleteAddress } from './import-row';

export interface ReportPeriod {
  /** Inclusive start, UTC ISO. */
  readonly from: string;
  /** Exclusive end, UTC ISO. */
  readonly to: string;
}

/** An attempt as the report needs it (the attempt ledger's item). */
export interface AttemptFact {
  readonly cadence: string;
  readonly round: number;
  readonly stepId: string;
  readonly channel: string;
  readonly status: 'claimed' | 'sent' | 'failed' | 'unconfirmed' | 'skipped';
  readonly reason?: string;
  readonly variant?: string;
  readonly at: string;
  readonly sentAt?: string;
  readonly delivery?: { readonly status: string; readonly failure?: 'permanent' | 'transient' };
}

export interface PersonActivity {
  readonly contact: Pick<Contact, 'contactId' | 'phones' | 'address' | 'wrongNumbers' | 'undeliverable' | 'createdAt'>;
  readonly enrollments: ReadonlyArray<{ readonly cadence: string; readonly enrolledAt: string }>;
  readonly attempts: readonly AttemptFact[];
  readonly appointments: ReadonlyArray<{ readonly appointmentId: string; readonly status: AppointmentStatus; readonly at: string }>;
  /** Replies the person sent (their thread's incoming side), with how each was read. */
  readonly replies: ReadonlyArray<{ readonly at: string; readonly kind: string }>;
  /** History items: dispositions (code, agent), opt-outs (channel), appointment bookings. */
  readonly history: ReadonlyArray<{ readonly at: string; readonly kind: string; readonly detail?: Readonly<Record<string, unknown>> }>;
}

export interface FlagFact {
  readonly kind: string;
  readonly at: string;
  readonly handledAt?: string;
}

export interface ImportFact {
  readonly importId: string;
  readonly key: string;
  readonly startedAt: string;
  readonly rowsRead: number;
  readonly created: number;
  readonly rejected: number;
  readonly status: string;
}

export interface FunnelRow {
  readonly cadence: string;
  readonly round: number;
  readonly enrolled: number;
  readonly reachable: number;
  readonly contacted: number;
  readonly responded: number;
  readonly booked: number;
  readonly seen: number;
}

export interface StepRow {
  readonly cadence: string;
  readonly step: string;
  readonly channel: string;
  readonly sent: number;
  readonly delivered: number;
  readonly failed: number;
  readonly skipped: Readonly<Record<string, number>>;
}

export interface Rate {
  readonly count: number;
  readonly of: number;
  readonly rate: number;
  /** 95% Wilson interval. */
  readonly low: number;
  readonly high: number;
}

export interface VariantRow {
  readonly cadence: string;
  readonly step: string;
  readonly variant: string;
  readonly sent: number;
  readonly responded: Rate;
  readonly booked: Rate;
}

export interface VariantTest {
  readonly cadence: string;
  readonly step: string;
  readonly a: string;
  readonly b: string;
  readonly measure: 'responded' | 'booked';
  readonly pValue: number;
  readonly significant: boolean;
}

export interface OutreachReport {
  readonly practiceId: string;
  readonly period: ReportPeriod;
  readonly generatedAt: string;
  readonly people: number;
  readonly funnel: readonly FunnelRow[];
  readonly steps: readonly StepRow[];
  readonly variants: readonly VariantRow[];
  readonly variantTests: readonly VariantTest[];
  readonly dispositions: { readonly byCode: Readonly<Record<string, number>>; readonly byAgent: Readonly<Record<string, Readonly<Record<string, number>>>> };
  readonly optOuts: Readonly<Record<string, number>>;
  readonly flags: { readonly unhandled: number; readonly byKind: Readonly<Record<string, number>>; readonly oldestHours: number; readonly byAge: Readonly<Record<'under 1 day' | '1–3 days' | 'over 3 days', number>> };
  readonly imports: readonly ImportFact[];
}

/** Delivery statuses that mean the message reached the person's phone. */
const REACHED = new Set(['delivered', 'answered', 'completed']);
/** Automated call outcomes: the network, not the person, answered. */
const NOT_A_RESPONSE = new Set(['no-answer', 'busy', 'left-voicemail', 'no-voicemail-box', 'machine-detected', 'failed', 'unreadable']);
const SIGNIFICANCE = 0.05;

export function buildReport(practiceId: string, period: ReportPeriod, people: Iterable<PersonActivity>, flags: readonly FlagFact[], imports: readonly ImportFact[], now: Date): OutreachReport {
  const tally = new ReportTally(period);
  for (const person of people) tally.add(person);
  return tally.finish(practiceId, flags, imports, now);
}

/**
 * Counts people one at a time, so a practice of any size is reported in bounded memory:
 * the reader streams each person's items in and lets them go.
 */
export class ReportTally {
  private people = 0;
  private readonly funnel = new Map<string, { cadence: string; round: number; enrolled: number; reachable: number; contacted: number; responded: number; booked: number; seen: number }>();
  private readonly steps = new Map<string, { cadence: string; step: string; channel: string; sent: number; delivered: number; failed: number; skipped: Record<string, number> }>();
  private readonly variants = new Map<string, { cadence: string; step: string; variant: string; sent: number; responded: number; booked: number }>();
  private readonly byCode: Record<string, number> = {};
  private readonly byAgent: Record<string, Record<string, number>> = {};
  private readonly optOuts: Record<string, number> = {};

  constructor(private readonly period: ReportPeriod) {}

  private inPeriod(at: string | undefined): boolean {
    return at !== undefined && at >= this.period.from && at < this.period.to;
  }

  add(person: PersonActivity): void {
    this.people += 1;
    const responses = responsesOf(person);
    const bookings = person.history.filter((h) => h.kind === 'disposition' && h.detail?.code === 'appointment-booked').map((h) => h.at);
    const reachable = isReachable(person.contact);

    // The first message of each round of each cadence, in the period: what a response or booking after it counts towards.
    const firstSends = new Map<string, { cadence: string; round: number; at: string }>();
    for (const a of person.attempts) {
      if (a.status === 'sent' && this.inPeriod(a.sentAt ?? a.at) && a.round > 0) {
        const key = `${a.cadence}\n${a.round}`;
        const at = a.sentAt ?? a.at;
        if (!firstSends.has(key) || at < firstSends.get(key)!.at) firstSends.set(key, { cadence: a.cadence, round: a.round, at });
      }
      if (!this.inPeriod(a.at) && !this.inPeriod(a.sentAt)) continue;
      const stepKey = `${a.cadence}\n${a.stepId}\n${a.channel}`;
      const s = this.steps.get(stepKey) ?? { cadence: a.cadence, step: a.stepId, channel: a.channel, sent: 0, delivered: 0, failed: 0, skipped: {} };
      this.steps.set(stepKey, s);
      if (a.status === 'sent') {
        s.sent += 1;
        if (a.delivery && REACHED.has(a.delivery.status)) s.delivered += 1;
        if (a.delivery?.failure) s.failed += 1;
      } else if (a.status === 'failed') s.failed += 1;
      else if (a.status === 'skipped') s.skipped[a.reason ?? 'unknown'] = (s.skipped[a.reason ?? 'unknown'] ?? 0) + 1;
    }

    const enrolledIn = new Set(person.enrollments.map((e) => e.cadence));
    // Every round the person was planned in (an attempt of it, even skipped) counts them as enrolled in it.
    const rounds = new Set<string>();
    for (const a of person.attempts) if (a.round > 0 && enrolledIn.has(a.cadence) && (this.inPeriod(a.at) || this.inPeriod(a.sentAt))) rounds.add(`${a.cadence}\n${a.round}`);
    for (const key of rounds) {
      const [cadence, roundText] = key.split('\n') as [string, string];
      const round = Number(roundText);
      const row = this.funnel.get(key) ?? { cadence, round, enrolled: 0, reachable: 0, contacted: 0, responded: 0, booked: 0, seen: 0 };
      this.funnel.set(key, row);
      row.enrolled += 1;
      if (reachable) row.reachable += 1;
      const first = firstSends.get(key);
      if (!first) continue;
      row.contacted += 1;
      // A response or booking counts for the latest round contacted before it.
      const owns = (at: string) => {
        const latest = latestRoundBefore(firstSends, at);
        return latest?.cadence === cadence && latest.round === round;
      };
      if (responses.some((at) => at >= first.at && owns(at))) row.responded += 1;
      if (bookings.some((at) => at >= first.at && owns(at))) {
        row.booked += 1;
        if (person.appointments.some((p) => p.status === 'seen')) row.seen += 1;
      }
    }

    for (const a of person.attempts) {
      if (!a.variant || a.status !== 'sent' || !this.inPeriod(a.sentAt ?? a.at)) continue;
      const key = `${a.cadence}\n${a.stepId}\n${a.variant}`;
      const v = this.variants.get(key) ?? { cadence: a.cadence, step: a.stepId, variant: a.variant, sent: 0, responded: 0, booked: 0 };
      this.variants.set(key, v);
      v.sent += 1;
      const at = a.sentAt ?? a.at;
      // A response counts for the variant when the round it answers (the latest contacted before it) is this attempt's.
      const sameRound = (when: string) => {
        const latest = when >= at ? latestRoundBefore(firstSends, when) : undefined;
        return latest?.cadence === a.cadence && latest.round === a.round;
      };
      if (responses.some(sameRound)) v.responded += 1;
      if (bookings.some(sameRound)) v.booked += 1;
    }

    for (const h of person.history) {
      if (!this.inPeriod(h.at)) continue;
      if (h.kind === 'disposition') {
        const code = String(h.detail?.code ?? 'unreadable');
        this.byCode[code] = (this.byCode[code] ?? 0) + 1;
        const agent = typeof h.detail?.agent === 'string' ? h.detail.agent : '(no agent)';
        this.byAgent[agent] ??= {};
        this.byAgent[agent][code] = (this.byAgent[agent][code] ?? 0) + 1;
      }
      if (h.kind === 'opt-out') {
        const channel = String(h.detail?.channel ?? 'all');
        this.optOuts[channel] = (this.optOuts[channel] ?? 0) + 1;
      }
    }
  }

  finish(practiceId: string, flags: readonly FlagFact[], imports: readonly ImportFact[], now: Date): OutreachReport {
    const variantRows = [...this.variants.values()].map((v) => ({ cadence: v.cadence, step: v.step, variant: v.variant, sent: v.sent, responded: rate(v.responded, v.sent), booked: rate(v.booked, v.sent) }));
    return {
      practiceId,
      period: this.period,
      generatedAt: now.toISOString(),
      people: this.people,
      funnel: [...this.funnel.values()].sort((a, b) => a.cadence.localeCompare(b.cadence) || a.round - b.round),
      steps: [...this.steps.values()].sort((a, b) => a.cadence.localeCompare(b.cadence) || a.step.localeCompare(b.step) || a.channel.localeCompare(b.channel)),
      variants: variantRows.sort((a, b) => a.cadence.localeCompare(b.cadence) || a.step.localeCompare(b.step) || a.variant.localeCompare(b.variant)),
      variantTests: variantTests(variantRows),
      dispositions: { byCode: this.byCode, byAgent: this.byAgent },
      optOuts: this.optOuts,
      flags: flagSummary(flags, now),
      imports: imports.filter((i) => this.inPeriod(i.startedAt)).sort((a, b) => a.startedAt.localeCompare(b.startedAt)),
    };
  }
}

/** When the person answered: a reply, or a call a person (not the network) answered. */
function responsesOf(person: PersonActivity): string[] {
  const replies = person.replies.filter((r) => r.kind !== 'opt-out').map((r) => r.at);
  const calls = person.history.filter((h) => h.kind === 'disposition' && !NOT_A_RESPONSE.has(String(h.detail?.code ?? ''))).map((h) => h.at);
  return [...replies, ...calls].sort();
}

function latestRoundBefore(firstSends: ReadonlyMap<string, { cadence: string; round: number; at: string }>, at: string): { cadence: string; round: number } | undefined {
  let best: { cadence: string; round: number; at: string } | undefined;
  for (const f of firstSends.values()) if (f.at <= at && (!best || f.at > best.at)) best = f;
  return best;
}

/** A number messages may still use, or a complete mailing address. */
function isReachable(c: PersonActivity['contact']): boolean {
  return usableNumbers(c).length > 0 || isCompleteAddress(c.address);
}

/** A proportion with its 95% Wilson score interval (good for small counts and rates near 0 or 1). */
export function rate(count: number, of: number): Rate {
  if (of === 0) return { count, of, rate: 0, low: 0, high: 0 };
  const z = 1.959964;
  const p = count / of;
  const denominator = 1 + (z * z) / of;
  const centre = (p + (z * z) / (2 * of)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / of + (z * z) / (4 * of * of))) / denominator;
  return { count, of, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** Two-sided p-value of the pooled two-proportion z-test. */
export function twoProportionPValue(a: Rate, b: Rate): number {
  if (a.of === 0 || b.of === 0) return 1;
  const pooled = (a.count + b.count) / (a.of + b.of);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.of + 1 / b.of));
  if (se === 0) return 1;
  const z = Math.abs(a.rate - b.rate) / se;
  return 2 * (1 - normalCdf(z));
}

/** Φ(x) by the Abramowitz–Stegun 7.1.26 erf approximation (error < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (x / Math.SQRT2));
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-((x / Math.SQRT2) ** 2));
  return 0.5 * (1 + erf);
}

function variantTests(rows: readonly VariantRow[]): VariantTest[] {
  const tests: VariantTest[] = [];
  const bySteps = new Map<string, VariantRow[]>();
  for (const r of rows) bySteps.set(`${r.cadence}\n${r.step}`, [...(bySteps.get(`${r.cadence}\n${r.step}`) ?? []), r]);
  for (const group of bySteps.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const [a, b] = [group[i]!, group[j]!];
        for (const measure of ['responded', 'booked'] as const) {
          const pValue = twoProportionPValue(a[measure], b[measure]);
          tests.push({ cadence: a.cadence, step: a.step, a: a.variant, b: b.variant, measure, pValue, significant: pValue < SIGNIFICANCE });
        }
      }
    }
  }
  return tests;
}

function flagSummary(flags: readonly FlagFact[], now: Date): OutreachReport['flags'] {
  const open = flags.filter((f) => !f.handledAt);
  const byKind: Record<string, number> = {};
  const byAge = { 'under 1 day': 0, '1–3 days': 0, 'over 3 days': 0 };
  let oldestHours = 0;
  for (const f of open) {
    byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    const hours = (now.getTime() - Date.parse(f.at)) / 3_600_000;
    oldestHours = Math.max(oldestHours, hours);
    byAge[hours < 24 ? 'under 1 day' : hours < 72 ? '1–3 days' : 'over 3 days'] += 1;
  }
  return { unhandled: open.length, byKind, oldestHours: Math.round(oldestHours * 10) / 10, byAge };
}
