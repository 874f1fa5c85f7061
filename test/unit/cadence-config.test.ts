import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cadenceFor,
  cadenceProblems,
  consentDefaultsFor,
  consentDefaultSchema,
  DEFAULT_PHONE_TYPES,
  resolvedSteps,
  stepTemplateFor,
  type Cadence,
} from '../../lambdas/domain/cadence-config';
import { parseStageConfig } from '../../lambdas/domain/stage-config';
import { assignVariant } from '../../lambdas/domain/variants';

const SAMPLE_PATH = join(__dirname, '..', '..', 'samples', 'stage.sample.json');

type Json = any;
const sample = (): Json => JSON.parse(readFileSync(SAMPLE_PATH, 'utf8'));

/** The sample with one change, parsed: the problem lines ("  - path: message") it is refused with. */
function problemsWith(change: (raw: Json) => void): string[] {
  const raw = sample();
  change(raw);
  try {
    parseStageConfig(raw, 'stage.test.json');
  } catch (e) {
    const [heading, ...lines] = (e as Error).message.split('\n');
    expect(heading).toBe('Invalid stage.test.json:');
    return lines;
  }
  throw new Error('expected the config to be refused');
}

// Indexes into the sample: cadences[0] is community-outreach (postcard, sms A/B, voicemail, call),
// cadences[1] is care-gap (sms, voicemail, call).
const outreach = (raw: Json) => raw.cadences[0];
const careGap = (raw: Json) => raw.cadences[1];

describe('cross-checks between steps and templates', () => {
  it("refuses a step whose template does not exist, naming the cadence, step and template", () => {
    expect(problemsWith((raw) => (careGap(raw).steps[0].template = 'sms-care-gaps'))).toEqual([
      expect.stringMatching(/^ {2}- cadences\.1\.steps\.0\.template: cadence "care-gap" step "sms" uses template "sms-care-gaps", which does not exist \(templates: postcard-welcome, .*\)$/),
    ]);
  });

  it('refuses a variant whose template does not exist, naming the variant', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[1].variants[1].template = 'sms-intro-c'))).toEqual([
      expect.stringMatching(/^ {2}- cadences\.0\.steps\.1\.variants\.1\.template: variant B of cadence "community-outreach" step "sms" uses template "sms-intro-c", which does not exist/),
    ]);
  });

  it("refuses a template on a step of another channel", () => {
    expect(problemsWith((raw) => (careGap(raw).steps[1].template = 'sms-care-gap'))).toEqual([
      '  - cadences.1.steps.1.template: cadence "care-gap" step "voicemail" is a voicemail step, but template "sms-care-gap" is a sms template',
    ]);
  });

  it('refuses a template of another purpose (a care step may not send outreach words, nor the reverse)', () => {
    expect(problemsWith((raw) => (careGap(raw).steps[0].template = 'sms-intro-a'))).toEqual([
      '  - cadences.1.steps.0.template: cadence "care-gap" step "sms" is for care, but template "sms-intro-a" is for outreach',
    ]);
  });

  it('refuses a step with an unknown channel, naming it', () => {
    expect(problemsWith((raw) => (careGap(raw).steps[0].channel = 'fax'))).toEqual([
      '  - cadences.1.steps.0.channel: unknown channel "fax": a step is a postcard, sms, voicemail or call',
    ]);
  });
});

