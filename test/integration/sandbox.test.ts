/**
 * The telephony sandbox, driven by the real AWS SDK v3 clients: documented answers, token-bucket
 * rate limits, deterministic throttling/fault injection, records and statistics.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  EventBridgeClient,
  InternalException,
  ListRulesCommand,
  PutEventsCommand,
  ThrottlingException,
} from '@aws-sdk/client-eventbridge';
import {
  BadRequestException,
  GetAppsCommand,
  InternalServerErrorException,
  PhoneNumberValidateCommand,
  PinpointClient,
  TooManyRequestsException,
  type NumberValidateResponse,
} from '@aws-sdk/client-pinpoint';
import { SandboxClient, startSandbox, type RecordedEvent, type SandboxHandle } from '../../local/sandbox';

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let sandbox: SandboxHandle;
const clients: { destroy(): void }[] = [];

/** A retry strategy that never retries but keeps how the SDK classified each error. */
function classifying(seen: string[]) {
  return {
    acquireInitialRetryToken: async () => ({ getRetryCount: () => 0, getRetryDelay: () => 0 }),
    refreshRetryTokenForRetry: async (_token: unknown, info: { errorType: string }) => {
      seen.push(info.errorType);
      throw new Error('no retry');
    },
    recordSuccess: () => undefined,
  };
}

function pinpoint(config: Partial<ConstructorParameters<typeof PinpointClient>[0]> = {}) {
  const client = new PinpointClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1, ...config });
  clients.push(client);
  return client;
}

function eventbridge(config: Partial<ConstructorParameters<typeof EventBridgeClient>[0]> = {}) {
  const client = new EventBridgeClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1, ...config });
  clients.push(client);
  return client;
}

const validate = (client: PinpointClient, PhoneNumber: string, IsoCountryCode?: string) =>
  client.send(new PhoneNumberValidateCommand({ NumberValidateRequest: { PhoneNumber, IsoCountryCode } }));

/** Settle every promise; count fulfilled and collect the rejections. */
async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  return { ok: results.length - errors.length, errors };
}

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await sandbox.close();
});

beforeEach(() => sandbox.reset({ config: true }));

