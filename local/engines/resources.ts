/**
 * Create the tracker table and the buckets on the local engines, idempotently: a state
 * directory is reused across runs, so what exists already is fine.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { TRACKER_TABLE } from '../../lambdas/adapters/tracker-table';

export interface LocalResources {
  tableName: string;
  buckets: string[];
}

export interface LocalResourcesResult {
  table: 'created' | 'exists';
  /** `unsupported` on dynalite, which has no UpdateTimeToLive (items then never expire locally). */
  timeToLive: 'enabled' | 'unsupported';
  buckets: Record<string, 'created' | 'exists'>;
}

/** SDK client settings for the engines, from the env startLocalEngines returned. */
export function clientConfig(env: Record<string, string | undefined>, endpoint: string | undefined) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    endpoint,
    region: env.AWS_REGION ?? 'us-east-1',
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  };
}

function errorName(error: unknown): string | undefined {
  return error && typeof error === 'object' && 'name' in error ? String(error.name) : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is still ${Table?.TableStatus}`);
    await sleep(50);
  }
}

export async function createLocalResources(
  env: Record<string, string | undefined>,
  resources: LocalResources,
): Promise<LocalResourcesResult> {
  const dynamodb = new DynamoDBClient(clientConfig(env, env.AWS_ENDPOINT_URL_DYNAMODB));
  const s3 = new S3Client({
    ...clientConfig(env, env.AWS_ENDPOINT_URL_S3),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const { tableName } = resources;
    let table: LocalResourcesResult['table'] = 'created';
    try {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: TRACKER_TABLE.partitionKey, AttributeType: 'S' },
            { AttributeName: TRACKER_TABLE.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: TRACKER_TABLE.partitionKey, KeyType: 'HASH' },
            { AttributeName: TRACKER_TABLE.sortKey, KeyType: 'RANGE' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException) && errorName(error) !== 'ResourceInUseException') throw error;
      table = 'exists';
    }
    await waitUntilActive(dynamodb, tableName);

    let timeToLive: LocalResourcesResult['timeToLive'] = 'enabled';
    try {
      const { TimeToLiveDescription } = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
      const status = TimeToLiveDescription?.TimeToLiveStatus;
      if (status !== 'ENABLED' && status !== 'ENABLING') {
        await dynamodb.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: TRACKER_TABLE.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      // dynalite answers UnknownOperationException: TTL is simply not there locally.
      if (errorName(error) !== 'UnknownOperationException') throw error;
      timeToLive = 'unsupported';
    }

    const buckets: LocalResourcesResult['buckets'] = {};
    for (const bucket of resources.buckets) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        buckets[bucket] = 'created';
      } catch (error) {
        const name = errorName(error);
        // s3rver answers BucketAlreadyExists for its own buckets; S3 answers BucketAlreadyOwnedByYou.
        if (name !== 'BucketAlreadyExists' && name !== 'BucketAlreadyOwnedByYou') throw error;
        buckets[bucket] = 'exists';
      }
    }
    return { table, timeToLive, buckets };
  } finally {
    dynamodb.destroy();
    s3.destroy();
  }
}