describe('cross-checks on timing', () => {
  it('refuses offsets that go backwards, naming both steps and their days', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[2].day = 5))).toEqual([
      '  - cadences.0.steps.2.day: cadence "community-outreach": step "sms" (day 7) comes before step "voicemail" (day 5) in the list: offsets may not go backwards',
    ]);
  });

  it('counts afterPreviousDays from the previous step', () => {
    expect(resolvedSteps(parseStageConfig(sample()).cadences[1]!).map((s) => [s.id, s.day])).toEqual([
      ['sms', 0],
      ['voicemail', 3],
      ['call', 7],
    ]);
  });

  it('refuses afterPreviousDays on the first step', () => {
    expect(
      problemsWith((raw) => {
        delete careGap(raw).steps[0].day;
        careGap(raw).steps[0].afterPreviousDays = 2;
      }),
    ).toEqual(['  - cadences.1.steps.0.afterPreviousDays: cadence "care-gap" step "sms" is the first step, so there is no previous step for afterPreviousDays; use day']);
  });

  it('refuses a step with both day and afterPreviousDays, or neither', () => {
    expect(problemsWith((raw) => (careGap(raw).steps[1].day = 3))).toEqual([
      '  - cadences.1.steps.1: cadence "care-gap" step "voicemail": give day (days from the round\'s start) or afterPreviousDays (days after the previous step), not both',
    ]);
    expect(problemsWith((raw) => delete careGap(raw).steps[1].afterPreviousDays)).toEqual([
      '  - cadences.1.steps.1: cadence "care-gap" step "voicemail": give day (days from the round\'s start) or afterPreviousDays (days after the previous step)',
    ]);
  });

  it('refuses a last step on or after the day the next round starts', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[3].day = 30))).toEqual([
      '  - cadences.0.steps.3.day: cadence "community-outreach": the last step "call" is on day 30, but a round lasts roundIntervalDays 30: every step must fall before the next round starts',
    ]);
  });

  it('refuses a cadence longer than a Step Functions execution can last (a year)', () => {
    expect(
      problemsWith((raw) => {
        outreach(raw).rounds = 12;
        outreach(raw).roundIntervalDays = 31;
      }),
    ).toEqual([
      '  - cadences.0.rounds: cadence "community-outreach" lasts rounds 12 × roundIntervalDays 31 = 372 days; a Step Functions standard execution lasts at most one year (365 days)',
    ]);
  });

  it('fills rounds and roundIntervalDays by default', () => {
    const raw = sample();
    delete careGap(raw).rounds;
    const cadence = parseStageConfig(raw).cadences[1]!;
    expect([cadence.rounds, cadence.roundIntervalDays]).toEqual([1, 30]);
  });
});

describe('cross-checks on variants and names', () => {
  it('refuses variant percents that do not add up to 100', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[1].variants[1].percent = 40))).toEqual([
      '  - cadences.0.steps.1.variants: cadence "community-outreach" step "sms": variant percents add up to 90; they must add up to 100',
    ]);
  });

  it('refuses a step with both a template and variants, or neither', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[1].template = 'sms-intro-a'))).toEqual([
      '  - cadences.0.steps.1: cadence "community-outreach" step "sms": give template or variants (an A/B test), not both',
    ]);
    expect(problemsWith((raw) => delete careGap(raw).steps[0].template)).toEqual([
      '  - cadences.1.steps.0: cadence "care-gap" step "sms": give template (what the step sends) or variants (an A/B test)',
    ]);
  });

  it('refuses an A/B test of one variant', () => {
    expect(
      problemsWith((raw) => {
        outreach(raw).steps[1].variants = [{ id: 'A', percent: 100, template: 'sms-intro-a' }];
      }),
    ).toEqual(['  - cadences.0.steps.1.variants: an A/B test needs at least two variants (or use template)']);
  });

  it('refuses two steps with one id and two cadences with one name', () => {
    expect(problemsWith((raw) => (careGap(raw).steps[2].id = 'sms'))).toEqual([
      '  - cadences.1.steps.2.id: cadence "care-gap" has two steps with id "sms"; step ids must be unique within a cadence',
    ]);
    expect(problemsWith((raw) => raw.cadences.push({ ...careGap(raw), description: 'a copy' }))).toEqual([
      '  - cadences.4.name: there are two cadences named "care-gap"; cadence names must be unique',
    ]);
  });

  it('refuses a phone type that cannot take the channel, and phone types on a postcard', () => {
    expect(problemsWith((raw) => (outreach(raw).steps[1].phoneTypes = ['MOBILE', 'LANDLINE']))).toEqual([
      '  - cadences.0.steps.1.phoneTypes.1: cadence "community-outreach" step "sms": a LANDLINE number cannot take texts',
    ]);
    expect(problemsWith((raw) => (outreach(raw).steps[0].phoneTypes = ['MOBILE']))).toEqual([
      '  - cadences.0.steps.0.phoneTypes: cadence "community-outreach" step "postcard": a postcard goes to the mailing address, so phoneTypes does not apply (leave it out)',
    ]);
  });

  it('fills phone types by channel', () => {
    const steps = resolvedSteps(parseStageConfig(sample()).cadences[0]!);
    expect(steps.map((s) => [s.id, s.day, s.phoneTypes])).toEqual([
      ['postcard', 0, []],
      ['sms', 7, ['MOBILE']],
      ['voicemail', 14, ['LANDLINE']],
      ['call', 21, ['MOBILE', 'LANDLINE', 'VOIP']],
    ]);
    expect(DEFAULT_PHONE_TYPES.call).toEqual(['MOBILE', 'LANDLINE', 'VOIP']);
  });
});

