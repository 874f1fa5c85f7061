/**
 * The local engines: dynalite (DynamoDB), s3rver (S3) and the telephony sandbox, each in its
 * own child process on 127.0.0.1, plus the environment that points the unchanged handlers'
 * SDK clients at them. See README.md.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SandboxClient } from '../sandbox/client';
import { SERVICES } from '../sandbox/protocol';
import type { SandboxOptions } from '../sandbox/types';
import { startChild, type EngineChild } from './child-process';

export { createLocalResources, type LocalResources, type LocalResourcesResult } from './resources';

export type EngineName = 'dynamodb' | 's3' | 'sandbox';

export interface LocalEnginesOptions {
  /** Where the engines keep state: `<stateDir>/dynamodb` (LevelDB) and `<stateDir>/s3`. Reusable across runs. */
  stateDir: string;
  /** Options for the telephony sandbox (latency, rate limits, injection…). */
  sandbox?: SandboxOptions;
  /** Keep nothing: DynamoDB in memory, S3 in a fresh `<stateDir>/s3-in-memory-*` directory removed on stop. */
  inMemory?: boolean;
  /** Per engine start timeout (default 30 s). */
  startTimeoutMs?: number;
}

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  pinpoint: string;
  eventbridge: string;
  pinpointSmsVoiceV2: string;
  connect: string;
  scheduler: string;
  sfn: string;
  /** The sandbox's own URL (control API at `/_sandbox/`), when this call started it. */
  sandbox?: string;
}

/** An S3 event notification as s3rver emits it (the S3 notification JSON: `{ Records: [...] }`). */
export interface S3EventNotification {
  Records: {
    eventName: string;
    eventTime: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
    [member: string]: unknown;
  }[];
}

export interface LocalEngines {
  endpoints: LocalEndpoints;
  /** Everything to put in a handler's process.env (endpoint URLs, region, credentials, checksum settings). */
  env: Record<string, string>;
  /** Control client for the sandbox this call started (undefined when every sandbox endpoint was given in process.env). */
  sandbox: SandboxClient | undefined;
  /** The child processes this call started. */
  processes: ReadonlyArray<{ name: EngineName; pid: number }>;
  /** s3rver's event notifications (only when this call started s3rver). Returns an unsubscribe function. */
  onS3Event(listener: (event: S3EventNotification) => void): () => void;
  /** Stop every child (SIGTERM, then SIGKILL) and wait for them to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Credentials s3rver accepts; dynalite and the sandbox accept anything. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

const ENDPOINT_ENV = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  s3: 'AWS_ENDPOINT_URL_S3',
  pinpoint: SERVICES.pinpoint.endpointEnv,
  eventbridge: SERVICES.eventbridge.endpointEnv,
  pinpointSmsVoiceV2: SERVICES.smsVoiceV2.endpointEnv,
  connect: SERVICES.connect.endpointEnv,
  scheduler: SERVICES.scheduler.endpointEnv,
  sfn: SERVICES.sfn.endpointEnv,
} as const satisfies Record<Exclude<keyof LocalEndpoints, 'sandbox'>, string>;

const SANDBOX_KEYS = ['pinpoint', 'eventbridge', 'pinpointSmsVoiceV2', 'connect', 'scheduler', 'sfn'] as const;

/** A non-empty endpoint already set in process.env wins: that engine is not started. */
function given(variable: string): string | undefined {
  const value = process.env[variable];
  return value && value.trim() !== '' ? value : undefined;
}

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_REGION: LOCAL_REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function startLocalEngines(options: LocalEnginesOptions): Promise<LocalEngines> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const s3Listeners = new Set<(event: S3EventNotification) => void>();
  const children: { name: EngineName; child: EngineChild }[] = [];
  let tempS3Dir: string | undefined;

  const wantDynamo = !given(ENDPOINT_ENV.dynamodb);
  const wantS3 = !given(ENDPOINT_ENV.s3);
  const wantSandbox = SANDBOX_KEYS.some((key) => !given(ENDPOINT_ENV[key]));

