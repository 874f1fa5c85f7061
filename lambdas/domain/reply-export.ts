/**
 * The export of a practice's replies for a date range, as a spreadsheet-safe CSV: one row
 * per reply per person it is in the thread of (a reply from a number a household shares is
 * in each person's thread, so in one row each), plus one row, without a contact, for each
 * reply from a number no one in the tracker has. Pure: the reader gathers, this decides.
 *
 * "handled?" is yes when the system finished with the reply (it was read and acted on) and
 * every flag it raised for staff has been marked handled; a reply still waiting for a person
 * (or one whose handling was interrupted and will be redelivered) is no.
 */
import { DateTime } from 'luxon';
import { csvLine } from './csv';

/** A reply as found in a person's thread (contactId set) or, unmatched, through the practice's flags. */
export interface ReplyFound {
  readonly inboundMessageId: string;
  readonly receivedAt: string;
  readonly contactId?: string;
  readonly externalId?: string;
  /** How it was read (domain/reply.ts: opt-out, opt-in, help, confirm, cancel, reschedule, other). */
  readonly kind: string;
  readonly text: string;
}

/** What the reply ledger says of a reply, and the flags raised for staff about it. */
export interface ReplyState {
  readonly status: 'received' | 'handled';
  readonly flags: ReadonlyArray<{ readonly handledAt?: string }>;
}

export interface ExportRange {
  /** Inclusive start, UTC ISO. */
  readonly from: string;
  /** Exclusive end, UTC ISO. */
  readonly to: string;
}

export const REPLY_EXPORT_HEADER = ['received at', 'contact id', 'external id', 'kind', 'handled?', 'text'] as const;

export type ReplyExportRow = readonly [receivedAt: string, contactId: string, externalId: string, kind: string, handled: 'yes' | 'no', text: string];

/**
 * The practice-local days `from` to `to` (YYYY-MM-DD, both included) as UTC instants
 * [start of `from`, start of the day after `to`).
 */
export function exportRange(from: string, to: string, timeZone: string): ExportRange {
  const start = DateTime.fromISO(from, { zone: timeZone });
  const end = DateTime.fromISO(to, { zone: timeZone }).plus({ days: 1 });
  if (!start.isValid || !end.isValid) throw new Error(`${from} to ${to}: not dates (YYYY-MM-DD)`);
  if (end <= start) throw new Error(`${from} to ${to}: the range ends before it starts`);
  return { from: start.toUTC().toISO()!, to: end.toUTC().toISO()! };
}

/** The rows for the replies received in the range, oldest first; one row per (reply, person). */
export function replyExportRows(found: Iterable<ReplyFound>, states: ReadonlyMap<string, ReplyState>, range: ExportRange): ReplyExportRow[] {
  const seen = new Set<string>();
  const rows: Array<{ row: ReplyExportRow; id: string }> = [];
  for (const r of found) {
    const at = Date.parse(r.receivedAt);
    if (!(at >= Date.parse(range.from) && at < Date.parse(range.to))) continue;
    const key = `${r.inboundMessageId}\n${r.contactId ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const state = states.get(r.inboundMessageId);
    const handled = state?.status === 'handled' && state.flags.every((f) => f.handledAt) ? 'yes' : 'no';
    rows.push({ id: r.inboundMessageId, row: [r.receivedAt, r.contactId ?? '', r.externalId ?? '', r.kind, handled, r.text] });
  }
  return rows
    .sort((a, b) => a.row[0].localeCompare(b.row[0]) || a.id.localeCompare(b.id) || a.row[1].localeCompare(b.row[1]))
    .map((r) => r.row);
}

/** The CSV (byte-order mark, header, one CRLF line a row), every cell through csvLine. */
export function replyExportCsv(rows: readonly ReplyExportRow[]): string {
  return '\uFEFF' + csvLine(REPLY_EXPORT_HEADER) + rows.map((row) => csvLine(row)).join('');
}