describe('cross-checks on template text', () => {
  it("refuses a template that lacks a language of a practice that sends it, naming template, language and practice", () => {
    expect(problemsWith((raw) => delete raw.templates['sms-intro-b'].text.es)).toEqual([
      "  - templates.sms-intro-b.text.es: template sms-intro-b has no 'es' text, needed by practice sunrise-family (cadence community-outreach)",
      "  - templates.sms-intro-b.text.es: template sms-intro-b has no 'es' text, needed by practice lakeside-pediatrics (cadence community-outreach)",
    ]);
  });

  it('checks a call script and a postcard for the languages too', () => {
    expect(problemsWith((raw) => (raw.practices[1].languages = ['en', 'es', 'vi']))).toEqual(
      ['postcard-welcome', 'sms-intro-a', 'sms-intro-b', 'voicemail-intro', 'call-intro', 'sms-care-gap', 'voicemail-care-gap', 'call-care-gap'].map(
        (id) => {
          const key = id.startsWith('call') ? 'script' : id.startsWith('postcard') ? 'vendorTemplate' : 'text';
          const cadence = id.includes('care-gap') ? 'care-gap' : 'community-outreach';
          return `  - templates.${id}.${key}.vi: template ${id} has no 'vi' ${key}, needed by practice lakeside-pediatrics (cadence ${cadence})`;
        },
      ),
    );
  });

  it('refuses an unknown field, naming it (there is no field for health information)', () => {
    expect(problemsWith((raw) => (raw.templates['sms-care-gap'].text.en = '{practiceName}: your {diagnosis} follow-up is due. Call {callbackNumber}'))).toEqual([
      "  - templates.sms-care-gap.text.en: template sms-care-gap ('en' text) uses unknown field {diagnosis}; the fields are {firstName} {practiceName} {callbackNumber} {practiceAddress} {appointmentDate} {appointmentTime} {appointmentPlace} {link:NAME} (there is no field for health information, by design)",
    ]);
  });

  it('refuses fixed words that name health details in a text or voicemail, not in an agent\'s script', () => {
    expect(
      problemsWith((raw) => {
        raw.templates['sms-care-gap'].text.en = '{practiceName}: your A1c results are in. Call {callbackNumber}';
        raw.templates['voicemail-care-gap'].text.es = 'Hola, le llama {practiceName}. Su receta de insulina está lista. Llame al {callbackNumber}.';
        raw.templates['call-care-gap'].script.en = 'Ask whether their diabetes check-up is booked. {practiceName} {callbackNumber}';
      }),
    ).toEqual([
      "  - templates.sms-care-gap.text.en: template sms-care-gap ('en' text) names health details (\"a1c\", \"results\"): a text or voicemail may not carry a condition, a test or its result, a medication or a visit's reason",
      "  - templates.voicemail-care-gap.text.es: template voicemail-care-gap ('es' text) names health details (\"receta\", \"insulina\"): a text or voicemail may not carry a condition, a test or its result, a medication or a visit's reason",
    ]);
  });

  it('refuses appointment fields outside sms templates of kind appointment', () => {
    expect(problemsWith((raw) => (raw.templates['sms-care-gap'].text.en = '{practiceName}: see you {appointmentDate}. Call {callbackNumber}'))).toEqual([
      "  - templates.sms-care-gap.text.en: template sms-care-gap ('en' text) uses {appointmentDate}, which only sms templates of kind \"appointment\" may use",
    ]);
    expect(problemsWith((raw) => (raw.templates['voicemail-care-gap'].text.es = '{practiceName}, {callbackNumber}, {appointmentTime}'))).toEqual([
      "  - templates.voicemail-care-gap.text.es: template voicemail-care-gap ('es' text) uses {appointmentTime}, which only sms templates of kind \"appointment\" may use",
    ]);
  });

  it('refuses a link a practice that sends the template does not have', () => {
    expect(problemsWith((raw) => delete raw.practices[1].links.book)).toEqual([
      '  - practices.1.links: template sms-intro-a uses {link:book}, but practice lakeside-pediatrics has no link "book" in its links',
      '  - practices.1.links: template sms-intro-b uses {link:book}, but practice lakeside-pediatrics has no link "book" in its links',
      '  - practices.1.links: template sms-care-gap uses {link:book}, but practice lakeside-pediatrics has no link "book" in its links',
    ]);
  });

  it('refuses a brace that is not part of a field', () => {
    expect(problemsWith((raw) => (raw.templates['sms-care-gap'].text.en = '{practiceName}: call {callbackNumber} {firstName'))).toEqual([
      "  - templates.sms-care-gap.text.en: template sms-care-gap ('en' text) has a { or } that is not part of a field; fields are written {firstName} or {firstName|fallback}",
    ]);
  });

  it('refuses a text or voicemail that does not name the practice or give its number', () => {
    expect(problemsWith((raw) => (raw.templates['sms-care-gap'].text.es = 'Hace tiempo que no nos visita. Reserve en {link:book}'))).toEqual([
      "  - templates.sms-care-gap.text.es: template sms-care-gap ('es' text) must contain {practiceName} and {callbackNumber}: every message names the practice and gives a way to reach it",
    ]);
    expect(problemsWith((raw) => (raw.templates['voicemail-intro'].text.en = 'Hello from {practiceName}. Please call us back.'))).toEqual([
      "  - templates.voicemail-intro.text.en: template voicemail-intro ('en' text) must contain {callbackNumber}: every message names the practice and gives a way to reach it",
    ]);
  });

  it('does not ask an agent script to carry the practice name and number', () => {
    const raw = sample();
    raw.templates['call-intro'].script.en = 'Hello, may I speak with {firstName|the person of the house}?';
    expect(() => parseStageConfig(raw)).not.toThrow();
  });
});

