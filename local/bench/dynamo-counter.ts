/**
 * Counts the DynamoDB requests a handler sends, at the wire, by adding a middleware to the
 * middleware stack of the very SDK clients the handler uses.
 *
 * The handlers build their own clients (`new DynamoDBClient({})` inside Tracker and
 * CadenceLedger, created by the handlers' `dependencies()`), so there is no client to pass
 * in; instead the bench builds those dependencies first and adds this middleware to each
 * repository's document client. A DynamoDBDocumentClient shares its middleware stack with
 * the DynamoDBClient under it, so every command either of them sends passes through here.
 *
 * The middleware sits in the `deserialize` step, after the retry middleware, so it sees every
 * HTTP request that actually goes to dynalite — an SDK retry is counted again, and so is each
 * BatchWriteItem the repository re-sends for UnprocessedItems. It reads the operation from the
 * request's `X-Amz-Target` header (`DynamoDB_20120810.PutItem`) and counts **write request
 * items**: PutItem, UpdateItem and DeleteItem one each, BatchWriteItem one per PutRequest or
 * DeleteRequest in the serialized body, TransactWriteItems one per TransactItem. A conditional
 * write whose condition fails is still counted (DynamoDB charges a write for it); those are
 * also counted apart. Reads are counted the same way (GetItem 1, BatchGetItem one per key,
 * Query and Scan one per request).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

const WRITE_OPERATIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

export interface DynamoCounts {
  /** Write request items (see above). */
  writeItems: number;
  /** Write requests (HTTP requests of a write operation). */
  writeRequests: number;
  /** Writes refused by their condition (ConditionalCheckFailedException; counted in writeItems too). */
  conditionalFailures: number;
  conditionalFailuresByOperation: Record<string, number>;
  /** Items read: GetItem 1, BatchGetItem one per key asked for; Query and Scan one per request. */
  readItems: number;
  readRequests: number;
  /** Requests per operation name. */
  byOperation: Record<string, number>;
  /** Write items per operation name. */
  writeItemsByOperation: Record<string, number>;
  /** Batch requests whose body could not be read (their items are missing from the counts): must be 0. */
  unreadableBodies: number;
}

export function emptyCounts(): DynamoCounts {
  return { writeItems: 0, writeRequests: 0, conditionalFailures: 0, conditionalFailuresByOperation: {}, readItems: 0, readRequests: 0, byOperation: {}, writeItemsByOperation: {}, unreadableBodies: 0 };
}

interface WireRequest {
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

function header(request: WireRequest, name: string): string | undefined {
  const headers = request.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

/** A batch request whose body could not be read: its items cannot be counted. */
export class UnreadableBody extends Error {}

/** The serialized JSON body: a string, or bytes (the SDK's serializers give either). */
function jsonBody(request: WireRequest): Record<string, unknown> {
  const body = request.body;
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : undefined;
  if (text === undefined) throw new UnreadableBody(`a request body of type ${typeof body}`);
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UnreadableBody('a request body that is not JSON');
  }
}

function sumOfLengths(map: unknown, pick: (v: unknown) => number): number {
  if (!map || typeof map !== 'object') return 0;
  return Object.values(map as Record<string, unknown>).reduce<number>((n, v) => n + pick(v), 0);
}

/** The write items and read items one request carries. */
export function itemsOf(operation: string, request: WireRequest): { writes: number; reads: number } {
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { writes: 1, reads: 0 };
    case 'BatchWriteItem':
      return { writes: sumOfLengths(jsonBody(request).RequestItems, (v) => (Array.isArray(v) ? v.length : 0)), reads: 0 };
    case 'TransactWriteItems': {
      const items = jsonBody(request).TransactItems;
      return { writes: Array.isArray(items) ? items.length : 0, reads: 0 };
    }
    case 'GetItem':
    case 'Query':
    case 'Scan':
      return { writes: 0, reads: 1 };
    case 'BatchGetItem':
      return { writes: 0, reads: sumOfLengths(jsonBody(request).RequestItems, (v) => ((v as { Keys?: unknown[] })?.Keys ?? []).length) };
    default:
      return { writes: 0, reads: 0 };
  }
}

/** A counter that can be attached to several clients; `enabled` gates what is counted (e.g. one workflow step). */
export class DynamoCounter {
  counts: DynamoCounts = emptyCounts();
  enabled = true;
  private readonly attached = new WeakSet<object>();

  reset(): void {
    this.counts = emptyCounts();
  }

  /** Adds the counting middleware to a client's stack (once per stack). */
  attach(client: Pick<DynamoDBClient, 'middlewareStack'>): void {
    const stack = client.middlewareStack;
    if (this.attached.has(stack)) return;
    this.attached.add(stack);
    stack.add(
      (next) => async (args) => {
        const request = (args as { request?: WireRequest }).request ?? {};
        const operation = header(request, 'x-amz-target')?.split('.').pop() ?? 'unknown';
        const counting = this.enabled;
        const c = this.counts;
        if (counting) {
          let items = { writes: 0, reads: 0 };
          try {
            items = itemsOf(operation, request);
          } catch (e) {
            if (!(e instanceof UnreadableBody)) throw e;
            c.unreadableBodies += 1;
          }
          const { writes, reads } = items;
          c.byOperation[operation] = (c.byOperation[operation] ?? 0) + 1;
          if ((WRITE_OPERATIONS as readonly string[]).includes(operation)) {
            c.writeRequests += 1;
            c.writeItems += writes;
            c.writeItemsByOperation[operation] = (c.writeItemsByOperation[operation] ?? 0) + writes;
          } else if (reads > 0) {
            c.readRequests += 1;
            c.readItems += reads;
          }
        }
        try {
          return await next(args);
        } catch (e) {
          if (counting && (e as Error).name === 'ConditionalCheckFailedException') {
            c.conditionalFailures += 1;
            c.conditionalFailuresByOperation[operation] = (c.conditionalFailuresByOperation[operation] ?? 0) + 1;
          }
          throw e;
        }
      },
      { step: 'deserialize', name: 'benchDynamoCounter', priority: 'high' },
    );
  }

  /** Attaches to the document client of a Tracker / CadenceLedger (its `doc` member is protected; reached at run time). */
  attachRepository(repository: object): void {
    const doc = (repository as { doc?: Pick<DynamoDBClient, 'middlewareStack'> }).doc;
    if (!doc?.middlewareStack) throw new Error('this repository has no document client to count on');
    this.attach(doc);
  }
}
