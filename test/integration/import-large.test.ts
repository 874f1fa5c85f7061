/** A 50,000-row file through the real workflow: several row invocations, resumed from checkpoints. */
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
    const configPath = testConfig(dir, { validation: { ratePerSecond: 1000 }, import: { rowsPerInvocation: 20_000 } });
    stack = await startLocalStack({ inMemory: true, configPath, sandbox: { rateLimits: { PhoneNumberValidate: 1000 } } });
  });
  afterAll(() => stack?.stop());

  it('imports every usable row across several invocations, with each number looked up once', async () => {
    const file = await generateCsv(dir, 'large.csv', 50_000, 2_000);

    const { execution, summary } = await importFile(stack, file.path, { practiceId: 'sunrise-family' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ rowsRead: 50_000, created: file.people, duplicates: file.duplicates, rejected: file.rejects, lookups: file.uniqueNumbers, lookupFailures: 0 });
    // Three ImportRows invocations at 20,000 rows each, so the resume path ran twice.
    expect(execution.transitions).toBeGreaterThanOrEqual(3 * 2 + 6);
    const stats = await stack.engines.sandbox!.stats();
    expect(stats.operations.PhoneNumberValidate!.calls).toBe(file.uniqueNumbers);
  }, 600_000);
});
