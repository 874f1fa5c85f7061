import { channelsForType, normalisePhone, phoneTypeOf } from '../../lambdas/domain/phone';

describe('normalisePhone', () => {
  describe('US formats people type', () => {
    it.each([
      ['(206) 555-0143'],
      ['(206)5550143'],
      ['206.555.0143'],
      ['206-555-0143'],
      ['206 555 0143'],
      ['206 5550143'],
      ['2065550143'],
      ['  206-555-0143  '],
      ['+1 206 555 0143'],
      ['+1 (206) 555-0143'],
      ['+12065550143'],
      ['1-206-555-0143'],
      ['1 (206) 555-0143'],
      ['12065550143'],
      ['tel:+12065550143'],
      ['TEL:206-555-0143'],
    ])('reads %j as +12065550143', (raw) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: true, e164: '+12065550143' });
    });

    it('uses US as the default country when none is given', () => {
      expect(normalisePhone('(212) 555-0123')).toEqual({ ok: true, e164: '+12125550123' });
    });
  });

  describe('extensions are kept apart from the number', () => {
    it.each([
      ['206-555-0143 x12', '12'],
      ['206-555-0143x12', '12'],
      ['206-555-0143 X 12', '12'],
      ['206-555-0143 ext. 12', '12'],
      ['206-555-0143 ext 12', '12'],
      ['206-555-0143 extension 7', '7'],
      ['206-555-0143 #12', '12'],
      ['+1 206 555 0143 ext 99', '99'],
      ['tel:206-555-0143 x123456', '123456'],
    ])('reads %j as +12065550143 with extension %s', (raw, extension) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: true, e164: '+12065550143', extension });
    });

    it('refuses a bare "x" with no extension digits as a stray letter', () => {
      expect(normalisePhone('206-555-0143 x', 'US')).toEqual({ ok: false, reason: 'contains letters' });
    });
  });

  describe('vanity numbers and typos', () => {
    it('treats 1-800-FLOWERS as a vanity number', () => {
      expect(normalisePhone('1-800-FLOWERS', 'US')).toEqual({ ok: true, e164: '+18003569377' });
    });

    it('reads vanity letters case-insensitively', () => {
      expect(normalisePhone('1-800-flowers', 'US')).toEqual({ ok: true, e164: '+18003569377' });
    });

    it('reads a vanity number written without the leading 1', () => {
      expect(normalisePhone('800-FLOWERS', 'US')).toEqual({ ok: true, e164: '+18003569377' });
    });

    it.each([['206-555-O143'], ['206-555-l143'], ['2O6 555 0143']])('refuses %j, a lone letter among digits, as a typo', (raw) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason: 'contains letters' });
    });
  });

  describe('numbers that cannot be valid', () => {
    it.each([[''], ['   '], ['tel:']])('refuses %j as empty', (raw) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason: 'empty' });
    });

    it('refuses punctuation with no digits', () => {
      expect(normalisePhone('---', 'US')).toEqual({ ok: false, reason: 'no digits' });
    });

    it.each([['555-0143'], ['2065550'], ['2125']])('refuses %j as too short', (raw) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason: 'too short' });
    });

    it.each([['20655501434'], ['206555014345'], ['212-555-01234']])('refuses %j as the wrong length', (raw) => {
      expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason: 'wrong length' });
    });

    it.each([['+1 555 123 4567'], ['(000) 555-0143'], ['(100) 555-0143'], ['(206) 155-0143']])(
      'refuses %j, which has an impossible area code or exchange',
      (raw) => {
        expect(normalisePhone(raw, 'US')).toEqual({ ok: false, reason: 'not a valid number for its country' });
      },
    );

    it('refuses a lone country code as not a phone number', () => {
      expect(normalisePhone('+1', 'US')).toEqual({ ok: false, reason: 'not a phone number' });
    });
  });

  describe('international numbers', () => {
    it('reads a UK number written with +44', () => {
      expect(normalisePhone('+44 20 7946 0958', 'US')).toEqual({ ok: true, e164: '+442079460958' });
    });

    it('reads a UK mobile written with +44', () => {
      expect(normalisePhone('+44 7911 123456', 'US')).toEqual({ ok: true, e164: '+447911123456' });
    });

    it('reads a Mexico City number written with +52', () => {
      expect(normalisePhone('+52 55 1234 5678', 'US')).toEqual({ ok: true, e164: '+525512345678' });
    });

    it.each([['+52 1 55 1234 5678'], ['+521 55 1234 5678'], ['+5215512345678'], ['011 52 1 55 1234 5678'], ['0052 1 55 1234 5678']])(
      'reads the pre-2019 Mexican mobile form %j (the "1" after +52) as the same phone',
      (raw) => {
        expect(normalisePhone(raw, 'US')).toEqual({ ok: true, e164: '+525512345678' });
      },
    );

    it('leaves a US number that merely starts with 521 alone', () => {
      expect(normalisePhone('521-555-0147', 'US')).toEqual({ ok: true, e164: '+15215550147' });
    });

    it('refuses a national UK number when the default country is US', () => {
      expect(normalisePhone('020 7946 0958', 'US')).toEqual({ ok: false, reason: 'wrong length' });
    });

    it('reads the same national UK number when the default country is GB', () => {
      expect(normalisePhone('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958' });
    });
  });
});

describe('channelsForType', () => {
  it.each([
    ['MOBILE', ['sms', 'voice'], false],
    ['PREPAID', ['sms', 'voice'], false],
    ['LANDLINE', ['voice'], false],
    ['VOIP', ['voice'], false],
    ['OTHER', ['voice'], true],
    ['INVALID', [], false],
  ] as const)('gives %s the channels %j (flagged: %s)', (type, channels, flagged) => {
    expect(channelsForType(type)).toEqual({ channels, flagged });
  });
});

describe('phoneTypeOf', () => {
  it.each([
    ['MOBILE', 'MOBILE'],
    ['mobile', 'MOBILE'],
    ['Landline', 'LANDLINE'],
    ['VOIP', 'VOIP'],
    ['PREPAID', 'PREPAID'],
    ['INVALID', 'INVALID'],
    ['OTHER', 'OTHER'],
  ] as const)('maps %j to %s', (value, type) => {
    expect(phoneTypeOf(value)).toBe(type);
  });

  it.each([['PAGER'], [''], ['MOBILE '], [undefined]])('maps unknown value %j to OTHER', (value) => {
    expect(phoneTypeOf(value)).toBe('OTHER');
  });
});
