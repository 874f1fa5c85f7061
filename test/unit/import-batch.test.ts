import { contactIdFor } from '../../lambdas/domain/contact';
import { identityKeysOf, planBatch, readRows, type BatchContext, type BatchPlan, type KnownPeople } from '../../lambdas/domain/import-batch';
import { HeaderResolver } from '../../lambdas/domain/import-columns';
import type { FileEntry } from '../../lambdas/domain/import-file';

function context(importId: string): BatchContext {
  return {
    practiceId: 'sunrise-family',
    importId,
    now: '2026-03-01T00:00:00.000Z',
    headers: new HeaderResolver(),
    defaultCountry: 'US',
    today: new Date('2026-03-01T00:00:00Z'),
  };
}

/** A row entry as the file reader gives it: cells keyed by the file's header. */
function row(line: number, cells: Record<string, string>): FileEntry {
  return { kind: 'row', line, raw: Object.values(cells).join(','), cells: Object.entries(cells), next: { byte: line * 100, line: line + 1 } };
}

const nobody: KnownPeople = { claims: new Map(), contacts: new Map() };

function plan(entries: readonly FileEntry[], ctx: BatchContext, known: KnownPeople = nobody): BatchPlan {
  return planBatch(readRows(entries, ctx), known, ctx);
}

/** What is stored after a plan is written: the claims and contacts a later plan loads. */
function stored(p: BatchPlan, before: KnownPeople = nobody): KnownPeople {
  return {
    claims: new Map([...before.claims, ...p.claims]),
    contacts: new Map([...before.contacts, ...p.contacts.map((c) => [c.contactId, c] as const)]),
  };
}

const counts = (over: Partial<BatchPlan['counts']>): BatchPlan['counts'] => ({
  rowsRead: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  duplicates: 0,
  rejected: 0,
  warnings: 0,
  ...over,
});

describe('readRows', () => {
  it('skips blank lines, turns unreadable lines into rejects and reads rows through the header resolver', () => {
    const ctx = context('imp_1');
    const rows = readRows(
      [
        row(2, { 'First Name': 'Ana', Mobile: '206-555-0143' }),
        { kind: 'blank', next: { byte: 250, line: 4 } },
        { kind: 'unreadable', line: 4, raw: 'x,"y', reason: 'a quote opened on line 4 is never closed', next: { byte: 300, line: 5 } },
        { kind: 'row', line: 5, raw: '{}', cells: [['name.first', 'Bo'], ['phones.mobile', '206-555-0144']], next: { byte: 400, line: 6 } },
      ],
      ctx,
    );
    expect(rows.map((r) => [r.line, r.outcome.kind])).toEqual([
      [2, 'contact'],
      [4, 'reject'],
      [5, 'contact'],
    ]);
    expect(rows[1]!.outcome).toEqual({ kind: 'reject', reason: 'a quote opened on line 4 is never closed' });
    const bo = rows[2]!.outcome;
    expect(bo.kind === 'contact' && [bo.draft.firstName, bo.draft.phones]).toEqual(['Bo', [{ e164: '+12065550144', label: 'mobile' }]]);
  });
});

