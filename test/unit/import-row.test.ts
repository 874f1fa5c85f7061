import { mapHeader } from '../../lambdas/domain/import-columns';
import { isCompleteAddress, readRow, type ContactDraft, type RowContext, type RowOutcome } from '../../lambdas/domain/import-row';

const ctx: RowContext = { defaultCountry: 'US', today: new Date('2026-03-01T00:00:00Z') };

/** Reads one row given as header → cell, mapping headers the way a file's header row is mapped. */
function read(row: Record<string, string>, context: RowContext = ctx): RowOutcome {
  const headers = Object.keys(row);
  const mapping = mapHeader(headers);
  return readRow(
    mapping.map((m, i) => [m, row[headers[i]!]!] as const),
    context,
  );
}

function accepted(row: Record<string, string>): { draft: ContactDraft; warnings: readonly string[] } {
  const outcome = read(row);
  if (outcome.kind !== 'contact') throw new Error(`expected a contact, got reject: ${outcome.reason}`);
  return outcome;
}

const fullAddress = { Address: '1200 Pine St', City: 'Seattle', State: 'WA', Zip: '98101' };

describe('readRow', () => {
  describe('rejects', () => {
    it('rejects a row with no name', () => {
      expect(read({ 'First Name': '', 'Last Name': '  ', Mobile: '206-555-0143' })).toEqual({
        kind: 'reject',
        reason: 'no name: the row has no first, last or full name',
      });
    });

    it('rejects a row with a name but no phone and no complete address', () => {
      expect(read({ 'First Name': 'Ana', 'Last Name': 'Lopez', Address: '1200 Pine St', City: 'Seattle' })).toEqual({
        kind: 'reject',
        reason: 'no way to reach the person: it has no phone number and no complete mailing address (street, city, state, ZIP)',
      });
    });

    it('rejects a row whose only phones cannot be valid, naming each phone problem', () => {
      expect(read({ 'First Name': 'Ana', 'Last Name': 'Lopez', Mobile: '555-0143', Home: '206-555-O143' })).toEqual({
        kind: 'reject',
        reason:
          'no way to reach the person: its phone numbers cannot be valid (too short, contains letters) and no complete mailing address (street, city, state, ZIP)',
      });
    });

    it('rejects a row with no cells at all as having no name', () => {
      expect(readRow([], ctx)).toEqual({ kind: 'reject', reason: 'no name: the row has no first, last or full name' });
    });
  });

  describe('names', () => {
    it('tidies shouted first and last names', () => {
      const { draft } = accepted({ 'First Name': 'MARY-ANN', 'Last Name': "O'NEIL", 'Middle Name': 'jo', Mobile: '206-555-0143' });
      expect([draft.firstName, draft.middleName, draft.lastName, draft.nameKey]).toEqual(['Mary-Ann', 'Jo', "O'Neil", 'maryann|oneil']);
    });

    it('splits a full name when there are no first or last name columns', () => {
      const { draft } = accepted({ Name: 'GARCIA, MARIA ELENA', Phone: '206-555-0143' });
      expect([draft.firstName, draft.middleName, draft.lastName, draft.nameKey]).toEqual(['Maria', 'Elena', 'Garcia', 'maria|garcia']);
    });

    it('prefers first/last name columns over a full name column', () => {
      const { draft } = accepted({ Name: 'Someone Else', 'First Name': 'Ana', 'Last Name': 'Lopez', Phone: '206-555-0143' });
      expect([draft.firstName, draft.lastName]).toEqual(['Ana', 'Lopez']);
    });

    it('accepts a row with only a last name', () => {
      const { draft } = accepted({ 'Last Name': 'Lopez', Phone: '206-555-0143' });
      expect([draft.firstName, draft.lastName, draft.nameKey]).toEqual([undefined, 'Lopez', '|lopez']);
    });
  });

  describe('phones', () => {
    it('reads each phone column with its label', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '(206) 555-0143', 'Home Phone': '206.555.0144', 'Work Phone': '206-555-0145 x12', Phone: '+1 206 555 0146' });
      expect(draft.phones).toEqual([
        { e164: '+12065550143', label: 'mobile' },
        { e164: '+12065550144', label: 'home' },
        { e164: '+12065550145', label: 'work', extension: '12' },
        { e164: '+12065550146', label: 'other' },
      ]);
      expect(draft.unusablePhones).toEqual([]);
    });

    it('keeps a number given in two columns once, under the first column', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'Home Phone': '(206) 555-0143' });
      expect(draft.phones).toEqual([{ e164: '+12065550143', label: 'mobile' }]);
    });

    it('accepts a row with one good number and keeps the bad one as unusable', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'Home Phone': '555-0143' });
      expect(draft.phones).toEqual([{ e164: '+12065550143', label: 'mobile' }]);
      expect(draft.unusablePhones).toEqual([{ value: '555-0143', label: 'home', reason: 'too short' }]);
    });

    it('reads undocumented phone-like columns as phones', () => {
      const { draft } = accepted({ 'First Name': 'Ana', 'Spouse Cell': '206-555-0143', 'Phone 2': '206-555-0144' });
      expect(draft.phones).toEqual([
        { e164: '+12065550143', label: 'mobile' },
        { e164: '+12065550144', label: 'other' },
      ]);
    });

    it('reads a national number in the practice country', () => {
      const outcome = read({ 'First Name': 'Ann', Phone: '020 7946 0958' }, { ...ctx, defaultCountry: 'GB' });
      expect(outcome.kind === 'contact' && outcome.draft.phones).toEqual([{ e164: '+442079460958', label: 'other' }]);
    });
  });

  describe('addresses', () => {
    it('accepts a row reachable only by a complete mailing address', () => {
      const { draft, warnings } = accepted({ 'First Name': 'Ana', 'Last Name': 'Lopez', ...fullAddress, Apt: 'Suite  300' });
      expect(draft.phones).toEqual([]);
      expect(draft.address).toEqual({ line1: '1200 Pine St', line2: 'Suite 300', city: 'Seattle', state: 'WA', zip: '98101' });
      expect(warnings).toEqual([]);
    });

    it('normalises the city, state and ZIP of an address', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Address: '  12  Elm   St ', City: 'BOSTON', State: 'Massachusetts', Zip: '2134' });
      expect(draft.address).toEqual({ line1: '12 Elm St', line2: undefined, city: 'Boston', state: 'MA', zip: '02134' });
    });

    it('keeps a partial address alongside a phone', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', City: 'Seattle' });
      expect(draft.address).toEqual({ line1: undefined, line2: undefined, city: 'Seattle', state: undefined, zip: undefined });
      expect(isCompleteAddress(draft.address)).toBe(false);
    });

    it('leaves the address undefined when the row says nothing about it', () => {
      expect(accepted({ 'First Name': 'Ana', Mobile: '206-555-0143' }).draft.address).toBeUndefined();
    });

    it('warns about an unreadable state and ZIP, and then the address is not complete', () => {
      expect(read({ 'First Name': 'Ana', Address: '1 Main St', City: 'Seattle', State: 'Narnia', Zip: '123' })).toEqual({
        kind: 'reject',
        reason: 'no way to reach the person: it has no phone number and no complete mailing address (street, city, state, ZIP)',
      });
      const { warnings } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', State: 'Narnia', Zip: '123' });
      expect(warnings).toEqual(['state: "Narnia" could not be read; ignored', 'ZIP: "123" could not be read; ignored']);
    });
  });

  describe('other fields', () => {
    it('reads language, email, dates, tags and cadence', () => {
      const { draft, warnings } = accepted({
        'First Name': 'Ana',
        Mobile: '206-555-0143',
        Language: 'Español',
        Email: 'Ana@Example.com',
        DOB: '3/9/55',
        'Last Visit': '2025-11-02',
        Tags: 'Diabetes; Flu',
        Campaign: 'flu-2026',
      });
      expect(warnings).toEqual([]);
      expect({
        language: draft.language,
        email: draft.email,
        dateOfBirth: draft.dateOfBirth,
        lastVisitDate: draft.lastVisitDate,
        tags: draft.tags,
        cadence: draft.cadence,
      }).toEqual({ language: 'es', email: 'ana@example.com', dateOfBirth: '1955-03-09', lastVisitDate: '2025-11-02', tags: ['diabetes', 'flu'], cadence: 'flu-2026' });
    });

    it('joins tags from two tag columns', () => {
      const headers = mapHeader(['First Name', 'Mobile', 'Tags', 'Groups']);
      const outcome = readRow(
        [
          [headers[0]!, 'Ana'],
          [headers[1]!, '206-555-0143'],
          [headers[2]!, 'diabetes'],
          [headers[3]!, 'Staff, Diabetes'],
        ],
        ctx,
      );
      expect(outcome.kind === 'contact' && outcome.draft.tags).toEqual(['diabetes', 'staff']);
    });

    it('takes the first of two columns that mean the same single field', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', Email: 'first@example.com', 'E-mail Address': 'second@example.com' });
      expect(draft.email).toBe('first@example.com');
    });

    it('keeps unknown columns as attributes, trimmed, and drops empty ones', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'Insurance Plan': '  Blue Shield ', Notes: '   ' });
      expect(draft.attributes).toEqual({ 'Insurance Plan': 'Blue Shield' });
    });

    it('keeps the external id as written', () => {
      expect(accepted({ MRN: ' A-1001 ', 'First Name': 'Ana', Mobile: '206-555-0143' }).draft.externalId).toBe('A-1001');
    });
  });

  describe('warnings for what cannot be read', () => {
    it('warns about an unreadable email, date of birth, last visit and language and leaves them out', () => {
      const { draft, warnings } = accepted({
        'First Name': 'Ana',
        Mobile: '206-555-0143',
        Email: 'ana at example',
        DOB: '02/30/1980',
        'Last Visit': 'last spring',
        Language: 'Klingon',
      });
      expect(warnings).toEqual([
        'language: "Klingon" could not be read; ignored',
        'email: "ana at example" could not be read; ignored',
        'date of birth: "02/30/1980" could not be read; ignored',
        'last visit date: "last spring" could not be read; ignored',
      ]);
      expect([draft.email, draft.dateOfBirth, draft.lastVisitDate, draft.language]).toEqual([undefined, undefined, undefined, undefined]);
    });

    it('warns about a date of birth or last visit after today (a typo) and leaves it out; a two-digit year is read as behind us', () => {
      const ahead = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', DOB: '2030-01-01', 'Last Visit': '03/02/2026' });
      expect(ahead.warnings).toEqual(['date of birth: "2030-01-01" is after today; ignored', 'last visit date: "03/02/2026" is after today; ignored']);
      expect([ahead.draft.dateOfBirth, ahead.draft.lastVisitDate]).toEqual([undefined, undefined]);
      const twoDigit = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', DOB: '12/31/26', 'Last Visit': '2/27/26' });
      expect(twoDigit.warnings).toEqual([]);
      expect([twoDigit.draft.dateOfBirth, twoDigit.draft.lastVisitDate]).toEqual(['1926-12-31', '2026-02-27']);
    });

    it('warns about yes/no flags it cannot read and treats them as silent', () => {
      const { draft, warnings } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'SMS Consent': 'maybe', DNC: 'ask later' });
      expect(warnings).toEqual(['smsConsent: "maybe" is not yes or no; ignored', 'doNotCall: "ask later" is not yes or no; ignored']);
      expect(draft.consent).toEqual({ sms: undefined, voice: undefined, outreach: undefined });
      expect(draft.doNotCall).toBe(false);
    });
  });

  describe('consent and do-not-call', () => {
    it('reads consent flags per channel', () => {
      const { draft } = accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'SMS Consent': 'Y', 'Voice Consent': 'no', 'Marketing Consent': 'opted in' });
      expect(draft.consent).toEqual({ sms: true, voice: false, outreach: true });
    });

    it('leaves consent undefined where the file is silent', () => {
      expect(accepted({ 'First Name': 'Ana', Mobile: '206-555-0143' }).draft.consent).toEqual({ sms: undefined, voice: undefined, outreach: undefined });
    });

    it('reads a do-not-call flag', () => {
      expect(accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', 'Do Not Call': 'Yes' }).draft.doNotCall).toBe(true);
    });

    it('reads a "no" do-not-call flag as not do-not-call', () => {
      expect(accepted({ 'First Name': 'Ana', Mobile: '206-555-0143', DNC: 'N' }).draft.doNotCall).toBe(false);
    });
  });
});