describe('cross-checks on length', () => {
  const long = '{practiceName}: Hi {firstName|there}! We are welcoming new patients in your neighborhood. Book at {link:book} or call {callbackNumber}. Reply STOP to opt out';

  it('refuses a text that renders to more segments than sms.maxSegments for a practice, with the count and encoding', () => {
    expect(problemsWith((raw) => (raw.templates['sms-intro-a'].text.en = long))).toEqual([
      "  - templates.sms-intro-a.text.en: template sms-intro-a ('en' text) renders to 2 GSM-7 segments (188 characters) for practice sunrise-family; the limit is 1 (sms.maxSegments)",
      "  - templates.sms-intro-a.text.en: template sms-intro-a ('en' text) renders to 2 GSM-7 segments (185 characters) for practice lakeside-pediatrics; the limit is 1 (sms.maxSegments)",
    ]);
  });

  it('measures with the first name at its 20-character budget', () => {
    // For sunrise-family this renders to 158 characters with a 20-character name (the fallback "there" is shorter).
    const base = '{practiceName}: Hi {firstName|there}! We welcome new patients. Book {link:book} or call {callbackNumber}. Reply STOP to opt out';
    const raw = sample();
    raw.templates['sms-intro-a'].text.en = `${base}!!`;
    expect(() => parseStageConfig(raw)).not.toThrow();
    expect(problemsWith((r) => (r.templates['sms-intro-a'].text.en = `${base}!!!`))).toEqual([
      "  - templates.sms-intro-a.text.en: template sms-intro-a ('en' text) renders to 2 GSM-7 segments (161 characters) for practice sunrise-family; the limit is 1 (sms.maxSegments)",
    ]);
  });

  it('names the characters that make a text UCS-2', () => {
    expect(problemsWith((raw) => (raw.templates['sms-care-gap'].text.es = '{practiceName}: Hace tiempo que no nos visita. Llámenos al {callbackNumber} o reserve en {link:book}. Responda PARAR para salir'))).toEqual([
      expect.stringContaining(
        "  - templates.sms-care-gap.text.es: template sms-care-gap ('es' text) renders to 3 UCS-2 segments (155 characters) for practice sunrise-family; the limit is 1 (sms.maxSegments). It is UCS-2 because of \"á\", which GSM-7 does not have",
      ),
      expect.stringContaining('for practice lakeside-pediatrics'),
    ]);
  });

  it('measures appointment templates with the appointment fields at their longest', () => {
    expect(
      problemsWith((raw) => (raw.templates['sms-appointment-confirm'].text.en = '{practiceName}: {firstName|Hi}, your visit is {appointmentDate} {appointmentTime} at {appointmentPlace}. Questions? Call us at {callbackNumber}. STOP to opt out')),
    ).toEqual([expect.stringContaining('renders to 2 GSM-7 segments (165 characters) for practice sunrise-family'), expect.stringContaining('(163 characters) for practice lakeside-pediatrics')]);
  });

  it('lets sms.maxSegments allow longer texts', () => {
    const raw = sample();
    raw.templates['sms-intro-a'].text.en = long;
    raw.sms.maxSegments = 2;
    expect(() => parseStageConfig(raw)).not.toThrow();
  });

  it('refuses a voicemail estimated at a minute or more, with the estimate', () => {
    const speech = Array(140).fill('word').join(' ');
    expect(problemsWith((raw) => (raw.templates['voicemail-intro'].text.es = `${speech} {practiceName} {callbackNumber}`))).toEqual([
      expect.stringMatching(/^ {2}- templates\.voicemail-intro\.text\.es: template voicemail-intro \('es' text\) is estimated at 6\d seconds for practice sunrise-family \(150 words a minute plus pauses\); a voicemail must be under 60 seconds$/),
      expect.stringContaining('for practice lakeside-pediatrics'),
    ]);
  });

  it('counts the pauses in a voicemail', () => {
    const pauses = Array(6).fill('<break time="5s"/>').join(' ');
    const raw = sample();
    raw.templates['voicemail-care-gap'].text.en = `This is {practiceName}. ${pauses} Call {callbackNumber}.`;
    expect(() => parseStageConfig(raw)).not.toThrow();
    expect(problemsWith((raw) => (raw.templates['voicemail-care-gap'].text.en = `This is {practiceName}. ${pauses} ${pauses} Call {callbackNumber}.`))).toEqual([
      // 60 s of pauses plus 16 words (the number read digit by digit) for sunrise-family, 13 for lakeside-pediatrics.
      expect.stringContaining("template voicemail-care-gap ('en' text) is estimated at 67 seconds for practice sunrise-family"),
      expect.stringContaining("template voicemail-care-gap ('en' text) is estimated at 66 seconds for practice lakeside-pediatrics"),
    ]);
  });

  it('refuses markup other than <break> in a voicemail, and a pause over 10 seconds', () => {
    expect(problemsWith((raw) => (raw.templates['voicemail-intro'].text.en = '<emphasis>{practiceName}</emphasis> {callbackNumber}'))).toEqual([
      "  - templates.voicemail-intro.text.en: template voicemail-intro ('en' text) contains <emphasis>: voicemail text is plain text and may carry only <break time=\"500ms\"/> pauses",
    ]);
    expect(problemsWith((raw) => (raw.templates['voicemail-intro'].text.en = '{practiceName} <break time="12s"/> {callbackNumber}'))).toEqual([
      "  - templates.voicemail-intro.text.en: template voicemail-intro ('en' text) has a 12s pause (<break time=\"12s\"/>); a <break> may be at most 10s",
    ]);
  });

  it('measures a template no cadence sends yet for every practice', () => {
    expect(problemsWith((raw) => (raw.templates['sms-appointment-confirm'].text.es = `${raw.templates['sms-appointment-confirm'].text.es} Gracias`))).toEqual([
      expect.stringContaining("template sms-appointment-confirm ('es' text) renders to 2 GSM-7 segments (165 characters) for practice sunrise-family"),
      expect.stringContaining("template sms-appointment-confirm ('es' text) renders to 2 GSM-7 segments (163 characters) for practice lakeside-pediatrics"),
    ]);
  });
});

