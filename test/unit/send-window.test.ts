import { readFileSync } from 'node:fs';
import { lookup as zipTimeZone } from 'zipcode-to-timezone';
import { checkSendWindow, recipientState, timeZonesFor, type SendWindowQuestion } from '../../lambdas/domain/send-window';
import {
  DEFAULT_STATE_RULES,
  HOLIDAY_YEARS,
  sendWindowConfigSchema,
  shippedHolidays,
  stateRuleSchema,
  type LocalWindow,
  type SendWindowConfig,
  type StateRule,
} from '../../lambdas/domain/send-window-rules';
import { stateForZip } from '../../lambdas/domain/us-zip-states';

/** The shipped rules with the holidays of the years these tests are written in (2026, 2027), whatever year they run in. */
const SHIPPED_2026 = shippedHolidays(2026, 2);
const DEFAULT_RULES: SendWindowConfig = { ...sendWindowConfigSchema.parse(undefined), holidays: SHIPPED_2026 };
const HOUR = 60 * 60 * 1000;

type Ask = Partial<Omit<SendWindowQuestion, 'at'>> & { readonly at: string };

/** A question with the defaults that rarely matter: care, a Pacific practice, the shipped rules. */
function ask(q: Ask, rules: SendWindowConfig = DEFAULT_RULES) {
  const answer = checkSendWindow({ purpose: 'care', practiceTimeZone: 'America/Los_Angeles', ...q, at: new Date(q.at) }, rules);
  return { ...answer, opensAt: answer.opensAt?.toISOString() ?? null, closesAt: answer.closesAt?.toISOString() ?? null };
}

const iso = (instant: string) => new Date(instant).toISOString();
const plusHours = (instant: string, hours: number) => new Date(new Date(instant).getTime() + hours * HOUR).toISOString();

function rulesWith(over: { stateRules?: StateRule[]; holidays?: SendWindowConfig['holidays']; window?: LocalWindow }): SendWindowConfig {
  return { ...DEFAULT_RULES, ...over };
}

function stateRule(r: Partial<StateRule> & Pick<StateRule, 'state'>): StateRule {
  return stateRuleSchema.parse({ source: 'test rule', checkedOn: '2026-11-22', ...r });
}

describe('timeZonesFor', () => {
  it("uses the ZIP's zone when the ZIP is known", () => {
    expect(timeZonesFor({ zip: '60611', practiceTimeZone: 'America/Los_Angeles' })).toEqual(['America/Chicago']);
  });

  it('reads a ZIP+4 by its first five digits', () => {
    expect(timeZonesFor({ zip: '60611-2345', practiceTimeZone: 'America/Los_Angeles' })).toEqual(['America/Chicago']);
  });

  it("uses PhoneNumberValidate's zone when there is no ZIP", () => {
    expect(timeZonesFor({ phoneTimeZone: 'America/Denver', practiceTimeZone: 'America/Los_Angeles' })).toEqual(['America/Denver']);
  });

  it('uses both zones when the ZIP and the phone disagree', () => {
    expect(timeZonesFor({ zip: '98101', phoneTimeZone: 'America/New_York', practiceTimeZone: 'America/Chicago' })).toEqual([
      'America/Los_Angeles',
      'America/New_York',
    ]);
  });

  it('uses one zone when the ZIP and the phone agree', () => {
    expect(timeZonesFor({ zip: '10001', phoneTimeZone: 'America/New_York', practiceTimeZone: 'America/Chicago' })).toEqual([
      'America/New_York',
    ]);
  });

  it("uses the practice's zone only when neither the ZIP nor the phone zone is known", () => {
    expect(timeZonesFor({ practiceTimeZone: 'America/Chicago' })).toEqual(['America/Chicago']);
    expect(timeZonesFor({ phoneTimeZone: 'America/Denver', practiceTimeZone: 'America/Chicago' })).not.toContain('America/Chicago');
    expect(timeZonesFor({ zip: '98101', practiceTimeZone: 'America/Chicago' })).not.toContain('America/Chicago');
  });

  it.each([['00000'], ['99999'], ['1234'], ['abcde'], ['123456'], ['']])('ignores the unknown or malformed ZIP %j', (zip) => {
    expect(timeZonesFor({ zip, phoneTimeZone: 'America/Denver', practiceTimeZone: 'America/Chicago' })).toEqual(['America/Denver']);
    expect(timeZonesFor({ zip, practiceTimeZone: 'America/Chicago' })).toEqual(['America/Chicago']);
  });

  it('ignores a phone zone that is not an IANA zone', () => {
    expect(timeZonesFor({ phoneTimeZone: 'Central Standard Time', practiceTimeZone: 'America/Chicago' })).toEqual(['America/Chicago']);
  });

  it('refuses a practice zone that is not an IANA zone when it is the only one', () => {
    expect(() => timeZonesFor({ practiceTimeZone: 'Mars/Olympus_Mons' })).toThrow(/not an IANA time zone/);
  });

  it.each([
    ['Paducah, KY', '42001'],
    ['Bowling Green, KY', '42101'],
    ['Gary, IN', '46402'],
    ['Evansville, IN', '47712'],
  ])('also applies Central time to %s, which the ZIP table puts in Eastern time', (_place, zip) => {
    const zones = timeZonesFor({ zip, practiceTimeZone: 'America/Los_Angeles' });

    expect(zones).toContain('America/Chicago');
    expect(zones).toHaveLength(2);
  });

  it('also applies Mountain time to Ontario, OR, which the ZIP table puts in Pacific time', () => {
    expect(timeZonesFor({ zip: '97914', practiceTimeZone: 'America/Chicago' })).toEqual(['America/Los_Angeles', 'America/Boise']);
  });
});

