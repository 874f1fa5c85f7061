import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STATE_RULES, defaultHolidays, LEGAL_WINDOW } from '../../lambdas/domain/send-window-rules';
import { findPractice, importLookupRate, parseStageConfig, practiceCountry } from '../../lambdas/domain/stage-config';
import { FIELD_BUDGET, renderSms, renderTemplate, smsSegments, templateFields, voicemailSeconds } from '../../lambdas/domain/templates';

const SAMPLE_PATH = join(__dirname, '..', '..', 'samples', 'stage.sample.json');

type Json = any;
const sample = (): Json => JSON.parse(readFileSync(SAMPLE_PATH, 'utf8'));

function problemsOf(input: unknown): string {
  try {
    parseStageConfig(input, 'stage.test.json');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('parseStageConfig', () => {
  it('parses the sample stage config', () => {
    const config = parseStageConfig(sample());
    expect(config.stage).toBe('dev');
    expect(config.practices.map((p) => p.id)).toEqual(['sunrise-family', 'lakeside-pediatrics']);
    expect(config.import.headerAliases).toEqual({ 'Patient Cell': 'mobilePhone', 'Guarantor Phone': 'otherPhone' });
    expect(config.practices[0]!.import.headerAliases).toEqual({ 'Cell # (preferred)': 'mobilePhone' });
  });

  it('fills defaults the sample leaves out', () => {
    const config = parseStageConfig(sample());
    expect(config.practices[1]!.import).toEqual({ headerAliases: {} });
    expect(config.practices[1]!.defaultCountry).toBeUndefined();
  });

  it('fills defaults for a minimal config', () => {
    const { stage, practices } = sample();
    const { enrollment: _enrollment, consentDefaults: _consentDefaults, links: _links, ...practice } = practices[1];
    const config = parseStageConfig({ stage, practices: [practice] });
    expect({ env: config.env, retainData: config.retainData, defaultCountry: config.defaultCountry, import: config.import, validation: config.validation }).toEqual({
      env: { region: 'us-east-1' },
      retainData: true,
      defaultCountry: 'US',
      import: { rawRetentionDays: 30, reportRetentionDays: 365, rowsPerInvocation: 100_000, headerAliases: {} },
      validation: { ratePerSecond: 20, oneOffPerSecond: 1, freshnessDays: 180, maxAttempts: 6, numbersPerInvocation: 10_000 },
    });
    expect(importLookupRate(config.validation)).toBe(19);
    expect({ frequencyCap: config.frequencyCap, sms: config.sms, templates: config.templates, cadences: config.cadences }).toEqual({
      frequencyCap: { perDay: 1, perWeek: 3 },
      sms: { maxSegments: 1 },
      templates: {},
      cadences: [],
    });
    expect(config.sendWindow).toEqual({ window: { ...LEGAL_WINDOW }, holidays: defaultHolidays(), stateRules: DEFAULT_STATE_RULES });
    const { enrollment, consentDefaults, links, sendWindow } = config.practices[0]!;
    expect({ enrollment, consentDefaults, links, sendWindow }).toEqual({ enrollment: { byPrefix: {} }, consentDefaults: [], links: {}, sendWindow: undefined });
  });

  it.each([
    ['an existing 10DLC number', 1, { originationIdentity: '+12065550188' }],
    ['an existing toll-free number', 3, { originationIdentity: '+18885550188' }],
    ['a pool or ARN (type unknown)', 1, { originationIdentity: 'pool-0123456789abcdef' }],
    ['a requested 10DLC number', 1, { provision: { numberType: 'TEN_DLC' } }],
    ['a requested toll-free number', 3, { provision: { numberType: 'TOLL_FREE' } }],
    ['a toll-free number with the rate AWS granted', 20, { originationIdentity: '+18885550188', messagesPerSecond: 20 }],
  ])('paces %s at %d a second unless told otherwise', (_, expected, sms) => {
    const config = sample();
    config.practices[1].sms = sms;
    expect(parseStageConfig(config).practices[1]!.sms.messagesPerSecond).toBe(expected);
  });

  it('fills the appointment and disposition defaults, and refuses a reminder outside the send window, naming it', () => {
    const raw = sample();
    delete raw.appointments;
    delete raw.dispositions;
    const config = parseStageConfig(raw);
    expect(config.appointments.reminders.map((r) => `${r.id}@${r.daysBefore}d ${r.at}`)).toEqual(['7d@7d 10:00', '2d@2d 10:00', 'same-day@0d 08:00']);
    expect(config.appointments.messages).toEqual({});
    expect(config.appointments.followUps).toEqual({});
    expect(config.dispositions).toEqual({ retryAfterDeclineDays: 30 });
    const late = sample();
    late.appointments = { reminders: [{ id: 'eve', daysBefore: 1, at: '21:30' }], reviewRequest: { daysAfter: 1, at: '07:00' } };
    expect(problemsOf(late)).toContain('appointments.reminders.0.at: reminder "eve" at 21:30 is outside the send window 08:00–21:00');
    expect(problemsOf(late)).toContain('appointments.reviewRequest.at: the review request at 07:00 is outside the send window 08:00–21:00');
  });

  it('refuses appointment and practice-information messages whose template or cadence does not fit, naming each', () => {
    const config = sample();
    config.appointments.messages = { confirmation: 'sms-intro-a', reminder: 'voicemail-intro', review: 'nope' };
    config.appointments.followUps = { noShow: 'no-such-cadence' };
    config.dispositions.practiceInfoTemplate = 'call-intro';
    const problems = problemsOf(config);
    expect(problems).toContain('appointments.messages.confirmation: template "sms-intro-a" must have purpose "care" (appointment messages are care messages)');
    expect(problems).toContain('appointments.messages.confirmation: template "sms-intro-a" must be of kind "appointment" to carry the date, time and place');
    expect(problems).toContain('appointments.messages.reminder: template "voicemail-intro" is a voicemail template; this message is a text');
    expect(problems).toContain('appointments.messages.review: no template "nope" in templates');
    expect(problems).toContain('appointments.followUps.noShow: no cadence "no-such-cadence" in cadences');
    expect(problems).toContain('dispositions.practiceInfoTemplate: template "call-intro" is a call template; this message is a text');
  });

  it('refuses a practice whose SMS and voice numbers are the same, naming the path', () => {
    const config = sample();
    config.practices[0].voice.originationIdentity = config.practices[0].sms.originationIdentity;
    expect(problemsOf(config)).toBe(
      'Invalid stage.test.json:\n  - practices.0.voice.originationIdentity: SMS and voice must use separate origination numbers (numbers that do both get flagged as spam)',
    );
  });

  it('refuses an SMS pool whose numbers include the voice number', () => {
    const config = sample();
    config.practices[0].sms = { originationIdentity: 'pool-0123456789abcdef', numbers: ['+12065550111', config.practices[0].voice.originationIdentity] };
    expect(problemsOf(config)).toBe(
      'Invalid stage.test.json:\n  - practices.0.voice.originationIdentity: SMS and voice must use separate origination numbers (numbers that do both get flagged as spam)',
    );
    config.practices[0].sms.numbers = ['+12065550111'];
    expect(() => parseStageConfig(config)).not.toThrow();
  });

  it('keeps one-off lookups below the lookup rate, so imports have the rest', () => {
    const raw = { ...sample(), validation: { ratePerSecond: 2, oneOffPerSecond: 2 } };
    expect(() => parseStageConfig(raw)).toThrow(/validation\.oneOffPerSecond: oneOffPerSecond must be below ratePerSecond/);
    expect(importLookupRate(parseStageConfig({ ...raw, validation: { ratePerSecond: 50, oneOffPerSecond: 5 } }).validation)).toBe(45);
  });

  it('refuses a duplicate practice id, naming the second one', () => {
    const config = sample();
    config.practices[1].id = 'sunrise-family';
    expect(problemsOf(config)).toBe('Invalid stage.test.json:\n  - practices.1.id: duplicate practice id "sunrise-family"');
  });

  it('refuses a time zone that is not an IANA zone', () => {
    const config = sample();
    config.practices[0].timeZone = 'Pacific Standard Time';
    expect(problemsOf(config)).toBe('Invalid stage.test.json:\n  - practices.0.timeZone: not an IANA time zone (e.g. America/Chicago)');
  });

  it.each([['206-555-0143'], ['+15551234567'], ['+1206555014']])('refuses callback number %j', (callbackNumber) => {
    const config = sample();
    config.practices[1].callbackNumber = callbackNumber;
    expect(problemsOf(config)).toBe('Invalid stage.test.json:\n  - practices.1.callbackNumber: not a valid E.164 phone number');
  });

  it('refuses a header alias to an unknown field, naming the alias', () => {
    const config = sample();
    config.practices[0].import.headerAliases['Cell 2'] = 'cellPhone';
    const message = problemsOf(config);
    expect(message.startsWith('Invalid stage.test.json:\n  - practices.0.import.headerAliases.Cell 2: ')).toBe(true);
    expect(message).toContain('"mobilePhone"');
    expect(message.split('\n')).toHaveLength(2);
  });

  it('refuses a stage-wide header alias to an unknown field', () => {
    const config = sample();
    config.import.headerAliases.Guarantor = 'guarantor';
    expect(problemsOf(config).split('\n')[1]!.startsWith('  - import.headerAliases.Guarantor: ')).toBe(true);
  });

  it('lists every problem at once, one per line', () => {
    const config = sample();
    config.practices[0].timeZone = 'Nowhere/Else';
    config.practices[1].callbackNumber = 'call us';
    expect(problemsOf(config)).toBe(
      'Invalid stage.test.json:\n' +
        '  - practices.0.timeZone: not an IANA time zone (e.g. America/Chicago)\n' +
        '  - practices.1.callbackNumber: not a valid E.164 phone number',
    );
  });

  it('refuses unknown keys at the root', () => {
    expect(problemsOf({ ...sample(), bogus: 1 })).toBe('Invalid stage.test.json:\n  - (root): Unrecognized key: "bogus"');
  });

  it('says why a record key is refused, not only that it is', () => {
    const config = sample();
    config.templates['Sms Intro'] = config.templates['sms-intro-a'];
    expect(problemsOf(config)).toBe(
      'Invalid stage.test.json:\n  - templates.Sms Intro: Invalid key in record: a template id: 2–61 lower-case letters, digits or dashes, starting with a letter',
    );
  });

  it('fills the alarm limits, and refuses a due day some month does not pass or an e-mail that is not one, naming each', () => {
    expect(parseStageConfig(sample()).observability).toEqual({ importDueDay: 5, deliveryFailurePercent: 10, optOutsPerHour: 20, throttledLookupsPer5Min: 50, flagHours: 24 });
    const config = sample();
    config.observability = { alarmEmail: 'ops at example', importDueDay: 28 };
    const problems = problemsOf(config);
    expect(problems).toContain('observability.alarmEmail:');
    expect(problems).toContain('observability.importDueDay:');
  });

  it('names the source as "stage config" by default', () => {
    expect(() => parseStageConfig({})).toThrow(/^Invalid stage config:\n/);
  });
});

describe('the sample stage config', () => {
  const config = parseStageConfig(sample());

  it('spells out the shipped window and state table, so ops see what they may change; the holidays are computed, so they never run out', () => {
    expect(Object.keys(sample().sendWindow)).toEqual(['window', 'stateRules']);
    expect(config.sendWindow).toEqual({ window: { ...LEGAL_WINDOW }, holidays: defaultHolidays(), stateRules: DEFAULT_STATE_RULES });
    expect(config.frequencyCap).toEqual({ perDay: 1, perWeek: 3 });
    expect(config.sms).toEqual({ maxSegments: 1 });
  });

  it('has the community-outreach and care-gap cadences, and enrolls patient files in care-gap', () => {
    expect(config.cadences.map((c) => [c.name, c.rounds, c.roundIntervalDays, c.steps.map((s) => s.id)])).toEqual([
      ['community-outreach', 2, 30, ['postcard', 'sms', 'voicemail', 'call']],
      ['care-gap', 1, 30, ['sms', 'voicemail', 'call']],
      ['no-show-follow-up', 1, 30, ['sms', 'call']],
      ['cancellation-follow-up', 1, 30, ['sms', 'call']],
    ]);
    expect(config.appointments.messages).toEqual({ confirmation: 'sms-appointment-confirm', reminder: 'sms-appointment-reminder', review: 'sms-review-request' });
    expect(config.appointments.followUps).toEqual({ noShow: 'no-show-follow-up', cancellation: 'cancellation-follow-up' });
    expect(config.dispositions.practiceInfoTemplate).toBe('sms-practice-info');
    for (const practice of config.practices) {
      expect(practice.languages).toEqual(['en', 'es']);
      expect(practice.enrollment).toEqual({ defaultCadence: 'community-outreach', byPrefix: { 'patients/': 'care-gap' } });
      expect(practice.consentDefaults).toEqual([{ tag: 'patient', grant: ['sms:care', 'voice:care'] }]);
      expect(practice.links.book).toMatch(/^https:\/\//);
    }
  });

  it('keeps every text within one GSM-7 segment for every practice, with every field at its longest', () => {
    const longest = { date: 'W'.repeat(FIELD_BUDGET.appointmentDate), time: 'W'.repeat(FIELD_BUDGET.appointmentTime), place: 'W'.repeat(FIELD_BUDGET.appointmentPlace) };
    const measured: string[] = [];
    for (const practice of config.practices) {
      for (const [id, template] of Object.entries(config.templates)) {
        if (template.channel !== 'sms') continue;
        for (const [language, text] of Object.entries(template.text)) {
          const fields = templateFields(practice, { firstName: 'W'.repeat(FIELD_BUDGET.firstName) }, template.kind === 'appointment' ? longest : undefined);
          expect({ id, language, practice: practice.id, ...smsSegments(renderSms(text, fields)) }).toMatchObject({ segments: 1, encoding: 'GSM-7' });
          measured.push(`${id}:${language}`);
        }
      }
    }
    expect(new Set(measured).size).toBe(22);
  });

  it('keeps every voicemail under a minute for every practice', () => {
    for (const practice of config.practices) {
      for (const template of Object.values(config.templates)) {
        if (template.channel !== 'voicemail') continue;
        for (const text of Object.values(template.text)) expect(voicemailSeconds(renderTemplate(text, templateFields(practice, {})))).toBeLessThan(60);
      }
    }
  });
});

describe('findPractice and practiceCountry', () => {
  it('finds a practice by id and nothing for an unknown id', () => {
    const config = parseStageConfig(sample());
    expect(findPractice(config, 'lakeside-pediatrics')?.displayName).toBe('Lakeside Pediatrics');
    expect(findPractice(config, 'nowhere')).toBeUndefined();
  });

  it("uses the practice's own default country, else the stage's", () => {
    const raw = sample();
    raw.practices[0].defaultCountry = 'MX';
    const config = parseStageConfig(raw);
    expect(practiceCountry(config, config.practices[0]!)).toBe('MX');
    expect(practiceCountry(config, config.practices[1]!)).toBe('US');
  });
});
