import {
  FIELD_BUDGET,
  formatAppointment,
  isGsm7,
  nonGsm7Characters,
  renderSms,
  renderTemplate,
  smsSegments,
  templateFields,
  templateFieldUses,
  templateText,
  voicemailSeconds,
  voicemailSsml,
  type TemplateFields,
} from '../../lambdas/domain/templates';
import { SegmentedMessage } from 'sms-segments-calculator';
import type { Template } from '../../lambdas/domain/cadence-config';

const practice = {
  displayName: 'Sunrise Family Health',
  callbackNumber: '+12065550143',
  address: { line1: '1200 Pine St', line2: 'Suite 300', city: 'Seattle', state: 'WA', zip: '98101' },
  links: { book: 'https://sunrisefamily.example/book' },
};

const fields = (overrides: Partial<TemplateFields> = {}): TemplateFields => ({ ...templateFields(practice, { firstName: 'Ana' }), ...overrides });

describe('templateFields', () => {
  it('shows the callback number as people read it and the address on one line', () => {
    expect(templateFields(practice, { firstName: 'Ana' })).toEqual({
      firstName: 'Ana',
      practiceName: 'Sunrise Family Health',
      callbackNumber: '(206) 555-0143',
      practiceAddress: '1200 Pine St, Suite 300, Seattle, WA 98101',
      appointmentDate: undefined,
      appointmentTime: undefined,
      appointmentPlace: undefined,
      links: { book: 'https://sunrisefamily.example/book' },
    });
  });

  it("uses the practice's links unless others are given, and takes the appointment as given", () => {
    const withAppointment = templateFields({ ...practice, address: { ...practice.address, line2: undefined } }, {}, { date: 'Wed, Sep 30', time: '10:30 AM', place: 'Pine St' }, {});
    expect(withAppointment).toMatchObject({ practiceAddress: '1200 Pine St, Seattle, WA 98101', appointmentDate: 'Wed, Sep 30', appointmentTime: '10:30 AM', appointmentPlace: 'Pine St', links: {} });
  });

  it('puts the street in place of an appointment place that would say why the person goes (no PHI in texts)', () => {
    const at = (place: string) => templateFields(practice, {}, { date: 'Wed, Sep 30', time: '10:30 AM', place }).appointmentPlace;
    expect(at('Cancer Center, 2nd fl')).toBe('1200 Pine St');
    expect(at('Centro de diálisis')).toBe('1200 Pine St');
    expect(at('North Clinic, Suite 300')).toBe('North Clinic, Suite 300');
  });
});

describe('formatAppointment', () => {
  it('gives short local forms in the person\'s language, within the field budgets', () => {
    const en = formatAppointment('2026-09-30T17:30:00Z', 'America/Los_Angeles', 'en');
    const es = formatAppointment('2026-10-03T17:30:00Z', 'America/Chicago', 'es');
    expect(en).toEqual({ date: 'Wed, Sep 30', time: '10:30 AM' });
    expect(es).toEqual({ date: 'sáb, 3 oct', time: '12:30' });
    for (const { date, time } of [en, es]) {
      expect(date.length).toBeLessThanOrEqual(FIELD_BUDGET.appointmentDate);
      expect(time.length).toBeLessThanOrEqual(FIELD_BUDGET.appointmentTime);
    }
  });

  it('uses a plain space in times, so "10:30 AM" stays GSM-7', () => {
    expect(isGsm7(formatAppointment('2026-09-30T17:30:00Z', 'America/Los_Angeles', 'en').time)).toBe(true);
  });

  it('refuses something that is not a date', () => {
    expect(() => formatAppointment('next Tuesday', 'America/Chicago', 'en')).toThrow('not a date and time: next Tuesday');
  });
});

describe('templateFieldUses', () => {
  it('lists fields with their fallbacks and links, and marks the unknown ones', () => {
    expect(templateFieldUses('Hi {firstName|there}, {link:book} {diagnosis} {link:Bad_Name}')).toEqual({
      fields: [
        { raw: '{firstName|there}', name: 'firstName', fallback: 'there', known: true },
        { raw: '{link:book}', name: 'link:book', link: 'book', fallback: undefined, known: true },
        { raw: '{diagnosis}', name: 'diagnosis', fallback: undefined, known: false },
        { raw: '{link:Bad_Name}', name: 'link:Bad_Name', link: 'Bad_Name', fallback: undefined, known: false },
      ],
      unpairedBrace: false,
    });
  });

  it('notices a brace that belongs to no field', () => {
    expect(templateFieldUses('Hi {firstName, call {callbackNumber}').unpairedBrace).toBe(true);
    expect(templateFieldUses('Hi firstName}').unpairedBrace).toBe(true);
  });
});

