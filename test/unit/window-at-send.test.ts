import type { Contact } from '../../lambdas/domain/contact';
import { sendWindowConfigSchema } from '../../lambdas/domain/send-window-rules';
import { planSend, windowOpenFor, type PlannedStep, type SendSituation } from '../../lambdas/domain/step-plan';

// A patient in Chicago (CDT in June, UTC-5): the window is 08:00–21:00 local = 13:00Z–02:00Z.
const MOBILE = '+13125550101';
const person = (address?: Contact['address']): Contact =>
  ({
    practiceId: 'p',
    contactId: 'c_1',
    firstName: 'Ana',
    lastName: 'Lopez',
    nameKey: 'ana|lopez',
    phones: [{ e164: MOBILE, label: 'mobile', addedBy: 'imp_1' }],
    unusablePhones: [],
    ...(address ? { address } : {}),
    tags: [],
    attributes: {},
    consent: { 'sms:care': { granted: true, source: 'import:imp_1:line 2', at: '2026-05-01T00:00:00.000Z' } },
    optedOut: {},
    createdAt: '2026-05-01T00:00:00.000Z',
    updatedAt: '2026-05-01T00:00:00.000Z',
    lastImport: { importId: 'imp_1', line: 2, outcome: 'created' },
    seenRows: [],
  }) as Contact;

const situation = (now: string, contact = person({ line1: '400 N Michigan Ave', city: 'Chicago', state: 'IL', zip: '60611' })): SendSituation => ({
  now: new Date(now),
  contact,
  numbers: [{ e164: MOBILE, phoneType: 'MOBILE', timeZone: 'America/Chicago' }],
  consentDefaults: [],
  doNotCallListed: new Set(),
  practice: { timeZone: 'America/Los_Angeles', languages: ['en'] },
  sendWindow: sendWindowConfigSchema.parse(undefined),
  frequencyCap: { perDay: 1, perWeek: 3 },
  sentPerLocalDay: new Map(),
});
const TEXT: PlannedStep = { id: 'sms', channel: 'sms', purpose: 'care', phoneTypes: ['MOBILE'], day: 0 };

describe('windowOpenFor (the re-check right before the provider call)', () => {
  const planned = (s: SendSituation) => {
    const plan = planSend(s, TEXT);
    if (plan.action !== 'send') throw new Error(`expected a send, got ${plan.action}`);
    return plan;
  };

  it('answers open while the planned send is inside the recipient\'s window, closed from the closing minute on', () => {
    const s = situation('2026-06-02T01:58:00Z'); // 20:58 in Chicago
    const plan = planned(s);
    expect(windowOpenFor(s, plan, new Date('2026-06-02T01:59:59Z'))).toBe(true);
    expect(windowOpenFor(s, plan, new Date('2026-06-02T02:00:00Z'))).toBe(false); // 21:00 in Chicago
  });

  it('asks about the planned number\'s zone when the person has no address, not the practice\'s', () => {
    const s = situation('2026-06-02T01:58:00Z', person());
    const plan = planned(s);
    // 21:30 in Chicago is 19:30 at the practice in Los Angeles: still closed for the recipient.
    expect(windowOpenFor(s, plan, new Date('2026-06-02T02:30:00Z'))).toBe(false);
  });

  it('has no window for a postcard', () => {
    const s = situation('2026-06-02T01:58:00Z');
    const postcard = planSend(s, { id: 'card', channel: 'postcard', purpose: 'care', phoneTypes: [], day: 0 });
    expect(postcard.action).toBe('send');
    expect(windowOpenFor(s, postcard as Extract<typeof postcard, { action: 'send' }>, new Date('2026-06-02T09:00:00Z'))).toBe(true);
  });
});