describe('identityKeysOf', () => {
  it('lists the identity keys of usable rows once each', () => {
    const ctx = context('imp_1');
    const rows = readRows(
      [
        row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
        row(3, { MRN: 'a1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
        row(4, { 'First Name': 'Bo', 'Last Name': 'Ng', Address: '1200 Pine St', City: 'Seattle', State: 'WA', Zip: '98101' }),
        row(5, { 'First Name': 'Cy', Mobile: '555' }),
      ],
      ctx,
    );
    expect(identityKeysOf(rows)).toEqual(['ext:a1', 'pn:+12065550143:ana|lopez', 'na:bo|ng:98101:1200pinest']);
  });
});

describe('planBatch', () => {
  it('counts rows read (without blank lines), created and rejected', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
        { kind: 'blank', next: { byte: 250, line: 4 } },
        row(4, { 'First Name': 'Bo', 'Last Name': 'Ng', Mobile: '206-555-0144', Email: 'not an email' }),
        row(5, { 'First Name': '', Mobile: '206-555-0145' }),
        { kind: 'unreadable', line: 6, raw: 'a,b,c,d', reason: 'too many fields', next: { byte: 700, line: 7 } },
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 4, created: 2, rejected: 2, warnings: 1 }));
    expect(p.rejects).toEqual([
      { line: 5, raw: ',206-555-0145', reason: 'no name: the row has no first, last or full name' },
      { line: 6, raw: 'a,b,c,d', reason: 'too many fields' },
    ]);
    expect(p.warnings).toEqual([{ line: 4, raw: 'Bo,Ng,206-555-0144,not an email', reason: 'email: "not an email" could not be read; ignored' }]);
  });

  it('names a new contact by its external id and claims every identity key for it', () => {
    const ctx = context('imp_1');
    const p = plan([row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' })], ctx);
    const id = contactIdFor('sunrise-family', 'ext:a1');
    expect(p.contacts.map((c) => c.contactId)).toEqual([id]);
    expect([...p.claims]).toEqual([
      ['ext:a1', id],
      ['pn:+12065550143:ana|lopez', id],
    ]);
    expect(p.history).toEqual([
      { contactId: id, at: ctx.now, id: 'imp_1#2#created', kind: 'created', detail: { source: 'import:imp_1:line 2' } },
    ]);
  });

  it('makes one contact of the same external id given twice, counting the second as a duplicate', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
        row(3, { MRN: ' a1 ', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0199', Tags: 'flu' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 1, duplicates: 1 }));
    expect(p.contacts).toHaveLength(1);
    expect(p.contacts[0]!.phones.map((ph) => ph.e164)).toEqual(['+12065550143', '+12065550199']);
    expect(p.contacts[0]!.tags).toEqual(['flu']);
  });

  it('merges rows without an external id that share a phone and a name', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144' }),
        row(3, { 'First Name': 'BO', 'Last Name': 'NG', Phone: '(206) 555-0144', Email: 'bo@example.com' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 1, duplicates: 1 }));
    expect(p.contacts.map((c) => [c.firstName, c.email])).toEqual([['Bo', 'bo@example.com']]);
  });

  it('keeps two people who share a phone but not a name apart', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144' }),
        row(3, { 'First Name': 'Cy', 'Last Name': 'Ng', Phone: '206-555-0144' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 2 }));
    expect(p.contacts.map((c) => c.firstName)).toEqual(['Bo', 'Cy']);
    expect(p.numbers).toEqual([{ kind: 'lookup', e164: '+12065550144' }]);
  });

  it('keeps two people with non-Latin names who share a phone apart', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { 'First Name': 'Иван', 'Last Name': 'Петров', Phone: '206-555-0144' }),
        row(3, { 'First Name': 'Мария', 'Last Name': 'Петрова', Phone: '206-555-0144' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 2 }));
  });

  it('merges a row with an external id into a same-phone, same-name contact that has none', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144' }),
        row(3, { MRN: 'B2', 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 1, duplicates: 1 }));
    expect(p.contacts.map((c) => c.externalId)).toEqual(['B2']);
    expect(p.claims.get('ext:b2')).toBe(p.contacts[0]!.contactId);
  });

  it('does not merge a row into a same-phone, same-name contact with a different external id', () => {
    const ctx = context('imp_1');
    const p = plan(
      [
        row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
        row(3, { MRN: 'Z9', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
      ],
      ctx,
    );
    expect(p.counts).toEqual(counts({ rowsRead: 2, created: 2 }));
    expect(p.contacts.map((c) => [c.contactId, c.externalId])).toEqual([
      [contactIdFor('sunrise-family', 'ext:a1'), 'A1'],
      [contactIdFor('sunrise-family', 'ext:z9'), 'Z9'],
    ]);
    // The phone-and-name key stays with the person who claimed it first.
    expect(p.claims.get('pn:+12065550143:ana|lopez')).toBe(contactIdFor('sunrise-family', 'ext:a1'));
  });

  it('does not merge into a known contact with a different external id from an earlier import', () => {
    const first = plan([row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' })], context('imp_1'));
    const later = plan([row(2, { MRN: 'Z9', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' })], context('imp_2'), stored(first));
    expect(later.counts).toEqual(counts({ rowsRead: 1, created: 1 }));
    expect(later.contacts.map((c) => c.externalId)).toEqual(['Z9']);
  });

  it('counts a later import that changes a known contact as updated', () => {
    const first = plan([row(2, { MRN: 'A1', 'First Name': 'Ana', Mobile: '206-555-0143' })], context('imp_1'));
    const later = plan([row(9, { MRN: 'A1', 'First Name': 'Ana', Mobile: '206-555-0143', Language: 'Spanish' })], context('imp_2'), stored(first));
    expect(later.counts).toEqual(counts({ rowsRead: 1, updated: 1 }));
    expect(later.contacts[0]!.lastImport).toEqual({ importId: 'imp_2', line: 9, outcome: 'updated' });
    expect(later.contacts[0]!.language).toBe('es');
    expect(later.history).toEqual([]);
  });

  it('writes a consent history entry per consent change with a stable id', () => {
    const ctx = context('imp_1');
    const p = plan([row(2, { 'First Name': 'Ana', Mobile: '206-555-0143', 'SMS Consent': 'yes', DNC: 'yes' })], ctx);
    const id = p.contacts[0]!.contactId;
    expect(p.history).toEqual([
      { contactId: id, at: ctx.now, id: 'imp_1#2#created', kind: 'created', detail: { source: 'import:imp_1:line 2' } },
      { contactId: id, at: ctx.now, id: 'imp_1#2#consent#0', kind: 'consent', detail: { key: 'sms:care', granted: true, source: 'import:imp_1:line 2' } },
      { contactId: id, at: ctx.now, id: 'imp_1#2#consent#1', kind: 'consent', detail: { key: 'doNotCall', granted: false, source: 'import:imp_1:line 2' } },
    ]);
  });

  describe('replays', () => {
    const entries: FileEntry[] = [
      row(2, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143' }),
      row(3, { MRN: 'A1', 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '206-555-0143', Tags: 'flu' }),
      { kind: 'blank', next: { byte: 350, line: 5 } },
      row(5, { 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144' }),
      row(6, { 'First Name': 'Bo', 'Last Name': 'Ng', Phone: '206-555-0144', 'SMS Consent': 'Y' }),
      row(7, { 'First Name': 'Cy', 'Last Name': 'Ng', Phone: '206-555-0144' }),
      row(8, { 'First Name': 'Di', 'Last Name': 'Ro', Phone: '555-0100' }),
    ];

    it('counts the first run of the batch', () => {
      expect(plan(entries, context('imp_1')).counts).toEqual(counts({ rowsRead: 6, created: 3, duplicates: 2, rejected: 1 }));
    });

    it('counts a replay of the same import over what the first run stored exactly as the first run', () => {
      const ctx = context('imp_1');
      const first = plan(entries, ctx);
      const replay = plan(entries, ctx, stored(first));
      expect(replay.counts).toEqual(first.counts);
      expect(replay.counts.created).toBe(3);
    });

    it('writes the same contacts and no new claims on a replay', () => {
      const ctx = context('imp_1');
      const first = plan(entries, ctx);
      const replay = plan(entries, ctx, stored(first));
      expect(replay.contacts).toEqual(first.contacts);
      expect(replay.claims.size).toBe(0);
    });

      // being in seenRows) no consent history. The tracker writes contacts and history in parallel
    // 25-item chunks, so a crash between them loses those history items for good, although
    // HistoryEntry.id and BatchContext.now are documented as "the same on every replay".
    it('names history entries by import and line, and adds none when the stored contacts already hold the rows', () => {
      // The tracker writes history before contacts, so once a contact is stored its history is too.
      const ctx = context('imp_1');
      const first = plan(entries, ctx);
      expect(first.history.map((h) => h.id)).toEqual(['imp_1#2#created', 'imp_1#5#created', 'imp_1#6#consent#0', 'imp_1#7#created']);
      const replay = plan(entries, ctx, stored(first));
      expect(replay.history).toEqual([]);
      expect(replay.counts).toEqual(first.counts);
    });

    it('counts a new import of the same rows over the stored state as unchanged', () => {
      const first = plan(entries, context('imp_1'));
      const again = plan(entries, context('imp_2'), stored(first));
      expect(again.counts).toEqual(counts({ rowsRead: 6, unchanged: 3, duplicates: 2, rejected: 1 }));
      expect(again.history).toEqual([]);
      expect(again.contacts.map((c) => c.lastImport)).toEqual([
        { importId: 'imp_2', line: 2, outcome: 'unchanged' },
        { importId: 'imp_2', line: 5, outcome: 'unchanged' },
        { importId: 'imp_2', line: 7, outcome: 'unchanged' },
      ]);
    });

    it('counts a replay of the new import the same way as its first run', () => {
      const first = plan(entries, context('imp_1'));
      const again = plan(entries, context('imp_2'), stored(first));
      const replay = plan(entries, context('imp_2'), stored(again, stored(first)));
      expect(replay.counts).toEqual(again.counts);
    });
  });

  describe('numbers', () => {
    it('lists each usable number once for lookup and each unusable value as invalid', () => {
      const p = plan(
        [
          row(2, { 'First Name': 'Ana', Mobile: '206-555-0143', 'Home Phone': '555-0143' }),
          row(3, { 'First Name': 'Bo', Mobile: '(206) 555-0143', 'Work Phone': '206-555-O145' }),
          row(4, { 'First Name': 'Cy', Mobile: '+1 206 555 0146', 'Home Phone': '555-0143' }),
        ],
        context('imp_1'),
      );
      expect(p.numbers).toEqual([
        { kind: 'lookup', e164: '+12065550143' },
        { kind: 'invalid', value: '555-0143', reason: 'too short' },
        { kind: 'invalid', value: '206-555-O145', reason: 'contains letters' },
        { kind: 'lookup', e164: '+12065550146' },
      ]);
    });

    it('lists no numbers for rejected rows', () => {
      const p = plan([row(2, { 'First Name': 'Di', Phone: '555-0100' }), row(3, { Phone: '206-555-0143' })], context('imp_1'));
      expect(p.numbers).toEqual([]);
      expect(p.counts).toEqual(counts({ rowsRead: 2, rejected: 2 }));
    });
  });
});
