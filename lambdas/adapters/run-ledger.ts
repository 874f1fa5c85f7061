/**
 * Broadcast and campaign runs in the tracker table: the run with its live progress, and
 * its queue of people still to send to, ordered by when each is due (people whose window
 * has not opened, or whose cap is full today, are put back at the time they may get it).
 *
 *   PRACTICE#<id>#RUNS           <runId>                the run: what it sends, its status and progress counts
 *   RUN#<runId>#QUEUE#<shard>    <dueAt>#<contactId>    a person still to send to (shard: as in the roster)
 *
 * The message itself is exactly once through the attempt ledger (key: memberKey); the queue
 * and the counts are progress. A queue item is removed with a conditional delete and only
 * the call that removed it counts its outcome, so a retried task does not count twice.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BroadcastTemplates, RunCounts, RunKind, RunStatus } from '../domain/broadcast';
import type { SegmentFilter } from '../domain/segment';
import { ROSTER_SHARDS, rosterShard } from './roster';
import { ConflictError, TrackerTable, stripKeys, type Item } from './tracker-table-client';

/** One sending of a broadcast, or one day of a campaign. */
export interface Run extends RunCounts {
  readonly runId: string;
  readonly kind: RunKind;
  /** The broadcast's or campaign's name. */
  readonly name: string;
  readonly practiceId: string;
  readonly status: RunStatus;
  /** When sending starts (a broadcast's set time; a campaign's evaluation). */
  readonly startAt: string;
  /** The segment's filter (and a campaign's own) as they were when the run was made: a later edit does not change a run. */
  readonly filters: readonly SegmentFilter[];
  readonly segment?: string;
  readonly templates: BroadcastTemplates;
  readonly urgent: boolean;
  /** The practice-local date the run's segment and campaign dates were evaluated on. */
  readonly evaluatedOn: string;
  /** Shards whose members are queued. */
  readonly plannedShards: readonly number[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly cancelledAt?: string;
  readonly cancelledBy?: string;
  readonly finishedAt?: string;
}

/** A person queued in a run. */
export interface QueuedMember {
  readonly runId: string;
  readonly contactId: string;
  readonly dueAt: string;
  /** A campaign's occurrence (the anchor date, and year for yearly ones). */
  readonly occurrence?: string;
  /** How many times it was put back (window closed, cap full, identity busy). */
  readonly deferrals?: number;
}

export type MemberOutcome = { readonly status: 'sent' } | { readonly status: 'failed' } | { readonly status: 'skipped'; readonly reason: string };

const runsPk = (practiceId: string) => `PRACTICE#${practiceId}#RUNS`;
const queuePk = (runId: string, shard: number) => `RUN#${runId}#QUEUE#${shard.toString(16)}`;
const queueSk = (m: Pick<QueuedMember, 'dueAt' | 'contactId'>) => `${m.dueAt}#${m.contactId}`;

export class RunLedger extends TrackerTable {
  /** Stores a new run; one with that id already there (a duplicate trigger) is returned instead. */
  async createRun(run: Run): Promise<{ readonly created: boolean; readonly run: Run }> {
    try {
      await this.conditional(new PutCommand({ TableName: this.tableName, Item: { pk: runsPk(run.practiceId), sk: run.runId, ...run }, ConditionExpression: 'attribute_not_exists(pk)' }), 'run exists');
      return { created: true, run };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { created: false, run: (await this.getRun(run.practiceId, run.runId))! };
    }
  }