describe('cross-checks on practices', () => {
  it('refuses enrollment in a cadence that does not exist', () => {
    expect(
      problemsWith((raw) => {
        raw.practices[0].enrollment.defaultCadence = 'outreach';
        raw.practices[1].enrollment.byPrefix['patients/'] = 'care-gaps';
      }),
    ).toEqual([
      '  - practices.0.enrollment.defaultCadence: practice sunrise-family enrolls people in cadence "outreach", which does not exist (cadences: community-outreach, care-gap, no-show-follow-up, cancellation-follow-up)',
      '  - practices.1.enrollment.byPrefix.patients/: practice lakeside-pediatrics enrolls people in cadence "care-gaps", which does not exist (cadences: community-outreach, care-gap, no-show-follow-up, cancellation-follow-up)',
    ]);
  });

  it('refuses a byPrefix key that repeats inbox/<practice-id>/', () => {
    expect(problemsWith((raw) => (raw.practices[0].enrollment.byPrefix = { 'inbox/sunrise-family/patients/': 'care-gap' }))).toEqual([
      '  - practices.0.enrollment.byPrefix.inbox/sunrise-family/patients/: Invalid key in record: a prefix under inbox/<practice-id>/, e.g. "patients/" (without inbox/<practice-id>/ and without a leading /)',
    ]);
  });

  it.each([['sms:outreach'], ['voice:outreach']])('refuses a consent default that grants %s: outreach needs prior express written consent', (key) => {
    expect(problemsWith((raw) => raw.practices[1].consentDefaults[0].grant.push(key))).toEqual([
      `  - practices.1.consentDefaults.0.grant.2: "${key}" cannot be granted by default: outreach needs the person's prior express written consent, which only the person can give (a consent column in their file or a signed form)`,
    ]);
  });

  it('refuses a link that is not https', () => {
    expect(problemsWith((raw) => (raw.practices[0].links.book = 'http://sunrisefamily.example/book'))).toEqual([
      '  - practices.0.links.book: a link must be an https URL, e.g. "https://sunrisefamily.example/book"',
    ]);
  });

  it("refuses a practice send window wider than the stage's", () => {
    expect(
      problemsWith((raw) => {
        raw.sendWindow.window = { start: '09:00', end: '20:00' };
        raw.practices[0].sendWindow = { start: '08:30', end: '19:00' };
      }),
    ).toEqual(["  - practices.0.sendWindow: practice sunrise-family's sendWindow 08:30–19:00 is wider than the stage's sendWindow.window 09:00–20:00; a practice may only narrow it"]);
  });

  it('refuses a send window wider than the law allows', () => {
    expect(problemsWith((raw) => (raw.sendWindow.window = { start: '07:30', end: '21:00' }))).toEqual([
      "  - sendWindow.window: the window is wider than the law allows (08:00–21:00 recipient's local time); it may only be narrower",
    ]);
  });
});