describe('PhoneNumberValidate answers by the documented rules', () => {
  test.each<[string, Partial<NumberValidateResponse>]>([
    [
      '+12065550100',
      {
        PhoneType: 'MOBILE',
        PhoneTypeCode: 0,
        Carrier: 'Sandbox Wireless',
        City: 'Seattle',
        County: 'King',
        ZipCode: '98101',
        Timezone: 'America/Los_Angeles',
        Country: 'United States',
        CountryCodeIso2: 'US',
        CountryCodeNumeric: '1',
        CleansedPhoneNumberE164: '+12065550100',
        CleansedPhoneNumberNational: '2065550100',
        OriginalPhoneNumber: '+12065550100',
      },
    ],
    ['+13125550105', { PhoneType: 'LANDLINE', PhoneTypeCode: 1, Carrier: 'Sandbox Telephone', City: 'Chicago', Timezone: 'America/Chicago' }],
    ['+16025550107', { PhoneType: 'VOIP', PhoneTypeCode: 2, Carrier: 'Sandbox VoIP', City: 'Phoenix', Timezone: 'America/Phoenix' }],
    ['+18085550108', { PhoneType: 'PREPAID', PhoneTypeCode: 5, City: 'Honolulu', Timezone: 'Pacific/Honolulu' }],
    ['+19075550199', { PhoneType: 'OTHER', PhoneTypeCode: 4, Carrier: 'Sandbox Other', City: 'Anchorage', Timezone: 'America/Anchorage' }],
    ['+15025550106', { PhoneType: 'LANDLINE', City: 'Louisville', Timezone: 'America/Kentucky/Louisville' }],
    ['+14255550102', { PhoneType: 'MOBILE', Timezone: 'America/Los_Angeles' }],
  ])('%s', async (number, expected) => {
    const { NumberValidateResponse: answer } = await validate(pinpoint(), number);
    expect(answer).toMatchObject(expected);
  });

  test('INVALID (last digit 9) still answers 200, without carrier or time zone', async () => {
    const { NumberValidateResponse: answer, $metadata } = await validate(pinpoint(), '+12125550109');
    expect($metadata.httpStatusCode).toBe(200);
    expect(answer).toMatchObject({ PhoneType: 'INVALID', PhoneTypeCode: 3, CountryCodeIso2: 'US' });
    expect(answer?.Carrier).toBeUndefined();
    expect(answer?.Timezone).toBeUndefined();
  });

  test('a national number is read in IsoCountryCode', async () => {
    const { NumberValidateResponse: answer } = await validate(pinpoint(), '(206) 555-0123', 'US');
    expect(answer).toMatchObject({
      CleansedPhoneNumberE164: '+12065550123',
      OriginalCountryCodeIso2: 'US',
      OriginalPhoneNumber: '(206) 555-0123',
      PhoneType: 'MOBILE',
      Timezone: 'America/Los_Angeles',
    });
  });

  test('an unknown US area code: America/New_York, no city', async () => {
    const { NumberValidateResponse: answer } = await validate(pinpoint(), '+12345550101');
    expect(answer).toMatchObject({ CountryCodeIso2: 'US', Timezone: 'America/New_York', PhoneType: 'MOBILE' });
    expect(answer?.City).toBeUndefined();
  });

  test('a non-US number: country from the calling code, no time zone', async () => {
    const { NumberValidateResponse: answer } = await validate(pinpoint(), '+442071838755');
    expect(answer).toMatchObject({
      CountryCodeIso2: 'GB',
      Country: 'United Kingdom',
      CountryCodeNumeric: '44',
      PhoneType: 'LANDLINE',
    });
    expect(answer?.Timezone).toBeUndefined();
  });

  test('an unparseable number answers INVALID with only the original members', async () => {
    const { NumberValidateResponse: answer } = await validate(pinpoint(), 'not a number');
    expect(answer).toEqual({ OriginalPhoneNumber: 'not a number', PhoneType: 'INVALID', PhoneTypeCode: 3 });
  });

  test('a missing PhoneNumber is a BadRequestException', async () => {
    const error = await pinpoint()
      .send(new PhoneNumberValidateCommand({ NumberValidateRequest: {} }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestException);
    expect((await sandbox.stats()).operations.PhoneNumberValidate).toMatchObject({ answered: 1, rejected: 1 });
  });

  test('each validation is recorded', async () => {
    await validate(pinpoint(), '+12065550100');
    const records = await sandbox.records<{ request: { PhoneNumber: string } }>('validations');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'validations', operation: 'PhoneNumberValidate' });
    expect(records[0].data.request.PhoneNumber).toBe('+12065550100');
  });
});

