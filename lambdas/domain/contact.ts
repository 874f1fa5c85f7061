/**
 * Contacts in the outreach tracker: who a row is (identity keys), how a new row merges
 * into a known person, and the rules a file can never override (an opt-out or a
 * do-not-call request stays, whatever a new file says).
 */
import { createHash } from 'node:crypto';
import type { ContactDraft, DraftPhone, MailingAddress } from './import-row';
import { isCompleteAddress } from './import-row';

export type ConsentChannel = 'sms' | 'voice';
export type ConsentPurpose = 'care' | 'outreach';
export type ConsentKey = `${ConsentChannel}:${ConsentPurpose}`;

export interface ConsentEntry {
  readonly granted: boolean;
  /** Where it came from, e.g. "import:<importId>:line 12", "reply:<inboundMessageId>", "agent:connect:<contactId>", "staff:<caller ARN>". */
  readonly source: string;
  readonly at: string;
  /** What shows it, when the source does not (what staff heard or saw: "signed form 2027-03-01, scanned to the EMR"). */
  readonly evidence?: string;
}

export interface ContactPhone extends DraftPhone {
  /** Import that first gave this number. */
  readonly addedBy: string;
}

/** How the row that last touched the contact in an import was counted (makes re-runs count the same). */
export interface ImportTouch {
  readonly importId: string;
  readonly line: number;
  readonly outcome: 'created' | 'updated' | 'unchanged';
}

/**
 * Where the person stands with the practice, as dispositions and replies report it.
 * Anything but 'open' ends every cadence step still pending for them.
 */