describe('frequencyCap and sms settings', () => {
  it.each([
    ['perDay', 2, 'a person may get at most 1 message a day (the healthcare frequency cap); perDay may be set lower, never higher'],
    ['perWeek', 4, 'a person may get at most 3 messages a week (the healthcare frequency cap); perWeek may be set lower, never higher'],
  ])('refuses a %s of %i: lower is allowed, higher never', (key, value, message) => {
    expect(problemsWith((raw) => (raw.frequencyCap[key] = value))).toEqual([`  - frequencyCap.${key}: ${message}`]);
  });

  it('accepts a lower cap', () => {
    const raw = sample();
    raw.frequencyCap = { perDay: 0, perWeek: 2 };
    expect(parseStageConfig(raw).frequencyCap).toEqual({ perDay: 0, perWeek: 2 });
  });

  it('refuses sms.maxSegments outside 1..10', () => {
    expect(problemsWith((raw) => (raw.sms.maxSegments = 0))).toEqual([expect.stringMatching(/^ {2}- sms\.maxSegments: /)]);
  });
});

describe('cadenceFor', () => {
  const practice = { id: 'sunrise-family', enrollment: { defaultCadence: 'community-outreach', byPrefix: { 'patients/': 'care-gap', 'patients/peds/': 'peds-care-gap' } } };
  const cadences = [{ name: 'community-outreach' }, { name: 'care-gap' }, { name: 'peds-care-gap' }];

  it("takes the file's cadence column when it names a known cadence", () => {
    expect(cadenceFor(practice, 'inbox/sunrise-family/patients/jan.csv', 'community-outreach', cadences)).toBe('community-outreach');
    expect(cadenceFor(practice, 'inbox/sunrise-family/jan.csv', ' Care Gap ', cadences)).toBe('care-gap');
  });

  it('ignores a column that names no cadence and goes by where the file landed', () => {
    expect(cadenceFor(practice, 'inbox/sunrise-family/patients/jan.csv', 'flu shots', cadences)).toBe('care-gap');
  });

  it('takes the longest matching prefix', () => {
    expect(cadenceFor(practice, 'inbox/sunrise-family/patients/peds/jan.csv', undefined, cadences)).toBe('peds-care-gap');
    expect(cadenceFor(practice, 'patients/peds/jan.csv', undefined, cadences)).toBe('peds-care-gap');
  });

  it('falls back to the default cadence, then to none', () => {
    expect(cadenceFor(practice, 'inbox/sunrise-family/community/jan.csv', undefined, cadences)).toBe('community-outreach');
    expect(cadenceFor({ id: 'x', enrollment: { byPrefix: {} } }, 'inbox/x/jan.csv', undefined, cadences)).toBeUndefined();
  });
});

