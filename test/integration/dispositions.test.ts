/**
 * Dispositions recorded by the real handler against the local engines: a call placed in the
 * sandbox's Connect, the agent's disposition set on the contact (UpdateContactAttributes, as
 * the agent workspace does), then the contact event, or a flow's Lambda block, delivered to
 * record-disposition. Checks what the tracker holds afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import { AppointmentBook } from '../../lambdas/adapters/appointment-book';
import { DispositionLedger } from '../../lambdas/adapters/disposition-ledger';
import { Roster } from '../../lambdas/adapters/roster';
import { ConflictError } from '../../lambdas/adapters/tracker-table-client';
import { appointmentPolicySchema, changeAppointment } from '../../lambdas/domain/appointment';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { handler as recordDisposition } from '../../lambdas/handlers/record-disposition';
import { captureEmf } from '../support/emf';
import { cadenceTestConfig, enrollPeople, phoneNumber, SUNRISE, type Enrolled, type Person } from './cadence-fixtures';

const INSTANCE = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const INSTANCE_ARN = `arn:aws:connect:us-east-1:000000000000:instance/${INSTANCE}`;

describe('record-disposition', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    books: { id: 'disp-books', mobile: phoneNumber(1, 'MOBILE', 500) },
    vague: { id: 'disp-vague', mobile: phoneNumber(2, 'MOBILE', 500) },
    wrong: { id: 'disp-wrong', home: phoneNumber(3, 'LANDLINE', 500) },
    twoNumbers: { id: 'disp-two', mobile: phoneNumber(4, 'MOBILE', 500), home: phoneNumber(5, 'LANDLINE', 500) },
    stopsCalls: { id: 'disp-dnc', home: phoneNumber(6, 'LANDLINE', 500) },
    newMobile: { id: 'disp-new-mobile', home: phoneNumber(7, 'LANDLINE', 500) },
    lookupA: { id: 'disp-lookup-a', home: phoneNumber(30, 'LANDLINE', 500) },
    lookupB: { id: 'disp-lookup-b', home: phoneNumber(31, 'LANDLINE', 500) },
    lookupC: { id: 'disp-lookup-c', home: phoneNumber(32, 'LANDLINE', 500) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dispositions-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'dispositions.csv', Object.values(people));
  });
  afterAll(() => stack?.stop());

  const ledger = () => new DispositionLedger(process.env.TRACKER_TABLE_NAME!);
  const contactOf = async (person: Person) => (await dependencies().tracker.getContact(SUNRISE, enrolled.contactId(person.id)))!;
  const historyOf = async (person: Person) => dependencies().tracker.contactHistory(SUNRISE, enrolled.contactId(person.id));

  /** A call the cadence queued: Connect holds the person's ids as contact attributes. */
  async function placeCall(person: Person, to: string, extra: Record<string, string> = {}): Promise<string> {
    return new ContactCenter().queueCall({
      instanceId: INSTANCE,
      contactFlowId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
      queueId: '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a',
      to,
      attemptKey: `test#${person.id}#${Math.random()}`,
      attributes: { practiceId: SUNRISE, contactId: enrolled.contactId(person.id), ...extra },
    });
  }
  const agentSets = (contactId: string, attributes: Record<string, string>) =>
    new ConnectClient({}).send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: contactId, Attributes: attributes }));
  const contactEvent = (contactId: string, eventType = 'COMPLETED') => ({
    version: '0',
    id: `evt-${contactId}-${eventType}`,
    source: 'aws.connect',
    'detail-type': 'Amazon Connect Contact Event',
    detail: { eventType, contactId, initialContactId: contactId, instanceArn: INSTANCE_ARN, channel: 'VOICE', initiationMethod: 'OUTBOUND', agentInfo: { agentArn: `${INSTANCE_ARN}/agent/a-1` } },
  });
  const flowEvent = (contactId: string, attributes: Record<string, string>, parameters: Record<string, string>, caller?: string) => ({
    Name: 'ContactFlowEvent',
    Details: { ContactData: { ContactId: contactId, InitialContactId: contactId, Attributes: attributes, ...(caller ? { CustomerEndpoint: { Address: caller, Type: 'TELEPHONE_NUMBER' } } : {}) }, Parameters: parameters },
  });

  it('books: the status moves to booked, the history says why, and the event delivered again changes nothing (nor counts again)', async () => {
    const call = await placeCall(people.books!, people.books!.mobile!);
    await agentSets(call, { disposition: 'Appointment Booked', appointmentAt: '2030-01-15T14:30', appointmentPlace: 'Pine St' });

    const { result: historyAfterFirst, counts } = await captureEmf(async () => {
      expect(await recordDisposition(contactEvent(call))).toEqual({ outcome: 'recorded' });
      const history = await historyOf(people.books!);
      expect(await recordDisposition(contactEvent(call))).toEqual({ outcome: 'applied' });
      return history;
    });

    const counted = (name: string) => counts.filter((c) => c.name === name).map((c) => c.dimensions);
    expect(counted('Dispositions')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, code: 'appointment-booked' }]);
    expect(counted('AppointmentChanges')).toEqual([{ service: 'patient-outreach', practice: SUNRISE, change: 'book' }]);

    expect((await contactOf(people.books!)).status).toBe('booked');
    expect(await historyOf(people.books!)).toEqual(historyAfterFirst);
    expect(historyAfterFirst.filter((h) => h.kind === 'disposition').map((h) => h.detail)).toEqual([{ code: 'appointment-booked', connectContactId: call, agent: 'a-1' }]);
    const record = await ledger().get(call);
    expect(record).toMatchObject({ status: 'applied', practiceId: SUNRISE, outcome: { ok: true, disposition: { code: 'appointment-booked', appointment: { at: '2030-01-15T22:30:00Z', place: 'Pine St' } } } });
  });

  it('keeps an unreadable disposition as given, flags it for staff, and changes nothing about the person', async () => {
    const call = await placeCall(people.vague!, people.vague!.mobile!);
    await agentSets(call, { disposition: 'maybe later', callbackAt: 'tomorrow-ish' });

    const { counts } = await captureEmf(() => recordDisposition(contactEvent(call)).then((out) => expect(out).toEqual({ outcome: 'flagged' })));

    expect(counts.filter((c) => c.name === 'Dispositions').map((c) => c.dimensions)).toEqual([{ service: 'patient-outreach', practice: SUNRISE, code: 'unreadable' }]);
    const record = await ledger().get(call);
    expect(record?.outcome).toEqual({
      ok: false,
      problems: ['unknown disposition "maybe later"', 'callbackAt "tomorrow-ish" is not a date and time (YYYY-MM-DDTHH:MM)'],
      attributes: expect.objectContaining({ disposition: 'maybe later', callbackAt: 'tomorrow-ish' }),
    });
    expect((await ledger().flags(SUNRISE)).filter((f) => f.connectContactId === call)).toEqual([expect.objectContaining({ reason: expect.stringContaining('unknown disposition') })]);
    expect((await contactOf(people.vague!)).status ?? 'open').toBe('open');
  });

  it('flags a disposition for a contact that names no practice or person under "unmatched"', async () => {
    const call = await placeCall(people.vague!, people.vague!.mobile!);
    await agentSets(call, { practiceId: '', contactId: '', disposition: 'no-answer' });

    expect(await recordDisposition(contactEvent(call))).toEqual({ outcome: 'flagged' });
    expect((await ledger().flags('unmatched')).map((f) => f.connectContactId)).toContain(call);
  });

  it('flags an agent\'s contact that ended without a disposition, so no call goes unaccounted for', async () => {
    const call = await placeCall(people.vague!, people.vague!.mobile!);

    expect(await recordDisposition(contactEvent(call))).toEqual({ outcome: 'flagged' });
    expect((await ledger().get(call))?.outcome).toMatchObject({ ok: false, problems: ['no disposition'] });
  });

  it('ignores contact events before the contact is completed', async () => {
    const call = await placeCall(people.vague!, people.vague!.mobile!);
    expect(await recordDisposition(contactEvent(call, 'CONNECTED_TO_AGENT'))).toEqual({ outcome: 'ignored CONNECTED_TO_AGENT' });
    expect(await ledger().get(call)).toBeUndefined();
  });

  it('a special tone for an invalid number marks that number wrong; with no other number the person is wrong-number', async () => {
    const call = await placeCall(people.wrong!, people.wrong!.home!);
    const answer = await recordDisposition(flowEvent(call, { practiceId: SUNRISE, contactId: enrolled.contactId(people.wrong!.id) }, { amdStatus: 'SIT_TONE_INVALID_NUMBER' }, people.wrong!.home));

    expect(answer).toEqual({ recorded: 'true', disposition: 'wrong-number' });
    const contact = await contactOf(people.wrong!);
    expect(Object.keys(contact.wrongNumbers ?? {})).toEqual([people.wrong!.home]);
    expect(contact.status).toBe('wrong-number');
  });

  it('a wrong number on a person with another number leaves them open, to be reached on the other', async () => {
    // As the cadence queues it: the call's attempt names the number dialled.
    const contactId = enrolled.contactId(people.twoNumbers!.id);
    const attemptKey = `enr-test#r01#call`;
    await dependencies().ledger.claimAttempt({ attemptKey, practiceId: SUNRISE, contactId, enrollmentId: 'enr-test', cadence: 'community-outreach', round: 1, stepId: 'call', channel: 'call', status: 'claimed', to: people.twoNumbers!.home!, at: new Date().toISOString() });
    const call = await placeCall(people.twoNumbers!, people.twoNumbers!.home!, { attempt: attemptKey });
    await agentSets(call, { disposition: 'wrong number' });
    await recordDisposition(contactEvent(call));

    const contact = await contactOf(people.twoNumbers!);
    expect(Object.keys(contact.wrongNumbers ?? {})).toEqual([people.twoNumbers!.home]);
    expect(contact.status ?? 'open').toBe('open');
    // Segments no longer count the landline: the roster card holds the types of the usable numbers only.
    expect((await new Roster(process.env.TRACKER_TABLE_NAME!).card(SUNRISE, contactId))?.phoneTypes).toEqual(['MOBILE']);
  });

  it('"stop calls" in the IVR turns voice off for good and says so to the flow', async () => {
    const call = await placeCall(people.stopsCalls!, people.stopsCalls!.home!);
    const answer = await recordDisposition(flowEvent(call, { practiceId: SUNRISE, contactId: enrolled.contactId(people.stopsCalls!.id) }, { disposition: 'do-not-call', source: 'ivr' }));

    expect(answer).toEqual({ recorded: 'true', disposition: 'do-not-call' });
    expect((await contactOf(people.stopsCalls!)).doNotCall).toEqual(expect.any(String));
    expect((await historyOf(people.stopsCalls!)).map((h) => h.kind)).toEqual(expect.arrayContaining(['disposition', 'do-not-call']));
  });

  it('a mobile number an agent took down is added, classified, and usable from then on', async () => {
    const mobile = phoneNumber(8, 'MOBILE', 500);
    const call = await placeCall(people.newMobile!, people.newMobile!.home!);
    await agentSets(call, { disposition: 'no-answer', newNumber: mobile.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3'), language: 'Spanish' });

    await recordDisposition(contactEvent(call));

    const contact = await contactOf(people.newMobile!);
    expect(contact.phones.map((p) => [p.e164, p.label])).toEqual([
      [people.newMobile!.home, 'home'],
      [mobile, 'mobile'],
    ]);
    expect(contact.language).toBe('es');
    expect((await dependencies().tracker.getValidations([mobile])).get(mobile)?.phoneType).toBe('MOBILE');

    // History is append-only: the same change written again (a retry, same time and id) keeps the first item.
    const { tracker } = dependencies();
    await tracker.setLanguage(SUNRISE, contact.contactId, 'vi', 'agent:first', '2027-01-05T10:00:00.000Z');
    await tracker.setLanguage(SUNRISE, contact.contactId, 'vi', 'agent:retry-with-other-detail', '2027-01-05T10:00:00.000Z');
    const languageItems = (await historyOf(people.newMobile!)).filter((h) => h.kind === 'language' && h.at === '2027-01-05T10:00:00.000Z');
    expect(languageItems.map((h) => h.detail)).toEqual([{ language: 'vi', source: 'agent:first' }]);
    await tracker.setLanguage(SUNRISE, contact.contactId, 'es', 'agent:a-1', '2027-01-05T10:01:00.000Z');

    // Next month's file still says English (the practice's default): what the person told the agent stands.
    await enrollPeople(stack, mkdtempSync(join(tmpdir(), 'dispositions-next-')), SUNRISE, 'dispositions-next-month.csv', [{ ...people.newMobile!, language: 'English', firstName: 'Patricia' }]);
    const after = await contactOf(people.newMobile!);
    expect([after.firstName, after.language, after.languageSource]).toEqual(['Patricia', 'es', expect.stringMatching(/./)]);
  });

  it('one-off lookups of numbers agents took down keep to validation.oneOffPerSecond together, across function instances', async () => {
    // Three instances of the function (each with its own module state, as three Lambda environments have).
    const instances = [0, 1, 2].map(() => {
      let isolated: typeof recordDisposition | undefined;
      jest.isolateModules(() => {
        isolated = (require('../../lambdas/handlers/record-disposition') as { handler: typeof recordDisposition }).handler;
      });
      return isolated!;
    });
    const trio = [people.lookupA!, people.lookupB!, people.lookupC!];
    const mobiles = trio.map((_, i) => phoneNumber(40 + i, 'MOBILE', 500));
    const calls = await Promise.all(trio.map((p) => placeCall(p, p.home!)));
    await Promise.all(calls.map((call, i) => agentSets(call, { disposition: 'no-answer', newNumber: mobiles[i]! })));

    await Promise.all(calls.map((call, i) => instances[i]!(contactEvent(call))));

    const lookups = (await stack.engines.sandbox!.records('validations'))
      .filter((r) => mobiles.includes((r.data as { request: { PhoneNumber: string } }).request.PhoneNumber))
      .map((r) => Date.parse(r.at))
      .sort((a, b) => a - b);
    expect(lookups).toHaveLength(3);
    // 1 a second (the default share): each lookup at least a second after the one before, less arrival jitter.
    expect(lookups[1]! - lookups[0]!).toBeGreaterThanOrEqual(950);
    expect(lookups[2]! - lookups[1]!).toBeGreaterThanOrEqual(950);
    for (const [i, person] of trio.entries()) expect((await contactOf(person)).phones.map((p) => p.e164)).toContain(mobiles[i]);
  });

  it('"don\'t text me" told to an agent ends texts for the person and puts the number called on End User Messaging\'s opt-out list', async () => {
    const person = people.vague!;
    const call = await placeCall(person, person.mobile!);
    await agentSets(call, { disposition: 'no-answer', smsConsent: 'no' });
    await recordDisposition(contactEvent(call));

    expect((await contactOf(person)).optedOut.sms).toEqual(expect.any(String));
    const listed = (await stack.engines.sandbox!.records<{ change: string; OptedOutNumber: string }>('opt-outs')).map((r) => [r.data.change, r.data.OptedOutNumber]);
    expect(listed).toEqual([['added', person.mobile]]);
  });

  it('keeps one appointment per id, and applies a change only to the version it was decided from', async () => {
    const book = new AppointmentBook(process.env.TRACKER_TABLE_NAME!);
    const contactId = enrolled.contactId(people.books!.id);
    const booked = { appointmentId: 'apt-test-1', practiceId: SUNRISE, contactId, at: '2030-01-15T22:30:00Z', status: 'booked' as const, version: 1 };
    expect(await book.create(booked)).toEqual({ created: true, appointment: booked });
    expect(await book.create({ ...booked, at: '2030-02-01T17:00:00Z' })).toEqual({ created: false, appointment: booked });

    const policy = appointmentPolicySchema.parse(undefined);
    const confirmed = changeAppointment(booked, { kind: 'confirm' }, 'America/Los_Angeles', policy, new Date('2029-12-01T00:00:00Z'));
    const cancelled = changeAppointment(booked, { kind: 'cancel', by: 'person' }, 'America/Los_Angeles', policy, new Date('2029-12-01T00:00:00Z'));
    if (!confirmed.ok || !cancelled.ok) throw new Error('expected both changes to be allowed from version 1');
    await book.save(confirmed.appointment);
    // Decided from the same version 1: the second change loses and must be decided again.
    await expect(book.save(cancelled.appointment)).rejects.toBeInstanceOf(ConflictError);

    expect((await book.of(SUNRISE, contactId)).filter((a) => a.appointmentId === booked.appointmentId)).toEqual([{ ...booked, status: 'confirmed', version: 2 }]);
  });
});
