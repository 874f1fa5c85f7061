/**
 * Dispositions in the tracker table: one record per Connect contact, so a contact event
 * delivered twice (or a flow and its contact event) records it once; the actions it drove,
 * so a retry after a crash finishes the work and a duplicate does nothing; and the flags
 * staff see for what could not be read or matched.
 *
 *   CONNECT#<connect contact id>        DISPOSITION                 the disposition (or what could not be read), its actions and progress
 *   PRACTICE#<id>#CONTACT#<contactId>   HISTORY#<at>#disposition-…  the person's append-only history (tracker.ts)
 *   FLAGS#<practice id | unmatched>     <at>#<connect contact id>   a disposition staff must look at, and why
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Disposition, NextAction } from '../domain/disposition';
import { ConflictError, TrackerTable, contactPk, stripKeys } from './tracker-table-client';
import { UNMATCHED } from './staff-flags';

export interface DispositionRecord {
  readonly connectContactId: string;
  readonly practiceId?: string;
  /** The person, when the contact carried who it was about. */
  readonly contactId?: string;
  /** The Connect agent who recorded it (their id, not their name), for reports by agent. */
  readonly agent?: string;
  readonly at: string;
  /** Read: the disposition and its actions. Unreadable: the attributes as given and every problem. */
  readonly outcome: { readonly ok: true; readonly disposition: Disposition; readonly actions: readonly NextAction[] } | { readonly ok: false; readonly problems: readonly string[]; readonly attributes: Readonly<Record<string, string>> };
  /** recorded → applied once every action is carried out. */
  readonly status: 'recorded' | 'applied' | 'flagged';
}

const recordKey = (connectContactId: string) => ({ pk: `CONNECT#${connectContactId}`, sk: 'DISPOSITION' });

export class DispositionLedger extends TrackerTable {
  /**
   * Stores the record unless this Connect contact already has one. Returns the stored one:
   * the new record, or what an earlier delivery stored (whose status says whether its
   * actions still need doing).
   */
  async record(record: DispositionRecord): Promise<{ readonly created: boolean; readonly record: DispositionRecord }> {
    try {
      await this.conditional(new PutCommand({ TableName: this.tableName, Item: { ...recordKey(record.connectContactId), ...record }, ConditionExpression: 'attribute_not_exists(pk)' }), 'already recorded');
      return { created: true, record };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: recordKey(record.connectContactId), ConsistentRead: true }));
      return { created: false, record: stripKeys<DispositionRecord>(Item!) };
    }
  }

  async markApplied(connectContactId: string, at: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: recordKey(connectContactId), UpdateExpression: 'SET #status = :applied, appliedAt = :at', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':applied': 'applied', ':at': at } }));
  }

  /** The person's history item for a disposition (keyed by the Connect contact: writing it twice is one item). */
  async addToHistory(practiceId: string, contactId: string, record: DispositionRecord): Promise<void> {
    const code = record.outcome.ok ? record.outcome.disposition.code : 'unreadable';
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: contactPk(practiceId, contactId), sk: `HISTORY#${record.at}#disposition-${record.connectContactId}`, contactId, at: record.at, id: `disposition-${record.connectContactId}`, kind: 'disposition', detail: { code, connectContactId: record.connectContactId, ...(record.agent ? { agent: record.agent } : {}) } },
      }),
    );
  }

  /** A flag for staff: what the disposition was about (ids only) and why it needs a person. */
  async flag(record: DispositionRecord, reason: string): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `FLAGS#${record.practiceId ?? UNMATCHED}`, sk: `${record.at}#${record.connectContactId}`, kind: 'disposition', reason, connectContactId: record.connectContactId, contactId: record.contactId, at: record.at },
      }),
    );
  }

  async flags(practiceId: string | 'unmatched'): Promise<Array<{ readonly reason: string; readonly connectContactId: string; readonly contactId?: string; readonly at: string }>> {
    const out = [];
    for await (const item of this.query(`FLAGS#${practiceId}`)) out.push(stripKeys<{ reason: string; connectContactId: string; contactId?: string; at: string }>(item));
    return out;
  }

  async get(connectContactId: string): Promise<DispositionRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: recordKey(connectContactId), ConsistentRead: true }));
    return Item ? stripKeys<DispositionRecord>(Item) : undefined;
  }
}
