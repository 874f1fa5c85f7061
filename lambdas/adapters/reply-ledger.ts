/**
 * Replies in the tracker: each inbound text once, as received and as read, in the thread of
 * every person it was matched to, and flagged for staff when a person must look at it.
 *
 *   REPLY#<inboundMessageId>             RECEIVED                 the reply: from, to, text, when, its reading, who, received → handled
 *   PRACTICE#<id>#CONTACT#<contactId>    THREAD#<at>#in#<id>      the reply in the person's thread (outbound texts are their attempts)
 *   FLAGS#<practice id | unmatched>      <at>#reply-<id>          a reply staff must look at, and why
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplyClassification } from '../domain/reply';
import { ConflictError, TrackerTable, contactPk, stripKeys } from './tracker-table-client';
import { UNMATCHED } from './staff-flags';

export interface ReceivedReply {
  readonly inboundMessageId: string;
  /** The person's number (E.164) and the practice's. */
  readonly from: string;
  readonly to: string;
  readonly text: string;
  /** The keyword End User Messaging matched (it answers its registered keywords itself). */
  readonly keyword?: string;
  readonly receivedAt: string;
  /** When End User Messaging published it (SNS), when known: the opt-out confirmation's 5 minutes run from here. */
  readonly publishedAt?: string;
  readonly practiceId?: string;
  readonly contactIds: readonly string[];
  readonly reading: ReplyClassification;
  readonly status: 'received' | 'handled';
  readonly handledAt?: string;
}

const replyKey = (id: string) => ({ pk: `REPLY#${id}`, sk: 'RECEIVED' });

export class ReplyLedger extends TrackerTable {
  /** Stores a reply unless it is stored already (a redelivery); returns what is stored. */
  async receive(reply: ReceivedReply): Promise<{ readonly created: boolean; readonly reply: ReceivedReply }> {
    try {
      await this.conditional(new PutCommand({ TableName: this.tableName, Item: { ...replyKey(reply.inboundMessageId), ...reply }, ConditionExpression: 'attribute_not_exists(pk)' }), 'reply stored already');
      return { created: true, reply };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { created: false, reply: (await this.get(reply.inboundMessageId))! };
    }
  }

  async get(inboundMessageId: string): Promise<ReceivedReply | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: replyKey(inboundMessageId), ConsistentRead: true }));
    return Item ? stripKeys<ReceivedReply>(Item) : undefined;
  }

  async markHandled(inboundMessageId: string, at: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: replyKey(inboundMessageId), UpdateExpression: 'SET #status = :handled, handledAt = :at', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':handled': 'handled', ':at': at } }));
  }

  /** The reply in a person's thread (writing it twice is one item). */
  async addToThread(practiceId: string, contactId: string, reply: ReceivedReply): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: contactPk(practiceId, contactId), sk: `THREAD#${reply.receivedAt}#in#${reply.inboundMessageId}`, direction: 'in', at: reply.receivedAt, text: reply.text, kind: reply.reading.kind, inboundMessageId: reply.inboundMessageId },
      }),
    );
  }

  async thread(practiceId: string, contactId: string): Promise<Array<{ readonly at: string; readonly direction: 'in'; readonly text: string; readonly kind: string }>> {
    const out = [];
    for await (const item of this.query(contactPk(practiceId, contactId), 'THREAD#')) out.push(stripKeys<{ at: string; direction: 'in'; text: string; kind: string }>(item));
    return out;
  }

  /** A flag for staff: the reply (by id; its text stays in the reply and the thread) and why it needs a person. */
  async flag(reply: ReceivedReply, reason: string, contactId?: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `FLAGS#${reply.practiceId ?? UNMATCHED}`, sk: `${reply.receivedAt}#reply-${reply.inboundMessageId}${contactId ? `#${contactId}` : ''}`, kind: 'reply', reason, inboundMessageId: reply.inboundMessageId, ...(contactId ? { contactId } : {}), at: reply.receivedAt },
      }),
    );
  }
}
