/**
 * The outreach tracker in DynamoDB: the only code that knows its keys. One table, items
 * keyed so every access is a get or a query inside one practice (or one import), and
 * every multi-item change is made of single-item writes, each safe to repeat.
 *
 *   IMPORT#<importId>                  RUN                the import run and its checkpoint
 *   IMPORT#<importId>                  REJECT#<line>      a rejected row; WARNING#<line> a row read with warnings
 *   IMPORT#<importId>#NUMBERS#<shard>  <number>           the import's lookup work list
 *   PRACTICE#<id>#IMPORTS              <startedAt>#<id>   the practice's imports, newest last
 *   PRACTICE#<id>#CONTACT#<contactId>  PROFILE            a contact
 *   PRACTICE#<id>#CONTACT#<contactId>  HISTORY#<at>#<id>  append-only history of the contact
 *   PRACTICE#<id>#IDENTITY#<key>       CLAIM              identity key (external id, phone+name) → contact id
 *   PRACTICE#<id>#LOOKUP-RETRY         <e164>             numbers whose lookup failed, retried by the next import
 *   PHONE#<e164>                       VALIDATION         PhoneNumberValidate answer (account-wide cache: no person data)
 *   PRACTICE#<id>#PHONE#<e164>         CONTACT#<contactId> phone → person index (the IVR's caller lookup); written with
 *                                                        every number a contact gets, before the profile that holds it
 *   PRACTICE#<id>#ROSTER#<shard>       <contactId>        the person's segment card (roster.ts), written with every profile change
 *
 * Cadence items (enrollments, attempts, caps, pacing, postcards, do-not-call) are kept by
 * cadence-ledger.ts, which lists its keys the same way.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { usableNumbers, type ConsentChannel, type ConsentKey, type Contact, type ContactPhone, type ContactStatus } from '../domain/contact';
import type { HistoryEntry, LineNote } from '../domain/import-batch';
import type { EnrollCounts, ImportRun, NumberCounts, NumberCursor, RowCounts } from '../domain/import-run';
import type { FilePosition } from '../domain/import-file';
import type { PhoneType } from '../domain/phone';

import { profileCardOf, usablePhoneTypes } from '../domain/segment';
import { countOutcome } from './outcome-metrics';
import { rosterItems, saveCard, savePhoneTypes } from './roster';
import { ConflictError, TrackerTable, contactPk, stripKeys, type Item } from './tracker-table-client';

export { ConflictError };

/** A number's classification as PhoneNumberValidate gave it. */
export interface PhoneValidation {
  readonly e164: string;
  readonly phoneType: PhoneType;
  readonly carrier?: string;
  readonly timeZone?: string;
  readonly zip?: string;
  readonly city?: string;
  readonly country?: string;
  readonly validatedAt: string;
}

/** One entry of an import's lookup work list and, once handled, how it came out. */
export interface NumberWorkItem {
  readonly shard: number;
  /** E.164 for numbers to look up; `x:<as written>` for numbers settled as invalid. */
  readonly number: string;
  readonly invalidReason?: string;
  /** Carried over from an earlier import whose lookup of it failed. */
  readonly retry?: boolean;
  readonly outcome?: 'looked-up' | 'cached' | 'invalid' | 'failed';
  readonly phoneType?: PhoneType;
}

const RUN = 'RUN';
const PROFILE = 'PROFILE';
const importPk = (importId: string) => `IMPORT#${importId}`;
const numbersPk = (importId: string, shard: number) => `IMPORT#${importId}#NUMBERS#${shard}`;
const identityPk = (practiceId: string, key: string) => `PRACTICE#${practiceId}#IDENTITY#${key}`;
const retryPk = (practiceId: string) => `PRACTICE#${practiceId}#LOOKUP-RETRY`;
const phonePk = (e164: string) => `PHONE#${e164}`;
const callerPk = (practiceId: string, e164: string) => `PRACTICE#${practiceId}#PHONE#${e164}`;
const CALLER_SK_PREFIX = 'CONTACT#';
/** The phone → person index items of a contact's numbers (one per number; writing one twice changes nothing). */
const callerIndexItems = (practiceId: string, contactId: string, phones: readonly { readonly e164: string }[]): Item[] =>
  phones.map((p) => ({ pk: callerPk(practiceId, p.e164), sk: `${CALLER_SK_PREFIX}${contactId}`, contactId }));
