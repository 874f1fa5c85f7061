/**
 * Import file columns: the canonical fields a row can carry and the header names that
 * mean them. Headers match case- and punctuation-insensitively ("First Name", "first_name",
 * "FirstName" are one header); a stage config can add aliases. Unknown columns are kept
 * as attributes, never dropped.
 */

export const PHONE_FIELDS = ['mobilePhone', 'homePhone', 'workPhone', 'otherPhone'] as const;
export type PhoneField = (typeof PHONE_FIELDS)[number];

export const CANONICAL_FIELDS = [
  'externalId',
  'firstName',
  'middleName',
  'lastName',
  'fullName',
  ...PHONE_FIELDS,
  'addressLine1',
  'addressLine2',
  'city',
  'state',
  'zip',
  'language',
  'email',
  'dateOfBirth',
  'lastVisitDate',
  'tags',
  'smsConsent',
  'voiceConsent',
  'outreachConsent',
  'doNotCall',
  'cadence',
] as const;
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Documented aliases, already normalised with normaliseHeader(). */
export const HEADER_ALIASES: Readonly<Record<CanonicalField, readonly string[]>> = {
  externalId: ['externalid', 'id', 'patientid', 'mrn', 'medicalrecordnumber', 'recordid', 'prospectid', 'personid', 'memberid', 'accountnumber', 'chartnumber'],
  firstName: ['firstname', 'first', 'givenname', 'fname', 'forename', 'patientfirstname'],
  middleName: ['middlename', 'middle', 'middleinitial', 'mi'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'lname', 'patientlastname'],
  fullName: ['name', 'fullname', 'patientname', 'contactname', 'prospectname'],
  mobilePhone: ['mobile', 'mobilephone', 'mobilenumber', 'cell', 'cellphone', 'cellnumber', 'cellular', 'sms', 'textnumber'],
  homePhone: ['home', 'homephone', 'homenumber', 'landline', 'residencephone'],
  workPhone: ['work', 'workphone', 'worknumber', 'businessphone', 'officephone', 'daytimephone'],
  otherPhone: ['phone', 'phonenumber', 'telephone', 'tel', 'contactnumber', 'primaryphone', 'alternatephone', 'otherphone', 'secondaryphone'],
  addressLine1: ['address', 'address1', 'addressline1', 'street', 'streetaddress', 'mailingaddress', 'addr1'],
  addressLine2: ['address2', 'addressline2', 'apt', 'suite', 'unit', 'addr2'],
  city: ['city', 'town', 'locality'],
  state: ['state', 'st', 'province', 'region', 'statecode'],
  zip: ['zip', 'zipcode', 'postalcode', 'postcode', 'zip5'],
  language: ['language', 'lang', 'preferredlanguage', 'primarylanguage', 'locale'],
  email: ['email', 'emailaddress', 'mail'],
  dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday'],
  lastVisitDate: ['lastvisit', 'lastvisitdate', 'lastseen', 'lastappointment', 'lastencounter'],
  tags: ['tags', 'tag', 'groups', 'group', 'segment', 'segments', 'lists', 'list'],
  smsConsent: ['smsconsent', 'textconsent', 'consentsms', 'oktotext', 'textok', 'smsoptin'],
  voiceConsent: ['voiceconsent', 'callconsent', 'phoneconsent', 'consentcall', 'oktocall', 'callok'],
  outreachConsent: ['outreachconsent', 'marketingconsent', 'promotionalconsent', 'writtenconsent', 'marketingoptin'],
  doNotCall: ['donotcall', 'dnc', 'nocall', 'donotcontact'],
  cadence: ['cadence', 'campaign', 'program'],
};

/** "First Name", "first_name", " FirstName " → "firstname". */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** How each column of a file is read: a canonical field, or an extra attribute kept as is. */
export type ColumnMapping =
  | { readonly kind: 'field'; readonly field: CanonicalField; readonly header: string }
  | { readonly kind: 'attribute'; readonly header: string };

/**
 * Maps a file's header row. Config aliases win over documented ones; unknown headers that
 * still look like phone columns ("Phone 2", "Spouse Cell") are read as phones, labelled by
 * the words in them; everything else becomes an attribute.
 */
export function mapHeader(headers: readonly string[], configAliases: Readonly<Record<string, CanonicalField>> = {}): ColumnMapping[] {
  const custom = new Map(Object.entries(configAliases).map(([h, f]) => [normaliseHeader(h), f]));
  const documented = new Map<string, CanonicalField>();
  for (const field of CANONICAL_FIELDS) for (const alias of HEADER_ALIASES[field]) documented.set(alias, field);

  return headers.map((header) => {
    const key = normaliseHeader(header);
    const field = custom.get(key) ?? documented.get(key) ?? phoneFieldFromWords(header);
    return field ? { kind: 'field', field, header } : { kind: 'attribute', header };
  });
}

/**
 * Resolves headers one at a time, remembering each answer: JSON Lines rows bring their own
 * keys. A nested key ("name.first") that means nothing as a whole is tried by its leaf.
 */
export class HeaderResolver {
  private readonly known = new Map<string, ColumnMapping>();
  constructor(private readonly configAliases: Readonly<Record<string, CanonicalField>> = {}) {}

  resolve(header: string): ColumnMapping {
    let mapping = this.known.get(header);
    if (!mapping) {
      mapping = mapHeader([header], this.configAliases)[0]!;
      if (mapping.kind === 'attribute' && header.includes('.')) {
        const leaf = mapHeader([header.slice(header.lastIndexOf('.') + 1)], this.configAliases)[0]!;
        if (leaf.kind === 'field') mapping = { kind: 'field', field: leaf.field, header };
      }
      this.known.set(header, mapping);
    }
    return mapping;
  }
}

/** Reads the header's words ("Spouse Cell", "Work Tel #2"), never parts of words ("Telehealth", "Cancellation"). */
function phoneFieldFromWords(header: string): PhoneField | undefined {
  const words = header.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const has = (...w: string[]) => words.some((x) => w.includes(x));
  if (!has('phone', 'mobile', 'cell', 'cellphone', 'tel', 'telephone', 'number') || has('ext', 'extension', 'type', 'fax', 'consent')) return undefined;
  if (has('mobile', 'cell', 'cellphone', 'sms', 'text')) return 'mobilePhone';
  if (has('home')) return 'homePhone';
  if (has('work', 'office', 'business')) return 'workPhone';
  if (has('phone', 'tel', 'telephone')) return 'otherPhone';
  return undefined;
}

/** A header is usable when it names a person (a name column) or has a way to reach them. */
export function headerProblem(mapping: readonly ColumnMapping[]): string | undefined {
  const fields = new Set(mapping.flatMap((m) => (m.kind === 'field' ? [m.field] : [])));
  const hasName = fields.has('fullName') || fields.has('firstName') || fields.has('lastName');
  const hasReach = PHONE_FIELDS.some((f) => fields.has(f)) || fields.has('addressLine1');
  if (!hasName && !hasReach) return 'no recognisable header: expected a name column and a phone or address column (see the README for accepted names)';
  if (!hasName) return 'no name column in the header (e.g. "First Name" and "Last Name", or "Name")';
  if (!hasReach) return 'no phone or address column in the header (e.g. "Mobile", "Phone", "Address")';
  return undefined;
}