export const CONTACT_STATUSES = ['open', 'booked', 'declined', 'wrong-number', 'deceased', 'already-patient'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** A person in the tracker: what the files said (as in a draft) plus consent, opt-outs and bookkeeping. */
export interface Contact extends Omit<ContactDraft, 'phones' | 'consent' | 'doNotCall'> {
  readonly practiceId: string;
  readonly contactId: string;
  readonly phones: readonly ContactPhone[];
  readonly consent: Readonly<Partial<Record<ConsentKey, ConsentEntry>>>;
  /** Channels the person opted out of ('all' covers every channel); never cleared by an import. */
  readonly optedOut: Readonly<Partial<Record<ConsentChannel | 'all', string>>>;
  /** Set when the person asked not to be called; never cleared by an import. */
  readonly doNotCall?: string;
  /** Numbers that reached someone else (an agent or the network said so), with when; never cleared by an import. */
  readonly wrongNumbers?: Readonly<Record<string, string>>;
  /**
   * Numbers messages no longer reach, from delivery events: `sms` when texts cannot (invalid
   * for texts, blocked), `all` after repeated failures of any kind; with when.
   */
  readonly undeliverable?: Readonly<Record<string, { readonly channel: 'sms' | 'all'; readonly at: string }>>;
  /** When a message last reached each number (epoch ms): failures before it do not count. */
  readonly lastDelivered?: Readonly<Record<string, number>>;
  /**
   * Who gave the language when the person said it themselves (to an agent, in a call):
   * set, it stands over what files say until the person says otherwise.
   */
  readonly languageSource?: string;
  /** @default 'open' */
  readonly status?: ContactStatus;
  /** The practice-local date of the next booked appointment (for segments and campaigns); kept by the appointment desk. */
  readonly appointmentDate?: string;
  /** The appointment appointmentDate is of; lastAppointmentId, the last one that ended. */
  readonly appointmentId?: string;
  readonly lastAppointmentId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastImport: ImportTouch;
  /** Content hashes of the latest rows merged into this person: a row seen before changes nothing. */
  readonly seenRows: readonly string[];
}

/** The numbers messages may still use for the person: not one that reached someone else, nor one messages no longer reach. */
export function usableNumbers(contact: Pick<Contact, 'phones' | 'wrongNumbers' | 'undeliverable'>): string[] {
  return contact.phones.map((p) => p.e164).filter((e164) => !contact.wrongNumbers?.[e164] && contact.undeliverable?.[e164]?.channel !== 'all');
}

/** A consent change worth an append-only history item. */
export interface ConsentChange {
  readonly key: ConsentKey | 'doNotCall';
  readonly granted: boolean;
  readonly source: string;
}

/**
 * The keys under which a person can be found again: their external id, and each
 * number paired with their name ("same phone and same name" is the same person).
 * A row with an external id matches another person by phone and name only when that
 * person has no external id: two different ids are two people.
 */
export function identityKeys(draft: Pick<ContactDraft, 'externalId' | 'phones' | 'nameKey' | 'address'>): { external?: string; others: string[] } {
  const external = draft.externalId ? `ext:${draft.externalId.trim().toLowerCase()}` : undefined;
  const others = draft.phones.map((p) => `pn:${p.e164}:${draft.nameKey}`);
  // Someone reachable only by mail is found again by name and address.
  if (others.length === 0 && draft.address && isCompleteAddress(draft.address)) {
    const street = draft.address.line1!.toLowerCase().replace(/[^a-z0-9]/g, '');
    others.push(`na:${draft.nameKey}:${draft.address.zip!.slice(0, 5)}:${street}`);
  }
  return { external, others };
}

/** Stable id from the practice and the person's first identity key, so re-runs name the same contact. */
export function contactIdFor(practiceId: string, primaryKey: string): string {
  return `c_${createHash('sha256').update(`${practiceId}\n${primaryKey}`).digest('hex').slice(0, 24)}`;
}

export interface MergeContext {
  readonly practiceId: string;
  readonly importId: string;
  readonly line: number;
  readonly now: string;
}

export function createContact(contactId: string, draft: ContactDraft, ctx: MergeContext): { contact: Contact; consentChanges: ConsentChange[] } {
  const blank: Contact = {
    practiceId: ctx.practiceId,
    contactId,
    nameKey: draft.nameKey,
    phones: [],
    unusablePhones: [],
    tags: [],
    attributes: {},
    consent: {},
    optedOut: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
    lastImport: { importId: ctx.importId, line: ctx.line, outcome: 'created' },
    seenRows: [],
  };
  const { contact, consentChanges } = mergeContact(blank, draft, ctx);
  return { contact: { ...contact, lastImport: blank.lastImport }, consentChanges };
}

/**
 * Merges a row into a known person: the newer file wins for what it states, stays
 * silent where it is silent, and can add but never remove numbers, tags, an opt-out
 * or a do-not-call request, nor change a language the person gave us themselves. `changed` says whether anything a person would see moved.
 */
export function mergeContact(existing: Contact, draft: ContactDraft, ctx: MergeContext): { contact: Contact; changed: boolean; consentChanges: ConsentChange[] } {
  const rowHash = draftHash(draft);
  if (existing.seenRows.includes(rowHash)) return { contact: existing, changed: false, consentChanges: [] };
  const source = `import:${ctx.importId}:line ${ctx.line}`;
  const consent: Partial<Record<ConsentKey, ConsentEntry>> = { ...existing.consent };
  const consentChanges: ConsentChange[] = [];
  const setConsent = (key: ConsentKey, granted: boolean | undefined) => {
    if (granted === undefined || consent[key]?.granted === granted) return;
    const channel = key.split(':')[0] as ConsentChannel;
    // A file cannot grant what the person withdrew through an opt-out or a do-not-call request.
    if (granted && (existing.optedOut[channel] || existing.optedOut.all || (channel === 'voice' && (existing.doNotCall || draft.doNotCall)))) return;
    consent[key] = { granted, source, at: ctx.now };
    consentChanges.push({ key, granted, source });
  };
  setConsent('sms:care', draft.consent.sms);
  setConsent('voice:care', draft.consent.voice);
  setConsent('sms:outreach', draft.consent.outreach);
  setConsent('voice:outreach', draft.consent.outreach);

  let doNotCall = existing.doNotCall;
  if (draft.doNotCall && !doNotCall) {
    doNotCall = ctx.now;
    consentChanges.push({ key: 'doNotCall', granted: false, source });
  }

  const phones: ContactPhone[] = [...existing.phones];
  for (const phone of draft.phones) {
    if (!phones.some((p) => p.e164 === phone.e164)) phones.push({ ...phone, addedBy: ctx.importId });
  }
  const unusablePhones = [...existing.unusablePhones];
  for (const phone of draft.unusablePhones) {
    if (!unusablePhones.some((p) => p.value === phone.value)) unusablePhones.push(phone);
  }

  const merged: Contact = {
    ...existing,
    externalId: existing.externalId ?? draft.externalId,
    firstName: draft.firstName ?? existing.firstName,
    middleName: draft.middleName ?? existing.middleName,
    lastName: draft.lastName ?? existing.lastName,
    nameKey: draft.firstName || draft.lastName ? draft.nameKey : existing.nameKey,
    phones,
    unusablePhones,
    address: mergeAddress(existing.address, draft.address),
    // What the person told us outranks a file's column (often a default the practice never updated).
    language: existing.languageSource ? existing.language : (draft.language ?? existing.language),
    email: draft.email ?? existing.email,
    dateOfBirth: draft.dateOfBirth ?? existing.dateOfBirth,
    lastVisitDate: latest(existing.lastVisitDate, draft.lastVisitDate),
    tags: [...new Set([...existing.tags, ...draft.tags])],
    attributes: { ...existing.attributes, ...draft.attributes },
    consent,
    doNotCall,
    cadence: draft.cadence ?? existing.cadence,
  };
  const changed = fingerprint(merged) !== fingerprint(existing);
  const seenRows = [...existing.seenRows, rowHash].slice(-SEEN_ROWS_KEPT);
  return { contact: { ...(changed ? { ...merged, updatedAt: ctx.now } : existing), seenRows }, changed, consentChanges };
}

const SEEN_ROWS_KEPT = 20;

/** Same row content (wherever and whenever it was read) → same hash. */
export function draftHash(draft: ContactDraft): string {
  return createHash('sha256').update(JSON.stringify(draft)).digest('hex').slice(0, 16);
}

/** A complete address replaces; a partial one only fills gaps in what is known. */
function mergeAddress(known: MailingAddress | undefined, incoming: MailingAddress | undefined): MailingAddress | undefined {
  if (!incoming) return known;
  if (isCompleteAddress(incoming) || !known) return incoming;
  if (isCompleteAddress(known)) return known;
  return { ...known, ...Object.fromEntries(Object.entries(incoming).filter(([, v]) => v !== undefined)) };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

/** Everything but bookkeeping, in a stable order, for "did this row change the person?". */
function fingerprint(c: Contact): string {
  const { updatedAt: _u, lastImport: _l, createdAt: _c, seenRows: _s, ...rest } = c;
  return JSON.stringify(rest, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).filter(([, x]) => x !== undefined).sort(([x], [y]) => x.localeCompare(y))) : v,
  );
}