describe('renderTemplate', () => {
  it('replaces every field with its value', () => {
    expect(renderTemplate('{practiceName}: Hi {firstName|there}! Book {link:book} or call {callbackNumber}. {practiceAddress}', fields())).toBe(
      'Sunrise Family Health: Hi Ana! Book https://sunrisefamily.example/book or call (206) 555-0143. 1200 Pine St, Suite 300, Seattle, WA 98101',
    );
  });

  it.each([[undefined], [''], ['   '], ['\u0007\u200b']])('uses the fallback when the first name is %j', (firstName) => {
    expect(renderTemplate('Hi {firstName|there}!', fields({ firstName }))).toBe('Hi there!');
  });

  it('trims the first name, drops control characters and cuts it to 20 characters', () => {
    expect(renderTemplate('Hi {firstName}!', fields({ firstName: '  Ana\u0000 María\t ' }))).toBe('Hi Ana María!');
    expect(renderTemplate('Hi {firstName}!', fields({ firstName: 'Maximiliana-Esperanza Josefina' }))).toBe('Hi Maximiliana-Esperanz!');
    expect(Array.from(renderTemplate('{firstName}', fields({ firstName: 'Ω'.repeat(30) })))).toHaveLength(FIELD_BUDGET.firstName);
  });

  it('never lets a value add a field or an SSML tag', () => {
    const rendered = renderTemplate('Hi {firstName}', fields({ firstName: '{callbackNumber}<break time="10s"/>' }));
    expect(rendered).not.toContain('555');
    expect(rendered).not.toMatch(/[<>{}]/);
  });

  it('cuts appointment fields to their budgets', () => {
    const rendered = renderTemplate('{appointmentPlace}', fields({ appointmentPlace: 'The Very Long Name Of A Clinic Building' }));
    expect(rendered).toBe('The Very Long Name Of A');
    expect(rendered.length).toBeLessThanOrEqual(FIELD_BUDGET.appointmentPlace);
  });

  it('refuses an unknown field, naming it', () => {
    expect(() => renderTemplate('Your {diagnosis} results are in', fields())).toThrow('unknown template field {diagnosis}');
  });

  it('refuses a field with no value and no fallback, and a link the practice does not have', () => {
    expect(() => renderTemplate('Hi {firstName}', fields({ firstName: undefined }))).toThrow('template field {firstName} has no value and no fallback');
    expect(() => renderTemplate('See {appointmentDate}', fields())).toThrow('template field {appointmentDate} has no value and no fallback');
    expect(() => renderTemplate('{link:portal}', fields())).toThrow('no link "portal" for {link:portal}');
    expect(renderTemplate('{link:portal|call us}', fields())).toBe('call us');
  });

  it('keeps accents for voice, where text-to-speech reads them', () => {
    expect(renderTemplate('Hola {firstName}', fields({ firstName: 'María' }))).toBe('Hola María');
  });
});

describe('renderSms', () => {
  it('folds a name into GSM-7 when the template is GSM-7, so the text stays one segment', () => {
    const text = renderSms('{practiceName}: Hola {firstName|amigo}, llame al {callbackNumber}', fields({ firstName: 'María Jesús' }));
    expect(text).toBe('Sunrise Family Health: Hola Maria Jesus, llame al (206) 555-0143');
    expect(smsSegments(text).encoding).toBe('GSM-7');
  });

  it('keeps characters GSM-7 has (ñ, é, ü) and folds typographic quotes', () => {
    expect(renderSms('Hi {firstName}', fields({ firstName: 'Iñés O’Brien Müller' }))).toBe("Hi Iñés O'Brien Müller");
  });

  it('uses the fallback for a name that cannot be folded into GSM-7', () => {
    expect(renderSms('Hi {firstName|there}, call {callbackNumber}', fields({ firstName: '王芳' }))).toBe('Hi there, call (206) 555-0143');
  });

  it('folds appointment fields too ("sáb" → "sab")', () => {
    expect(renderSms('{appointmentDate}', fields({ appointmentDate: 'sáb, 3 oct' }))).toBe('sab, 3 oct');
  });

  it('leaves values alone when the template is UCS-2 anyway', () => {
    expect(renderSms('¿Cómo está, {firstName}?', fields({ firstName: 'María' }))).toBe('¿Cómo está, María?');
  });
});

