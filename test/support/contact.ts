/** A person in the tracker as unit tests start from: one mobile, no consent, no opt-out; `over` changes what a test is about. */
import type { Contact } from '../../lambdas/domain/contact';

export const CONTACT_TIME = '2026-06-01T15:00:00.000Z';

export function testContact(over: Partial<Contact> = {}): Contact {
  return {
    practiceId: 'sunrise-family',
    contactId: 'c_1',
    firstName: 'Ana',
    lastName: 'Lopez',
    nameKey: 'ana|lopez',
    email: 'ana@example.com',
    phones: [{ e164: '+13125550101', label: 'mobile', addedBy: 'imp_1' }],
    unusablePhones: [],
    tags: [],
    attributes: {},
    consent: {},
    optedOut: {},
    createdAt: CONTACT_TIME,
    updatedAt: CONTACT_TIME,
    lastImport: { importId: 'imp_1', line: 2, outcome: 'created' },
    seenRows: [],
    ...over,
  };
}
