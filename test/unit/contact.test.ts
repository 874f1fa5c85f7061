import {
  contactIdFor,
  createContact,
  draftHash,
  identityKeys,
  mergeContact,
  type Contact,
  type MergeContext,
} from '../../lambdas/domain/contact';
import type { ContactDraft } from '../../lambdas/domain/import-row';

function draft(overrides: Partial<ContactDraft> = {}): ContactDraft {
  return {
    firstName: 'Ana',
    lastName: 'Lopez',
    nameKey: 'ana|lopez',
    phones: [{ e164: '+12065550143', label: 'mobile' }],
    unusablePhones: [],
    tags: [],
    consent: {},
    doNotCall: false,
    attributes: {},
    ...overrides,
  };
}

const first: MergeContext = { practiceId: 'sunrise-family', importId: 'imp_1', line: 2, now: '2026-01-10T00:00:00.000Z' };
const second: MergeContext = { practiceId: 'sunrise-family', importId: 'imp_2', line: 7, now: '2026-02-20T00:00:00.000Z' };

const completeAddress = { line1: '1200 Pine St', city: 'Seattle', state: 'WA', zip: '98101' };

function created(d: ContactDraft = draft()): Contact {
  return createContact('c_1', d, first).contact;
}

describe('identityKeys', () => {
  it('lower-cases and trims the external id', () => {
    expect(identityKeys(draft({ externalId: '  MRN-0042 ' })).external).toBe('ext:mrn-0042');
  });

  it('has no external key when the row has no external id', () => {
    expect(identityKeys(draft()).external).toBeUndefined();
  });

  it('pairs each phone number with the name', () => {
    const keys = identityKeys(draft({ phones: [{ e164: '+12065550143', label: 'mobile' }, { e164: '+12065550144', label: 'home' }] }));
    expect(keys.others).toEqual(['pn:+12065550143:ana|lopez', 'pn:+12065550144:ana|lopez']);
  });

  it('adds no name-and-address key when the person has a phone', () => {
    expect(identityKeys(draft({ address: completeAddress })).others).toEqual(['pn:+12065550143:ana|lopez']);
  });

  it('finds someone reachable only by mail by name, ZIP5 and street', () => {
    const keys = identityKeys(draft({ phones: [], address: { ...completeAddress, line1: '1200 Pine St.', zip: '98101-1234' } }));
    expect(keys.others).toEqual(['na:ana|lopez:98101:1200pinest']);
  });

  it('has no keys for someone with no phone and only a partial address', () => {
    expect(identityKeys(draft({ phones: [], address: { line1: '1200 Pine St', city: 'Seattle' } })).others).toEqual([]);
  });
});

describe('contactIdFor', () => {
  it('gives the same id for the same practice and key', () => {
    expect(contactIdFor('sunrise-family', 'ext:a1')).toBe(contactIdFor('sunrise-family', 'ext:a1'));
  });

  it('gives a c_ id of 24 hex digits', () => {
    expect(contactIdFor('sunrise-family', 'ext:a1')).toMatch(/^c_[0-9a-f]{24}$/);
  });

  it('gives different ids for different keys or practices', () => {
    const id = contactIdFor('sunrise-family', 'ext:a1');
    expect(contactIdFor('sunrise-family', 'ext:a2')).not.toBe(id);
    expect(contactIdFor('lakeside-pediatrics', 'ext:a1')).not.toBe(id);
  });
});

describe('createContact', () => {
  it('creates a contact from a draft with bookkeeping from the import', () => {
    const d = draft({ externalId: 'A1', email: 'ana@example.com', tags: ['flu'], attributes: { Plan: 'Blue' } });
    const { contact, consentChanges } = createContact('c_1', d, first);
    expect(contact).toEqual({
      practiceId: 'sunrise-family',
      contactId: 'c_1',
      externalId: 'A1',
      firstName: 'Ana',
      middleName: undefined,
      lastName: 'Lopez',
      nameKey: 'ana|lopez',
      phones: [{ e164: '+12065550143', label: 'mobile', addedBy: 'imp_1' }],
      unusablePhones: [],
      address: undefined,
      language: undefined,
      email: 'ana@example.com',
      dateOfBirth: undefined,
      lastVisitDate: undefined,
      tags: ['flu'],
      attributes: { Plan: 'Blue' },
      consent: {},
      optedOut: {},
      doNotCall: undefined,
      cadence: undefined,
      createdAt: '2026-01-10T00:00:00.000Z',
      updatedAt: '2026-01-10T00:00:00.000Z',
      lastImport: { importId: 'imp_1', line: 2, outcome: 'created' },
      seenRows: [draftHash(d)],
    });
    expect(consentChanges).toEqual([]);
  });

  it('records consent and do-not-call given by the creating row', () => {
    const { contact, consentChanges } = createContact('c_1', draft({ consent: { sms: true }, doNotCall: true }), first);
    const source = 'import:imp_1:line 2';
    expect(contact.consent).toEqual({ 'sms:care': { granted: true, source, at: first.now } });
    expect(contact.doNotCall).toBe(first.now);
    expect(consentChanges).toEqual([
      { key: 'sms:care', granted: true, source },
      { key: 'doNotCall', granted: false, source },
    ]);
  });
});

