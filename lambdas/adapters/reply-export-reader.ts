/**
 * Reads what the replies export needs (domain/reply-export.ts), read-only:
 *
 * - each person of the practice, found through the roster, and their thread's replies in the
 *   range: one Query a person on `THREAD#<from>` … `THREAD#<to>` (a person without replies
 *   costs the minimum read), a bounded number of people at a time; the external id of those
 *   who replied (one GetItem each, the attribute only);
 * - replies from a number no one in the tracker has: not in any thread, but every one is
 *   flagged under the practice (`FLAGS#<practice>`, sort key from the time received), so the
 *   practice's flags in the range find them; a reply to a number no practice texts from
 *   belongs to no practice and is in no export;
 * - each reply's `REPLY#<id>` item (how it was read, received → handled) and the flags it raised.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ExportRange, ReplyFound, ReplyState } from '../domain/reply-export';
import type { ReceivedReply } from './reply-ledger';
import { Roster, ROSTER_SHARDS } from './roster';
import { TrackerTable, contactPk, stripKeys, type Item } from './tracker-table-client';

/** People read at once. */
const IN_FLIGHT = 32;

export interface RepliesInRange {
  readonly found: ReplyFound[];
  readonly states: Map<string, ReplyState>;
  /** People looked at (roster cards). */
  readonly people: number;
}

export class ReplyExportReader extends TrackerTable {
  async replies(practiceId: string, range: ExportRange): Promise<RepliesInRange> {
    const found: ReplyFound[] = [];
    let people = 0;
    const roster = new Roster(this.tableName);
    for (let shard = 0; shard < ROSTER_SHARDS; shard++) {
      for await (const page of roster.shardPages(practiceId, shard)) {
        people += page.cards.length;
        for (let i = 0; i < page.cards.length; i += IN_FLIGHT) {
          const batch = await Promise.all(page.cards.slice(i, i + IN_FLIGHT).map((c) => this.personReplies(practiceId, c.contactId, range)));
          found.push(...batch.flat());
        }
      }
    }

    const flags: Item[] = [];
    for await (const item of this.between(`FLAGS#${practiceId}`, range.from, range.to)) if (item.kind === 'reply' && typeof item.inboundMessageId === 'string') flags.push(item);
    const ids = [...new Set([...found.map((r) => r.inboundMessageId), ...flags.map((f) => f.inboundMessageId as string)])];
    const received = new Map((await this.batchGet(ids.map((id) => ({ pk: `REPLY#${id}`, sk: 'RECEIVED' })))).map((item) => [item.inboundMessageId as string, stripKeys<ReceivedReply>(item)]));

    // Flagged replies matched to nobody: the flag is all that points at them.
    for (const id of new Set(flags.map((f) => f.inboundMessageId as string))) {
      const reply = received.get(id);
      if (reply && reply.contactIds.length === 0) found.push({ inboundMessageId: id, receivedAt: reply.receivedAt, kind: reply.reading.kind, text: reply.text });
    }
    const states = new Map<string, ReplyState>();
    for (const id of ids) {
      states.set(id, {
        status: received.get(id)?.status ?? 'received',
        flags: flags.filter((f) => f.inboundMessageId === id).map((f) => (typeof f.handledAt === 'string' ? { handledAt: f.handledAt } : {})),
      });
    }
    return { found, states, people };
  }

  /** The person's replies received in the range, with their external id. */
  private async personReplies(practiceId: string, contactId: string, range: ExportRange): Promise<ReplyFound[]> {
    const pk = contactPk(practiceId, contactId);
    const replies: ReplyFound[] = [];
    for await (const item of this.between(pk, `THREAD#${range.from}`, `THREAD#${range.to}`)) {
      if (item.direction !== 'in') continue;
      replies.push({ inboundMessageId: item.inboundMessageId as string, receivedAt: item.at as string, contactId, kind: item.kind as string, text: (item.text as string | undefined) ?? '' });
    }
    if (replies.length === 0) return replies;
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk, sk: 'PROFILE' }, ProjectionExpression: 'externalId' }));
    const externalId = typeof Item?.externalId === 'string' ? Item.externalId : undefined;
    return externalId ? replies.map((r) => ({ ...r, externalId })) : replies;
  }

  /** The partition's items whose sort key is between `low` and `high` (both included), a page at a time. */
  private async *between(pk: string, low: string, high: string): AsyncGenerator<Item> {
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': pk, ':low': low, ':high': high },
          ExclusiveStartKey,
        }),
      );
      yield* page.Items ?? [];
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
}
