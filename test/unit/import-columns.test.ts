import {
  CANONICAL_FIELDS,
  HEADER_ALIASES,
  HeaderResolver,
  headerProblem,
  mapHeader,
  normaliseHeader,
  type ColumnMapping,
} from '../../lambdas/domain/import-columns';

const fieldOf = (header: string, aliases: Record<string, (typeof CANONICAL_FIELDS)[number]> = {}): string => {
  const [mapping] = mapHeader([header], aliases);
  return mapping!.kind === 'field' ? mapping!.field : 'attribute';
};

describe('normaliseHeader', () => {
  it.each([
    ['First Name', 'firstname'],
    ['first_name', 'firstname'],
    [' FirstName ', 'firstname'],
    ['FIRST-NAME', 'firstname'],
    ['Cell #', 'cell'],
    ['Zip+4', 'zip4'],
    ['Teléfono', 'telefono'],
    ['', ''],
  ])('normalises %j to %j', (header, expected) => {
    expect(normaliseHeader(header)).toBe(expected);
  });
});

describe('mapHeader', () => {
  it.each([['First Name'], ['first_name'], ['FirstName'], ['FIRST NAME'], ['fname'], ['Given Name']])('maps %j to firstName', (header) => {
    expect(mapHeader([header])).toEqual([{ kind: 'field', field: 'firstName', header }]);
  });

  it.each([
    ['Last Name', 'lastName'],
    ['Surname', 'lastName'],
    ['Name', 'fullName'],
    ['Patient Name', 'fullName'],
    ['MRN', 'externalId'],
    ['Patient ID', 'externalId'],
    ['Middle Initial', 'middleName'],
    ['Address', 'addressLine1'],
    ['Apt', 'addressLine2'],
    ['City', 'city'],
    ['ST', 'state'],
    ['Zip Code', 'zip'],
    ['Preferred Language', 'language'],
    ['E-mail', 'email'],
    ['DOB', 'dateOfBirth'],
    ['Last Visit', 'lastVisitDate'],
    ['Tags', 'tags'],
    ['OK to Text', 'smsConsent'],
    ['OK to Call', 'voiceConsent'],
    ['Marketing Consent', 'outreachConsent'],
    ['DNC', 'doNotCall'],
    ['Campaign', 'cadence'],
  ])('maps documented alias %j to %s', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it.each([
    ['Cell #', 'mobilePhone'],
    ['Mobile Phone', 'mobilePhone'],
    ['Cell Phone', 'mobilePhone'],
    ['Home Phone', 'homePhone'],
    ['Work Phone', 'workPhone'],
    ['Phone', 'otherPhone'],
    ['Telephone', 'otherPhone'],
  ])('maps documented phone header %j to %s', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it.each([
    ['Phone 2', 'otherPhone'],
    ['Spouse Cell', 'mobilePhone'],
    ['Mobile Number 2', 'mobilePhone'],
    ['Text Number', 'mobilePhone'],
    ['Home Phone Number', 'homePhone'],
    ['Work Tel', 'workPhone'],
    ['Office Phone 2', 'workPhone'],
    ['Business Telephone', 'workPhone'],
    ['Emergency Contact Phone', 'otherPhone'],
  ])('reads undocumented header %j as a phone column (%s) by its words', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it.each([['Phone Type'], ['Fax'], ['Fax Number'], ['Phone Ext'], ['Extension'], ['Cell Phone Type'], ['Patient Number'], ['Number of Visits']])(
    'does not read %j as a phone column',
    (header) => {
      expect(fieldOf(header)).toBe('attribute');
    },
  );

  it('reads "SMS Consent" as the SMS consent flag, not as a phone', () => {
    expect(fieldOf('SMS Consent')).toBe('smsConsent');
  });

  it('reads "Phone Consent" as the voice consent flag, not as a phone', () => {
    expect(fieldOf('Phone Consent')).toBe('voiceConsent');
  });

  it.each([['Telehealth'], ['Cancellation Date']])('does not read %j as a phone column', (header) => {
    expect(fieldOf(header)).toBe('attribute');
  });

  it('keeps unknown headers as attributes with their original text', () => {
    expect(mapHeader(['Favourite Colour', 'Insurance Plan'])).toEqual([
      { kind: 'attribute', header: 'Favourite Colour' },
      { kind: 'attribute', header: 'Insurance Plan' },
    ]);
  });

  it('maps each header of a row in file order', () => {
    expect(mapHeader(['Last Name', 'First Name', 'Notes', 'Cell'])).toEqual([
      { kind: 'field', field: 'lastName', header: 'Last Name' },
      { kind: 'field', field: 'firstName', header: 'First Name' },
      { kind: 'attribute', header: 'Notes' },
      { kind: 'field', field: 'mobilePhone', header: 'Cell' },
    ]);
  });

  it('lets a config alias win over the documented meaning of a header', () => {
    expect(fieldOf('Mobile', { mobile: 'homePhone' })).toBe('homePhone');
  });

  it('matches config aliases case- and punctuation-insensitively', () => {
    expect(fieldOf('patient_cell', { 'Patient Cell': 'mobilePhone' })).toBe('mobilePhone');
  });

  it('maps an otherwise unknown header through a config alias', () => {
    expect(fieldOf('Guarantor', { Guarantor: 'fullName' })).toBe('fullName');
  });

  it('documents every alias already normalised and each alias under one field only', () => {
    const seen = new Map<string, string>();
    for (const field of CANONICAL_FIELDS) {
      for (const alias of HEADER_ALIASES[field]) {
        expect(normaliseHeader(alias)).toBe(alias);
        expect(seen.get(alias)).toBeUndefined();
        seen.set(alias, field);
      }
    }
  });
});

describe('HeaderResolver', () => {
  it('resolves a nested key that means nothing whole by its leaf', () => {
    expect(new HeaderResolver().resolve('name.first')).toEqual({ kind: 'field', field: 'firstName', header: 'name.first' });
  });

  it('resolves deeper nested keys by their leaf', () => {
    const resolver = new HeaderResolver();
    expect(resolver.resolve('patient.address.zip')).toEqual({ kind: 'field', field: 'zip', header: 'patient.address.zip' });
    expect(resolver.resolve('name.last')).toEqual({ kind: 'field', field: 'lastName', header: 'name.last' });
  });

  it('prefers the meaning of the whole nested key when it has one', () => {
    expect(new HeaderResolver().resolve('patient.name')).toEqual({ kind: 'field', field: 'fullName', header: 'patient.name' });
  });

  it('keeps a nested key whose leaf is unknown as an attribute', () => {
    expect(new HeaderResolver().resolve('insurance.plan')).toEqual({ kind: 'attribute', header: 'insurance.plan' });
  });

  it('applies config aliases to the leaf of a nested key', () => {
    expect(new HeaderResolver({ guarantor: 'otherPhone' }).resolve('contact.guarantor')).toEqual({
      kind: 'field',
      field: 'otherPhone',
      header: 'contact.guarantor',
    });
  });

  it('returns the same answer when asked twice', () => {
    const resolver = new HeaderResolver();
    const first = resolver.resolve('First Name');
    expect(resolver.resolve('First Name')).toBe(first);
    expect(first).toEqual({ kind: 'field', field: 'firstName', header: 'First Name' });
  });
});

describe('headerProblem', () => {
  const map = (...headers: string[]): ColumnMapping[] => mapHeader(headers);

  it('accepts a header with a name and a phone', () => {
    expect(headerProblem(map('First Name', 'Last Name', 'Mobile'))).toBeUndefined();
  });

  it('accepts a header with a full name and an address', () => {
    expect(headerProblem(map('Name', 'Address', 'City'))).toBeUndefined();
  });

  it('accepts a header with only a last name and a phone', () => {
    expect(headerProblem(map('Surname', 'Phone'))).toBeUndefined();
  });

  it('says no header was recognised when there is neither a name nor a way to reach', () => {
    expect(headerProblem(map('Foo', 'Bar'))).toBe(
      'no recognisable header: expected a name column and a phone or address column (see the README for accepted names)',
    );
  });

  it('says the name column is missing when only a phone is there', () => {
    expect(headerProblem(map('Mobile', 'City'))).toBe('no name column in the header (e.g. "First Name" and "Last Name", or "Name")');
  });

  it('says the phone or address column is missing when only a name is there', () => {
    expect(headerProblem(map('First Name', 'Last Name', 'City', 'Zip'))).toBe(
      'no phone or address column in the header (e.g. "Mobile", "Phone", "Address")',
    );
  });

  it('treats an empty header as unrecognisable', () => {
    expect(headerProblem([])).toBe(
      'no recognisable header: expected a name column and a phone or address column (see the README for accepted names)',
    );
  });
});
