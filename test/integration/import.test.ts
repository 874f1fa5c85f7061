/**
 * The monthly import end to end: the real ASL run locally, the real handlers, dynalite,
 * s3rver and the telephony sandbox in their own processes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { dropInInbox, importFile, LOCAL_NAMES, objectCreatedEventFor, ROOT, runImport, startLocalStack, type LocalStack } from '../../local/local-stack';
import { dependencies } from '../../lambdas/handlers/import-support';
import { generateCsv, testConfig } from './fixtures';

const SAMPLE = join(ROOT, 'samples', 'prospects.csv');
const PRACTICE = 'sunrise-family';

async function sandboxCalls(stack: LocalStack, operation = 'PhoneNumberValidate') {
  const stats = await stack.engines.sandbox!.stats();
  return stats.operations[operation] ?? { calls: 0, answered: 0, throttled: 0, injectedThrottles: 0, injectedFaults: 0, maxPerSecond: 0 };
}

async function countItems(prefix: string): Promise<number> {
  const ddb = new DynamoDBClient({});
  let count = 0;
  let ExclusiveStartKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page: import('@aws-sdk/client-dynamodb').ScanCommandOutput = await ddb.send(new ScanCommand({ TableName: LOCAL_NAMES.table, ExclusiveStartKey }));
    count += (page.Items ?? []).filter((i) => i.pk?.S?.startsWith(prefix)).length;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  ddb.destroy();
  return count;
}

describe('monthly import of the sample file', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ inMemory: true, sandbox: { latencyMs: 2 } });
  });
  afterAll(() => stack?.stop());

  it('imports people, reports rejected rows with line and reason, and classifies each number once', async () => {
    const { execution, summary } = await importFile(stack, SAMPLE, { practiceId: PRACTICE });

    expect(execution.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ status: 'imported', rowsRead: 25, created: 21, updated: 0, duplicates: 1, rejected: 3, warnings: 2, uniqueNumbers: 24, lookups: 24, cacheHits: 0 });
    expect(summary!.byPhoneType).toEqual({ MOBILE: 9, LANDLINE: 4, VOIP: 4, PREPAID: 4, INVALID: 3, OTHER: 0 });
    expect((await sandboxCalls(stack)).calls).toBe(24);

    const rejects = await stack.s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: summary!.rejectsFile!.replace(`s3://${LOCAL_NAMES.reportsBucket}/`, '') }));
    const lines = (await rejects.Body!.transformToString()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('line,reason,original row');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['11', '12', '13']);
    expect(lines[2]).toContain('no name');
    expect(lines[1]).toContain('too short');
  });

  it('merges the two rows of one external id into one person with E.164 numbers', async () => {
    const { tracker } = dependencies();
    const claims = await tracker.getClaims(PRACTICE, ['ext:p-1001']);
    const person = await tracker.getContact(PRACTICE, claims.get('ext:p-1001')!);

    expect(person).toMatchObject({ firstName: 'María', lastName: 'García', language: 'es' });
    expect(person!.phones.map((p) => p.e164)).toEqual(['+12068675300']);
    expect(person!.address).toMatchObject({ line1: '1420 E Pine St Apt 2', zip: '98122', state: 'WA' });
    expect(person!.tags).toEqual(['community-fair', 'spanish speakers', 'follow-up']);
    expect(person!.consent['sms:outreach']).toMatchObject({ granted: true });
  });

  it('publishes the summary as an event that carries counts and ids, not names or numbers', async () => {
    const events = await stack.engines.sandbox!.records('events');
    const completed = events.filter((e) => JSON.stringify(e).includes('Import Completed'));
    expect(completed).toHaveLength(1);
    const text = JSON.stringify(completed[0]);
    expect(text).toContain('"created\\":21');
    expect(text).not.toMatch(/Garcia|García|\+1206|867-5300/);
  });

  it('imports nothing new and looks nothing up when the same file arrives again', async () => {
    const before = (await sandboxCalls(stack)).calls;
    const { summary } = await importFile(stack, SAMPLE, { practiceId: PRACTICE });

    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 21, duplicates: 1, rejected: 3, lookups: 0, cacheHits: 24 });
    expect((await sandboxCalls(stack)).calls).toBe(before);
  });

  it('keeps an opt-out and a do-not-call request whatever a new file says', async () => {
    const { tracker } = dependencies();
    const id = (await tracker.getClaims(PRACTICE, ['ext:p-1017'])).get('ext:p-1017')!;
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    await doc.send(
      new UpdateCommand({
        TableName: LOCAL_NAMES.table,
        Key: { pk: `PRACTICE#${PRACTICE}#CONTACT#${id}`, sk: 'PROFILE' },
        UpdateExpression: 'SET optedOut = :o, doNotCall = :d',
        ExpressionAttributeValues: { ':o': { sms: '2026-11-01T10:00:00Z' }, ':d': '2026-11-01T10:00:00Z' },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
    const file = join(dir, 'december.csv');
    writeFileSync(file, 'External ID,First Name,Last Name,Mobile,SMS Consent,Call Consent,Do Not Call\nP-1017,Emily,Wilson,206-555-0128,Y,Y,N\n');

    const { summary } = await importFile(stack, file, { practiceId: PRACTICE });
    const person = await tracker.getContact(PRACTICE, id);

    expect(summary).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(person!.optedOut).toEqual({ sms: '2026-11-01T10:00:00Z' });
    expect(person!.doNotCall).toBe('2026-11-01T10:00:00Z');
    expect(person!.consent['voice:care']).toBeUndefined();
    doc.destroy();
  });

  it('imports a JSON Lines file with nested and array fields', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
    const file = join(dir, 'prospects.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 'J-1', name: { first: 'Ana', last: 'Silva' }, mobile: '+1 312 555 0110', tags: ['fair', 'es'] }),
        '',
        JSON.stringify({ id: 'J-2', first_name: 'Bo', last_name: 'Chen', address: '9 Elm St', city: 'Chicago', state: 'IL', zip: '60611' }),
        '{"id": "J-3", broken',
      ].join('\n'),
    );
    const { summary } = await importFile(stack, file, { practiceId: 'lakeside-pediatrics' });

    expect(summary).toMatchObject({ rowsRead: 3, created: 2, rejected: 1, uniqueNumbers: 1 });
  });

  it('writes a rejected row that starts with a formula spreadsheet-safe: the original row comes out as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outreach-test-'));
    const file = join(dir, 'formula.csv');
    const row = "=cmd|' /C calc'!A0,,,";
    writeFileSync(file, `External ID,First Name,Last Name,Mobile\r\n${row}\r\n`);
    const { summary } = await importFile(stack, file, { practiceId: 'lakeside-pediatrics' });

    expect(summary).toMatchObject({ rowsRead: 1, created: 0, rejected: 1 });
    const rejects = await stack.s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: summary!.rejectsFile!.replace(`s3://${LOCAL_NAMES.reportsBucket}/`, '') }));
    const lines = (await rejects.Body!.transformToString()).replace(/^\uFEFF/, '').trim().split('\r\n');
    // csvLine: the apostrophe first, then quoted for its commas.
    expect(lines[1]).toBe(`2,"no name: the row has no first, last or full name","'${row}"`);
  });
});

describe('files that cannot be imported', () => {
  let stack: LocalStack;
  let dir: string;
  beforeAll(async () => {
    stack = await startLocalStack({ inMemory: true });
    dir = mkdtempSync(join(tmpdir(), 'outreach-bad-'));
  });
  afterAll(() => stack?.stop());

  it.each([
    ['empty.csv', Buffer.alloc(0), 'the file is empty'],
    ['blank.csv', Buffer.from('\r\n  \r\n'), 'the file is empty'],
    ['scan.csv', Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0xff, 0x00, 0x13]), 'not text'],
    ['latin1.csv', Buffer.from('First Name,Last Name,Phone\nJos\xe9,P\xe9rez,2065550101\n', 'latin1'), 'not UTF-8'],
    ['noheader.csv', Buffer.from('foo,bar\n1,2\n'), 'no recognisable header'],
    ['nophone.csv', Buffer.from('First Name,Last Name,Notes\nA,B,c\n'), 'no phone or address column'],
  ])('fails %s with a message naming the problem and writes no contact', async (name, bytes, message) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);

    const { execution, summary } = await importFile(stack, file, { practiceId: PRACTICE });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ImportFileUnreadable');
    expect(execution.cause).toContain(message);
    expect(summary).toMatchObject({ status: 'failed', rowsRead: 0 });
    expect(await countItems(`PRACTICE#${PRACTICE}#CONTACT#`)).toBe(0);
  });

  it('refuses a file outside any practice inbox', async () => {
    const key = await dropInInbox(stack, join(ROOT, 'samples', 'prospects.csv'), 'no-such-practice');
    const { execution } = await runImport(stack, await objectCreatedEventFor(stack, key));

    expect(execution.status).toBe('FAILED');
    expect(execution.cause).toContain('no practice "no-such-practice"');
  });
});

describe('resilience', () => {
  let stack: LocalStack;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outreach-crash-'));
    const configPath = testConfig(dir, { validation: { ratePerSecond: 500, maxAttempts: 5, numbersPerInvocation: 100 }, import: { rowsPerInvocation: 500 } });
    stack = await startLocalStack({ inMemory: true, configPath, sandbox: { rateLimits: { PhoneNumberValidate: 500 } } });
  });
  afterAll(() => stack?.stop());
  afterEach(() => jest.restoreAllMocks());

  it('resumes from its checkpoint after a crash halfway through the rows and counts every row once', async () => {
    const file = await generateCsv(dir, 'crash-rows.csv', 2_000, 300);
    const { tracker } = dependencies();
    const real = tracker.checkpointRows.bind(tracker);
    let calls = 0;
    jest.spyOn(tracker, 'checkpointRows').mockImplementation(async (...args) => {
      calls += 1;
      // Batch 4's writes land, then the process "dies" before its checkpoint.
      if (calls === 4) throw Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' });
      return real(...args);
    });
    const key = await dropInInbox(stack, file.path, PRACTICE);
    const event = await objectCreatedEventFor(stack, key);

    const first = await runImport(stack, event);
    expect(first.execution.status).toBe('FAILED');
    expect(first.execution.error).toBe('SimulatedCrash');

    const again = await runImport(stack, event);
    expect(again.execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(again.summary).toMatchObject({ rowsRead: 2_000, created: file.people, duplicates: file.duplicates, rejected: file.rejects, unchanged: 0, updated: 0 });
    expect(await countItems(`PRACTICE#${PRACTICE}#CONTACT#`)).toBeGreaterThanOrEqual(file.people);
    expect(again.summary!.lookups).toBe(file.uniqueNumbers);
  });

  it('never looks a number up twice when it crashes while classifying numbers', async () => {
    const file = await generateCsv(dir, 'crash-numbers.csv', 600, 600, 10_000);
    const { tracker } = dependencies();
    const real = tracker.checkpointNumbers.bind(tracker);
    let calls = 0;
    jest.spyOn(tracker, 'checkpointNumbers').mockImplementation(async (...args) => {
      calls += 1;
      if (calls === 2) throw Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' });
      return real(...args);
    });
    const before = (await sandboxCalls(stack)).calls;
    const key = await dropInInbox(stack, file.path, PRACTICE);
    const event = await objectCreatedEventFor(stack, key);

    expect((await runImport(stack, event)).execution.status).toBe('FAILED');
    const again = await runImport(stack, event);

    expect(again.execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(again.summary).toMatchObject({ status: 'imported', uniqueNumbers: file.uniqueNumbers, lookups: file.uniqueNumbers, lookupFailures: 0 });
    expect((await sandboxCalls(stack)).calls - before).toBe(file.uniqueNumbers);
  });

  it('retries throttled lookups with backoff until every number is classified', async () => {
    const file = await generateCsv(dir, 'throttled.csv', 300, 300, 20_000);
    await stack.engines.sandbox!.configure({ throttle: [{ operation: 'PhoneNumberValidate', firstN: 20 }] });
    const before = await sandboxCalls(stack);

    const { summary } = await importFile(stack, file.path, { practiceId: 'lakeside-pediatrics' });
    const after = await sandboxCalls(stack);
    await stack.engines.sandbox!.configure({ throttle: [] });

    expect(summary).toMatchObject({ lookups: file.uniqueNumbers, lookupFailures: 0 });
    expect(after.injectedThrottles - before.injectedThrottles).toBe(20);
    expect(after.answered - before.answered).toBe(file.uniqueNumbers);
  });

  it('records lookups that keep failing and retries them with the next import', async () => {
    const failing = await generateCsv(dir, 'failing.csv', 5, 5, 30_000);
    await stack.engines.sandbox!.configure({ faults: [{ operation: 'PhoneNumberValidate', probability: 1 }] });
    const failed = await importFile(stack, failing.path, { practiceId: PRACTICE, objectName: 'failing-month.csv' });
    await stack.engines.sandbox!.configure({ faults: [] });

    expect(failed.summary).toMatchObject({ status: 'imported', lookups: 0, lookupFailures: failing.uniqueNumbers });

    const next = join(dir, 'next-month.csv');
    writeFileSync(next, 'First Name,Last Name,Mobile\nNew,Person,(312) 555-0133\n');
    const retried = await importFile(stack, next, { practiceId: PRACTICE });

    expect(retried.summary).toMatchObject({ lookups: failing.uniqueNumbers + 1, lookupFailures: 0 });
  });

  it('finishes when a row budget runs out exactly at the end of the file', async () => {
    // 1,000 rows with 500 rows per invocation: the second call stops at the last byte.
    const file = await generateCsv(dir, 'exact.csv', 1_000, 1_000, 50_000);

    const { execution, summary } = await importFile(stack, file.path, { practiceId: PRACTICE });

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(summary).toMatchObject({ rowsRead: 1_000, created: file.people, rejected: file.rejects });
  });

  it('imports once when the same upload event is delivered twice at the same time', async () => {
    const file = await generateCsv(dir, 'twice.csv', 400, 400, 40_000);
    const key = await dropInInbox(stack, file.path, PRACTICE);
    const event = await objectCreatedEventFor(stack, key);

    const [a, b] = await Promise.all([runImport(stack, event), runImport(stack, event)]);

    const outcomes = [a, b].map((o) => (o.skipped ? 'skipped' : `${o.execution.status}${o.execution.cause ? `: ${o.execution.cause}` : ''}`)).sort();
    expect(outcomes).toEqual(['SUCCEEDED', 'skipped']);
    const imported = a.skipped ? b : a;
    expect(imported.summary).toMatchObject({ created: file.people, lookups: file.uniqueNumbers });
  });
});
