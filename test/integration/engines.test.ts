/**
 * The local engines: dynalite, s3rver and the sandbox in child processes, reached by SDK clients
 * created as the handlers create them (`new XClient({})`) from the env the engines return.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PhoneNumberValidateCommand, PinpointClient } from '@aws-sdk/client-pinpoint';
import { GetObjectCommand, PutObjectCommand, S3Client, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createLocalResources, startLocalEngines, type LocalEngines, type S3EventNotification } from '../../local/engines';

const TABLE = 'outreach-tracker';
const BUCKETS = ['outreach-drop', 'outreach-reports'];
const ENGINES_INDEX = join(__dirname, '../../local/engines/index.ts');

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-engines-test-'));
  tempDirs.push(dir);
  return dir;
}

/** Run `fn` with `env` in process.env, as a handler would see it; restore afterwards. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Alive and not a zombie (a re-parented child may wait a while to be reaped). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function waitUntilDead(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Handler-style work: clients built with no configuration, everything from process.env. */
async function putAndGet(engines: LocalEngines, key: string) {
  return withEnv(engines.env, async () => {
    const dynamodb = new DynamoDBClient({});
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const s3 = new S3Client({}); // what a handler does today: no forcePathStyle
    try {
      await documents.send(new PutCommand({ TableName: TABLE, Item: { pk: `IMPORT#${key}`, sk: 'META', rows: 3 } }));
      const item = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: `IMPORT#${key}`, sk: 'META' } }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKETS[0], Key: `drops/${key}.csv`, Body: 'phone\n+12065550100\n' }));
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKETS[0], Key: `drops/${key}.csv` }));
      return { item: item.Item, body: await object.Body!.transformToString() };
    } finally {
      dynamodb.destroy();
      s3.destroy();
    }
  });
}

let engines: LocalEngines;
let stateDir: string;

beforeAll(async () => {
  stateDir = tempDir();
  engines = await startLocalEngines({ stateDir, sandbox: { rateLimits: { PhoneNumberValidate: 50 } } });
});

