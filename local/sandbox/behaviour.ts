/** Rate limiting, deterministic injection and the per-second statistic. Pure: time is passed in (ms). */
import type { InjectionRule } from './types';

/**
 * A token bucket as AWS throttles: capacity = rate, refilled continuously at `rate` per second,
 * full at the start. A call takes one token or is refused.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rate: number,
    now: number,
  ) {
    this.tokens = rate;
    this.last = now;
  }

  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.rate, this.tokens + (elapsed * this.rate) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Give back a token taken by a call that turned out to send nothing (never above capacity). */
  refund(): void {
    this.tokens = Math.min(this.rate, this.tokens + 1);
  }
}

/**
 * The highest number of events seen in any window of `windowMs`: a window (t - windowMs, t]
 * ending at each event. Events arrive in time order; one stamped earlier than the last (an
 * asynchronous handler finishing late) counts at the last one's time.
 */
export class SlidingWindowMax {
  private times: number[] = [];
  private head = 0;
  max = 0;

  constructor(private readonly windowMs = 1000) {}

  add(at: number): void {
    const last = this.times[this.times.length - 1];
    const now = last !== undefined && at < last ? last : at;
    this.times.push(now);
    while (this.times[this.head] <= now - this.windowMs) this.head++;
    this.max = Math.max(this.max, this.times.length - this.head);
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}

/** mulberry32: a small, fast, seedable PRNG (deterministic across runs and platforms). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Does a rule's `operation` select this operation? */
export function selects(selector: string | undefined, service: string, operation: string): boolean {
  return selector === undefined || selector === '*' || selector === operation || selector === `${service}:${operation}`;
}

/** One installed injection rule with its own call count (and PRNG). */
export class ArmedRule<R extends InjectionRule = InjectionRule> {
  private seen = 0;
  private readonly random?: () => number;

  constructor(
    readonly rule: R,
    defaultSeed: number,
  ) {
    if (rule.probability !== undefined) this.random = mulberry32(rule.seed ?? defaultSeed);
  }

  /** Count this call if the rule applies to it; true when the rule fires. */
  fires(service: string, operation: string): boolean {
    if (!selects(this.rule.operation, service, operation)) return false;
    this.seen++;
    if (this.rule.every !== undefined) return this.seen % this.rule.every === 0;
    if (this.rule.firstN !== undefined) return this.seen <= this.rule.firstN;
    if (this.random && this.rule.probability !== undefined) return this.random() < this.rule.probability;
    return false;
  }
}

/** Look up a per-operation setting: exact name, qualified name, then `*`. */
export function perOperation<T>(
  table: Record<string, T> | undefined,
  service: string,
  operation: string,
): T | undefined {
  if (!table) return undefined;
  return table[operation] ?? table[`${service}:${operation}`] ?? table['*'];
}