describe('recipientState', () => {
  it('takes the state from the address', () => {
    expect(recipientState({ state: 'FL', zip: '10001' })).toBe('FL');
  });

  it('reads a lower-case address state', () => {
    expect(recipientState({ state: ' al ' })).toBe('AL');
  });

  it("derives the state from the ZIP's prefix when the address has none", () => {
    expect(recipientState({ zip: '70112' })).toBe('LA');
  });

  it('derives the state from the ZIP when the address state is not a US state code', () => {
    expect(recipientState({ state: 'Florida', zip: '35203' })).toBe('AL');
  });

  it('knows no state without a usable address state or ZIP', () => {
    expect(recipientState({})).toBeUndefined();
    expect(recipientState({ zip: '00000' })).toBeUndefined();
    expect(recipientState({ state: 'XX', zip: 'abcde' })).toBeUndefined();
  });
});

describe('stateForZip', () => {
  it.each([
    ['00501', 'NY'],
    ['00601', 'PR'],
    ['00801', 'VI'],
    ['02108', 'MA'],
    ['02903', 'RI'],
    ['03301', 'NH'],
    ['04101', 'ME'],
    ['05401', 'VT'],
    ['05501', 'MA'],
    ['06103', 'CT'],
    ['06390', 'NY'],
    ['07102', 'NJ'],
    ['09001', 'AE'],
    ['10001', 'NY'],
    ['19103', 'PA'],
    ['19901', 'DE'],
    ['20001', 'DC'],
    ['20101', 'VA'],
    ['21201', 'MD'],
    ['23219', 'VA'],
    ['25301', 'WV'],
    ['27601', 'NC'],
    ['29201', 'SC'],
    ['30303', 'GA'],
    ['32801', 'FL'],
    ['34002', 'AA'],
    ['35203', 'AL'],
    ['37203', 'TN'],
    ['39201', 'MS'],
    ['39901', 'GA'],
    ['40202', 'KY'],
    ['43215', 'OH'],
    ['46204', 'IN'],
    ['48226', 'MI'],
    ['50309', 'IA'],
    ['53202', 'WI'],
    ['55401', 'MN'],
    ['56901', 'DC'],
    ['57501', 'SD'],
    ['58501', 'ND'],
    ['59601', 'MT'],
    ['60611', 'IL'],
    ['63101', 'MO'],
    ['66603', 'KS'],
    ['68102', 'NE'],
    ['70112', 'LA'],
    ['72201', 'AR'],
    ['73102', 'OK'],
    ['73301', 'TX'],
    ['75201', 'TX'],
    ['80202', 'CO'],
    ['82001', 'WY'],
    ['83702', 'ID'],
    ['84101', 'UT'],
    ['85004', 'AZ'],
    ['87102', 'NM'],
    ['88510', 'TX'],
    ['89101', 'NV'],
    ['94103', 'CA'],
    ['96201', 'AP'],
    ['96799', 'AS'],
    ['96813', 'HI'],
    ['96910', 'GU'],
    ['96950', 'MP'],
    ['97201', 'OR'],
    ['98101', 'WA'],
    ['99501', 'AK'],
  ])('puts %s in %s', (zip, state) => {
    expect(stateForZip(zip)).toBe(state);
  });

  it.each([['00000'], ['00400'], ['71500'], ['1234'], ['ZIP12']])('knows no state for %j', (zip) => {
    expect(stateForZip(zip)).toBeUndefined();
  });

  it('gives a state, in a plausible time zone, to every ZIP the time-zone table knows', () => {
    const zips = Object.keys(JSON.parse(readFileSync(require.resolve('zipcode-to-timezone/zipcodes.json'), 'utf8')) as Record<string, number>);
    const expectedZones: Record<string, string[]> = {
      HI: ['Pacific/Honolulu'],
      CA: ['America/Los_Angeles'],
      NY: ['America/New_York'],
      AL: ['America/Chicago'],
      LA: ['America/Chicago'],
      FL: ['America/New_York', 'America/Chicago'],
      AZ: ['America/Phoenix', 'America/Denver', 'America/Shiprock'],
      KY: ['America/Kentucky/Louisville', 'America/Kentucky/Monticello', 'America/New_York', 'America/Chicago'],
    };

    const withoutState = zips.filter((zip) => stateForZip(zip) === undefined);
    const misplaced = zips.filter((zip) => {
      const zones = expectedZones[stateForZip(zip) ?? ''];
      return zones !== undefined && !zones.includes(zipTimeZone(zip) ?? '');
    });

    expect(zips.length).toBeGreaterThan(40_000);
    expect(withoutState).toEqual([]);
    expect(misplaced).toEqual([]);
  });
});