const linePad = (line: number) => String(line).padStart(10, '0');

export class Tracker extends TrackerTable {
  // ---- import runs ----

  /** Creates the run unless it exists; returns the stored run either way. */
  async claimImport(run: ImportRun): Promise<{ created: boolean; run: ImportRun }> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: importPk(run.importId), sk: RUN, ...run }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: `PRACTICE#${run.practiceId}#IMPORTS`, sk: `${run.startedAt}#${run.importId}`, importId: run.importId, key: run.source.key } }),
      );
      return { created: true, run };
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      return { created: false, run: (await this.getImport(run.importId))! };
    }
  }

  /** When the practice's latest import started (its imports are listed by start time), if it has any. */
  async latestImportStartedAt(practiceId: string): Promise<string | undefined> {
    const { Items } = await this.doc.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PRACTICE#${practiceId}#IMPORTS` }, ScanIndexForward: false, Limit: 1 }),
    );
    const sk = Items?.[0]?.sk as string | undefined;
    return sk?.split('#')[0];
  }

  async getImport(importId: string): Promise<ImportRun | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: importPk(importId), sk: RUN }, ConsistentRead: true }));
    return Item ? stripKeys<ImportRun>(Item) : undefined;
  }

  /** Makes `owner` the run's owner if the current one is `expectedOwner` (a takeover after a crash). */
  async takeOverImport(importId: string, owner: string, expectedOwner: string, now: string): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: importPk(importId), sk: RUN },
        UpdateExpression: 'SET #owner = :owner, updatedAt = :now REMOVE failure',
        ConditionExpression: '#owner = :expected',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner, ':expected': expectedOwner, ':now': now },
      }),
      `import ${importId} was taken over by another execution`,
    );
  }

  /** Moves the row checkpoint from `from` to `to` and adds the counts of the rows in between, atomically. */
  async checkpointRows(importId: string, owner: string, from: FilePosition, to: FilePosition, counts: RowCounts, done: boolean, now: string): Promise<void> {
    const adds = Object.entries(counts).filter(([, n]) => n !== 0);
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: importPk(importId), sk: RUN },
        UpdateExpression:
          `SET rowCursor = :to, updatedAt = :now${done ? ', phase = :numbers' : ''}` + (adds.length ? ` ADD ${adds.map(([k]) => `rowCounts.${k} :${k}`).join(', ')}` : ''),
        ConditionExpression: '#owner = :owner AND rowCursor.#byte = :fromByte AND phase = :rows',
        ExpressionAttributeNames: { '#owner': 'owner', '#byte': 'byte' },
        ExpressionAttributeValues: {
          ':to': to,
          ':now': now,
          ':owner': owner,
          ':fromByte': from.byte,
          ':rows': 'rows',
          ...(done ? { ':numbers': 'numbers' } : {}),
          ...Object.fromEntries(adds.map(([k, n]) => [`:${k}`, n])),
        },
      }),
      `import ${importId}: the row checkpoint moved under us (another execution is working on it)`,
    );
  }

  /** Moves the number checkpoint and adds the counts of the numbers handled since `from`, atomically. */
  async checkpointNumbers(importId: string, owner: string, from: NumberCursor, to: NumberCursor, counts: NumberCounts, done: boolean, now: string): Promise<void> {
    const flat: Array<[string, number]> = [
      ['uniqueNumbers', counts.uniqueNumbers] as [string, number],
      ['lookups', counts.lookups] as [string, number],
      ['cacheHits', counts.cacheHits] as [string, number],
      ['lookupFailures', counts.lookupFailures] as [string, number],
      ...Object.entries(counts.byPhoneType).map(([t, n]): [string, number] => [`byPhoneType.${t}`, n]),
    ].filter(([, n]) => n !== 0);
    const names: Record<string, string> = { '#owner': 'owner', '#shard': 'shard' };
    const values: Item = { ':to': to, ':now': now, ':owner': owner, ':fromShard': from.shard, ':phase': 'numbers' };
    // Counter names (e.g. OTHER) can be reserved words: every path segment goes through a name alias.
    const adds = flat.map(([path, n], i) => {
      values[`:n${i}`] = n;
      const segments = path.split('.').map((segment, j) => {
        names[`#c${i}_${j}`] = segment;
        return `#c${i}_${j}`;
      });
      return `numberCounts.${segments.join('.')} :n${i}`;
    });
    let condition = '#owner = :owner AND numberCursor.#shard = :fromShard AND phase = :phase';
    if (from.after === undefined) condition += ' AND attribute_not_exists(numberCursor.#after)';
    else {
      condition += ' AND numberCursor.#after = :fromAfter';
      values[':fromAfter'] = from.after;
    }
    names['#after'] = 'after';
    if (done) values[':finishing'] = 'enrolling';
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: importPk(importId), sk: RUN },
        UpdateExpression: `SET numberCursor = :to, updatedAt = :now${done ? ', phase = :finishing' : ''}` + (adds.length ? ` ADD ${adds.join(', ')}` : ''),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
      `import ${importId}: the number checkpoint moved under us (another execution is working on it)`,
    );
  }

  /** Moves the enrollment checkpoint and adds what happened to the contacts since `from`, atomically. */
  async checkpointEnrollment(importId: string, owner: string, from: NumberCursor, to: NumberCursor, counts: EnrollCounts, done: boolean, now: string): Promise<void> {
    const names: Record<string, string> = { '#owner': 'owner', '#shard': 'shard', '#after': 'after' };
    const values: Item = { ':to': to, ':now': now, ':owner': owner, ':fromShard': from.shard, ':phase': 'enrolling' };
    const adds: string[] = [];
    if (counts.enrolled) {
      adds.push('enrollCounts.enrolled :enrolled');
      values[':enrolled'] = counts.enrolled;
    }
    Object.entries(counts.notEnrolled).forEach(([reason, n], i) => {
      names[`#r${i}`] = reason;
      values[`:r${i}`] = n;
      adds.push(`enrollCounts.notEnrolled.#r${i} :r${i}`);
    });
    let condition = '#owner = :owner AND phase = :phase AND enrollCursor.#shard = :fromShard';
    if (from.after === undefined) condition += ' AND attribute_not_exists(enrollCursor.#after)';
    else {
      condition += ' AND enrollCursor.#after = :fromAfter';
      values[':fromAfter'] = from.after;
    }
    if (done) values[':finishing'] = 'finishing';
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: importPk(importId), sk: RUN },
        UpdateExpression: `SET enrollCursor = :to, updatedAt = :now${done ? ', phase = :finishing' : ''}` + (adds.length ? ` ADD ${adds.join(', ')}` : ''),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
      `import ${importId}: the enrollment checkpoint moved under us (another execution is working on it)`,
    );
  }

  /** Runs stored before enrollment existed get its cursor and counters, so the checkpoint has something to move. */
  async prepareEnrollment(importId: string, owner: string): Promise<void> {
    await this.doc
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: importPk(importId), sk: RUN },
          UpdateExpression: 'SET enrollCursor = :start, enrollCounts = :zero',
          ConditionExpression: '#owner = :owner AND attribute_not_exists(enrollCursor)',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner, ':start': { shard: 0 }, ':zero': { enrolled: 0, notEnrolled: {} } },
        }),
      )
      .catch((e: Error) => {
        if (e.name !== 'ConditionalCheckFailedException') throw e;
      });
  }

  async finishImport(importId: string, owner: string, now: string): Promise<void> {
    await this.updateOwned(importId, owner, 'SET phase = :done, finishedAt = :now, updatedAt = :now', { ':done': 'done', ':now': now });
  }

  /** Records why the run stopped; its phase and checkpoint stay, so a re-run resumes there. */
  async recordImportFailure(importId: string, owner: string, now: string, failure: NonNullable<ImportRun['failure']>): Promise<void> {
    await this.updateOwned(importId, owner, 'SET failure = :failure, finishedAt = :now, updatedAt = :now', { ':failure': failure, ':now': now });
  }

  private async updateOwned(importId: string, owner: string, update: string, values: Item): Promise<void> {
    await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: importPk(importId), sk: RUN },
        UpdateExpression: update,
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ...values, ':owner': owner },
      }),
      `import ${importId} is owned by another execution`,
    );
  }

  async *rowNotes(importId: string, kind: 'REJECT' | 'WARNING'): AsyncGenerator<LineNote> {
    for await (const item of this.query(importPk(importId), `${kind}#`)) {
      yield { line: item.line as number, raw: item.raw as string, reason: item.reason as string };
    }
  }

  // ---- contacts ----

  async getClaims(practiceId: string, keys: readonly string[]): Promise<Map<string, string>> {
    const items = await this.batchGet(keys.map((k) => ({ pk: identityPk(practiceId, k), sk: 'CLAIM' })));
    return new Map(items.map((i) => [i.identity as string, i.contactId as string]));
  }

  async getContacts(practiceId: string, contactIds: readonly string[]): Promise<Map<string, Contact>> {
    const items = await this.batchGet(contactIds.map((id) => ({ pk: contactPk(practiceId, id), sk: PROFILE })));
    return new Map(items.map((i) => [i.contactId as string, stripKeys<Contact>(i)]));
  }

  async getContact(practiceId: string, contactId: string): Promise<Contact | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: contactPk(practiceId, contactId), sk: PROFILE } }));
    return Item ? stripKeys<Contact>(Item) : undefined;
  }

  async contactHistory(practiceId: string, contactId: string): Promise<Item[]> {
    const items: Item[] = [];
    for await (const item of this.query(contactPk(practiceId, contactId), 'HISTORY#')) items.push(stripKeys(item));
    return items;
  }

  /**
   * Sets where the person stands (booked, declined…), with an append-only history item
   * saying who or what changed it and why. Every pending cadence step sees it before it acts.
   */
  async setContactStatus(practiceId: string, contactId: string, status: ContactStatus, source: string, at: string): Promise<void> {
    await this.changeProfile(practiceId, contactId, { at, id: `status-${status}`, kind: 'status', detail: { status, source } }, 'SET #status = :status', { '#status': 'status' }, { ':status': status });
  }

  /** Records an opt-out of one channel or all of them; it ends every pending cadence step of the person. */
  async recordOptOut(practiceId: string, contactId: string, channel: ConsentChannel | 'all', source: string, at: string): Promise<void> {
    const contact = await this.changeProfile(practiceId, contactId, { at, id: `opt-out-${channel}`, kind: 'opt-out', detail: { channel, source } }, 'SET optedOut.#channel = if_not_exists(optedOut.#channel, :at)', { '#channel': channel }, {});
    // Every opt-out is recorded here, whoever heard it (a reply, the carrier, an agent, staff):
    // counted once, when it is new (an opt-out already in force keeps its first time).
    if (contact.optedOut[channel] === at) countOutcome('OptOuts', { practice: practiceId, channel });
  }

  /**
   * The person opted back in to `channel` (START after STOP): that channel's opt-out ends. An
   * opt-out of every channel becomes one of the others only, since they asked for this one back.
   */
  async recordOptIn(practiceId: string, contactId: string, channel: ConsentChannel, source: string, at: string): Promise<void> {
    const contact = await this.getContact(practiceId, contactId);
    if (!contact || (!contact.optedOut[channel] && !contact.optedOut.all)) return;
    const others = (['sms', 'voice'] as const).filter((c) => c !== channel);
    const optedOut: Record<string, string> = { ...contact.optedOut } as Record<string, string>;
    delete optedOut[channel];
    if (optedOut.all) {
      for (const c of others) optedOut[c] ??= optedOut.all;
      delete optedOut.all;
    }
    // Conditional on the profile as read: a concurrent opt-out is never undone by this.
    await this.changeProfile(practiceId, contactId, { at, id: `opt-in-${channel}-${at}`, kind: 'opt-in', detail: { channel, source } }, 'SET optedOut = :optedOut', {}, { ':optedOut': optedOut, ':seen': contact.updatedAt }, 'updatedAt = :seen');
  }

  /** The person asked not to be called: voicemails and calls end for good (an import never clears it). */
  async setDoNotCall(practiceId: string, contactId: string, source: string, at: string): Promise<void> {
    await this.changeProfile(practiceId, contactId, { at, id: 'do-not-call', kind: 'do-not-call', detail: { source } }, 'SET doNotCall = if_not_exists(doNotCall, :at)', {}, {});
  }

  /** A number that reached someone else: no step uses it for this person again (others may still own it). */
  async markWrongNumber(practiceId: string, contactId: string, e164: string, source: string, at: string): Promise<void> {
    await this.ensureMap(practiceId, contactId, 'wrongNumbers');
    const contact = await this.changeProfile(practiceId, contactId, { at, id: `wrong-number-${e164}`, kind: 'wrong-number', detail: { source } }, 'SET wrongNumbers.#number = if_not_exists(wrongNumbers.#number, :at)', { '#number': e164 }, {});
    await this.refreshPhoneTypes(practiceId, contact);
  }

  /** Records consent the person gave or refused (on a call, a form); an opt-out stands until they opt back in. */
  /** Answers false when a grant was refused because the person opted out of the channel. */
  async setConsent(practiceId: string, contactId: string, key: ConsentKey, granted: boolean, source: string, at: string, evidence?: string): Promise<boolean> {
    const channel = key.split(':')[0] as ConsentChannel;
    return this.changeProfile(
      practiceId,
      contactId,
      { at, id: `consent-${key}-${granted ? 'granted' : 'refused'}-${at}`, kind: 'consent', detail: { key, granted, source, ...(evidence ? { evidence } : {}) } },
      'SET consent.#key = :entry',
      // DynamoDB refuses names the expressions do not use: the channel's only with the condition.
      { '#key': key, ...(granted ? { '#channel': channel, '#all': 'all' } : {}) },
      { ':entry': { granted, source, at, ...(evidence ? { evidence } : {}) } },
      // A grant never overrides an opt-out of the channel (START, a keyword, is how they come back).
      granted ? 'attribute_not_exists(optedOut.#channel) AND attribute_not_exists(optedOut.#all)' : undefined,
    ).then(
      () => true,
      (e: Error) => {
        if (!(e instanceof ConflictError)) throw e;
        return false;
      },
    );
  }

  /** Delivery events say messages no longer reach this number (over `channel`): the cadence uses the person's others. */
  async markUndeliverable(practiceId: string, contactId: string, e164: string, channel: 'sms' | 'all', source: string, at: string): Promise<void> {
    await this.ensureMap(practiceId, contactId, 'undeliverable');
    const contact = await this.changeProfile(practiceId, contactId, { at, id: `undeliverable-${channel}-${e164}`, kind: 'undeliverable', detail: { channel, source } }, 'SET undeliverable.#number = :mark', { '#number': e164 }, { ':mark': { channel, at } });
    await this.refreshPhoneTypes(practiceId, contact);
  }

  /** A number was given up on: the roster card's number types follow, so segments stop counting it. */
  private async refreshPhoneTypes(practiceId: string, contact: Contact): Promise<void> {
    const validations = await this.getValidations(usableNumbers(contact));
    await savePhoneTypes(this.doc, this.tableName, practiceId, contact.contactId, usablePhoneTypes(contact, (e164) => validations.get(e164)?.phoneType));
  }

  /** A message reached this number (delivered, answered): earlier failures no longer count towards a bad number. */
  async noteDelivered(practiceId: string, contactId: string, e164: string, at: number): Promise<void> {
    await this.ensureMap(practiceId, contactId, 'lastDelivered');
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(practiceId, contactId), sk: PROFILE },
        UpdateExpression: 'SET lastDelivered.#number = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastDelivered.#number) OR lastDelivered.#number < :at)',
        ExpressionAttributeNames: { '#number': e164 },
        ExpressionAttributeValues: { ':at': at },
      }),
    ).catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
  }

  /** A nested SET needs its map: contacts written before the map existed get an empty one first. */
  private async ensureMap(practiceId: string, contactId: string, name: 'wrongNumbers' | 'undeliverable' | 'lastDelivered'): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(practiceId, contactId), sk: PROFILE },
        UpdateExpression: 'SET #map = if_not_exists(#map, :empty)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#map': name },
        ExpressionAttributeValues: { ':empty': {} },
      }),
    );
  }

  /**
   * The date of the person's next booked appointment, for segments and campaigns: set when
   * `appointmentId` is booked or moved; cleared when it ends, unless another one set it since.
   */
  async setAppointmentDate(practiceId: string, contactId: string, appointmentId: string, date: string | undefined, source: string, at: string): Promise<void> {
    const history = { at, kind: 'appointment-date' as const, id: `appointment-date-${appointmentId}-${date ?? 'none'}`, detail: { appointmentId, date: date ?? 'none', source } };
    if (date) {
      await this.changeProfile(practiceId, contactId, history, 'SET appointmentDate = :date, appointmentId = :id', {}, { ':date': date, ':id': appointmentId });
      return;
    }
    await this.changeProfile(practiceId, contactId, history, 'REMOVE appointmentDate, appointmentId SET lastAppointmentId = :id', {}, { ':id': appointmentId }, 'appointmentId = :id').catch((e: Error) => {
      if (!(e instanceof ConflictError)) throw e;
    });
  }

  /** The language the person gave (to an agent, in a call): it stands over import files from now on. */
  async setLanguage(practiceId: string, contactId: string, language: string, source: string, at: string): Promise<void> {
    await this.changeProfile(
      practiceId,
      contactId,
      { at, id: `language-${language}`, kind: 'language', detail: { language, source } },
      'SET #language = :language, languageSource = :source',
      { '#language': 'language' },
      { ':language': language, ':source': source },
    );
  }

  /**
   * Adds a number the person gave (an agent took it down); a number the person already has
   * changes nothing. Returns whether it was new.
   */
  async addPhone(practiceId: string, contactId: string, phone: ContactPhone, source: string, at: string): Promise<boolean> {
    const contact = await this.getContact(practiceId, contactId);
    if (!contact) throw new ConflictError(`contact ${contactId} does not exist`);
    if (contact.phones.some((p) => p.e164 === phone.e164)) return false;
    // The index first: should the profile change fail, the lookup ignores a number the profile does not hold.
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: callerIndexItems(practiceId, contactId, [phone])[0] }));
    // Conditional on the profile as read: a concurrent change makes this fail (and the caller retry) rather than drop a number.
    await this.changeProfile(practiceId, contactId, { at, id: `phone-added-${phone.e164}`, kind: 'phone-added', detail: { label: phone.label, source } }, 'SET phones = :phones', {}, { ':phones': [...contact.phones, phone], ':seen': contact.updatedAt }, 'updatedAt = :seen');
    return true;
  }

  /**
   * Changes the profile (only if it exists, and `condition` holds), after an append-only
   * history item that says why: no change goes unexplained.
   */
  private async changeProfile(
    practiceId: string,
    contactId: string,
    history: Omit<HistoryEntry, 'contactId'>,
    update: string,
    names: Record<string, string>,
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<Contact> {
    await this.appendHistory({ contactId, ...history }, practiceId);
    const changed = await this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: contactPk(practiceId, contactId), sk: PROFILE },
        UpdateExpression: `${update}, updatedAt = :at`,
        ConditionExpression: condition ? `attribute_exists(pk) AND ${condition}` : 'attribute_exists(pk)',
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: { ...values, ':at': history.at },
        ReturnValues: 'ALL_NEW',
      }),
      `contact ${contactId} does not exist or changed meanwhile`,
    );
    // The roster card follows the profile (segments see an opt-out, a status, a booking).
    const contact = stripKeys<Contact>(changed.Attributes!);
    await saveCard(this.doc, this.tableName, practiceId, profileCardOf(contact), contact.updatedAt);
    return contact;
  }

  /**
   * Appends a history item, never replacing one: a retry writes the same key (same time and
   * id) and keeps what was written first.
   */
  private async appendHistory(entry: HistoryEntry, practiceId: string): Promise<void> {
    await this.conditional(
      new PutCommand({ TableName: this.tableName, Item: { pk: contactPk(practiceId, entry.contactId), sk: `HISTORY#${entry.at}#${entry.id}`, ...entry }, ConditionExpression: 'attribute_not_exists(pk)' }),
      'history item written before',
    ).catch((e: Error) => {
      if (!(e instanceof ConflictError)) throw e;
    });
  }

  /** Writes a planned batch. Every item is keyed so that writing it twice leaves the same state. */
  async writeImportBatch(
    practiceId: string,
    importId: string,
    plan: {
      claims: ReadonlyMap<string, string>;
      contacts: readonly Contact[];
      history: readonly HistoryEntry[];
      rejects: readonly LineNote[];
      warnings: readonly LineNote[];
      numbers: readonly NumberWorkItem[];
    },
    expiresAt: number,
  ): Promise<void> {
    // Claims first: once a claim is stored, a re-run resolves the row to the same contact.
    await this.batchPut([...plan.claims].map(([identity, contactId]) => ({ pk: identityPk(practiceId, identity), sk: 'CLAIM', identity, contactId })));
    // The phone → person index before the contacts too, for the same reason (and a caller is found as soon as the profile exists).
    await this.batchPut(plan.contacts.flatMap((c) => callerIndexItems(practiceId, c.contactId, c.phones)));
    // History before contacts: a re-run skips rows a stored contact has seen, so their history must already be there.
    await this.batchPut(plan.history.map((h) => ({ pk: contactPk(practiceId, h.contactId), sk: `HISTORY#${h.at}#${h.id}`, ...h })));
    await this.batchPut([
      ...plan.contacts.map((c) => ({ pk: contactPk(practiceId, c.contactId), sk: PROFILE, ...c })),
      ...rosterItems(practiceId, plan.contacts.map((c) => ({ ...profileCardOf(c), updatedAt: c.updatedAt }))),
      ...plan.rejects.map((r) => ({ pk: importPk(importId), sk: `REJECT#${linePad(r.line)}`, ...r, expiresAt })),
      ...plan.warnings.map((r) => ({ pk: importPk(importId), sk: `WARNING#${linePad(r.line)}`, ...r, expiresAt })),
      ...plan.numbers.map((n) => ({ pk: numbersPk(importId, n.shard), sk: n.number, ...n, expiresAt })),
    ]);
  }

  /**
   * The people of a practice who have this number (a household can share one), for the
   * IVR's caller lookup: the index, then their profiles. A person whose profile no longer
   * holds the number, or for whom it reached someone else, is not one of them.
   */
  async contactsByPhone(practiceId: string, e164: string): Promise<Contact[]> {
    const contactIds: string[] = [];
    for await (const item of this.query(callerPk(practiceId, e164), CALLER_SK_PREFIX)) contactIds.push(item.contactId as string);
    const contacts = await this.getContacts(practiceId, contactIds);
    return contactIds
      .map((id) => contacts.get(id))
      .filter((c): c is Contact => c !== undefined && c.phones.some((p) => p.e164 === e164) && !c.wrongNumbers?.[e164]);
  }

  // ---- numbers ----

  async numberWorkPage(importId: string, cursor: NumberCursor, limit: number): Promise<NumberWorkItem[]> {
    const { Items = [] } = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: cursor.after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': numbersPk(importId, cursor.shard), ...(cursor.after === undefined ? {} : { ':after': cursor.after }) },
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map((i) => stripKeys<NumberWorkItem>(i));
  }

  /** One number's classification, as a lookup outside an import (a number an agent took down) gives it. */
  async saveValidation(validation: PhoneValidation): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: phonePk(validation.e164), sk: 'VALIDATION', ...validation } }));
  }

  async getValidations(numbers: readonly string[]): Promise<Map<string, PhoneValidation>> {
    const items = await this.batchGet(numbers.map((n) => ({ pk: phonePk(n), sk: 'VALIDATION' })));
    return new Map(items.map((i) => [i.e164 as string, stripKeys<PhoneValidation>(i)]));
  }

  async saveNumberResults(importId: string, validations: readonly PhoneValidation[], work: readonly NumberWorkItem[], expiresAt: number): Promise<void> {
    await this.batchPut([
      ...validations.map((v) => ({ pk: phonePk(v.e164), sk: 'VALIDATION', ...v })),
      ...work.map((n) => ({ pk: numbersPk(importId, n.shard), sk: n.number, ...n, expiresAt })),
    ]);
  }

  async addLookupRetries(practiceId: string, numbers: readonly string[], at: string): Promise<void> {
    await this.batchPut(numbers.map((e164) => ({ pk: retryPk(practiceId), sk: e164, e164, failedAt: at })));
  }

  async lookupRetries(practiceId: string): Promise<string[]> {
    const numbers: string[] = [];
    for await (const item of this.query(retryPk(practiceId))) numbers.push(item.e164 as string);
    return numbers;
  }

  async clearLookupRetries(practiceId: string, numbers: readonly string[]): Promise<void> {
    await this.batchWrite(numbers.map((e164) => ({ DeleteRequest: { Key: { pk: retryPk(practiceId), sk: e164 } } })));
  }
}
