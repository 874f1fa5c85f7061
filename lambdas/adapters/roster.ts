/**
 * The roster: one small card per person with what segments filter on, in 16 partitions
 * per practice, so a segment is evaluated by 16 parallel queries over compact items
 * instead of a scan of the tracker (profiles, history, attempts, …). Cards follow the
 * profile: the import writes them with its batch, every profile change rewrites the
 * card from the changed profile, and the import's enroll step adds the number types.
 *
 *   PRACTICE#<id>#ROSTER#<shard>   <contactId>   the person's segment card (shard: a hex digit of the contact id)
 *   PRACTICE#<id>#SEGMENTS         <name>        a segment saved through the staff API
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PhoneType } from '../domain/phone';
import { inSegment, type ProfileCard, type Segment, type SegmentCard, type SegmentContext, type SegmentFilter } from '../domain/segment';
import { TrackerTable, stripKeys, type Item } from './tracker-table-client';

export const ROSTER_SHARDS = 16;

const rosterPk = (practiceId: string, shard: number) => `PRACTICE#${practiceId}#ROSTER#${shard.toString(16)}`;
const segmentsPk = (practiceId: string) => `PRACTICE#${practiceId}#SEGMENTS`;

/** The card's partition: contact ids are hex hashes, so their first hex digit spreads people evenly. */
export function rosterShard(contactId: string): number {
  const digit = Number.parseInt(contactId.replace(/^c_/, '').charAt(0), 16);
  return Number.isNaN(digit) ? 0 : digit % ROSTER_SHARDS;
}

/** The card items an import batch writes beside the profiles (number types follow at its enroll step). */
export function rosterItems(practiceId: string, cards: readonly (ProfileCard & { readonly updatedAt: string })[]): Item[] {
  return cards.map((card) => ({ pk: rosterPk(practiceId, rosterShard(card.contactId)), sk: card.contactId, ...card }));
}

/**
 * Rewrites the profile part of a card from a profile as of `updatedAt`; an older profile
 * (a slower writer) never overwrites a newer card. Number types are kept.
 */
export async function saveCard(doc: DynamoDBDocumentClient, tableName: string, practiceId: string, card: ProfileCard, updatedAt: string): Promise<void> {
  const fields = { ...card, updatedAt } as Record<string, unknown>;
  const absent = OPTIONAL_CARD_FIELDS.filter((k) => fields[k] === undefined);
  const present = Object.entries(fields).filter(([k, v]) => k !== 'contactId' && v !== undefined);
  await doc
    .send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: rosterPk(practiceId, rosterShard(card.contactId)), sk: card.contactId },
        UpdateExpression: `SET contactId = :contactId, ${present.map(([k]) => `#${k} = :${k}`).join(', ')}${absent.length ? ` REMOVE ${absent.map((k) => `#${k}`).join(', ')}` : ''}`,
        ConditionExpression: 'attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt',
        ExpressionAttributeNames: Object.fromEntries([...present.map(([k]) => k), ...absent].map((k) => [`#${k}`, k])),
        ExpressionAttributeValues: { ':contactId': card.contactId, ...Object.fromEntries(present.map(([k, v]) => [`:${k}`, v])) },
      }),
    )
    .catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
}

const OPTIONAL_CARD_FIELDS = ['language', 'zip', 'state', 'appointmentDate'] as const;

/** What one evaluation read: people looked at, and DynamoDB read units consumed. */
export interface RosterReads {
  cards: number;
  readUnits: number;
}

/** Sets the types of the person's usable numbers on their card (segments filter on them). */
export async function savePhoneTypes(doc: DynamoDBDocumentClient, tableName: string, practiceId: string, contactId: string, phoneTypes: readonly PhoneType[]): Promise<void> {
  await doc.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { pk: rosterPk(practiceId, rosterShard(contactId)), sk: contactId },
      UpdateExpression: 'SET phoneTypes = :types, contactId = :contactId',
      ExpressionAttributeValues: { ':types': [...new Set(phoneTypes)].sort(), ':contactId': contactId },
    }),
  );
}

export class Roster extends TrackerTable {
  /** The types of the person's usable numbers, once PhoneNumberValidate answered for them. */
  async savePhoneTypes(practiceId: string, contactId: string, phoneTypes: readonly PhoneType[]): Promise<void> {
    await savePhoneTypes(this.doc, this.tableName, practiceId, contactId, phoneTypes);
  }

  async card(practiceId: string, contactId: string): Promise<SegmentCard | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: rosterPk(practiceId, rosterShard(contactId)), sk: contactId } }));
    return Item ? stripKeys<SegmentCard>(Item) : undefined;
  }

  /**
   * The cards of one shard from after `after`, a page at a time, with the read units each
   * page consumed (eventually consistent: a segment is a snapshot, every send re-checks the person).
   */
  async *shardPages(practiceId: string, shard: number, after?: string, pageSize = 1000): AsyncGenerator<{ cards: SegmentCard[]; readUnits: number; last?: string }> {
    let ExclusiveStartKey: Item | undefined = after ? { pk: rosterPk(practiceId, shard), sk: after } : undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': rosterPk(practiceId, shard) },
          ExclusiveStartKey,
          Limit: pageSize,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      const cards = (page.Items ?? []).map((i) => stripKeys<SegmentCard>(i));
      ExclusiveStartKey = page.LastEvaluatedKey;
      yield { cards, readUnits: page.ConsumedCapacity?.CapacityUnits ?? 0, ...(ExclusiveStartKey ? { last: ExclusiveStartKey.sk as string } : {}) };
    } while (ExclusiveStartKey);
  }

  /** Everyone in the segment: the 16 shards read at once; `onMember` sees each member's card. */
  async evaluate(practiceId: string, filter: SegmentFilter, ctx: SegmentContext, onMember?: (card: SegmentCard) => void): Promise<RosterReads & { members: number }> {
    const totals = { cards: 0, readUnits: 0, members: 0 };
    await Promise.all(
      Array.from({ length: ROSTER_SHARDS }, async (_, shard) => {
        for await (const page of this.shardPages(practiceId, shard)) {
          totals.cards += page.cards.length;
          totals.readUnits += page.readUnits;
          for (const card of page.cards) {
            if (!inSegment(card, filter, ctx)) continue;
            totals.members += 1;
            onMember?.(card);
          }
        }
      }),
    );
    return totals;
  }

  // ---- segments saved through the staff API ----

  async saveSegment(segment: Segment, by: string, at: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: segmentsPk(segment.practice), sk: segment.name, ...segment, savedBy: by, savedAt: at } }));
  }

  async savedSegment(practiceId: string, name: string): Promise<Segment | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: segmentsPk(practiceId), sk: name } }));
    if (!Item) return undefined;
    const { savedBy: _b, savedAt: _a, ...segment } = stripKeys<Segment & { savedBy: string; savedAt: string }>(Item);
    return segment;
  }

  async savedSegments(practiceId: string): Promise<Segment[]> {
    const segments: Segment[] = [];
    for await (const item of this.query(segmentsPk(practiceId))) {
      const { savedBy: _b, savedAt: _a, ...segment } = stripKeys<Segment & { savedBy: string; savedAt: string }>(item);
      segments.push(segment);
    }
    return segments;
  }
}