describe('rate limits (token bucket) answer the real throttling errors', () => {
  test('Pinpoint over its limit: 429 TooManyRequestsException, classified as throttling by the SDK', async () => {
    // A low rate keeps this exact even on a loaded machine: one token per 500 ms.
    await sandbox.configure({ rateLimits: { PhoneNumberValidate: 2 } });
    const seen: string[] = [];
    const client = pinpoint({ retryStrategy: classifying(seen) });
    const { ok, errors } = await settle(Array.from({ length: 8 }, (_, i) => validate(client, `+1206555010${i}`)));
    expect(ok).toBeGreaterThanOrEqual(2);
    expect(ok).toBeLessThanOrEqual(3);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TooManyRequestsException);
      expect(error.$metadata.httpStatusCode).toBe(429);
      expect(error.$fault).toBe('client');
      expect(error.RequestID).toEqual(expect.any(String));
    }
    expect(seen).toEqual(errors.map(() => 'THROTTLING'));
    const stats = (await sandbox.stats()).operations.PhoneNumberValidate;
    expect(stats).toMatchObject({ calls: 8, answered: ok, throttled: errors.length, injectedThrottles: 0 });
  });

  test('the bucket refills continuously at the rate', async () => {
    await sandbox.configure({ rateLimits: { PhoneNumberValidate: 2 } });
    const client = pinpoint();
    await settle(Array.from({ length: 4 }, () => validate(client, '+12065550100')));
    await sleep(1000); // 2 tokens back: the bucket is full again, and holds no more
    const { ok } = await settle(Array.from({ length: 5 }, () => validate(client, '+12065550100')));
    expect(ok).toBe(2);
  });

  test('EventBridge over its limit: ThrottlingException', async () => {
    await sandbox.configure({ rateLimits: { PutEvents: 1 } });
    const seen: string[] = [];
    const client = eventbridge({ retryStrategy: classifying(seen) });
    const put = () => client.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }));
    await put();
    const error = await put().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(400);
    expect(seen).toEqual(['THROTTLING']);
  });

  test('a client pacing itself under the limit is never throttled and never above it in any second', async () => {
    await sandbox.configure({ rateLimits: { PhoneNumberValidate: 20 } });
    const client = pinpoint();
    // Pacing like Bottleneck's minTime: each call starts at least 60 ms after the previous (≤ 16.7/s).
    const started = Date.now();
    let last = 0;
    while (Date.now() - started < 1300) {
      const wait = last + 60 - Date.now();
      if (wait > 0) await sleep(wait);
      last = Date.now();
      await validate(client, '+12065550100');
    }
    const stats = (await sandbox.stats()).operations.PhoneNumberValidate;
    expect(stats.throttled).toBe(0);
    expect(stats.calls).toBeGreaterThanOrEqual(12);
    expect(stats.maxPerSecond).toBeLessThanOrEqual(20);
  });

  test('a bursting client is throttled, and a token bucket lets more than the rate through in a second', async () => {
    await sandbox.configure({ rateLimits: { PhoneNumberValidate: 10 } });
    const client = pinpoint();
    // Outcomes are caught at once: the loop keeps going while earlier calls fail.
    const calls: Promise<unknown>[] = [];
    const started = Date.now();
    while (Date.now() - started < 1100) {
      calls.push(validate(client, '+12065550100').then(() => 'ok', (error: unknown) => error));
      await sleep(20);
    }
    const outcomes = await Promise.all(calls);
    const ok = outcomes.filter((o) => o === 'ok').length;
    const errors = outcomes.filter((o) => o !== 'ok');
    expect(errors.every((e) => e instanceof TooManyRequestsException)).toBe(true);
    const stats = (await sandbox.stats()).operations.PhoneNumberValidate;
    expect(errors.length).toBeGreaterThan(0);
    expect(stats.throttled).toBe(errors.length);
    expect(stats.answered).toBe(ok);
    // Full bucket (10) plus the refill during the second: above 10, below 2 × 10 + slack.
    expect(stats.maxPerSecond).toBeGreaterThan(10);
    expect(stats.maxPerSecond).toBeLessThanOrEqual(21);
  });
});

