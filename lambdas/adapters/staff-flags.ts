/**
 * What staff are asked to look at, across kinds (a disposition that could not be read or
 * applied, a reply no rule answers): one partition per practice, listed oldest first, each
 * marked handled by whoever dealt with it.
 *
 *   FLAGS#<practice id | unmatched>   <at>#<kind>-<id>[#<contactId>]   a flag: kind, reason, ids; handledAt/handledBy once handled
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, TrackerTable, stripKeys } from './tracker-table-client';

export { UNMATCHED } from '../domain/flag-digest';

export interface StaffFlag {
  /** The flag's id within the practice (its sort key). */
  readonly flagId: string;
  readonly kind: 'reply' | 'disposition';
  readonly reason: string;
  readonly at: string;
  readonly contactId?: string;
  readonly inboundMessageId?: string;
  readonly connectContactId?: string;
  readonly handledAt?: string;
  readonly handledBy?: string;
}

export class StaffFlags extends TrackerTable {
  async list(practiceId: string): Promise<StaffFlag[]> {
    const out: StaffFlag[] = [];
    for await (const item of this.query(`FLAGS#${practiceId}`)) out.push({ ...stripKeys<Omit<StaffFlag, 'flagId'>>(item), kind: (item.kind as StaffFlag['kind']) ?? 'disposition', flagId: item.sk as string });
    return out;
  }

  /** Marks a flag handled; answers false when there is no such flag (handling twice keeps the first). */
  async markHandled(practiceId: string, flagId: string, by: string, at: string): Promise<boolean> {
    try {
      await this.conditional(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `FLAGS#${practiceId}`, sk: flagId },
          UpdateExpression: 'SET handledAt = if_not_exists(handledAt, :at), handledBy = if_not_exists(handledBy, :by)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at, ':by': by },
        }),
        'no such flag',
      );
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }
}
