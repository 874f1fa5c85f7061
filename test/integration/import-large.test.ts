/**
 * A 50,000-row file through the real workflow: several row invocations, resumed from
 * checkpoints. Enrollment is off here (starting 48,000 cadences at the paced rate would take
 * minutes); its throughput is measured by `npm run bench -- --only enrollment`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFile, startLocalStack, type LocalStack } from '../../local/local-stack';
import { generateCsv, testConfig } from './fixtures';

describe('a 50,000-row file', () => {
  let stack: LocalStack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outreach-large-'));
    const configPath = testConfig(dir, { validation: { ratePerSecond: 1000 }, import: { rowsPerInvocation: 20_000 }, enroll: false });
    stack = await startLocalStack({ inMemory: true, configPath, sandbox: { rateLimits: { PhoneNumberValidate: 1000 } } });
  });
  afterAll(() => stack?.stop());

  it('imports every usable row across several invocations, with each number looked up once', async () => {
    const file = await generateCsv(dir, 'large.csv', 50_000, 2_000);

    const { execution, summary } = await importFile(stack, file.path, { practiceId: 'sunrise-family' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ rowsRead: 50_000, created: file.people, duplicates: file.duplicates, rejected: file.rejects, lookups: file.uniqueNumbers, lookupFailures: 0 });
    // Tracked, not enrolled: this config names no cadence, and every person touched is accounted for.
    expect(summary).toMatchObject({ enrolled: 0, notEnrolled: { 'no-cadence': file.people } });
    // Three ImportRows invocations at 20,000 rows each, so the resume path ran twice.
    expect(execution.transitions).toBeGreaterThanOrEqual(3 * 2 + 6);
    const stats = await stack.engines.sandbox!.stats();
    expect(stats.operations.PhoneNumberValidate!.calls).toBe(file.uniqueNumbers);
  }, 600_000);
});
