/**
 * The cadence's items in the tracker table: enrollments, the attempt ledger that makes
 * every outbound effect happen at most once, the frequency-cap counters, the pacing
 * ledger shared by every sender, postcard manifests and do-not-call numbers.
 *
 *   PRACTICE#<id>#CONTACT#<contactId>   ENROLLMENT#<cadence>        the person's enrollment in a cadence
 *   PRACTICE#<id>#CONTACT#<contactId>   ATTEMPT#<attemptKey>        one step of one round: claimed → sent | failed | unconfirmed, or skipped
 *   PRACTICE#<id>#CONTACT#<contactId>   CAP                         messages per local date counted against the frequency cap (the last 8 days), and a version
 *   PRACTICE#<id>#CONTACT#<contactId>   DELIVERY-FAILURE#<e164>#<attemptKey>   a message to that number that failed (counted towards a bad number)
 *   IMPORT#<importId>#ENROLL#<shard>    <contactId>                 the import's enrollment work list
 *   PRACTICE#<id>#POSTCARDS#<date>      <attemptKey>                a line of that day's print-vendor manifest
 *   PACE#<origination identity>         SLOTS                       the identity's next free send time (epoch ms)
 *   DNC#<e164>                          <practice id | ALL>         a number on a do-not-call list file
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Delivery } from '../domain/delivery';
import type { Cursor, Enrollment } from '../domain/enrollment';
import type { StepChannel } from '../domain/step-plan';
import { ConflictError, TrackerTable, contactPk, stripKeys } from './tracker-table-client';

/** A person's messages per local date (YYYY-MM-DD) and the version each change bumps. */
export interface CapLedger {
  readonly sent: ReadonlyMap<string, number>;
  readonly version: number;
}

const CAP = 'CAP';

export type AttemptStatus = 'claimed' | 'sent' | 'failed' | 'unconfirmed' | 'skipped';

/** One step of one round for one person: the exactly-once record of what happened. */
export interface Attempt {
  readonly attemptKey: string;
  readonly practiceId: string;
  readonly contactId: string;
  readonly enrollmentId: string;
  readonly cadence: string;
  readonly round: number;
  readonly stepId: string;
  readonly channel: StepChannel;
  readonly status: AttemptStatus;
  /** The execution that claimed it. */
  readonly owner?: string;
  readonly reason?: string;
  readonly variant?: string;
  readonly template?: string;
  readonly language?: string;
  /** The number texted or called (the tracker is the PHI store; logs never carry it). */
  readonly to?: string;
  readonly providerMessageId?: string;
  readonly capDate?: string;
  readonly at: string;
  readonly sentAt?: string;
  /** The words, for a message staff wrote (a template's are in config). */
  readonly text?: string;
  /** What the delivery events said of it, the one that stands (domain/delivery.ts). */
  readonly delivery?: Delivery;
}

/** A line of a print vendor's postcard manifest. */
export interface PostcardLine {
  readonly attemptKey: string;
  readonly contactId: string;
  readonly name: string;
  readonly address: { readonly line1?: string; readonly line2?: string; readonly city?: string; readonly state?: string; readonly zip?: string };
  readonly vendorTemplate: string;
  /** Printed on the card; a reply quoting it finds the enrollment again. */
  readonly returnCode: string;
}

const enrollPk = (importId: string, shard: number) => `IMPORT#${importId}#ENROLL#${shard}`;
const postcardsPk = (practiceId: string, date: string) => `PRACTICE#${practiceId}#POSTCARDS#${date}`;
const ATTEMPT = 'ATTEMPT#';

export class CadenceLedger extends TrackerTable {
  // ---- enrollments ----

