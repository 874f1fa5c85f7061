/**
 * The IVR's caller lookup against the local engines: people imported by the real import
 * workflow (which writes the phone → person index), then the inbound flow's Lambda block
 * event delivered to lookup-caller. Checks what the flow gets back.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { handler as lookUpCaller, resetCallerLookup } from '../../lambdas/handlers/lookup-caller';
import { cadenceTestConfig, enrollPeople, LAKESIDE, phoneNumber, SUNRISE, type Enrolled, type Person } from './cadence-fixtures';

describe('lookup-caller', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const household = phoneNumber(1, 'LANDLINE', 600);
  const people: Record<string, Person> = {
    alone: { id: 'lookup-alone', firstName: 'Rosa', mobile: phoneNumber(2, 'MOBILE', 600), language: 'es' },
    parent: { id: 'lookup-parent', firstName: 'Ana', lastName: 'Lee', home: household },
    child: { id: 'lookup-child', firstName: 'Ben', lastName: 'Lee', home: household },
    stopsCalls: { id: 'lookup-dnc', firstName: 'Carl', home: phoneNumber(3, 'LANDLINE', 600) },
    newNumber: { id: 'lookup-new-number', firstName: 'Dora', home: phoneNumber(4, 'LANDLINE', 600) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookup-caller-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    resetCallerLookup();
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'lookup.csv', Object.values(people));
  });
  afterAll(() => stack?.stop());

  /** What the inbound flow's "look-up-caller" block sends. */
  const flowEvent = (caller: string | undefined, practiceId = SUNRISE) => ({
    Name: 'ContactFlowEvent',
    Details: {
      ContactData: {
        ContactId: `inbound-${Math.random().toString(36).slice(2)}`,
        Channel: 'VOICE',
        InitiationMethod: 'INBOUND',
        Attributes: {},
        ...(caller === undefined ? {} : { CustomerEndpoint: { Address: caller, Type: 'TELEPHONE_NUMBER' } }),
      },
      Parameters: { practiceId },
    },
  });

  it('names the one person who has the number, as flat strings the flow copies into contact attributes', async () => {
    const answer = await lookUpCaller(flowEvent(people.alone!.mobile));

    expect(answer).toEqual({
      known: 'one',
      contactId: enrolled.contactId(people.alone!.id),
      firstName: 'Rosa',
      language: 'es',
      status: 'open',
      voiceOutreachOff: 'false',
      householdSize: '1',
      agentNote: 'The caller is in the outreach tracker.',
    });
    expect(Object.values(answer).every((v) => typeof v === 'string')).toBe(true);
  });

  it('finds the person however the network writes the number (national format)', async () => {
    const national = people.alone!.mobile!.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3');
    expect((await lookUpCaller(flowEvent(national))).contactId).toBe(enrolled.contactId(people.alone!.id));
  });

  it('for a number a household shares, gives only how many and tells the agent to ask who is calling', async () => {
    const answer = await lookUpCaller(flowEvent(household));

    expect(answer).toEqual({
      known: 'several',
      contactId: '',
      firstName: '',
      language: '',
      status: '',
      voiceOutreachOff: '',
      householdSize: '2',
      agentNote: '2 people in the outreach tracker share this number: ask who is calling.',
    });
  });

  it('answers "none" for a number nobody in the practice has, and for the same person\'s number at another practice', async () => {
    expect(await lookUpCaller(flowEvent(phoneNumber(9, 'MOBILE', 600)))).toMatchObject({ known: 'none', contactId: '', householdSize: '0' });
    expect(await lookUpCaller(flowEvent(people.alone!.mobile, LAKESIDE))).toMatchObject({ known: 'none', contactId: '' });
  });

  it('answers "none" for a withheld or unreadable caller number without looking anything up', async () => {
    for (const caller of [undefined, 'anonymous', 'Restricted', '+1']) {
      expect(await lookUpCaller(flowEvent(caller))).toMatchObject({ known: 'none', agentNote: "The caller's number is withheld or unreadable." });
    }
  });

  it('tells the agent when the person asked not to be called', async () => {
    const contactId = enrolled.contactId(people.stopsCalls!.id);
    await dependencies().tracker.setDoNotCall(SUNRISE, contactId, 'ivr:test', new Date().toISOString());

    expect(await lookUpCaller(flowEvent(people.stopsCalls!.home))).toMatchObject({
      known: 'one',
      contactId,
      voiceOutreachOff: 'true',
      agentNote: 'The caller asked not to receive outreach calls: do not offer any.',
    });
  });

  it('finds a person by a number added later (an agent took it down), and the old number still finds them', async () => {
    const contactId = enrolled.contactId(people.newNumber!.id);
    const added = phoneNumber(5, 'MOBILE', 600);
    expect((await lookUpCaller(flowEvent(added))).known).toBe('none');

    await dependencies().tracker.addPhone(SUNRISE, contactId, { e164: added, label: 'mobile', addedBy: 'disposition:test' }, 'agent:test', new Date().toISOString());

    expect(await lookUpCaller(flowEvent(added))).toMatchObject({ known: 'one', contactId, firstName: 'Dora' });
    expect(await lookUpCaller(flowEvent(people.newNumber!.home))).toMatchObject({ known: 'one', contactId });
  });

  it('does not name a person for a number that reached someone else', async () => {
    const contactId = enrolled.contactId(people.alone!.id);
    const other = phoneNumber(6, 'MOBILE', 600);
    await dependencies().tracker.addPhone(SUNRISE, contactId, { e164: other, label: 'other', addedBy: 'disposition:test' }, 'agent:test', new Date().toISOString());
    await dependencies().tracker.markWrongNumber(SUNRISE, contactId, other, 'agent:test', new Date().toISOString());

    expect((await lookUpCaller(flowEvent(other))).known).toBe('none');
  });

  it('rejects an event that is not a contact flow event with a practiceId, so the flow takes its error branch', async () => {
    await expect(lookUpCaller({ Name: 'ContactFlowEvent', Details: { ContactData: { ContactId: 'c-1' }, Parameters: {} } })).rejects.toThrow(/Details\.Parameters\.practiceId/);
    await expect(lookUpCaller({ source: 'aws.connect' })).rejects.toThrow(/not a contact flow event/);
  });

  it('answers "none" for a practice the stage config does not know', async () => {
    expect(await lookUpCaller(flowEvent(people.alone!.mobile, 'no-such-practice'))).toMatchObject({ known: 'none', agentNote: 'The practice of this number is not configured.' });
  });
});