afterAll(async () => {
  await engines?.stop();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

test('starts the three engines in child processes and returns the env', () => {
  expect(engines.processes.map((p) => p.name).sort()).toEqual(['dynamodb', 's3', 'sandbox']);
  expect(engines.processes.every((p) => p.pid !== process.pid && isAlive(p.pid))).toBe(true);
  const sandboxUrl = engines.endpoints.sandbox;
  expect(sandboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(engines.env).toEqual({
    AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
    AWS_ENDPOINT_URL_PINPOINT: sandboxUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: sandboxUrl,
    AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: sandboxUrl,
    AWS_ENDPOINT_URL_CONNECT: sandboxUrl,
    AWS_ENDPOINT_URL_SCHEDULER: sandboxUrl,
    AWS_ENDPOINT_URL_SFN: sandboxUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  for (const url of [engines.endpoints.dynamodb, engines.endpoints.s3]) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test('creates the table and buckets idempotently', async () => {
  const first = await createLocalResources(engines.env, { tableName: TABLE, buckets: BUCKETS });
  expect(first).toEqual({
    table: 'created',
    timeToLive: 'unsupported',
    buckets: { 'outreach-drop': 'created', 'outreach-reports': 'created' },
  });
  const second = await createLocalResources(engines.env, { tableName: TABLE, buckets: BUCKETS });
  expect(second).toEqual({
    table: 'exists',
    timeToLive: 'unsupported',
    buckets: { 'outreach-drop': 'exists', 'outreach-reports': 'exists' },
  });
});

test('handler-style clients reach DynamoDB, S3 and the sandbox through the env; S3 events are forwarded', async () => {
  const events: S3EventNotification[] = [];
  const unsubscribe = engines.onS3Event((event) => events.push(event));
  const { item, body } = await putAndGet(engines, 'first');
  expect(item).toEqual({ pk: 'IMPORT#first', sk: 'META', rows: 3 });
  expect(body).toBe('phone\n+12065550100\n');

  const answer = await withEnv(engines.env, async () => {
    const pinpoint = new PinpointClient({});
    try {
      return await pinpoint.send(new PhoneNumberValidateCommand({ NumberValidateRequest: { PhoneNumber: '+12065550100' } }));
    } finally {
      pinpoint.destroy();
    }
  });
  expect(answer.NumberValidateResponse?.Timezone).toBe('America/Los_Angeles');
  expect(await engines.sandbox!.records('validations')).toHaveLength(1);
  expect(await engines.sandbox!.config()).toEqual({ rateLimits: { PhoneNumberValidate: 50 } });

  // Truncated listings need s3rver's --openssl-legacy-provider.
  const listed = await withEnv(engines.env, async () => {
    const s3 = new S3Client({ forcePathStyle: true });
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKETS[1], Key: 'a.txt', Body: 'a' }));
      await s3.send(new PutObjectCommand({ Bucket: BUCKETS[1], Key: 'b.txt', Body: 'b' }));
      return await s3.send(new ListObjectsV2Command({ Bucket: BUCKETS[1], MaxKeys: 1 }));
    } finally {
      s3.destroy();
    }
  });
  expect(listed.IsTruncated).toBe(true);

  const deadline = Date.now() + 2000;
  while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  unsubscribe();
  expect(events[0].Records[0]).toMatchObject({
    eventName: 'ObjectCreated:Put',
    s3: { bucket: { name: 'outreach-drop' }, object: { key: 'drops/first.csv' } },
  });
});

test('an endpoint already set in process.env wins: that engine is not started again', async () => {
  const saved = process.env.AWS_ENDPOINT_URL_S3;
  process.env.AWS_ENDPOINT_URL_S3 = engines.endpoints.s3;
  let other: LocalEngines | undefined;
  try {
    other = await startLocalEngines({ stateDir: tempDir(), inMemory: true });
    expect(other.processes.map((p) => p.name).sort()).toEqual(['dynamodb', 'sandbox']);
    expect(other.env.AWS_ENDPOINT_URL_S3).toBe(engines.endpoints.s3);
    expect(other.endpoints.s3).toBe(engines.endpoints.s3);
    expect(other.env.AWS_ENDPOINT_URL_DYNAMODB).not.toBe(engines.env.AWS_ENDPOINT_URL_DYNAMODB);
    // The in-memory DynamoDB is new and empty; the S3 is the first one's, buckets and all.
    expect(
      await createLocalResources(other.env, { tableName: TABLE, buckets: BUCKETS }),
    ).toMatchObject({ table: 'created', buckets: { 'outreach-drop': 'exists' } });
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
    else process.env.AWS_ENDPOINT_URL_S3 = saved;
    await other?.stop();
  }
  const pids = other!.processes.map((p) => p.pid);
  expect(pids.filter(isAlive)).toEqual([]);
});

test('stop leaves no child process, and the state directory is reused by the next start', async () => {
  const pids = engines.processes.map((p) => p.pid);
  await engines.stop();
  await engines.stop(); // idempotent
  expect(pids.filter(isAlive)).toEqual([]);

  engines = await startLocalEngines({ stateDir });
  expect(await createLocalResources(engines.env, { tableName: TABLE, buckets: BUCKETS })).toMatchObject({
    table: 'exists',
    buckets: { 'outreach-drop': 'exists', 'outreach-reports': 'exists' },
  });
  const kept = await withEnv(engines.env, async () => {
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const s3 = new S3Client({});
    try {
      const item = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'IMPORT#first', sk: 'META' } }));
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKETS[0], Key: 'drops/first.csv' }));
      return { item: item.Item, body: await object.Body!.transformToString() };
    } finally {
      documents.destroy();
      s3.destroy();
    }
  });
  expect(kept).toEqual({ item: { pk: 'IMPORT#first', sk: 'META', rows: 3 }, body: 'phone\n+12065550100\n' });
});

test('a second start on a state directory in use fails clearly', async () => {
  await expect(startLocalEngines({ stateDir })).rejects.toThrow(/another process using this state directory/);
});

test('children die when the parent is killed with SIGKILL (no orphans)', async () => {
  const dir = tempDir();
  const script = join(dir, 'parent.ts');
  writeFileSync(
    script,
    [
      `import { startLocalEngines } from ${JSON.stringify(ENGINES_INDEX)};`,
      `startLocalEngines({ stateDir: ${JSON.stringify(join(dir, 'state'))}, inMemory: true }).then((e) => {`,
      `  console.log(JSON.stringify(e.processes.map((p) => p.pid)));`,
      `});`,
    ].join('\n'),
  );
  const parent = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL_S3: '' },
  });
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  const line = await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve));
  const pids = JSON.parse(line) as number[];
  expect(pids).toHaveLength(3);
  expect(pids.every(isAlive)).toBe(true);
  parent.kill('SIGKILL');
  await exited;
  expect(await waitUntilDead(pids, 5000)).toEqual([]);
});
