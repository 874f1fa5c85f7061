/**
 * The tracker table's plumbing, shared by the repositories that own its items (tracker.ts:
 * imports and contacts; cadence-ledger.ts: enrollments, attempts and pacing): one
 * document client, conditional writes that turn a failed condition into a ConflictError,
 * paged queries, and batch reads/writes that retry what DynamoDB left unprocessed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, NativeAttributeValue>;

/** The partition of everything about one person of one practice: profile, history, attempts, enrollments. */
export const contactPk = (practiceId: string, contactId: string) => `PRACTICE#${practiceId}#CONTACT#${contactId}`;

export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

export class TrackerTable {
  protected readonly doc: DynamoDBDocumentClient;

  constructor(
    protected readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  protected async conditional(command: UpdateCommand | PutCommand | DeleteCommand, conflict: string): Promise<{ Attributes?: Item }> {
    try {
      return await this.doc.send(command as UpdateCommand);
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') throw new ConflictError(conflict);
      throw e;
    }
  }

  protected async *query(pk: string, skPrefix?: string): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
          ExclusiveStartKey,
        }),
      );
      yield* page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  protected async batchGet(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<Item[]> {
    const unique = [...new Map(keys.map((k) => [`${k.pk}\n${k.sk}`, k])).values()];
    const chunks = chunk(unique, 100);
    const pages = await Promise.all(
      chunks.map(async (Keys) => {
        const found: Item[] = [];
        let pending: Item[] = Keys;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const { Responses, UnprocessedKeys } = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
          found.push(...(Responses?.[this.tableName] ?? []));
          pending = (UnprocessedKeys?.[this.tableName]?.Keys as Item[] | undefined) ?? [];
        }
        return found;
      }),
    );
    return pages.flat();
  }

  protected async batchPut(items: readonly Item[]): Promise<void> {
    await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })));
  }

  protected async batchWrite(requests: ReadonlyArray<Record<string, unknown>>): Promise<void> {
    await Promise.all(
      chunk(requests, 25).map(async (batch) => {
        let pending = batch;
        for (let attempt = 0; pending.length > 0; attempt++) {
          if (attempt > 0) await backoff(attempt);
          const { UnprocessedItems } = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
          pending = (UnprocessedItems?.[this.tableName] as typeof batch | undefined) ?? [];
        }
      }),
    );
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Unprocessed batch items: exponential backoff with full jitter, as AWS advises. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(2000, 25 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function stripKeys<T>(item: Item): T {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = item;
  return rest as T;
}