describe('consentDefaultsFor', () => {
  const practice = {
    consentDefaults: [
      consentDefaultSchema.parse({ tag: ' Patient ', grant: ['sms:care', 'voice:care'] }),
      consentDefaultSchema.parse({ grant: ['voice:care'] }),
    ],
  };

  it('grants what the entries for the contact’s tags and the untagged entries give, once each', () => {
    expect(consentDefaultsFor(practice, ['patient', 'flu'])).toEqual(['sms:care', 'voice:care']);
  });

  it('matches tags as the import stores them (trimmed, lower-case)', () => {
    expect(consentDefaultsFor(practice, ['PATIENT '])).toEqual(['sms:care', 'voice:care']);
  });

  it('gives only the untagged entries to a contact without the tag', () => {
    expect(consentDefaultsFor(practice, [])).toEqual(['voice:care']);
  });

  it('never gives an outreach key, even from a config that was not parsed', () => {
    expect(consentDefaultsFor({ consentDefaults: [{ grant: ['sms:outreach', 'sms:care'] }] }, [])).toEqual(['sms:care']);
  });
});

describe('stepTemplateFor', () => {
  it("sends a step's own template, or the person's A/B variant", () => {
    const config = parseStageConfig(sample());
    const [, sms] = config.cadences[0]!.steps;
    expect(stepTemplateFor('c_1', 'care-gap', config.cadences[1]!.steps[0]!)).toEqual({ template: 'sms-care-gap' });
    const variant = assignVariant('c_1', 'community-outreach', 'sms', sms!.variants!);
    expect(stepTemplateFor('c_1', 'community-outreach', sms!)).toEqual({ template: variant === 'A' ? 'sms-intro-a' : 'sms-intro-b', variant });
  });
});

describe('cadenceProblems', () => {
  it('finds nothing wrong with a well-formed cadence', () => {
    const cadence: Cadence = { name: 'simple', rounds: 1, roundIntervalDays: 30, steps: [{ id: 'sms', channel: 'sms', purpose: 'care', day: 0, template: 'x' }] };
    expect(cadenceProblems(cadence)).toEqual([]);
  });
});