  async getRun(practiceId: string, runId: string): Promise<Run | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: runsPk(practiceId), sk: runId }, ConsistentRead: true }));
    return Item ? stripKeys<Run>(Item) : undefined;
  }

  async runs(practiceId: string): Promise<Run[]> {
    const runs: Run[] = [];
    for await (const item of this.query(runsPk(practiceId))) runs.push(stripKeys<Run>(item));
    return runs;
  }

  /** Queues one shard's members and counts them, once: a retried plan step re-puts the same items and counts nothing. */
  async queueShard(practiceId: string, runId: string, shard: number, members: readonly QueuedMember[]): Promise<void> {
    await this.batchPut(members.map((m) => ({ pk: queuePk(runId, rosterShard(m.contactId)), sk: queueSk(m), ...m })));
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: runsPk(practiceId), sk: runId },
          UpdateExpression: 'SET plannedShards = list_append(plannedShards, :shard) ADD members :n, queued :n',
          ConditionExpression: 'NOT contains(plannedShards, :one)',
          ExpressionAttributeValues: { ':shard': [shard], ':one': shard, ':n': members.length },
        }),
      )
      .catch((e: Error) => {
        if (e.name !== 'ConditionalCheckFailedException') throw e;
      });
  }

  /** Moves the run to `status` if it is in one of `from` (a cancelled run never starts sending again). */
  async setStatus(practiceId: string, runId: string, status: RunStatus, from: readonly RunStatus[], fields: Record<string, string> = {}): Promise<boolean> {
    const extra = Object.entries(fields);
    try {
      await this.conditional(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: runsPk(practiceId), sk: runId },
          UpdateExpression: `SET #status = :status${extra.map(([k]) => `, #${k} = :${k}`).join('')}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(extra.map(([k]) => [`#${k}`, k])) },
          ExpressionAttributeValues: { ':status': status, ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])), ...Object.fromEntries(extra.map(([k, v]) => [`:${k}`, v])) },
        }),
        `run ${runId} is not ${from.join(' or ')}`,
      );
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }

  /** Members due by `until`, earliest first, from every shard. */
  async due(runId: string, until: Date, limit: number): Promise<QueuedMember[]> {
    const perShard = Math.max(1, Math.ceil(limit / ROSTER_SHARDS));
    const pages = await Promise.all(
      Array.from({ length: ROSTER_SHARDS }, async (_, shard) => {
        const { Items } = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND sk <= :until',
            ExpressionAttributeValues: { ':pk': queuePk(runId, shard), ':until': `${until.toISOString()}#~` },
            Limit: perShard,
            ConsistentRead: true,
          }),
        );
        return (Items ?? []).map((i) => stripKeys<QueuedMember>(i));
      }),
    );
    return pages.flat().sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  /** When the earliest queued member is due; undefined when the queue is empty. */
  async nextDue(runId: string): Promise<string | undefined> {
    const firsts = await Promise.all(
      Array.from({ length: ROSTER_SHARDS }, async (_, shard) => {
        const { Items } = await this.doc.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': queuePk(runId, shard) }, Limit: 1, ConsistentRead: true }));
        return Items?.[0]?.dueAt as string | undefined;
      }),
    );
    return firsts.filter((d): d is string => d !== undefined).sort()[0];
  }

  /** Takes the member off the queue and counts the outcome, if this call is the one that took it off. */
  async settle(practiceId: string, member: QueuedMember, outcome: MemberOutcome): Promise<boolean> {
    if (!(await this.remove(member))) return false;
    const counter = outcome.status === 'skipped' ? 'skipped.#reason' : outcome.status;
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: runsPk(practiceId), sk: member.runId },
        UpdateExpression: `ADD ${counter} :one, queued :minus`,
        ...(outcome.status === 'skipped' ? { ExpressionAttributeNames: { '#reason': outcome.reason } } : {}),
        ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
      }),
    );
    return true;
  }

  /** Puts the member back, due at `dueAt` (their window opens, the cap allows, the identity is free). */
  async defer(member: QueuedMember, dueAt: string): Promise<void> {
    if (dueAt <= member.dueAt) return;
    const later: QueuedMember = { ...member, dueAt, deferrals: (member.deferrals ?? 0) + 1 };
    // The new place first, so a crash in between loses no one; if another sender settled the
    // person meanwhile (the old place is gone), the new place is taken back, or they would count twice.
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: queuePk(member.runId, rosterShard(member.contactId)), sk: queueSk(later), ...later } }));
    if (!(await this.remove(member))) await this.remove(later);
  }

  private async remove(member: QueuedMember): Promise<boolean> {
    try {
      await this.conditional(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: queuePk(member.runId, rosterShard(member.contactId)), sk: queueSk(member) }, ConditionExpression: 'attribute_exists(pk)' }),
        'already settled',
      );
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }
}

export function blankCounts(): Pick<Run, 'members' | 'queued' | 'sent' | 'failed' | 'skipped' | 'plannedShards'> {
  return { members: 0, queued: 0, sent: 0, failed: 0, skipped: {}, plannedShards: [] };
}

export type { Item };