  async getEnrollment(practiceId: string, contactId: string, cadence: string): Promise<Enrollment | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: contactPk(practiceId, contactId), sk: `ENROLLMENT#${cadence}` }, ConsistentRead: true }),
    );
    return Item ? stripKeys<Enrollment>(Item) : undefined;
  }

  /** The person's enrollments, one per cadence. */
  async enrollmentsOf(practiceId: string, contactId: string): Promise<Enrollment[]> {
    const out: Enrollment[] = [];
    for await (const item of this.query(contactPk(practiceId, contactId), 'ENROLLMENT#')) out.push(stripKeys<Enrollment>(item));
    return out;
  }

  /**
   * Pauses an active enrollment or resumes a paused one (nothing else moves), with an
   * append-only history item saying who did it. Answers whether it changed.
   */
  async setPaused(e: Pick<Enrollment, 'practiceId' | 'contactId' | 'cadence'>, paused: boolean, by: string, at: string): Promise<boolean> {
    const [from, to] = paused ? ['active', 'paused'] : ['paused', 'active'];
    try {
      await this.conditional(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: contactPk(e.practiceId, e.contactId), sk: `ENROLLMENT#${e.cadence}` },
          UpdateExpression: 'SET #status = :to, updatedAt = :at',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':at': at },
        }),
        `the enrollment is not ${from}`,
      );
    } catch (err) {
      if (err instanceof ConflictError) return false;
      throw err;
    }
    const kind = paused ? 'cadence-paused' : 'cadence-resumed';
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: contactPk(e.practiceId, e.contactId), sk: `HISTORY#${at}#${kind}-${e.cadence}`, contactId: e.contactId, at, id: `${kind}-${e.cadence}`, kind, detail: { cadence: e.cadence, source: by } } }));
    return true;
  }

  /** Stores a new enrollment unless the person already has one in this cadence; returns the stored one. */
  async createEnrollment(enrollment: Enrollment): Promise<{ created: boolean; enrollment: Enrollment }> {
    return this.putEnrollment(enrollment, { ConditionExpression: 'attribute_not_exists(pk)' });
  }

  /**
   * Stores a later occurrence of an enrollment (a follow-up, a new try) in place of the
   * person's earlier one in the cadence, unless that one is still active (or paused); the same
   * occurrence stored twice is stored once. Returns what is stored now.
   */
  async startOccurrence(enrollment: Enrollment): Promise<{ created: boolean; enrollment: Enrollment }> {
    return this.putEnrollment(enrollment, {
      ConditionExpression: 'attribute_not_exists(pk) OR (NOT (#status IN (:active, :paused)) AND enrollmentId <> :id)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':active': 'active', ':paused': 'paused', ':id': enrollment.enrollmentId },
    });
  }

  /** Puts the enrollment if `condition` holds; else answers the one stored. */
  private async putEnrollment(
    enrollment: Enrollment,
    condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<{ created: boolean; enrollment: Enrollment }> {
    try {
      await this.conditional(
        new PutCommand({ TableName: this.tableName, Item: { pk: contactPk(enrollment.practiceId, enrollment.contactId), sk: `ENROLLMENT#${enrollment.cadence}`, ...enrollment }, ...condition }),
        'enrolled already',
      );
      return { created: true, enrollment };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { created: false, enrollment: (await this.getEnrollment(enrollment.practiceId, enrollment.contactId, enrollment.cadence))! };
    }
  }

  /** Moves the enrollment on; only an active one moves, so a stop or a finish is final. */
  async updateEnrollment(
    e: Pick<Enrollment, 'practiceId' | 'contactId' | 'cadence'>,
    change: { cursor?: Cursor; roundStartedAt?: string; status?: Enrollment['status']; stopReason?: string; failure?: Enrollment['failure']; expectedCursor?: Cursor },
    now: string,
  ): Promise<void> {
    const { expectedCursor, ...fields } = change;
    const sets = Object.entries({ ...fields, updatedAt: now }).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])), '#status': 'status' };
    const values: Record<string, unknown> = { ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])), ':active': 'active' };
    let condition = '#status = :active';
    if (expectedCursor) {
      // Only the step it stands on moves it: a duplicate invocation cannot skip the next step.
      Object.assign(names, { '#cur': 'cursor', '#round': 'round', '#step': 'step' });
      Object.assign(values, { ':round': expectedCursor.round, ':step': expectedCursor.step });
      condition += ' AND #cur.#round = :round AND #cur.#step = :step';
    }
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(e.practiceId, e.contactId), sk: `ENROLLMENT#${e.cadence}` },
        UpdateExpression: `SET ${sets.map(([k]) => `#${k} = :${k}`).join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
      'the enrollment is no longer active',
    );
  }

  async addEnrollmentWork(importId: string, items: ReadonlyArray<{ shard: number; contactId: string; cadence?: string }>, expiresAt: number): Promise<void> {
    await this.batchPut(items.map((i) => ({ pk: enrollPk(importId, i.shard), sk: i.contactId, ...i, expiresAt })));
  }

  async enrollmentWorkPage(importId: string, shard: number, after: string | undefined, limit: number): Promise<Array<{ contactId: string; cadence?: string }>> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': enrollPk(importId, shard), ...(after === undefined ? {} : { ':after': after }) },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map((i) => ({ contactId: i.contactId as string, cadence: i.cadence as string | undefined }));
  }

  // ---- attempts: the exactly-once ledger ----

  /**
   * Claims the attempt before the effect. Returns the claim, or the attempt as it already
   * stands when someone (a retry, a duplicate invocation, a re-driven execution) got there first.
   */
  async claimAttempt(attempt: Attempt): Promise<{ claimed: true } | { claimed: false; existing: Attempt }> {
    try {
      await this.conditional(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: contactPk(attempt.practiceId, attempt.contactId), sk: ATTEMPT + attempt.attemptKey, ...attempt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        'attempt claimed already',
      );
      return { claimed: true };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { claimed: false, existing: (await this.getAttempt(attempt.practiceId, attempt.contactId, attempt.attemptKey))! };
    }
  }

  async getAttempt(practiceId: string, contactId: string, attemptKey: string): Promise<Attempt | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: contactPk(practiceId, contactId), sk: ATTEMPT + attemptKey }, ConsistentRead: true }),
    );
    return Item ? stripKeys<Attempt>(Item) : undefined;
  }

  /**
   * Records the outcome of a claimed attempt (only its owner's claim moves). An attempt a
   * duplicate invocation marked unconfirmed while its owner was still sending takes the
   * owner's outcome: the owner knows it, the duplicate only guessed.
   */
  async completeAttempt(
    a: Pick<Attempt, 'practiceId' | 'contactId' | 'attemptKey' | 'owner'>,
    outcome: { status: 'sent' | 'failed' | 'unconfirmed'; providerMessageId?: string; sentAt?: string; reason?: string },
  ): Promise<void> {
    const sets = Object.entries(outcome).filter(([, v]) => v !== undefined);
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(a.practiceId, a.contactId), sk: ATTEMPT + a.attemptKey },
        // An outcome without a reason clears the one a duplicate left with its guess.
        UpdateExpression: `SET ${sets.map(([k]) => `#${k} = :${k}`).join(', ')}${outcome.reason === undefined ? ' REMOVE #reason' : ''}`,
        ConditionExpression: '#status IN (:claimed, :unconfirmed) AND #owner = :owner',
        ExpressionAttributeNames: { ...Object.fromEntries(sets.map(([k]) => [`#${k}`, k])), '#status': 'status', '#owner': 'owner', ...(outcome.reason === undefined ? { '#reason': 'reason' } : {}) },
        ExpressionAttributeValues: { ...Object.fromEntries(sets.map(([k, v]) => [`:${k}`, v])), ':claimed': 'claimed', ':unconfirmed': 'unconfirmed', ':owner': a.owner },
      }),
      `attempt ${a.attemptKey} is not claimed by this execution`,
    );
  }

  /**
   * Records what a delivery event says on its attempt, if it supersedes what is there (see
   * domain/delivery.ts: any arrival order ends the same). Answers whether it did (with the
   * event it replaced), or that the attempt is not in the ledger.
   */
  async recordDelivery(
    practiceId: string,
    contactId: string,
    attemptKey: string,
    delivery: Delivery,
  ): Promise<{ readonly outcome: 'recorded'; readonly previous?: Delivery } | { readonly outcome: 'superseded' | 'no-attempt' }> {
    const later = 'delivery.#at < :at OR (delivery.#at = :at AND delivery.eventType < :type)';
    const condition = delivery.final ? `delivery.#final = :false OR ${later}` : `delivery.#final = :false AND (${later})`;
    try {
      const { Attributes } = await this.conditional(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: contactPk(practiceId, contactId), sk: ATTEMPT + attemptKey },
          UpdateExpression: 'SET delivery = :delivery',
          ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(delivery) OR ${condition})`,
          ExpressionAttributeNames: { '#at': 'at', '#final': 'final' },
          ExpressionAttributeValues: { ':delivery': delivery, ':at': delivery.at, ':type': delivery.eventType, ':false': false },
          ReturnValues: 'UPDATED_OLD',
        }),
        'a later or final delivery event is recorded already',
      );
      return { outcome: 'recorded', previous: Attributes?.delivery as Delivery | undefined };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { outcome: (await this.getAttempt(practiceId, contactId, attemptKey)) ? 'superseded' : 'no-attempt' };
    }
  }

  /** A failed delivery to a number, once per attempt; answers the failures since the number last took a message. */
  async recordDeliveryFailure(practiceId: string, contactId: string, e164: string, attemptKey: string, at: number, lastSuccessAt: number | undefined): Promise<number> {
    const pk = contactPk(practiceId, contactId);
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk: `DELIVERY-FAILURE#${e164}#${attemptKey}`, e164, attemptKey, at } }));
    let failures = 0;
    for await (const item of this.query(pk, `DELIVERY-FAILURE#${e164}#`)) if ((item.at as number) > (lastSuccessAt ?? 0)) failures += 1;
    return failures;
  }

  /** Gives a claim back when the effect certainly did not happen (throttled, 5xx before acceptance), so a retry may try again. */
  async releaseAttempt(a: Pick<Attempt, 'practiceId' | 'contactId' | 'attemptKey' | 'owner'>): Promise<void> {
    await this.doc.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(a.practiceId, a.contactId), sk: ATTEMPT + a.attemptKey },
        ConditionExpression: '#status = :claimed AND #owner = :owner',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: { ':claimed': 'claimed', ':owner': a.owner },
      }),
    ).catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  }

  /** Records a skipped step; a step already recorded (by any outcome) stays as it is. */
  async recordSkip(attempt: Attempt): Promise<void> {
    await this.claimAttempt(attempt);
  }

  async attemptsOf(practiceId: string, contactId: string): Promise<Attempt[]> {
    const out: Attempt[] = [];
    for await (const item of this.query(contactPk(practiceId, contactId), ATTEMPT)) out.push(stripKeys<Attempt>(item));
    return out;
  }

  // ---- frequency cap ----

  /** The person's frequency-cap counts, read consistently (what every send decision starts from). */
  async capLedger(practiceId: string, contactId: string): Promise<CapLedger> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: contactPk(practiceId, contactId), sk: CAP }, ConsistentRead: true }));
    return { sent: new Map(Object.entries((Item?.sent as Record<string, number> | undefined) ?? {})), version: (Item?.version as number | undefined) ?? 0 };
  }

  /**
   * Counts one message on `date` if nobody changed the counts since `seen` was read. The caller
   * decided from `seen` that the day's and the week's caps allow it, so the decision is atomic
   * for both: of two senders holding the same `seen`, one wins and the other re-plans.
   * Dates more than a week before `date` are dropped as it writes.
   */
  async takeCap(practiceId: string, contactId: string, date: string, seen: CapLedger): Promise<boolean> {
    const keepFrom = new Date(Date.parse(date) - 8 * 86_400_000).toISOString().slice(0, 10);
    const sent = Object.fromEntries([...seen.sent].filter(([d]) => d >= keepFrom));
    sent[date] = (sent[date] ?? 0) + 1;
    try {
      await this.conditional(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: contactPk(practiceId, contactId), sk: CAP, sent, version: seen.version + 1 },
          ConditionExpression: seen.version === 0 ? 'attribute_not_exists(version)' : 'version = :seen',
          ...(seen.version === 0 ? {} : { ExpressionAttributeValues: { ':seen': seen.version } }),
        }),
        'frequency cap changed since it was read',
      );
      return true;
    } catch (e) {
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }

  /** Uncounts a message taken on `date` that was not sent (others holding older counts then re-plan). */
  async giveBackCap(practiceId: string, contactId: string, date: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(practiceId, contactId), sk: CAP },
        UpdateExpression: 'SET sent.#date = sent.#date - :one, version = version + :one',
        ConditionExpression: 'sent.#date > :zero',
        ExpressionAttributeNames: { '#date': date },
        ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
      }),
    ).catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  }

  // ---- pacing ----

  /**
   * Reserves the identity's next send time: now, if the ledger is behind now, else the
   * ledger's next time (taken atomically). Consecutive reservations are `spacingMs` apart
   * whoever makes them, so every sender together stays under the identity's rate.
   */
  async reserveSendTime(identity: string, nowMs: number, spacingMs: number): Promise<number> {
    const Key = { pk: `PACE#${identity}`, sk: 'SLOTS' };
    try {
      await this.conditional(
        new UpdateCommand({
          TableName: this.tableName,
          Key,
          UpdateExpression: 'SET #next = :after',
          ConditionExpression: 'attribute_not_exists(#next) OR #next <= :now',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: { ':after': nowMs + spacingMs, ':now': nowMs },
        }),
        'the ledger is ahead of now',
      );
      return nowMs;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
    const { Attributes } = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key,
        UpdateExpression: 'ADD #next :spacing',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':spacing': spacingMs },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return Attributes!.next as number;
  }

  // ---- postcards ----

  /** Adds the line to the day's manifest (once per attempt key). */
  async addPostcard(practiceId: string, date: string, line: PostcardLine): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: postcardsPk(practiceId, date), sk: line.attemptKey, ...line },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ).catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  }

  async *postcards(practiceId: string, date: string): AsyncGenerator<PostcardLine> {
    for await (const item of this.query(postcardsPk(practiceId, date))) yield stripKeys<PostcardLine>(item);
  }

  // ---- do-not-call ----

  async addDoNotCall(scope: string, numbers: readonly string[], source: string, at: string): Promise<void> {
    await this.batchPut(numbers.map((e164) => ({ pk: `DNC#${e164}`, sk: scope, e164, source, at })));
  }

  /** Which of `numbers` a do-not-call list covers for this practice (its own list or one for all practices). */
  async doNotCallListed(practiceId: string, numbers: readonly string[]): Promise<Set<string>> {
    const keys = numbers.flatMap((e164) => [practiceId, DNC_ALL].map((sk) => ({ pk: `DNC#${e164}`, sk })));
    const items = await this.batchGet(keys);
    return new Set(items.map((i) => i.e164 as string));
  }
}

/** Scope of a do-not-call list that applies to every practice (e.g. a national registry extract). */
export const DNC_ALL = 'ALL';
