import { createHash } from 'node:crypto';
import { assignVariant, variantBucket, VARIANT_BUCKETS } from '../../lambdas/domain/variants';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `c_${i.toString(16).padStart(24, '0')}`);
const AB = [
  { id: 'A', percent: 50 },
  { id: 'B', percent: 50 },
];

function shares(variants: { id: string; percent: number }[], stepId = 'sms'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const id of ids(10_000)) {
    const variant = assignVariant(id, 'community-outreach', stepId, variants);
    counts[variant] = (counts[variant] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, (v / 10_000) * 100]));
}

describe('assignVariant', () => {
  it('gives a person the same variant every time it is asked (every retry and every round)', () => {
    const first = ids(50).map((id) => assignVariant(id, 'community-outreach', 'sms', AB));
    const again = ids(50).map((id) => assignVariant(id, 'community-outreach', 'sms', AB));
    expect(again).toEqual(first);
  });

  it('takes the bucket from sha256 of contact, cadence and step, and the variant from cumulative percents', () => {
    const id = 'c_000000000000000000000001';
    const expected = createHash('sha256').update(`${id}\ncommunity-outreach\nsms`).digest().readUInt32BE(0) % 10_000;
    expect(variantBucket(id, 'community-outreach', 'sms')).toBe(expected);
    expect(assignVariant(id, 'community-outreach', 'sms', AB)).toBe(expected < 5_000 ? 'A' : 'B');
    // Pinned: a change to the hashing would move people between variants mid-test.
    expect(ids(20).map((contactId) => assignVariant(contactId, 'community-outreach', 'sms', AB)).join('')).toBe('ABABABBAABAABBBABAAA');
  });

  it('splits 50/50 within ±2% over 10,000 people', () => {
    const split = shares(AB);
    expect(Math.abs(split.A! - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(split.B! - 50)).toBeLessThanOrEqual(2);
  });

  it('splits three ways by the listed percents', () => {
    const split = shares([
      { id: 'A', percent: 20 },
      { id: 'B', percent: 30 },
      { id: 'C', percent: 50 },
    ]);
    expect(Math.abs(split.A! - 20)).toBeLessThanOrEqual(2);
    expect(Math.abs(split.B! - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(split.C! - 50)).toBeLessThanOrEqual(2);
  });

  it('splits each step independently of the others', () => {
    const sms = ids(10_000).map((id) => assignVariant(id, 'community-outreach', 'sms', AB));
    const voicemail = ids(10_000).map((id) => assignVariant(id, 'community-outreach', 'voicemail', AB));
    const same = sms.filter((v, i) => v === voicemail[i]).length / 100;
    expect(Math.abs(same - 50)).toBeLessThanOrEqual(2);
  });

  it('gives everyone a variant that has 100 percent', () => {
    expect(new Set(ids(200).map((id) => assignVariant(id, 'care-gap', 'sms', [{ id: 'ONLY', percent: 100 }])))).toEqual(new Set(['ONLY']));
  });

  it('keeps buckets in 0..9999', () => {
    const buckets = ids(2_000).map((id) => variantBucket(id, 'community-outreach', 'sms'));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(VARIANT_BUCKETS);
  });

  it('refuses variants whose percents do not add up to 100', () => {
    expect(() => assignVariant('c_1', 'community-outreach', 'sms', [{ id: 'A', percent: 50 }, { id: 'B', percent: 40 }])).toThrow(
      'the variants of step "sms" in cadence "community-outreach" add up to 90 percent, not 100',
    );
    expect(() => assignVariant('c_1', 'community-outreach', 'sms', [])).toThrow('add up to 0 percent');
  });
});