describe('injected throttling and faults', () => {
  test('throttle every Nth call', async () => {
    await sandbox.configure({ throttle: [{ operation: 'PhoneNumberValidate', every: 3 }] });
    const client = pinpoint();
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(await validate(client, '+12065550100').then(() => 'ok', (e: Error) => e.name));
    }
    expect(outcomes).toEqual(['ok', 'ok', 'TooManyRequestsException', 'ok', 'ok', 'TooManyRequestsException']);
    expect((await sandbox.stats()).operations.PhoneNumberValidate).toMatchObject({ injectedThrottles: 2, throttled: 0, answered: 4 });
  });

  test('the SDK retries an injected throttle and succeeds', async () => {
    await sandbox.configure({ throttle: [{ operation: 'pinpoint:PhoneNumberValidate', firstN: 1 }] });
    const answer = await validate(pinpoint({ maxAttempts: 2 }), '+12065550100');
    expect(answer.$metadata.attempts).toBe(2);
    expect((await sandbox.stats()).operations.PhoneNumberValidate).toMatchObject({ calls: 2, injectedThrottles: 1, answered: 1 });
  });

  test('faults surface as 5xx server errors', async () => {
    await sandbox.configure({
      faults: [
        { operation: 'PhoneNumberValidate', firstN: 1 },
        { operation: 'PutEvents', every: 1, status: 503 },
      ],
    });
    const seen: string[] = [];
    const internal = await validate(pinpoint({ retryStrategy: classifying(seen) }), '+12065550100').catch((e: unknown) => e);
    expect(internal).toBeInstanceOf(InternalServerErrorException);
    expect((internal as InternalServerErrorException).$metadata.httpStatusCode).toBe(500);
    expect((internal as InternalServerErrorException).$fault).toBe('server');
    expect(seen).toEqual(['TRANSIENT']);
    await expect(validate(pinpoint(), '+12065550100')).resolves.toBeDefined();

    const unavailable = await eventbridge()
      .send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }))
      .catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(unavailable).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
    const stats = (await sandbox.stats()).operations;
    expect(stats.PhoneNumberValidate.injectedFaults).toBe(1);
    expect(stats.PutEvents.injectedFaults).toBe(1);
  });

  test('EventBridge internal fault is InternalException', async () => {
    await sandbox.configure({ faults: [{ operation: 'PutEvents', firstN: 1 }] });
    const error = await eventbridge()
      .send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 't', Detail: '{}' }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalException);
  });

  test('seeded probability is reproducible', async () => {
    const run = async () => {
      await sandbox.reset();
      await sandbox.configure({ throttle: [{ probability: 0.5, seed: 42 }] });
      const client = pinpoint();
      let pattern = '';
      for (let i = 0; i < 20; i++) pattern += await validate(client, '+12065550100').then(() => '.', () => 'T');
      return pattern;
    };
    const first = await run();
    expect(first).toMatch(/T/);
    expect(first).toMatch(/\./);
    expect(await run()).toBe(first);
  });

  test('latency is added before answering, per operation', async () => {
    await sandbox.configure({ latencyMs: { PhoneNumberValidate: 150 } });
    const started = performance.now();
    await validate(pinpoint(), '+12065550100');
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe('PutEvents', () => {
  test('records each entry, readable through the control API', async () => {
    const client = eventbridge();
    const answer = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'outreach.tracker', DetailType: 'ImportFinished', Detail: JSON.stringify({ importId: 'i-1' }), EventBusName: 'outreach' },
          { Source: 'outreach.tracker', DetailType: 'ImportFailed', Detail: JSON.stringify({ importId: 'i-2' }), Resources: ['arn:x'] },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(0);
    expect(answer.Entries).toHaveLength(2);
    expect(answer.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);

    const control = new SandboxClient(sandbox.url);
    const events = await control.records<RecordedEvent>('events');
    expect(events.map((r) => r.data)).toEqual([
      expect.objectContaining({
        EventId: answer.Entries?.[0].EventId,
        EventBusName: 'outreach',
        Source: 'outreach.tracker',
        DetailType: 'ImportFinished',
        detail: { importId: 'i-1' },
      }),
      expect.objectContaining({ EventBusName: 'default', DetailType: 'ImportFailed', Resources: ['arn:x'] }),
    ]);
    expect(await control.records('events', { since: events[0].seq })).toHaveLength(1);
    expect((await control.stats()).operations.PutEvents).toMatchObject({ calls: 1, answered: 1 });
  });

  test('a malformed entry fails on its own', async () => {
    const answer = await eventbridge().send(
      new PutEventsCommand({
        Entries: [
          { Source: 's', DetailType: 't', Detail: 'not json' },
          { Source: 's', DetailType: 't', Detail: '{}' },
          { DetailType: 't', Detail: '{}' },
        ],
      }),
    );
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual(['MalformedDetail', 'ok', 'InvalidArgument']);
    expect(await sandbox.records('events')).toHaveLength(1);
  });
});

describe('unknown operations and the control API', () => {
  test('unknown operations answer UnknownOperationException', async () => {
    const json = await eventbridge().send(new ListRulesCommand({})).catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(json).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
    const rest = await pinpoint().send(new GetAppsCommand({})).catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e);
    expect(rest).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 404 } });
    expect((await sandbox.stats()).unknownOperations).toBe(2);
  });

  test('configure validates, merges, and reset clears', async () => {
    const control = new SandboxClient(sandbox.url);
    await expect(control.configure({ throttle: [{ every: 2, firstN: 1 }] })).rejects.toThrow(/400/);
    await control.configure({ rateLimits: { PutEvents: 7 } });
    await control.configure({ latencyMs: 1 });
    expect(await control.config()).toEqual({ rateLimits: { PutEvents: 7 }, latencyMs: 1 });
    await validate(pinpoint(), '+12065550100');
    await control.reset();
    expect(await control.records()).toEqual([]);
    expect((await control.stats()).operations.PhoneNumberValidate.calls).toBe(0);
    expect(await control.config()).toEqual({ rateLimits: { PutEvents: 7 }, latencyMs: 1 });
    await control.reset({ config: true });
    expect(await control.config()).toEqual({});
  });
});

test('main.ts runs the sandbox as its own process and exits on SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(__dirname, '../../local/sandbox/main.ts'), '{"rateLimits":{"PutEvents":3}}'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const { sandbox: url } = JSON.parse(line) as { sandbox: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await new SandboxClient(url).config()).toEqual({ rateLimits: { PutEvents: 3 } });
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