describe('smsSegments', () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
  ])('counts %i GSM-7 characters as %i segment(s)', (length, segments) => {
    expect(smsSegments('a'.repeat(length))).toEqual({ segments, encoding: 'GSM-7', characters: length });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('counts %i UCS-2 characters as %i segment(s)', (length, segments) => {
    expect(smsSegments('á'.repeat(length))).toEqual({ segments, encoding: 'UCS-2', characters: length });
  });

  it('counts a GSM-7 extension character (€) as two', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ segments: 1, encoding: 'GSM-7', characters: 160 });
    expect(smsSegments('€'.repeat(81))).toEqual({ segments: 2, encoding: 'GSM-7', characters: 162 });
  });

  it('turns a whole text UCS-2 for one character outside GSM-7, and names it', () => {
    const text = `${'a'.repeat(100)} María`;
    expect(smsSegments(text)).toEqual({ segments: 2, encoding: 'UCS-2', characters: 106 });
    expect(nonGsm7Characters(text)).toEqual(['í']);
  });

  it.each([
    ['GSM-7 letters that are easy to get wrong', 'ñé¡¿üÑÉÜ@£$¥èùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÄÖ§äöà'],
    ['extension characters', `${'x'.repeat(150)}[]{}^~|\\€`],
    ['line breaks', 'one\ntwo\r\nthree'],
    ['a decomposed accent', 'Jose\u0301'],
    ['an emoji', 'Thanks 👍'],
  ])('counts %s exactly as the calculator does', (_what, text) => {
    const message = new SegmentedMessage(text, 'auto');
    expect(smsSegments(text)).toEqual({ segments: message.segmentsCount, encoding: message.encodingName, characters: message.numberOfCharacters });
  });

  it('knows which characters GSM-7 has', () => {
    expect(isGsm7('ñé¡¿ü€')).toBe(true);
    expect(isGsm7('á')).toBe(false);
    expect(isGsm7('e\u0301')).toBe(false);
  });
});

describe('voicemailSeconds', () => {
  it('counts 150 words as a minute', () => {
    expect(voicemailSeconds(Array(150).fill('word').join(' '))).toBe(60);
  });

  it('adds the pauses', () => {
    expect(voicemailSeconds('one two three <break time="500ms"/> four five <break time="2s"/>')).toBeCloseTo(2 + 0.5 + 2);
  });

  it('counts a phone number digit by digit', () => {
    expect(voicemailSeconds('call (206) 555-0143')).toBeCloseTo((11 * 60) / 150);
  });
});

describe('voicemailSsml', () => {
  it('escapes the text and keeps the pauses', () => {
    expect(voicemailSsml('Smith & Jones <Clinic> says "hi" <break time="500ms" /> it\'s us <break time="1s"/>')).toBe(
      '<speak>Smith &amp; Jones &lt;Clinic&gt; says &quot;hi&quot; <break time="500ms"/> it&apos;s us <break time="1s"/></speak>',
    );
  });

  it('escapes any other tag rather than passing it to text-to-speech', () => {
    expect(voicemailSsml('<prosody rate="x-slow">hi</prosody>')).toBe('<speak>&lt;prosody rate=&quot;x-slow&quot;&gt;hi&lt;/prosody&gt;</speak>');
  });
});

describe('templateText', () => {
  const sms: Template = { channel: 'sms', purpose: 'care', kind: 'general', text: { en: 'Hello', es: 'Hola' } };
  const call: Template = { channel: 'call', purpose: 'care', script: { en: 'Read this' } };
  const postcard: Template = { channel: 'postcard', purpose: 'outreach', vendorTemplate: { en: 'tmpl_1' } };

  it("picks the person's language when the template has it", () => {
    expect(templateText(sms, 'es', 'en')).toEqual({ language: 'es', text: 'Hola' });
  });

  it("falls back to the practice's first language", () => {
    expect(templateText(sms, 'vi', 'en')).toEqual({ language: 'en', text: 'Hello' });
    expect(templateText(sms, undefined, 'es')).toEqual({ language: 'es', text: 'Hola' });
  });

  it('reads a call script and a postcard vendor template the same way', () => {
    expect(templateText(call, 'es', 'en')).toEqual({ language: 'en', text: 'Read this' });
    expect(templateText(postcard, 'en', 'en')).toEqual({ language: 'en', text: 'tmpl_1' });
  });

  it('throws when neither language is there', () => {
    expect(() => templateText(call, 'fr', 'es')).toThrow("the template has no 'fr' text and no 'es' text");
  });
});
