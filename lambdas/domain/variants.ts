/**
 * A/B variants: which variant of a step a person gets. The assignment is a pure function
 * of the contact, the cadence and the step, so it needs no stored state, gives the same
 * answer on every retry and in every round (the round is deliberately not an input: a
 * person who did not respond gets the same variant again, which keeps the comparison
 * clean), and splits people independently for each step.
 *
 * How: sha256("<contactId>\n<cadenceName>\n<stepId>") → the first 4 bytes as an unsigned
 * integer → bucket 0..9999 → the variant whose cumulative percent covers the bucket, in
 * the order the variants are listed. Changing a step's percents or the order of its
 * variants, or renaming the cadence or the step, moves people between variants.
 */
import { createHash } from 'node:crypto';

/** Buckets per split: percents are whole numbers, so 100 buckets a percent. */
export const VARIANT_BUCKETS = 10_000;

export interface VariantShare {
  readonly id: string;
  /** Whole percent; the shares of a step add up to 100. */
  readonly percent: number;
}

/** The person's bucket (0..9999) for this cadence step. */
export function variantBucket(contactId: string, cadenceName: string, stepId: string): number {
  const digest = createHash('sha256').update(`${contactId}\n${cadenceName}\n${stepId}`).digest();
  return digest.readUInt32BE(0) % VARIANT_BUCKETS;
}

/** The id of the variant this person gets at this cadence step. Throws unless the percents add up to 100. */
export function assignVariant(contactId: string, cadenceName: string, stepId: string, variants: readonly VariantShare[]): string {
  const total = variants.reduce((sum, v) => sum + v.percent, 0);
  if (variants.length === 0 || total !== 100) {
    throw new Error(`the variants of step "${stepId}" in cadence "${cadenceName}" add up to ${total} percent, not 100`);
  }
  const bucket = variantBucket(contactId, cadenceName, stepId);
  let upper = 0;
  for (const variant of variants) {
    upper += variant.percent * (VARIANT_BUCKETS / 100);
    if (bucket < upper) return variant.id;
  }
  return variants[variants.length - 1]!.id;
}
