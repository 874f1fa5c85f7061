/**
 * Plans the tracker writes for a batch of file entries: which person each row is,
 * how the row merges, what it counts as, and which numbers go on the lookup work list.
 * Pure: the caller loads what is already known and writes what comes back.
 *
 * Counting survives re-runs: a contact remembers the (import, line) that first touched it
 * in an import and how that row was counted, so replaying the line counts it the same way.
 */
import { type Contact, type ConsentChange, contactIdFor, createContact, identityKeys, mergeContact } from './contact';
import type { FileEntry } from './import-file';
import { readRow, type RowContext, type RowOutcome } from './import-row';
import type { HeaderResolver } from './import-columns';
import { emptyRowCounts, type RowCounts } from './import-run';

export interface KnownPeople {
  /** Identity key → contact id, as stored. */
  readonly claims: ReadonlyMap<string, string>;
  /** Contact id → contact, for every id the claims name. */
  readonly contacts: ReadonlyMap<string, Contact>;
}

export interface HistoryEntry {
  readonly contactId: string;
  readonly at: string;
  /** Unique within the contact's history and the same on every replay. */
  readonly id: string;
  readonly kind: 'created' | 'consent' | 'status' | 'opt-out' | 'opt-in' | 'undeliverable' | 'do-not-call' | 'wrong-number' | 'language' | 'phone-added' | 'appointment-date' | 'cadence-paused' | 'cadence-resumed' | 'disposition';
  readonly detail: Readonly<Record<string, string | boolean>>;
}

export interface LineNote {
  readonly line: number;
  readonly raw: string;
  readonly reason: string;
}

/** A number on the import's work list: a possibly-valid E.164 number, or one that is settled as invalid. */
export type NumberWork = { readonly kind: 'lookup'; readonly e164: string } | { readonly kind: 'invalid'; readonly value: string; readonly reason: string };

export interface BatchPlan {
  readonly claims: ReadonlyMap<string, string>;
  readonly contacts: readonly Contact[];
  readonly history: readonly HistoryEntry[];
  readonly rejects: readonly LineNote[];
  readonly warnings: readonly LineNote[];
  readonly numbers: readonly NumberWork[];
  readonly counts: RowCounts;
}

export interface BatchContext extends RowContext {
  readonly practiceId: string;
  readonly importId: string;
  /** The import's start time: used for every timestamp it writes, so replays write the same items. */
  readonly now: string;
  readonly headers: HeaderResolver;
}

/** A row read once: what it says, or why it cannot be used. Blank lines are not rows. */
export interface ReadRow {
  readonly line: number;
  readonly raw: string;
  readonly outcome: RowOutcome;
}

export function readRows(entries: readonly FileEntry[], ctx: BatchContext): ReadRow[] {
  return entries.flatMap((entry): ReadRow[] => {
    if (entry.kind === 'blank') return [];
    if (entry.kind === 'unreadable') return [{ line: entry.line, raw: entry.raw, outcome: { kind: 'reject', reason: entry.reason } }];
    const cells = entry.cells.map(([header, value]) => [ctx.headers.resolve(header), value] as const);
    return [{ line: entry.line, raw: entry.raw, outcome: readRow(cells, ctx) }];
  });
}

/** Identity keys of every usable row, for the caller to load before planning. */
export function identityKeysOf(rows: readonly ReadRow[]): string[] {
  const keys = new Set<string>();
  for (const { outcome } of rows) {
    if (outcome.kind !== 'contact') continue;
    const { external, others } = identityKeys(outcome.draft);
    if (external) keys.add(external);
    others.forEach((k) => keys.add(k));
  }
  return [...keys];
}

export function planBatch(rows: readonly ReadRow[], known: KnownPeople, ctx: BatchContext): BatchPlan {
  const claims = new Map(known.claims);
  const newClaims = new Map<string, string>();
  const touched = new Map<string, Contact>();
  const history: HistoryEntry[] = [];
  const rejects: LineNote[] = [];
  const warnings: LineNote[] = [];
  const numbers = new Map<string, NumberWork>();
  const counts = emptyRowCounts();

  const current = (id: string) => touched.get(id) ?? known.contacts.get(id);

  for (const entry of rows) {
    counts.rowsRead += 1;
    const { outcome } = entry;
    if (outcome.kind === 'reject') {
      rejects.push({ line: entry.line, raw: entry.raw, reason: outcome.reason });
      counts.rejected += 1;
      continue;
    }
    const { draft } = outcome;
    if (outcome.warnings.length > 0) {
      warnings.push({ line: entry.line, raw: entry.raw, reason: outcome.warnings.join('; ') });
      counts.warnings += 1;
    }
    for (const p of draft.phones) numbers.set(p.e164, { kind: 'lookup', e164: p.e164 });
    for (const p of draft.unusablePhones) numbers.set(`x:${p.value}`, { kind: 'invalid', value: p.value, reason: p.reason });

    const keys = identityKeys(draft);
    const matchable = keys.others.filter((k) => {
      const id = claims.get(k);
      return id !== undefined && (!keys.external || !current(id)?.externalId);
    });
    const contactId =
      (keys.external && claims.get(keys.external)) ?? (matchable[0] && claims.get(matchable[0])) ?? contactIdFor(ctx.practiceId, keys.external ?? keys.others[0]!);
    for (const key of [keys.external, ...keys.others]) {
      if (key && !claims.has(key)) {
        claims.set(key, contactId);
        newClaims.set(key, contactId);
      }
    }

    const mergeCtx = { practiceId: ctx.practiceId, importId: ctx.importId, line: entry.line, now: ctx.now };
    const existing = current(contactId);
    let consentChanges: ConsentChange[];
    if (!existing) {
      const created = createContact(contactId, draft, mergeCtx);
      touched.set(contactId, created.contact);
      consentChanges = created.consentChanges;
      counts.created += 1;
      history.push({ contactId, at: ctx.now, id: `${ctx.importId}#${entry.line}#created`, kind: 'created', detail: { source: `import:${ctx.importId}:line ${entry.line}` } });
    } else {
      const merged = mergeContact(existing, draft, mergeCtx);
      consentChanges = merged.consentChanges;
      const last = existing.lastImport;
      if (last.importId === ctx.importId && last.line === entry.line) {
        // A replay of the row that first touched this person: count it as it was counted.
        counts[last.outcome] += 1;
        touched.set(contactId, merged.contact);
      } else if (last.importId === ctx.importId) {
        counts.duplicates += 1;
        touched.set(contactId, merged.contact);
      } else {
        const outcome = merged.changed ? 'updated' : 'unchanged';
        counts[outcome] += 1;
        touched.set(contactId, { ...merged.contact, lastImport: { importId: ctx.importId, line: entry.line, outcome } });
      }
    }
    consentChanges.forEach((change, i) =>
      history.push({
        contactId,
        at: ctx.now,
        id: `${ctx.importId}#${entry.line}#consent#${i}`,
        kind: 'consent',
        detail: { key: change.key, granted: change.granted, source: change.source },
      }),
    );
  }

  return { claims: newClaims, contacts: [...touched.values()], history, rejects, warnings, numbers: [...numbers.values()], counts };
}
