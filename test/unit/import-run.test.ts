import {
  addNumberCounts,
  addRowCounts,
  emptyNumberCounts,
  emptyRowCounts,
  importIdFor,
  NUMBER_SHARDS,
  numberShard,
  practiceIdFromKey,
  type NumberCounts,
} from '../../lambdas/domain/import-run';

describe('importIdFor', () => {
  const source = { bucket: 'outreach-inbox', key: 'inbox/sunrise-family/patients.csv', version: 'v1' };

  it('gives the same id for the same object version', () => {
    expect(importIdFor(source)).toBe(importIdFor({ ...source }));
  });

  it('gives an imp_ id of 24 hex digits', () => {
    expect(importIdFor(source)).toMatch(/^imp_[0-9a-f]{24}$/);
  });

  it('gives a different id for a new version of the same key', () => {
    expect(importIdFor({ ...source, version: 'v2' })).not.toBe(importIdFor(source));
  });

  it('gives a different id for a different key or bucket', () => {
    expect(importIdFor({ ...source, key: 'inbox/sunrise-family/other.csv' })).not.toBe(importIdFor(source));
    expect(importIdFor({ ...source, bucket: 'other-bucket' })).not.toBe(importIdFor(source));
  });

  it('does not let a key and version run into each other', () => {
    expect(importIdFor({ bucket: 'b', key: 'k1', version: '2' })).not.toBe(importIdFor({ bucket: 'b', key: 'k', version: '12' }));
  });
});

describe('practiceIdFromKey', () => {
  it.each([
    ['inbox/sunrise-family/patients.csv', 'sunrise-family'],
    ['inbox/sunrise-family/2026/03/patients.csv', 'sunrise-family'],
    ['inbox/p1/a', 'p1'],
  ])('reads the practice of %j as %s', (key, practice) => {
    expect(practiceIdFromKey(key)).toBe(practice);
  });

  it.each([
    ['inbox/sunrise-family/'],
    ['inbox/sunrise-family'],
    ['inbox//patients.csv'],
    ['inbox/sunrise-family//patients.csv'],
    ['outbox/sunrise-family/patients.csv'],
    ['reports/inbox/sunrise-family/patients.csv'],
    ['patients.csv'],
    ['inbox/Sunrise-Family/patients.csv'],
    ['inbox/-sunrise/patients.csv'],
    ['inbox/s/patients.csv'],
  ])('finds no practice in %j', (key) => {
    expect(practiceIdFromKey(key)).toBeUndefined();
  });
});

describe('numberShard', () => {
  const numbers = Array.from({ length: 400 }, (_, i) => `+1206555${String(i).padStart(4, '0')}`);

  it('puts every number in a shard from 0 to NUMBER_SHARDS - 1', () => {
    for (const n of numbers) {
      const shard = numberShard(n);
      expect(Number.isInteger(shard)).toBe(true);
      expect(shard).toBeGreaterThanOrEqual(0);
      expect(shard).toBeLessThan(NUMBER_SHARDS);
    }
  });

  it('puts the same number in the same shard every time', () => {
    expect(numbers.map(numberShard)).toEqual(numbers.map(numberShard));
  });

  it('uses every shard for a spread of numbers', () => {
    expect(new Set(numbers.map(numberShard)).size).toBe(NUMBER_SHARDS);
  });

  it('computes FNV-1a modulo the shard count', () => {
    // FNV-1a("a") = 0xe40c292c = 3826002220; 3826002220 % 8 = 4.
    expect(numberShard('a')).toBe(4);
    expect(numberShard('')).toBe(0x811c9dc5 % NUMBER_SHARDS);
  });
});

describe('addRowCounts', () => {
  it('adds every counter', () => {
    const a = { rowsRead: 10, created: 4, updated: 3, unchanged: 1, duplicates: 1, rejected: 1, warnings: 2 };
    const b = { rowsRead: 5, created: 1, updated: 0, unchanged: 2, duplicates: 0, rejected: 2, warnings: 1 };
    expect(addRowCounts(a, b)).toEqual({ rowsRead: 15, created: 5, updated: 3, unchanged: 3, duplicates: 1, rejected: 3, warnings: 3 });
  });

  it('leaves counts unchanged when adding empty counts', () => {
    const a = { rowsRead: 10, created: 4, updated: 3, unchanged: 1, duplicates: 1, rejected: 1, warnings: 2 };
    expect(addRowCounts(a, emptyRowCounts())).toEqual(a);
  });
});

describe('addNumberCounts', () => {
  it('adds every counter and every phone type', () => {
    const a: NumberCounts = {
      uniqueNumbers: 5,
      lookups: 4,
      cacheHits: 1,
      lookupFailures: 0,
      byPhoneType: { MOBILE: 3, LANDLINE: 1, VOIP: 0, PREPAID: 0, INVALID: 1, OTHER: 0 },
    };
    const b: NumberCounts = {
      uniqueNumbers: 3,
      lookups: 2,
      cacheHits: 0,
      lookupFailures: 1,
      byPhoneType: { MOBILE: 1, LANDLINE: 0, VOIP: 1, PREPAID: 1, INVALID: 0, OTHER: 2 },
    };
    expect(addNumberCounts(a, b)).toEqual({
      uniqueNumbers: 8,
      lookups: 6,
      cacheHits: 1,
      lookupFailures: 1,
      byPhoneType: { MOBILE: 4, LANDLINE: 1, VOIP: 1, PREPAID: 1, INVALID: 1, OTHER: 2 },
    });
  });

  it('starts from all-zero counts for every phone type', () => {
    expect(emptyNumberCounts()).toEqual({
      uniqueNumbers: 0,
      lookups: 0,
      cacheHits: 0,
      lookupFailures: 0,
      byPhoneType: { MOBILE: 0, LANDLINE: 0, VOIP: 0, PREPAID: 0, INVALID: 0, OTHER: 0 },
    });
  });
});