  const dynamoDir = join(options.stateDir, 'dynamodb');
  let s3Dir = join(options.stateDir, 's3');
  await mkdir(options.stateDir, { recursive: true });
  if (options.inMemory && wantS3) s3Dir = tempS3Dir = await mkdtemp(join(options.stateDir, 's3-in-memory-'));
  if (wantDynamo && !options.inMemory) await mkdir(dynamoDir, { recursive: true });
  if (wantS3) await mkdir(s3Dir, { recursive: true });

  // Kill the children if this process exits without stop() (synchronous: all 'exit' allows).
  const killOnExit = () => {
    for (const { child } of children) {
      try {
        child.process.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killOnExit);

  const start = async (name: EngineName, launch: () => Promise<EngineChild>): Promise<EngineChild> => {
    const child = await launch();
    children.push({ name, child });
    return child;
  };

  const launches: Promise<EngineChild | undefined>[] = [
    wantDynamo
      ? start('dynamodb', () =>
          startChild({
            name: 'dynalite',
            script: join(__dirname, 'dynalite-child.ts'),
            options: { path: options.inMemory ? undefined : dynamoDir },
            readyKey: 'dynamodb',
            env: childEnv(),
            timeoutMs,
          }),
        )
      : Promise.resolve(undefined),
    wantS3
      ? start('s3', () =>
          startChild({
            name: 's3rver',
            script: join(__dirname, 's3rver-child.ts'),
            options: { directory: s3Dir },
            nodeArgs: ['--openssl-legacy-provider'],
            readyKey: 's3',
            env: childEnv(),
            timeoutMs,
            onMessage: (message) => {
              const m = message as { type?: string; event?: S3EventNotification } | null;
              if (m?.type !== 's3event' || !m.event) return;
              for (const listener of s3Listeners) listener(m.event);
            },
          }),
        )
      : Promise.resolve(undefined),
    wantSandbox
      ? start('sandbox', () =>
          startChild({
            name: 'sandbox',
            script: join(__dirname, '..', 'sandbox', 'main.ts'),
            options: { ...options.sandbox, host: '127.0.0.1', port: 0 },
            readyKey: 'sandbox',
            env: childEnv(),
            timeoutMs,
          }),
        )
      : Promise.resolve(undefined),
  ];

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.all(children.map(({ child }) => child.stop()));
      process.off('exit', killOnExit);
      s3Listeners.clear();
      if (tempS3Dir) await rm(tempS3Dir, { recursive: true, force: true });
    })());

  const settled = await Promise.allSettled(launches);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const [dynamo, s3, sandbox] = settled.map((s) => (s as PromiseFulfilledResult<EngineChild | undefined>).value);

  const endpoints: LocalEndpoints = {
    dynamodb: dynamo?.url ?? given(ENDPOINT_ENV.dynamodb)!,
    s3: s3?.url ?? given(ENDPOINT_ENV.s3)!,
    pinpoint: given(ENDPOINT_ENV.pinpoint) ?? sandbox!.url,
    eventbridge: given(ENDPOINT_ENV.eventbridge) ?? sandbox!.url,
    pinpointSmsVoiceV2: given(ENDPOINT_ENV.pinpointSmsVoiceV2) ?? sandbox!.url,
    connect: given(ENDPOINT_ENV.connect) ?? sandbox!.url,
    scheduler: given(ENDPOINT_ENV.scheduler) ?? sandbox!.url,
    sfn: given(ENDPOINT_ENV.sfn) ?? sandbox!.url,
    ...(sandbox ? { sandbox: sandbox.url } : {}),
  };

  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
    AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [key, variable] of Object.entries(ENDPOINT_ENV)) {
    env[variable] = endpoints[key as keyof typeof ENDPOINT_ENV];
  }

  return {
    endpoints,
    env,
    sandbox: sandbox ? new SandboxClient(sandbox.url) : undefined,
    processes: children.map(({ name, child }) => ({ name, pid: child.pid })),
    onS3Event(listener) {
      s3Listeners.add(listener);
      return () => {
        s3Listeners.delete(listener);
      };
    },
    stop,
  };
}