describe('mergeContact', () => {
  it('lets the newer file win for fields it states', () => {
    const existing = created(draft({ email: 'old@example.com', language: 'en', cadence: 'a', dateOfBirth: '1980-01-01' }));
    const { contact, changed } = mergeContact(
      existing,
      draft({ firstName: 'Anita', email: 'new@example.com', language: 'es', cadence: 'b', dateOfBirth: '1980-01-02' }),
      second,
    );
    expect(changed).toBe(true);
    expect([contact.firstName, contact.email, contact.language, contact.cadence, contact.dateOfBirth]).toEqual([
      'Anita',
      'new@example.com',
      'es',
      'b',
      '1980-01-02',
    ]);
    expect(contact.updatedAt).toBe(second.now);
    expect(contact.createdAt).toBe(first.now);
  });

  it('keeps fields the newer file is silent about', () => {
    const existing = created(draft({ email: 'ana@example.com', language: 'es', middleName: 'Maria', cadence: 'flu' }));
    const { contact } = mergeContact(existing, draft({ lastName: undefined, nameKey: 'ana|', tags: ['new'] }), second);
    expect([contact.email, contact.language, contact.middleName, contact.cadence, contact.lastName]).toEqual(['ana@example.com', 'es', 'Maria', 'flu', 'Lopez']);
  });

  it('keeps a language the person gave an agent over the file\'s column, which still sets it for everyone else', () => {
    const toldAgent = { ...created(draft({ language: 'en' })), language: 'es', languageSource: 'agent:a-17' };
    const merged = mergeContact(toldAgent, draft({ language: 'en', email: 'new@example.com' }), second).contact;
    expect([merged.language, merged.languageSource, merged.email]).toEqual(['es', 'agent:a-17', 'new@example.com']);
    expect(mergeContact(created(draft({ language: 'en' })), draft({ language: 'es' }), second).contact.language).toBe('es');
  });

  it('keeps the first external id a contact was given', () => {
    const { contact } = mergeContact(created(draft({ externalId: 'A1' })), draft({ externalId: 'B2' }), second);
    expect(contact.externalId).toBe('A1');
  });

  it('takes the later of two last visit dates, whichever file is newer', () => {
    const existing = created(draft({ lastVisitDate: '2025-06-01' }));
    expect(mergeContact(existing, draft({ lastVisitDate: '2024-01-01' }), second).contact.lastVisitDate).toBe('2025-06-01');
    expect(mergeContact(existing, draft({ lastVisitDate: '2025-12-01' }), second).contact.lastVisitDate).toBe('2025-12-01');
  });

  it('adds new phones, keeps known ones with the import that first gave them', () => {
    const existing = created();
    const { contact } = mergeContact(
      existing,
      draft({ phones: [{ e164: '+12065550144', label: 'home' }, { e164: '+12065550143', label: 'work' }] }),
      second,
    );
    expect(contact.phones).toEqual([
      { e164: '+12065550143', label: 'mobile', addedBy: 'imp_1' },
      { e164: '+12065550144', label: 'home', addedBy: 'imp_2' },
    ]);
  });

  it('never removes a phone a newer file leaves out', () => {
    const { contact } = mergeContact(created(), draft({ phones: [] , address: completeAddress }), second);
    expect(contact.phones).toEqual([{ e164: '+12065550143', label: 'mobile', addedBy: 'imp_1' }]);
  });

  it('unions tags and unusable phones', () => {
    const existing = created(draft({ tags: ['flu', 'diabetes'], unusablePhones: [{ value: '555-0143', label: 'home', reason: 'too short' }] }));
    const { contact } = mergeContact(
      existing,
      draft({ tags: ['diabetes', 'staff'], unusablePhones: [{ value: '555-0143', label: 'home', reason: 'too short' }, { value: '12', label: 'work', reason: 'too short' }] }),
      second,
    );
    expect(contact.tags).toEqual(['flu', 'diabetes', 'staff']);
    expect(contact.unusablePhones).toEqual([
      { value: '555-0143', label: 'home', reason: 'too short' },
      { value: '12', label: 'work', reason: 'too short' },
    ]);
  });

  it('merges attributes, the newer file winning per attribute', () => {
    const existing = created(draft({ attributes: { Plan: 'Blue', Clinic: 'North' } }));
    expect(mergeContact(existing, draft({ attributes: { Plan: 'Gold' } }), second).contact.attributes).toEqual({ Plan: 'Gold', Clinic: 'North' });
  });

  describe('addresses', () => {
    it('replaces a partial address with a complete one', () => {
      const existing = created(draft({ address: { city: 'Tacoma' } }));
      expect(mergeContact(existing, draft({ address: completeAddress }), second).contact.address).toEqual(completeAddress);
    });

    it('replaces a complete address with a newer complete one', () => {
      const existing = created(draft({ address: completeAddress }));
      const moved = { line1: '9 Elm St', city: 'Tacoma', state: 'WA', zip: '98402' };
      expect(mergeContact(existing, draft({ address: moved }), second).contact.address).toEqual(moved);
    });

    it('does not let a partial address replace a complete one', () => {
      const existing = created(draft({ address: completeAddress }));
      const { contact, changed } = mergeContact(existing, draft({ address: { city: 'Tacoma', zip: undefined } }), second);
      expect(contact.address).toEqual(completeAddress);
      expect(changed).toBe(false);
    });

    it('fills the gaps of a partial address with a partial one', () => {
      const existing = created(draft({ address: { line1: '1200 Pine St', city: 'Seattle', state: undefined } }));
      const { contact } = mergeContact(existing, draft({ address: { state: 'WA', city: undefined } }), second);
      expect(contact.address).toEqual({ line1: '1200 Pine St', city: 'Seattle', state: 'WA' });
    });

    it('keeps the address when the newer file has none', () => {
      const existing = created(draft({ address: completeAddress }));
      expect(mergeContact(existing, draft(), second).contact.address).toEqual(completeAddress);
    });
  });

  describe('consent', () => {
    it('records a consent change with its source', () => {
      const existing = created(draft({ consent: { sms: true } }));
      const { contact, consentChanges, changed } = mergeContact(existing, draft({ consent: { sms: false } }), second);
      expect(changed).toBe(true);
      expect(contact.consent).toEqual({ 'sms:care': { granted: false, source: 'import:imp_2:line 7', at: second.now } });
      expect(consentChanges).toEqual([{ key: 'sms:care', granted: false, source: 'import:imp_2:line 7' }]);
    });

    it('records nothing when consent is the same as known', () => {
      const existing = created(draft({ consent: { sms: true } }));
      const { contact, consentChanges } = mergeContact(existing, draft({ consent: { sms: true }, tags: ['x'] }), second);
      expect(consentChanges).toEqual([]);
      expect(contact.consent).toEqual({ 'sms:care': { granted: true, source: 'import:imp_1:line 2', at: first.now } });
    });

    it('applies outreach consent to both channels', () => {
      const { contact, consentChanges } = mergeContact(created(), draft({ consent: { outreach: true } }), second);
      const source = 'import:imp_2:line 7';
      expect(contact.consent).toEqual({
        'sms:outreach': { granted: true, source, at: second.now },
        'voice:outreach': { granted: true, source, at: second.now },
      });
      expect(consentChanges).toEqual([
        { key: 'sms:outreach', granted: true, source },
        { key: 'voice:outreach', granted: true, source },
      ]);
    });

    it('cannot re-grant SMS consent to a person who opted out of SMS', () => {
      const existing: Contact = { ...created(), optedOut: { sms: '2026-01-01T00:00:00Z' } };
      const { contact, consentChanges } = mergeContact(existing, draft({ consent: { sms: true, outreach: true } }), second);
      expect(contact.consent['sms:care']).toBeUndefined();
      expect(contact.consent['sms:outreach']).toBeUndefined();
      expect(contact.consent['voice:outreach']).toEqual({ granted: true, source: 'import:imp_2:line 7', at: second.now });
      expect(consentChanges).toEqual([{ key: 'voice:outreach', granted: true, source: 'import:imp_2:line 7' }]);
      expect(contact.optedOut).toEqual({ sms: '2026-01-01T00:00:00Z' });
    });

    it('keeps a withdrawn SMS consent withdrawn after an opt-out, whatever the file says', () => {
      const existing: Contact = {
        ...created(draft({ consent: { sms: false } })),
        optedOut: { sms: '2026-01-01T00:00:00Z' },
      };
      const { contact, consentChanges } = mergeContact(existing, draft({ consent: { sms: true } }), second);
      expect(contact.consent['sms:care']).toEqual({ granted: false, source: 'import:imp_1:line 2', at: first.now });
      expect(consentChanges).toEqual([]);
    });

    it('cannot grant any consent to a person who opted out of everything', () => {
      const existing: Contact = { ...created(), optedOut: { all: '2026-01-01T00:00:00Z' } };
      const { contact, consentChanges } = mergeContact(existing, draft({ consent: { sms: true, voice: true, outreach: true } }), second);
      expect(contact.consent).toEqual({});
      expect(consentChanges).toEqual([]);
    });

    it('still records a withdrawal of consent after an opt-out', () => {
      const existing: Contact = { ...created(draft({ consent: { voice: true } })), optedOut: { all: '2026-01-01T00:00:00Z' } };
      const { consentChanges } = mergeContact(existing, draft({ consent: { voice: false } }), second);
      expect(consentChanges).toEqual([{ key: 'voice:care', granted: false, source: 'import:imp_2:line 7' }]);
    });

    it('cannot grant voice consent to a person on do-not-call', () => {
      const existing = created(draft({ doNotCall: true }));
      const { contact } = mergeContact(existing, draft({ consent: { voice: true, sms: true } }), second);
      expect(contact.consent['voice:care']).toBeUndefined();
      expect(contact.consent['sms:care']).toEqual({ granted: true, source: 'import:imp_2:line 7', at: second.now });
    });

    it('does not grant voice consent from a row that also asks not to be called', () => {
      const { contact } = mergeContact(created(), draft({ consent: { voice: true }, doNotCall: true }), second);
      expect(contact.consent['voice:care']).toBeUndefined();
      expect(contact.doNotCall).toBe(second.now);
    });
  });

  describe('do-not-call', () => {
    it('sets do-not-call and records it as a consent change', () => {
      const { contact, consentChanges, changed } = mergeContact(created(), draft({ doNotCall: true }), second);
      expect(changed).toBe(true);
      expect(contact.doNotCall).toBe(second.now);
      expect(consentChanges).toEqual([{ key: 'doNotCall', granted: false, source: 'import:imp_2:line 7' }]);
    });

    it('is never cleared by a later file without the flag', () => {
      const existing = created(draft({ doNotCall: true }));
      const { contact, consentChanges } = mergeContact(existing, draft({ doNotCall: false, tags: ['later'] }), second);
      expect(contact.doNotCall).toBe(first.now);
      expect(consentChanges).toEqual([]);
    });

    it('keeps the first do-not-call time when a later file repeats the flag', () => {
      const existing = created(draft({ doNotCall: true }));
      const { contact, consentChanges } = mergeContact(existing, draft({ doNotCall: true, tags: ['later'] }), second);
      expect(contact.doNotCall).toBe(first.now);
      expect(consentChanges).toEqual([]);
    });
  });

  describe('changed', () => {
    it('changes nothing for a row already merged with the same content', () => {
      const d = draft({ consent: { sms: true }, tags: ['flu'] });
      const existing = created(d);
      const result = mergeContact(existing, d, second);
      expect(result).toEqual({ contact: existing, changed: false, consentChanges: [] });
    });

    it('changes nothing when a row with the same content comes from a different import and line', () => {
      const d = draft({ doNotCall: true });
      const existing = created(d);
      const result = mergeContact(existing, { ...d }, { ...second, line: 99 });
      expect(result.contact).toBe(existing);
      expect(result.changed).toBe(false);
    });

    it('is false when a different row says nothing new, and only remembers the row', () => {
      const existing = created(draft({ tags: ['flu', 'staff'], email: 'ana@example.com' }));
      const d = draft({ tags: ['staff'] });
      const { contact, changed, consentChanges } = mergeContact(existing, d, second);
      expect(changed).toBe(false);
      expect(consentChanges).toEqual([]);
      expect(contact).toEqual({ ...existing, seenRows: [...existing.seenRows, draftHash(d)] });
      expect(contact.updatedAt).toBe(first.now);
    });

    it('is true when a phone is added', () => {
      expect(mergeContact(created(), draft({ phones: [{ e164: '+12065550199', label: 'work' }] }), second).changed).toBe(true);
    });

    it('remembers at most 20 rows', () => {
      let contact = created();
      for (let i = 0; i < 25; i++) contact = mergeContact(contact, draft({ attributes: { n: String(i) } }), second).contact;
      expect(contact.seenRows).toHaveLength(20);
      expect(contact.seenRows.at(-1)).toBe(draftHash(draft({ attributes: { n: '24' } })));
    });
  });
});
