/**
 * What the import counts for the dashboard and the alarms, through the real import workflow
 * and the real import-watch handler against the local engines: the rows and lookups of a
 * finished import, a failed import by practice, and which practices' monthly file is late.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { dropInInbox, importFile, objectCreatedEventFor, runImport, startLocalStack, type LocalStack } from '../../local/local-stack';
import { VirtualClock } from '../../local/cadence-runner';
import { withClock } from '../../lambdas/adapters/clock';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { handler as importWatch } from '../../lambdas/handlers/import-watch';
import { captureEmf, type EmfCount } from '../support/emf';

const SAMPLE_FILE = join(__dirname, '..', '..', 'samples', 'prospects.csv');
const SUNRISE = 'sunrise-family';
const LAKESIDE = 'lakeside-pediatrics';

describe('import metrics', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ inMemory: true });
  });
  afterAll(() => stack?.stop());

  const valuesOf = (counts: readonly EmfCount[], names: readonly string[]) => counts.filter((c) => names.includes(c.name)).map((c) => [c.name, c.dimensions.practice, c.value]);

  it('counts a finished import\'s rows and lookups by practice, as its summary says', async () => {
    const { result, counts } = await captureEmf(() => importFile(stack, SAMPLE_FILE, { practiceId: SUNRISE }));
    const summary = result.summary!;

    expect(summary.rejected).toBeGreaterThan(0);
    expect(valuesOf(counts, ['RowsImported', 'RowsRejected', 'NumberLookups', 'NumberLookupFailures', 'ImportFailed'])).toEqual([
      ['RowsImported', SUNRISE, summary.rowsRead - summary.rejected],
      ['RowsRejected', SUNRISE, summary.rejected],
      ['NumberLookups', SUNRISE, summary.lookups],
      ['NumberLookupFailures', SUNRISE, summary.lookupFailures],
    ]);
  });

  it('counts a failed import as ImportFailed for its practice, and one outside every inbox for no practice', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'import-metrics-')), 'empty.csv');
    writeFileSync(file, '');
    const { result, counts } = await captureEmf(async () => {
      const unreadable = await importFile(stack, file, { practiceId: LAKESIDE });
      const stray = await runImport(stack, await objectCreatedEventFor(stack, await dropInInbox(stack, SAMPLE_FILE, 'no-such-practice')));
      return [unreadable.execution.status, stray.execution.status];
    });

    expect(result).toEqual(['FAILED', 'FAILED']);
    expect(valuesOf(counts, ['ImportFailed', 'RowsImported'])).toEqual([
      ['ImportFailed', LAKESIDE, 1],
      ['ImportFailed', 'unknown', 1],
    ]);
  });

  it('publishes ImportMissing for every practice each day: 0 while this month\'s file has arrived, 1 once a month is past its due day without one', async () => {
    // Only sunrise-family's import started (the first test); lakeside-pediatrics' only import failed, in its own month too.
    const startedAt = (await dependencies().tracker.latestImportStartedAt(SUNRISE))!;
    expect(startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const dueDay = dependencies().config.observability.importDueDay;
    const afterDueDay = DateTime.fromISO(startedAt, { zone: 'America/Los_Angeles' }).set({ day: dueDay + 1, hour: 12 }).toJSDate();
    const nextMonth = DateTime.fromJSDate(afterDueDay).plus({ months: 1 }).toJSDate();

    const { result, counts } = await captureEmf(() => withClock(new VirtualClock(afterDueDay), () => importWatch()));
    const { result: later, counts: laterCounts } = await captureEmf(() => withClock(new VirtualClock(nextMonth), () => importWatch()));

    // The failed import of lakeside-pediatrics did start: its file arrived, the ImportFailed alarm covers it.
    expect(result).toEqual({ missing: [] });
    expect(valuesOf(counts, ['ImportMissing'])).toEqual([
      ['ImportMissing', SUNRISE, 0],
      ['ImportMissing', LAKESIDE, 0],
    ]);
    expect(later).toEqual({ missing: [SUNRISE, LAKESIDE] });
    expect(valuesOf(laterCounts, ['ImportMissing'])).toEqual([
      ['ImportMissing', SUNRISE, 1],
      ['ImportMissing', LAKESIDE, 1],
    ]);
  });
});
