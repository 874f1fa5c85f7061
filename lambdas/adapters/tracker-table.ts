/**
 * The tracker table's shape, as plain data: CDK builds the table from it and the local
 * engine creates the same table from it, so the two can never drift apart.
 * Item keys are built in tracker-keys.ts.
 */
export const TRACKER_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; work items and rejects expire on their own. */
  timeToLiveAttribute: 'expiresAt',
} as const;