describe('checkSendWindow', () => {
  describe('the 08:00–21:00 window in the recipient time zone', () => {
    // [zone, a ZIP there, 08:00 local and 21:00 local as UTC] on a winter and a summer Wednesday
    it.each([
      ['America/New_York', '10001', '2026-01-14T13:00:00Z', '2026-01-15T02:00:00Z'],
      ['America/New_York', '10001', '2026-07-15T12:00:00Z', '2026-07-16T01:00:00Z'],
      ['America/Chicago', '60611', '2026-01-14T14:00:00Z', '2026-01-15T03:00:00Z'],
      ['America/Chicago', '60611', '2026-07-15T13:00:00Z', '2026-07-16T02:00:00Z'],
      ['America/Denver', '80202', '2026-01-14T15:00:00Z', '2026-01-15T04:00:00Z'],
      ['America/Denver', '80202', '2026-07-15T14:00:00Z', '2026-07-16T03:00:00Z'],
      ['America/Phoenix', '85004', '2026-01-14T15:00:00Z', '2026-01-15T04:00:00Z'],
      ['America/Phoenix', '85004', '2026-07-15T15:00:00Z', '2026-07-16T04:00:00Z'],
      ['America/Los_Angeles', '98101', '2026-01-14T16:00:00Z', '2026-01-15T05:00:00Z'],
      ['America/Los_Angeles', '98101', '2026-07-15T15:00:00Z', '2026-07-16T04:00:00Z'],
      ['America/Anchorage', '99501', '2026-01-14T17:00:00Z', '2026-01-15T06:00:00Z'],
      ['America/Anchorage', '99501', '2026-07-15T16:00:00Z', '2026-07-16T05:00:00Z'],
      ['Pacific/Honolulu', '96813', '2026-01-14T18:00:00Z', '2026-01-15T07:00:00Z'],
      ['Pacific/Honolulu', '96813', '2026-07-15T18:00:00Z', '2026-07-16T07:00:00Z'],
    ])('%s (ZIP %s): opens at %s and closes at %s', (zone, zip, opens, closes) => {
      const beforeOpening = ask({ zip, at: plusHours(opens, -1 / 60) });
      const atOpening = ask({ zip, at: opens });
      const lastMinute = ask({ zip, at: plusHours(closes, -1 / 60) });
      const atClosing = ask({ zip, at: closes });

      expect(beforeOpening).toMatchObject({ allowed: false, opensAt: iso(opens), closesAt: null, timeZones: [zone] });
      expect(beforeOpening.reasons).toEqual([`before 08:00 in ${zone}`]);
      expect(atOpening).toMatchObject({ allowed: true, opensAt: null, closesAt: iso(closes), reasons: [] });
      expect(lastMinute).toMatchObject({ allowed: true, closesAt: iso(closes) });
      // No clock change the next day, so it opens again 24 hours later.
      expect(atClosing).toMatchObject({ allowed: false, opensAt: plusHours(opens, 24), reasons: [`at or after 21:00 in ${zone}`] });
    });
  });

  describe('daylight saving', () => {
    it('opens at 08:00 EDT (12:00Z) the morning after the evening before spring forward', () => {
      const answer = ask({ zip: '10001', at: '2026-03-08T02:30:00Z' }); // Sat 21:30 EST

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-03-08T12:00:00.000Z' });
    });

    it('opens at 08:00 EDT from 01:30 EST, just before the clocks jump', () => {
      expect(ask({ zip: '10001', at: '2026-03-08T06:30:00Z' })).toMatchObject({ allowed: false, opensAt: '2026-03-08T12:00:00.000Z' });
    });

    it('is open at 08:30 EDT on the spring-forward day (07:30 by the winter offset) and closes at 21:00 EDT', () => {
      expect(ask({ zip: '10001', at: '2026-03-08T12:30:00Z' })).toMatchObject({ allowed: true, closesAt: '2026-03-09T01:00:00.000Z' });
    });

    it('opens at 08:00 PDT in Los Angeles on the spring-forward day', () => {
      const evening = ask({ zip: '90012', at: '2026-03-08T05:00:00Z' }); // Sat 21:00 PST
      const morning = ask({ zip: '90012', at: '2026-03-08T15:00:00Z' });

      expect(evening).toMatchObject({ allowed: false, opensAt: '2026-03-08T15:00:00.000Z', reasons: ['at or after 21:00 in America/Los_Angeles'] });
      expect(morning).toMatchObject({ allowed: true, closesAt: '2026-03-09T04:00:00.000Z' });
    });

    it.each([
      ['the first 01:30 (EDT)', '2026-11-01T05:30:00Z'],
      ['the repeated 01:30 (EST)', '2026-11-01T06:30:00Z'],
    ])('is closed at %s on the fall-back day and opens at 08:00 EST', (_label, at) => {
      expect(ask({ zip: '10001', at })).toMatchObject({
        allowed: false,
        opensAt: '2026-11-01T13:00:00.000Z',
        reasons: ['before 08:00 in America/New_York'],
      });
    });

    it('is closed at 07:30 EST on the fall-back day (08:30 by the summer offset)', () => {
      expect(ask({ zip: '10001', at: '2026-11-01T12:30:00Z' })).toMatchObject({ allowed: false, opensAt: '2026-11-01T13:00:00.000Z' });
    });

    it('closes at 21:00 EST on the fall-back day, and opens at 08:00 EST after the Saturday evening before', () => {
      expect(ask({ zip: '10001', at: '2026-11-01T13:00:00Z' })).toMatchObject({ allowed: true, closesAt: '2026-11-02T02:00:00.000Z' });
      expect(ask({ zip: '10001', at: '2026-11-01T01:00:00Z' })).toMatchObject({ allowed: false, opensAt: '2026-11-01T13:00:00.000Z' });
    });

    it.each([
      ['the first 01:30 (PDT)', '2026-11-01T08:30:00Z'],
      ['the repeated 01:30 (PST)', '2026-11-01T09:30:00Z'],
    ])('opens at 08:00 PST in Los Angeles after %s on the fall-back day', (_label, at) => {
      expect(ask({ zip: '90012', at })).toMatchObject({ allowed: false, opensAt: '2026-11-01T16:00:00.000Z' });
    });

    it.each([
      ['spring-forward', '2026-03-08T14:30:00Z', '2026-03-08T15:00:00.000Z'],
      ['fall-back', '2026-11-01T14:30:00Z', '2026-11-01T15:00:00.000Z'],
    ])('keeps Phoenix at 08:00 MST (15:00Z) on the %s day', (_label, at, opensAt) => {
      expect(ask({ zip: '85004', at })).toMatchObject({ allowed: false, opensAt, reasons: ['before 08:00 in America/Phoenix'] });
    });

    it.each([
      ['spring-forward', '2026-03-08T17:30:00Z', '2026-03-08T18:00:00.000Z'],
      ['fall-back', '2026-11-01T17:30:00Z', '2026-11-01T18:00:00.000Z'],
    ])('keeps Honolulu at 08:00 HST (18:00Z) on the %s day', (_label, at, opensAt) => {
      expect(ask({ zip: '96813', at })).toMatchObject({ allowed: false, opensAt });
    });

    it('opens when both zones are open on a day only one of them changes clocks', () => {
      // New York is on EDT from 07:00Z; Phoenix stays on MST. Both open 15:00Z–01:00Z.
      const answer = ask({ zip: '85004', phoneTimeZone: 'America/New_York', at: '2026-03-08T13:00:00Z' });

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-03-08T15:00:00.000Z' });
      expect(ask({ zip: '85004', phoneTimeZone: 'America/New_York', at: '2026-03-08T15:00:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-03-09T01:00:00.000Z',
      });
    });
  });

  describe('state rules for solicitations', () => {
    it('stops outreach to Florida at 20:00', () => {
      const answer = ask({ zip: '32801', purpose: 'outreach', at: '2026-07-16T00:30:00Z' }); // 20:30 EDT

      expect(answer).toMatchObject({
        allowed: false,
        state: 'FL',
        opensAt: '2026-07-16T12:00:00.000Z',
        reasons: ['at or after 20:00 in America/New_York (FL rule)'],
      });
    });

    it('lets outreach to Florida go at 19:59 and says it closes at 20:00', () => {
      expect(ask({ zip: '32801', purpose: 'outreach', at: '2026-07-15T23:59:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-07-16T00:00:00.000Z',
      });
    });

    it('lets care messages to Florida go until 21:00', () => {
      expect(ask({ zip: '32801', purpose: 'care', at: '2026-07-16T00:30:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-07-16T01:00:00.000Z',
      });
    });

    it("stops outreach at 20:00 Central time in Florida's panhandle", () => {
      expect(ask({ zip: '32401', purpose: 'outreach', at: '2026-07-16T01:30:00Z' })).toMatchObject({
        allowed: false,
        reasons: ['at or after 20:00 in America/Chicago (FL rule)'],
      });
    });

    it('applies the address state over the state of the ZIP', () => {
      // A New York ZIP with a Florida address state: Florida's 20:00 end applies.
      expect(ask({ zip: '10001', state: 'FL', purpose: 'outreach', at: '2026-07-16T00:30:00Z' })).toMatchObject({ allowed: false, state: 'FL' });
    });

    it.each([
      ['AL', '35203'],
      ['LA', '70112'],
    ])('allows no outreach on a Sunday in %s, and opens Monday at 08:00', (state, zip) => {
      const answer = ask({ zip, purpose: 'outreach', at: '2026-11-29T18:00:00Z' }); // Sun 12:00 CST

      expect(answer).toMatchObject({ allowed: false, state, opensAt: '2026-11-30T14:00:00.000Z', reasons: [`Sunday: no solicitations in ${state}`] });
    });

    it('allows care messages on a Sunday in Alabama', () => {
      expect(ask({ zip: '35203', purpose: 'care', at: '2026-11-29T18:00:00Z' })).toMatchObject({ allowed: true });
    });

    it('skips Sunday when outreach to Alabama closes on Saturday night', () => {
      const answer = ask({ zip: '35203', purpose: 'outreach', at: '2026-11-29T02:30:00Z' }); // Sat 20:30 CST

      expect(answer).toMatchObject({
        allowed: false,
        opensAt: '2026-11-30T14:00:00.000Z',
        reasons: ['at or after 20:00 in America/Chicago (AL rule)'],
      });
    });

    it('skips the Sunday of spring forward and opens Monday at 08:00 CDT for Alabama outreach', () => {
      expect(ask({ zip: '35203', purpose: 'outreach', at: '2026-03-08T02:30:00Z' })).toMatchObject({ opensAt: '2026-03-09T13:00:00.000Z' });
    });

    it('allows no outreach to Louisiana on Mardi Gras', () => {
      const answer = ask({ zip: '70112', purpose: 'outreach', at: '2027-02-09T18:00:00Z' });

      expect(answer).toMatchObject({
        allowed: false,
        opensAt: '2027-02-10T14:00:00.000Z',
        reasons: ['holiday (Mardi Gras): no solicitations in LA'],
      });
    });

    it("allows outreach to Alabama on Louisiana's Mardi Gras", () => {
      expect(ask({ zip: '35203', purpose: 'outreach', at: '2027-02-09T18:00:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2027-02-10T02:00:00.000Z',
      });
    });

    it("judges the holiday on the recipient's local date, not the UTC date", () => {
      // 01:30Z on Mardi Gras is still Monday 19:30 in New Orleans.
      expect(ask({ zip: '70112', purpose: 'outreach', at: '2027-02-09T01:30:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2027-02-09T02:00:00.000Z',
      });
    });

    it('allows no outreach to Alabama on Confederate Memorial Day', () => {
      const answer = ask({ zip: '35203', purpose: 'outreach', at: '2026-04-27T17:00:00Z' });

      expect(answer).toMatchObject({
        allowed: false,
        opensAt: '2026-04-28T13:00:00.000Z',
        reasons: ['holiday (Confederate Memorial Day): no solicitations in AL'],
      });
      expect(ask({ zip: '70112', purpose: 'outreach', at: '2026-04-27T17:00:00Z' })).toMatchObject({ allowed: true });
    });

    it.each([
      ['LA', '70112'],
      ['AL', '35203'],
    ])('allows no outreach to %s on a national holiday (Thanksgiving)', (state, zip) => {
      expect(ask({ zip, purpose: 'outreach', at: '2026-11-26T18:00:00Z' })).toMatchObject({
        allowed: false,
        opensAt: '2026-11-27T14:00:00.000Z',
        reasons: [`holiday (Thanksgiving Day): no solicitations in ${state}`],
      });
    });

    it('allows outreach on Thanksgiving to a state without a holiday rule, and care messages to Louisiana', () => {
      expect(ask({ zip: '75201', purpose: 'outreach', at: '2026-11-26T18:00:00Z' })).toMatchObject({ allowed: true, state: 'TX' });
      expect(ask({ zip: '70112', purpose: 'care', at: '2026-11-26T18:00:00Z' })).toMatchObject({ allowed: true });
    });

    it('starts outreach to Kentucky at 10:00', () => {
      const answer = ask({ zip: '40202', purpose: 'outreach', at: '2026-07-15T13:30:00Z' }); // 09:30 EDT

      expect(answer).toMatchObject({
        allowed: false,
        state: 'KY',
        opensAt: '2026-07-15T14:00:00.000Z',
        reasons: ['before 10:00 in America/Kentucky/Louisville (KY rule)'],
      });
      expect(ask({ zip: '40202', purpose: 'outreach', at: '2026-07-15T14:00:00Z' })).toMatchObject({ allowed: true });
    });

    it('lets care messages to Kentucky go from 08:00', () => {
      expect(ask({ zip: '40202', purpose: 'care', at: '2026-07-15T13:30:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-07-16T01:00:00.000Z',
      });
    });

    it('starts outreach to Paducah, KY at 10:00 Central time, not 10:00 Eastern', () => {
      // 14:30Z is 10:30 EDT but 09:30 CDT.
      expect(ask({ zip: '42001', purpose: 'outreach', at: '2026-07-15T14:30:00Z' })).toMatchObject({
        allowed: false,
        opensAt: '2026-07-15T15:00:00.000Z',
        reasons: ['before 10:00 in America/Chicago (KY rule)'],
      });
    });

    it('applies a configured rule only to the purposes it lists', () => {
      const rules = rulesWith({ stateRules: [stateRule({ state: 'TX', purposes: ['care'], end: '19:00' })] });

      const care = ask({ zip: '75201', purpose: 'care', at: '2026-07-16T00:30:00Z' }, rules); // 19:30 CDT
      const outreach = ask({ zip: '75201', purpose: 'outreach', at: '2026-07-16T00:30:00Z' }, rules);

      expect(care).toMatchObject({ allowed: false, reasons: ['at or after 19:00 in America/Chicago (TX rule)'] });
      expect(outreach).toMatchObject({ allowed: true });
    });

    it('closes on a holiday added to the configured list', () => {
      const rules = rulesWith({ holidays: [...SHIPPED_2026, { date: '2026-07-15', name: 'Test Day', states: ['AL'] }] });

      expect(ask({ zip: '35203', purpose: 'outreach', at: '2026-07-15T18:00:00Z' }, rules)).toMatchObject({
        allowed: false,
        opensAt: '2026-07-16T13:00:00.000Z',
        reasons: ['holiday (Test Day): no solicitations in AL'],
      });
    });
  });

  describe('when the ZIP zone and the phone zone disagree', () => {
    const seattleWithNewYorkNumber = { zip: '98101', phoneTimeZone: 'America/New_York' } as const;

    it('allows the message when it is inside the window in both, until the earlier close', () => {
      const answer = ask({ ...seattleWithNewYorkNumber, at: '2026-07-15T18:00:00Z' }); // 11:00 PDT, 14:00 EDT

      expect(answer).toMatchObject({
        allowed: true,
        closesAt: '2026-07-16T01:00:00.000Z',
        timeZones: ['America/Los_Angeles', 'America/New_York'],
      });
    });

    it('holds the message until the later zone opens', () => {
      const answer = ask({ ...seattleWithNewYorkNumber, at: '2026-07-15T13:00:00Z' }); // 06:00 PDT, 09:00 EDT

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-07-15T15:00:00.000Z', reasons: ['before 08:00 in America/Los_Angeles'] });
    });

    it('stops the message when the earlier zone closes', () => {
      const answer = ask({ ...seattleWithNewYorkNumber, at: '2026-07-16T01:30:00Z' }); // 18:30 PDT, 21:30 EDT

      expect(answer).toMatchObject({
        allowed: false,
        opensAt: '2026-07-16T15:00:00.000Z',
        reasons: ['at or after 21:00 in America/New_York'],
      });
    });

    it('gives the reason for each zone that is closed', () => {
      const answer = ask({ ...seattleWithNewYorkNumber, at: '2026-07-15T09:00:00Z' }); // 02:00 PDT, 05:00 EDT

      expect(answer.reasons).toEqual(['before 08:00 in America/Los_Angeles', 'before 08:00 in America/New_York']);
    });

    it('opens Alabama outreach after the weekend only when Monday has begun in both zones', () => {
      // Alabama address, Honolulu number: Monday 08:00 HST (18:00Z) is after Monday 08:00 CST.
      const answer = ask({ zip: '35203', phoneTimeZone: 'Pacific/Honolulu', purpose: 'outreach', at: '2026-11-29T02:30:00Z' });

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-11-30T18:00:00.000Z' });
    });
  });

  describe("the practice's time zone", () => {
    it('is used when neither the ZIP nor the phone zone is known', () => {
      const answer = ask({ practiceTimeZone: 'America/New_York', at: '2026-07-15T13:00:00Z' }); // 09:00 EDT

      expect(answer).toMatchObject({ allowed: true, timeZones: ['America/New_York'] });
    });

    it('is not used when the phone zone is known', () => {
      const answer = ask({ practiceTimeZone: 'America/New_York', phoneTimeZone: 'America/Los_Angeles', at: '2026-07-15T13:00:00Z' });

      expect(answer).toMatchObject({ allowed: false, timeZones: ['America/Los_Angeles'], opensAt: '2026-07-15T15:00:00.000Z' });
    });

    it('is not used when the ZIP zone is known', () => {
      expect(ask({ practiceTimeZone: 'America/New_York', zip: '98101', at: '2026-07-15T13:00:00Z' })).toMatchObject({
        allowed: false,
        timeZones: ['America/Los_Angeles'],
      });
    });

    it('is used when the only ZIP given is unknown', () => {
      expect(ask({ practiceTimeZone: 'America/New_York', zip: '00000', at: '2026-07-15T13:00:00Z' })).toMatchObject({
        allowed: true,
        timeZones: ['America/New_York'],
        state: undefined,
      });
    });
  });

  describe("a practice's narrower window", () => {
    const practiceWindow = { start: '09:00', end: '17:00' };

    it('holds messages until the practice window opens', () => {
      const answer = ask({ zip: '60611', practiceWindow, at: '2026-07-15T13:30:00Z' }); // 08:30 CDT

      expect(answer).toMatchObject({
        allowed: false,
        opensAt: '2026-07-15T14:00:00.000Z',
        reasons: ['before 09:00 in America/Chicago (practice window)'],
      });
    });

    it('closes at the end of the practice window', () => {
      expect(ask({ zip: '60611', practiceWindow, at: '2026-07-15T14:00:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-07-15T22:00:00.000Z',
      });
      expect(ask({ zip: '60611', practiceWindow, at: '2026-07-15T22:00:00Z' })).toMatchObject({
        allowed: false,
        opensAt: '2026-07-16T14:00:00.000Z',
        reasons: ['at or after 17:00 in America/Chicago (practice window)'],
      });
    });

    it('never widens the legal window', () => {
      const wider = { start: '07:00', end: '22:00' } as LocalWindow; // the schema would refuse it

      expect(ask({ zip: '60611', practiceWindow: wider, at: '2026-07-15T12:30:00Z' })).toMatchObject({
        allowed: false,
        reasons: ['before 08:00 in America/Chicago'],
      });
      expect(ask({ zip: '60611', practiceWindow: wider, at: '2026-07-16T02:30:00Z' })).toMatchObject({ allowed: false });
    });

    it("never widens a state's rule", () => {
      const answer = ask({ zip: '32801', purpose: 'outreach', practiceWindow: { start: '08:00', end: '21:00' }, at: '2026-07-16T00:30:00Z' });

      expect(answer).toMatchObject({ allowed: false, reasons: ['at or after 20:00 in America/New_York (FL rule)'] });
    });

    it("opens at the later of the practice's start and the state's start", () => {
      expect(ask({ zip: '40202', purpose: 'outreach', practiceWindow, at: '2026-07-15T13:30:00Z' })).toMatchObject({
        opensAt: '2026-07-15T14:00:00.000Z',
        reasons: ['before 10:00 in America/Kentucky/Louisville (KY rule)'],
      });
    });

    it('never widens the configured base window', () => {
      const rules = rulesWith({ window: { start: '09:00', end: '20:00' } });

      expect(ask({ zip: '60611', practiceWindow: { start: '08:00', end: '21:00' }, at: '2026-07-15T13:30:00Z' }, rules)).toMatchObject({
        allowed: false,
        opensAt: '2026-07-15T14:00:00.000Z',
        reasons: ['before 09:00 in America/Chicago'],
      });
    });
  });

  describe('when the state is unknown', () => {
    const unknownState = { phoneTimeZone: 'America/Chicago', purpose: 'outreach' } as const;

    it('starts outreach at the latest start of any state rule (KY 10:00)', () => {
      const answer = ask({ ...unknownState, at: '2026-07-15T14:30:00Z' }); // Wed 09:30 CDT

      expect(answer).toMatchObject({ allowed: false, state: undefined, opensAt: '2026-07-15T15:00:00.000Z' });
      expect(answer.reasons).toEqual(['before 10:00 in America/Chicago (KY rule; state unknown, so the strictest applies)']);
    });

    it('ends outreach at the earliest end of any state rule (20:00)', () => {
      const answer = ask({ ...unknownState, at: '2026-07-16T01:30:00Z' }); // Wed 20:30 CDT

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-07-16T15:00:00.000Z' });
      expect(answer.reasons).toEqual([expect.stringMatching(/^at or after 20:00 in America\/Chicago \(\w\w rule; state unknown/)]);
    });

    it('allows no outreach on a Sunday because some state forbids it', () => {
      const answer = ask({ ...unknownState, at: '2026-11-29T18:00:00Z' });

      expect(answer).toMatchObject({ allowed: false, opensAt: '2026-11-30T16:00:00.000Z' });
      expect(answer.reasons).toEqual(['Sunday: no solicitations while the state is unknown (AL, LA forbid them)']);
    });

    it('allows no outreach on a state holiday of a state that forbids holidays', () => {
      const answer = ask({ ...unknownState, at: '2027-02-09T18:00:00Z' });

      expect(answer).toMatchObject({ allowed: false, reasons: ['holiday (Mardi Gras): no solicitations while the state is unknown (LA forbids them)'] });
    });

    it('allows outreach inside the strictest window on an ordinary weekday', () => {
      expect(ask({ ...unknownState, at: '2026-07-15T18:00:00Z' })).toMatchObject({ allowed: true, closesAt: '2026-07-16T01:00:00.000Z' });
    });

    it('lets care messages use the whole 08:00–21:00 window, since no state rule covers care', () => {
      expect(ask({ phoneTimeZone: 'America/Chicago', purpose: 'care', at: '2026-07-15T13:30:00Z' })).toMatchObject({
        allowed: true,
        closesAt: '2026-07-16T02:00:00.000Z',
      });
    });

    it('derives the state from an unknown-zone ZIP whose prefix is known', () => {
      // Puerto Rico's ZIPs are not in the zone table, but the prefix names the state.
      expect(ask({ zip: '00601', phoneTimeZone: 'America/Puerto_Rico', purpose: 'outreach', at: '2026-07-15T14:30:00Z' })).toMatchObject({
        allowed: true,
        state: 'PR',
        timeZones: ['America/Puerto_Rico'],
      });
    });
  });

  describe('when no opening is near', () => {
    it('says no opening within 30 days when every day is a holiday', () => {
      const holidays = Array.from({ length: 40 }, (_, i) => ({
        date: new Date(Date.UTC(2026, 6, 10 + i)).toISOString().slice(0, 10),
        name: 'Long holiday',
        states: ['AL'],
      }));

      const answer = ask({ zip: '35203', purpose: 'outreach', at: '2026-07-15T18:00:00Z' }, rulesWith({ holidays }));

      expect(answer).toMatchObject({ allowed: false, opensAt: null, closesAt: null, reasons: ['holiday (Long holiday): no solicitations in AL'] });
    });

    it('finds an opening 30 days ahead', () => {
      const holidays = Array.from({ length: 30 }, (_, i) => ({
        date: new Date(Date.UTC(2026, 6, 15 + i)).toISOString().slice(0, 10),
        name: 'Long holiday',
        states: ['TX'],
      }));
      const rules = rulesWith({ holidays, stateRules: [stateRule({ state: 'TX', noHolidays: true })] });

      // Wed 2026-07-15 13:00 CDT; 30 days later, Fri 2026-08-14 08:00 CDT is 29 days 19 hours on.
      expect(ask({ zip: '75201', purpose: 'outreach', at: '2026-07-15T18:00:00Z' }, rules)).toMatchObject({
        allowed: false,
        opensAt: '2026-08-14T13:00:00.000Z',
      });
    });

    it('never opens when the rules leave no time of day', () => {
      const rules = rulesWith({
        stateRules: [stateRule({ state: 'KY', start: '10:00' }), stateRule({ state: 'FL', end: '09:30' })],
      });

      const answer = ask({ phoneTimeZone: 'America/Chicago', purpose: 'outreach', at: '2026-07-15T18:00:00Z' }, rules);

      expect(answer).toMatchObject({ allowed: false, opensAt: null });
      expect(answer.reasons).toEqual([expect.stringMatching(/^no time of day meets every rule: they open at 10:00 .* but close at 09:30/)]);
    });
  });

  it('refuses an invalid instant', () => {
    expect(() => checkSendWindow({ at: new Date('not a date'), purpose: 'care', practiceTimeZone: 'America/Chicago' }, DEFAULT_RULES)).toThrow(
      RangeError,
    );
  });
});

describe('the shipped send-window rules', () => {
  const nthWeekday = (year: number, month: number, weekday: number, n: number) => {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return new Date(Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7));
  };
  const lastWeekday = (year: number, month: number, weekday: number) => {
    const last = new Date(Date.UTC(year, month, 0));
    return new Date(Date.UTC(year, month - 1, last.getUTCDate() - ((last.getUTCDay() - weekday + 7) % 7)));
  };
  /** Gregorian Easter Sunday (the anonymous Gregorian algorithm). */
  const easter = (year: number) => {
    const a = year % 19;
    const b = Math.floor(year / 100);
    const c = year % 100;
    const d = Math.floor(b / 4);
    const e = b % 4;
    const f = Math.floor((b + 8) / 25);
    const g = Math.floor((b - f + 1) / 3);
    const h = (19 * a + b - d - g + 15) % 30;
    const i = Math.floor(c / 4);
    const k = c % 4;
    const l = (32 + 2 * e + 2 * i - h - k) % 7;
    const m = Math.floor((a + 11 * h + 22 * l) / 451);
    const month = Math.floor((h + l - 7 * m + 114) / 31);
    const day = ((h + l - 7 * m + 114) % 31) + 1;
    return new Date(Date.UTC(year, month - 1, day));
  };
  const daysAfter = (date: Date, days: number) => new Date(date.getTime() + days * 24 * HOUR);
  const fixed = (month: number, day: number) => (year: number) => new Date(Date.UTC(year, month - 1, day));
  const [MON, THU] = [1, 4];

  const FEDERAL: Record<string, (year: number) => Date> = {
    "New Year's Day": fixed(1, 1),
    'Birthday of Martin Luther King, Jr.': (y) => nthWeekday(y, 1, MON, 3),
    "Washington's Birthday": (y) => nthWeekday(y, 2, MON, 3),
    'Memorial Day': (y) => lastWeekday(y, 5, MON),
    'Juneteenth National Independence Day': fixed(6, 19),
    'Independence Day': fixed(7, 4),
    'Labor Day': (y) => nthWeekday(y, 9, MON, 1),
    'Columbus Day': (y) => nthWeekday(y, 10, MON, 2),
    'Veterans Day': fixed(11, 11),
    'Thanksgiving Day': (y) => nthWeekday(y, 11, THU, 4),
    'Christmas Day': fixed(12, 25),
  };
  const STATE: Record<string, (year: number) => Date> = {
    'Mardi Gras': (y) => daysAfter(easter(y), -47),
    'Good Friday': (y) => daysAfter(easter(y), -2),
    'Confederate Memorial Day': (y) => nthWeekday(y, 4, MON, 4),
    "Jefferson Davis' Birthday": (y) => nthWeekday(y, 6, MON, 1),
  };

  it('checks its own date rules against known dates', () => {
    expect(easter(2026).toISOString().slice(0, 10)).toBe('2026-04-05');
    expect(easter(2027).toISOString().slice(0, 10)).toBe('2027-03-28');
    expect(nthWeekday(2025, 11, THU, 4).toISOString().slice(0, 10)).toBe('2025-11-27');
    expect(lastWeekday(2025, 5, MON).toISOString().slice(0, 10)).toBe('2025-05-26');
  });

  // Thirty years of the computed list against these tests' own date rules.
  it.each(shippedHolidays(2026, 30))('dates $name on $date by its rule', (h) => {
    const rule = h.states === undefined ? FEDERAL[h.name] : STATE[h.name];

    expect(rule).toBeDefined();
    expect(h.date).toBe(rule(Number(h.date.slice(0, 4))).toISOString().slice(0, 10));
  });

  it.each([[2026], [2027], [2040]])('lists every federal holiday once in %i', (year) => {
    const names = shippedHolidays(year, 1).filter((h) => h.states === undefined && h.date.startsWith(`${year}-`)).map((h) => h.name);

    expect([...names].sort()).toEqual(Object.keys(FEDERAL).sort());
  });

  it('gives every state rule a source and the date it was checked', () => {
    for (const rule of DEFAULT_STATE_RULES) {
      expect(stateRuleSchema.safeParse(rule).success).toBe(true);
      expect(rule.source.trim().length).toBeGreaterThan(10);
      expect(Number.isNaN(Date.parse(`${rule.checkedOn}T00:00:00Z`))).toBe(false);
    }
  });

  it('ships the rules compliance.md names', () => {
    const byState = Object.fromEntries(DEFAULT_STATE_RULES.map((r) => [r.state, r]));

    expect(byState.FL).toMatchObject({ purposes: ['outreach'], end: '20:00' });
    expect(byState.AL).toMatchObject({ purposes: ['outreach'], noSundays: true, noHolidays: true });
    expect(byState.LA).toMatchObject({ purposes: ['outreach'], noSundays: true, noHolidays: true });
    expect(byState.KY).toMatchObject({ purposes: ['outreach'], start: '10:00' });
  });

  it('defaults to the 08:00–21:00 window with the shipped holidays of this year and the next two, and the state rules', () => {
    const defaults = sendWindowConfigSchema.parse(undefined);
    const thisYear = new Date().getUTCFullYear();
    expect(defaults.window).toEqual({ start: '08:00', end: '21:00' });
    expect(defaults.holidays).toEqual(shippedHolidays(thisYear, HOLIDAY_YEARS));
    expect(new Set(defaults.holidays.map((h) => h.date.slice(0, 4)))).toEqual(new Set([thisYear, thisYear + 1, thisYear + 2].map(String)));
    expect(defaults.stateRules).toEqual(DEFAULT_STATE_RULES);
  });

  it('keeps the dates themselves, not the observed weekday: Independence Day 2026 (a Saturday) is July 4, not July 3', () => {
    expect(shippedHolidays(2026, 1).filter((h) => h.name === 'Independence Day')).toEqual([{ date: '2026-07-04', name: 'Independence Day' }]);
  });
});
