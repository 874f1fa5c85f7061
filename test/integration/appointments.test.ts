/**
 * What dispositions and appointment changes lead to, through the real handlers against the
 * local engines: record-disposition (an agent's disposition on a Connect contact),
 * change-appointment (the practice's events), and the schedules they leave in the
 * sandbox's EventBridge Scheduler fired by the local schedule runner on a virtual clock
 * (send-message, place-callback, resume-outreach). Each test reads what reached people
 * (sandbox texts, calls, events, executions) and what the tracker holds.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { VirtualClock } from '../../local/cadence-runner';
import { fireSchedules, pendingSchedules } from '../../local/schedule-runner';
import { withClock } from '../../lambdas/adapters/clock';
import { captureEmf } from '../support/emf';
import { AppointmentBook } from '../../lambdas/adapters/appointment-book';
import { Roster } from '../../lambdas/adapters/roster';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import type { HandOff } from '../../lambdas/domain/appointment';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { handler as changeAppointment } from '../../lambdas/handlers/change-appointment';
import { handler as recordDisposition, appointmentIdFor } from '../../lambdas/handlers/record-disposition';
import { handler as sendMessage } from '../../lambdas/handlers/send-message';
import { handler as lookupCaller } from '../../lambdas/handlers/lookup-caller';
import { DispositionLedger } from '../../lambdas/adapters/disposition-ledger';
import { handler as handOffFile } from '../../lambdas/handlers/hand-off-file';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { handler as appointmentFile } from '../../lambdas/handlers/appointment-file';
import { handler as placeCallback } from '../../lambdas/handlers/place-callback';
import { cadenceTestConfig, enrollPeople, phoneNumber, SUNRISE, type Enrolled, type Person } from './cadence-fixtures';

const INSTANCE = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const INSTANCE_ARN = `arn:aws:connect:us-east-1:000000000000:instance/${INSTANCE}`;
/** Monday 1 March 2027, 10:00 in Seattle (PST): when the agent's call ends. */
const CALL_ENDS = new Date('2027-03-01T18:00:00Z');

interface Text {
  readonly DestinationPhoneNumber: string;
  readonly MessageBody: string;
}

describe('appointments and what dispositions lead to', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    books: { id: 'apt-books', firstName: 'Ana', mobile: phoneNumber(11, 'MOBILE', 510) },
    cancels: { id: 'apt-cancels', mobile: phoneNumber(12, 'MOBILE', 510) },
    misses: { id: 'apt-misses', mobile: phoneNumber(13, 'MOBILE', 510) },
    comes: { id: 'apt-comes', firstName: 'Rosa', mobile: phoneNumber(14, 'MOBILE', 510) },
    declines: { id: 'apt-declines', mobile: phoneNumber(15, 'MOBILE', 510) },
    callsBack: { id: 'apt-calls-back', home: phoneNumber(16, 'LANDLINE', 510) },
    noConsent: { id: 'apt-no-consent', mobile: phoneNumber(17, 'MOBILE', 510), smsConsent: 'N' },
    asksInfo: { id: 'apt-asks-info', mobile: phoneNumber(18, 'MOBILE', 510) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'appointments-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'appointments.csv', Object.values(people));
  });
  afterAll(() => stack?.stop());

  const at = <T>(instant: string | Date, fn: () => Promise<T>) => withClock(new VirtualClock(new Date(instant)), fn);
  const contactIdOf = (p: Person) => enrolled.contactId(p.id);
  const contactOf = async (p: Person) => (await dependencies().tracker.getContact(SUNRISE, contactIdOf(p)))!;
  const textsTo = async (number: string) => (await stack.engines.sandbox!.records<Text>('texts')).map((r) => r.data).filter((t) => t.DestinationPhoneNumber === number);
  const book = () => new AppointmentBook(process.env.TRACKER_TABLE_NAME!);
  const schedulesOf = async (appointmentId: string) => (await pendingSchedules()).filter((s) => s.name.includes(appointmentId));

  /** A call the cadence queued to the person, the agent's attributes set on it, and the contact event when it completes. */
  async function agentCall(person: Person, attributes: Record<string, string>, when: Date | string = CALL_ENDS): Promise<{ call: string; outcome: unknown }> {
    const call = await new ContactCenter().queueCall({
      instanceId: INSTANCE,
      contactFlowId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
      queueId: '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a',
      to: person.mobile ?? person.home!,
      attemptKey: `test#${person.id}#${Math.random()}`,
      attributes: { practiceId: SUNRISE, contactId: contactIdOf(person) },
    });
    await new ConnectClient({}).send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: call, Attributes: attributes }));
    const outcome = await at(when, () => recordDisposition(contactEvent(call)));
    return { call, outcome };
  }
  const contactEvent = (contactId: string) => ({
    source: 'aws.connect',
    'detail-type': 'Amazon Connect Contact Event',
    detail: { eventType: 'COMPLETED', contactId, initialContactId: contactId, instanceArn: INSTANCE_ARN, channel: 'VOICE', initiationMethod: 'OUTBOUND', agentInfo: { agentArn: `${INSTANCE_ARN}/agent/a-1` } },
  });
  const practiceChange = (person: Person, appointmentId: string, change: Record<string, string>) => ({
    source: 'practice.scheduling',
    'detail-type': 'Appointment Change Requested',
    detail: { practiceId: SUNRISE, contactId: contactIdOf(person), appointmentId, change },
  });

  it('a booking texts the confirmation now, schedules the three reminders at their local times, and hands off once, however often the event comes', async () => {
    const { call, outcome } = await agentCall(people.books!, { disposition: 'appointment-booked', appointmentAt: '2027-03-10T14:30', appointmentPlace: 'Pine St clinic' });
    expect(outcome).toEqual({ outcome: 'recorded' });
    expect(await at(CALL_ENDS, () => recordDisposition(contactEvent(call)))).toEqual({ outcome: 'applied' });

    const id = appointmentIdFor(call);
    expect(await book().get(SUNRISE, contactIdOf(people.books!), id)).toEqual({ appointmentId: id, practiceId: SUNRISE, contactId: contactIdOf(people.books!), at: '2027-03-10T22:30:00Z', place: 'Pine St clinic', status: 'booked', version: 1 });
    const texts = await textsTo(people.books!.mobile!);
    expect(texts.map((t) => t.MessageBody)).toEqual(['Sunrise Family Health: Ana, your visit is Wed, Mar 10 2:30 PM at Pine St clinic. Questions: (206) 555-0143. STOP to opt out']);
    expect((await schedulesOf(id)).map((s) => [s.name, s.job, s.at.toISOString()])).toEqual([
      [`appt-${id}-7d`, 'sendMessage', '2027-03-03T18:00:00.000Z'],
      [`appt-${id}-2d`, 'sendMessage', '2027-03-08T18:00:00.000Z'],
      [`appt-${id}-same-day`, 'sendMessage', '2027-03-10T16:00:00.000Z'],
    ]);

    const handOffs: HandOff[] = [];
    for await (const h of book().handOffs(SUNRISE, '2027-03-01')) if (h.appointmentId === id) handOffs.push(h);
    expect(handOffs).toEqual([
      expect.objectContaining({ change: 'booked', version: 1, at: '2027-03-10T22:30:00Z', person: expect.objectContaining({ externalId: 'apt-books', firstName: 'Ana', phone: people.books!.mobile }) }),
    ]);
    const events = (await stack.engines.sandbox!.records<{ DetailType: string; detail: HandOff }>('events')).filter((e) => e.data.DetailType === 'Appointment Handed Off' && e.data.detail.appointmentId === id);
    expect(events.map((e) => e.data.detail.change)).toEqual(['booked']);
  });

  it('reminders go out at their times, each once: the same schedule firing twice sends nothing more', async () => {
    const { call } = await agentCall(people.comes!, { disposition: 'appointment-booked', appointmentAt: '2027-03-12T09:00' });
    const id = appointmentIdFor(call);
    const [sevenDays] = await schedulesOf(id);

    const fired = (await fireSchedules(new Date('2027-03-11T00:00:00Z'))).filter((f) => f.name.includes(id));
    expect(fired.map((f) => [f.name, f.at, f.output])).toEqual([
      [`appt-${id}-7d`, '2027-03-05T18:00:00.000Z', { outcome: 'sent' }],
      [`appt-${id}-2d`, '2027-03-10T18:00:00.000Z', { outcome: 'sent' }],
    ]);
    expect(await at(sevenDays!.at, () => sendMessage(sevenDays!.input))).toEqual({ outcome: 'already' });
    expect((await textsTo(people.comes!.mobile!)).map((t) => t.MessageBody.match(/^Sunrise Family Health: (\w+), your visit is ([^.]+) at/)?.slice(1))).toEqual([
      ['Rosa', 'Fri, Mar 12 9:00 AM'],
      ['Reminder', 'Fri, Mar 12 9:00 AM'],
      ['Reminder', 'Fri, Mar 12 9:00 AM'],
    ]);
  });

  it('a visit the practice moves moves its reminders and confirms the new time; a reminder for the old time sends nothing', async () => {
    const { call } = await agentCall(people.misses!, { disposition: 'appointment-booked', appointmentAt: '2027-03-10T11:00' });
    const id = appointmentIdFor(call);
    const oldSameDay = (await schedulesOf(id)).find((s) => s.name.endsWith('same-day'))!;

    const moved = await at('2027-03-02T18:00:00Z', () => changeAppointment(practiceChange(people.misses!, id, { kind: 'reschedule', at: '2027-03-17T10:00:00-07:00' })));
    expect(moved).toEqual({ outcome: 'booked (version 2)' });
    expect((await schedulesOf(id)).map((s) => [s.name, s.at.toISOString()])).toEqual([
      [`appt-${id}-7d`, '2027-03-10T18:00:00.000Z'],
      [`appt-${id}-2d`, '2027-03-15T17:00:00.000Z'],
      [`appt-${id}-same-day`, '2027-03-17T15:00:00.000Z'],
    ]);
    expect(await at(oldSameDay.at, () => sendMessage(oldSameDay.input))).toEqual({ outcome: 'skipped' });
    expect((await textsTo(people.misses!.mobile!)).map((t) => t.MessageBody.match(/visit is ([^.]+) at/)?.[1])).toEqual(['Wed, Mar 10 11:00 AM', 'Wed, Mar 17 10:00 AM']);

    // The same move delivered again changes nothing.
    expect(await at('2027-03-02T18:05:00Z', () => changeAppointment(practiceChange(people.misses!, id, { kind: 'reschedule', at: '2027-03-17T17:00:00Z' })))).toEqual({ outcome: 'unchanged: the appointment is already at that time' });
  });

  it('a no-show ends the reminders, reopens the person and starts the no-show follow-up once, counted once as an appointment change', async () => {
    const { call } = await agentCall(people.misses!, { disposition: 'appointment-booked', appointmentAt: '2027-03-04T09:00' });
    const id = appointmentIdFor(call);
    const before = (await stack.engines.sandbox!.records('executions')).length;

    const { counts } = await captureEmf(async () => {
      expect(await at('2027-03-04T19:00:00Z', () => changeAppointment(practiceChange(people.misses!, id, { kind: 'no-show' })))).toEqual({ outcome: 'no-show (version 2)' });
      expect(await at('2027-03-04T19:01:00Z', () => changeAppointment(practiceChange(people.misses!, id, { kind: 'no-show' })))).toEqual({ outcome: 'unchanged: the appointment is no-show' });
    });

    expect(counts.filter((c) => c.name === 'AppointmentChanges').map((c) => c.dimensions)).toEqual([{ service: 'patient-outreach', practice: SUNRISE, change: 'no-show' }]);

    expect(await schedulesOf(id)).toEqual([]);
    expect((await contactOf(people.misses!)).status).toBe('open');
    const started = (await stack.engines.sandbox!.records<{ input: { cadence: string; contactId: string } }>('executions')).slice(before).map((r) => r.data.input);
    expect(started).toEqual([expect.objectContaining({ cadence: 'no-show-follow-up', contactId: contactIdOf(people.misses!) })]);
    const enrollment = await dependencies().ledger.getEnrollment(SUNRISE, contactIdOf(people.misses!), 'no-show-follow-up');
    expect(enrollment).toMatchObject({ status: 'active', importId: `appointment:${id}` });
  });

  it('a cancellation removes the reminders, tells the scheduling team and starts the cancellation follow-up', async () => {
    const { call } = await agentCall(people.cancels!, { disposition: 'appointment-booked', appointmentAt: '2027-03-20T10:00' });
    const id = appointmentIdFor(call);
    expect(await schedulesOf(id)).toHaveLength(3);
    // Segments and campaigns see the coming visit on the person's roster card.
    const roster = new Roster(process.env.TRACKER_TABLE_NAME!);
    expect((await roster.card(SUNRISE, contactIdOf(people.cancels!)))?.appointmentDate).toBe('2027-03-20');

    expect(await at('2027-03-05T18:00:00Z', () => changeAppointment(practiceChange(people.cancels!, id, { kind: 'cancel' })))).toEqual({ outcome: 'cancelled (version 2)' });

    expect((await roster.card(SUNRISE, contactIdOf(people.cancels!)))?.appointmentDate).toBeUndefined();
    expect(await schedulesOf(id)).toEqual([]);
    expect((await contactOf(people.cancels!)).status).toBe('open');
    const changes: string[] = [];
    for (const date of ['2027-03-01', '2027-03-05']) for await (const h of book().handOffs(SUNRISE, date)) if (h.appointmentId === id) changes.push(h.change);
    expect(changes).toEqual(['booked', 'cancelled']);
    expect(await dependencies().ledger.getEnrollment(SUNRISE, contactIdOf(people.cancels!), 'cancellation-follow-up')).toMatchObject({ status: 'active', importId: `appointment:${id}` });
  });

  it('"seen" makes the person a patient and sends the review request the next morning', async () => {
    const { call } = await agentCall(people.comes!, { disposition: 'appointment-booked', appointmentAt: '2027-03-02T15:00' });
    const id = appointmentIdFor(call);
    expect(await at('2027-03-02T23:30:00Z', () => changeAppointment(practiceChange(people.comes!, id, { kind: 'seen' })))).toEqual({ outcome: 'seen (version 2)' });
    expect((await contactOf(people.comes!)).status).toBe('already-patient');
    expect((await schedulesOf(id)).map((s) => [s.name, s.at.toISOString()])).toEqual([[`appt-${id}-review`, '2027-03-03T18:00:00.000Z']]);

    const fired = (await fireSchedules(new Date('2027-03-03T18:00:00Z'))).filter((f) => f.name.includes(id));
    expect(fired.map((f) => f.output)).toEqual([{ outcome: 'sent' }]);
    expect((await textsTo(people.comes!.mobile!)).at(-1)?.MessageBody).toBe('Sunrise Family Health: Thanks for your visit, Rosa. How did we do? https://sunrisefamily.example/review Call (206) 555-0143. STOP to opt out');
  });

  it('"not interested" texts the practice information now and tries again a month later', async () => {
    const { call } = await agentCall(people.declines!, { disposition: 'not interested' });
    expect((await contactOf(people.declines!)).status).toBe('declined');
    expect((await textsTo(people.declines!.mobile!)).map((t) => t.MessageBody)).toEqual([
      'Sunrise Family Health, 1200 Pine St, Suite 300, Seattle, WA 98101. Call (206) 555-0143 or book at https://sunrisefamily.example/book. STOP to opt out',
    ]);
    const retry = (await pendingSchedules()).filter((s) => s.job === 'resumeOutreach' && (s.input as { connectContactId: string }).connectContactId === call);
    expect(retry.map((s) => s.at.toISOString())).toEqual(['2027-03-31T18:00:00.000Z']);

    // The cadence stopped on "declined" (its planner reads the status before each step).
    await dependencies().ledger.updateEnrollment({ practiceId: SUNRISE, contactId: contactIdOf(people.declines!), cadence: 'community-outreach' }, { status: 'stopped', stopReason: 'declined' }, CALL_ENDS.toISOString());
    const fired = (await fireSchedules(new Date('2027-03-31T18:00:00Z'))).filter((f) => (f.input as { connectContactId?: string }).connectContactId === call);
    expect(fired.map((f) => f.output)).toEqual([{ outcome: 'enrolled' }]);
    expect((await contactOf(people.declines!)).status).toBe('open');
    expect(await dependencies().ledger.getEnrollment(SUNRISE, contactIdOf(people.declines!), 'community-outreach')).toMatchObject({ status: 'active', importId: `disposition:${call}`, cursor: { round: 1, step: 0 } });
  });

  it('"call back later" queues one call to the agents at the time asked, whatever the retries', async () => {
    const { call } = await agentCall(people.callsBack!, { disposition: 'call-back-later', callbackAt: '2027-03-02T15:00' });
    const callback = (await pendingSchedules()).find((s) => s.job === 'placeCallback' && (s.input as { connectContactId: string }).connectContactId === call)!;
    expect(callback.at.toISOString()).toBe('2027-03-02T23:00:00.000Z');
    const callsBefore = (await stack.engines.sandbox!.records('calls')).length;

    expect(await at(callback.at, () => placeCallback(callback.input))).toEqual({ outcome: 'sent' });
    expect(await at(callback.at, () => placeCallback(callback.input))).toEqual({ outcome: 'already' });

    const calls = (await stack.engines.sandbox!.records<{ DestinationPhoneNumber: string; Attributes: Record<string, string> }>('calls')).slice(callsBefore);
    expect(calls.map((c) => [c.data.DestinationPhoneNumber, c.data.Attributes.step, c.data.Attributes.contactId])).toEqual([[people.callsBack!.home, 'callback', contactIdOf(people.callsBack!)]]);
  });

  it('a booking for someone who did not agree to texts sends no confirmation, until the agent records their yes', async () => {
    const first = await agentCall(people.noConsent!, { disposition: 'appointment-booked', appointmentAt: '2027-03-09T10:00' });
    expect(await textsTo(people.noConsent!.mobile!)).toEqual([]);
    const attempt = await dependencies().ledger.getAttempt(SUNRISE, contactIdOf(people.noConsent!), `appointment#${appointmentIdFor(first.call)}#confirmation#2027-03-09T18:00:00Z`);
    expect(attempt).toMatchObject({ status: 'skipped', reason: 'no-consent' });

    await agentCall(people.noConsent!, { disposition: 'appointment-booked', appointmentAt: '2027-03-16T10:00', smsConsent: 'yes' }, '2027-03-02T18:00:00Z');
    expect((await textsTo(people.noConsent!.mobile!)).map((t) => t.MessageBody.match(/visit is ([^.]+) at/)?.[1])).toEqual(['Tue, Mar 16 10:00 AM']);
    expect((await contactOf(people.noConsent!)).consent['sms:care']).toMatchObject({ granted: true, source: expect.stringMatching(/^agent:connect:/) });
  });

  it('the IVR\'s "text me your information" sends it once', async () => {
    const contactId = contactIdOf(people.asksInfo!);
    const flow = { Name: 'ContactFlowEvent', Details: { ContactData: { ContactId: 'ivr-call-1', Attributes: { practiceId: SUNRISE, contactId } }, Parameters: { disposition: 'practice-info-requested', source: 'ivr' } } };
    expect(await at(CALL_ENDS, () => recordDisposition(flow))).toEqual({ recorded: 'true', disposition: 'practice-info-requested' });
    expect(await at(CALL_ENDS, () => recordDisposition(flow))).toEqual({ recorded: 'false', disposition: 'practice-info-requested' });
    expect(await textsTo(people.asksInfo!.mobile!)).toHaveLength(1);
  });

  it('the IVR\'s record and the agent\'s disposition on the same call are both kept and both carried out', async () => {
    const person = people.asksInfo!;
    const { call, outcome } = await agentCall(person, { disposition: 'appointment-booked', appointmentAt: '2027-03-18T09:30' }, '2027-03-02T18:00:00Z');
    const flow = { Name: 'ContactFlowEvent', Details: { ContactData: { ContactId: call, Attributes: { practiceId: SUNRISE, contactId: contactIdOf(person) } }, Parameters: { disposition: 'do-not-call', source: 'ivr' } } };
    expect(await at('2027-03-02T18:00:00Z', () => recordDisposition(flow))).toEqual({ recorded: 'true', disposition: 'do-not-call' });

    expect(outcome).toEqual({ outcome: 'recorded' });
    expect((await contactOf(person)).doNotCall).toEqual(expect.any(String));
    expect(await book().get(SUNRISE, contactIdOf(person), appointmentIdFor(call))).toMatchObject({ status: 'booked', at: '2027-03-18T16:30:00Z' });
  });

  it('an inbound caller the IVR recognises cancels their appointment with an agent, and one with none to cancel is flagged for staff', async () => {
    const person = people.books!;
    const { ContactId } = await stack.engines.sandbox!.inboundCall({ InstanceId: INSTANCE, From: person.mobile!, To: '+12065550177' });
    const caller = { Name: 'ContactFlowEvent', Details: { ContactData: { ContactId, CustomerEndpoint: { Address: person.mobile, Type: 'TELEPHONE_NUMBER' }, Attributes: {} }, Parameters: { practiceId: SUNRISE } } };
    const answer = (await lookupCaller(caller)) as Record<string, string>;
    expect(answer).toMatchObject({ known: 'one', contactId: contactIdOf(person) });
    // The flow copies the answer into the contact's attributes (connect/flows/inbound-ivr.json, remember-caller), then the agent records the outcome.
    const connect = new ConnectClient({});
    await connect.send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: ContactId, Attributes: { practiceId: SUNRISE, contactId: answer.contactId!, firstName: answer.firstName! } }));
    await connect.send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: ContactId, Attributes: { disposition: 'appointment-cancelled' } }));
    const inbound = (id: string) => ({ ...contactEvent(id), detail: { ...contactEvent(id).detail, initiationMethod: 'INBOUND' } });
    expect(await at('2027-03-04T18:00:00Z', () => recordDisposition(inbound(ContactId)))).toEqual({ outcome: 'recorded' });

    const [cancelled] = (await book().of(SUNRISE, contactIdOf(person))).filter((a) => a.status === 'cancelled');
    expect(cancelled).toMatchObject({ at: '2027-03-10T22:30:00Z', version: 2 });
    expect(await schedulesOf(cancelled!.appointmentId)).toEqual([]);

    const again = await stack.engines.sandbox!.inboundCall({ InstanceId: INSTANCE, From: person.mobile!, To: '+12065550177' });
    await connect.send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: again.ContactId, Attributes: { practiceId: SUNRISE, contactId: contactIdOf(person), disposition: 'appointment-cancelled' } }));
    expect(await at('2027-03-04T18:30:00Z', () => recordDisposition(inbound(again.ContactId)))).toEqual({ outcome: 'recorded' });
    const flags = await new DispositionLedger(process.env.TRACKER_TABLE_NAME!).flags(SUNRISE);
    expect(flags.filter((f) => f.connectContactId === again.ContactId)).toEqual([expect.objectContaining({ reason: 'cancel: the person has no open appointment' })]);
    connect.destroy();
  });

  it('writes the day\'s hand-off file for the scheduling team: every booking, move and cancellation of that local day', async () => {
    const written = await at('2027-03-06T14:00:00Z', () => handOffFile({ practiceId: SUNRISE }));
    expect(written).toEqual([{ practiceId: SUNRISE, date: '2027-03-05', lines: 1, file: 's3://outreach-reports/handoffs/sunrise-family/2027-03-05.csv' }]);
    const text = await (await stack.s3.send(new GetObjectCommand({ Bucket: 'outreach-reports', Key: 'handoffs/sunrise-family/2027-03-05.csv' }))).Body!.transformToString();
    expect(text.split('\r\n').slice(1, 2)).toEqual([expect.stringMatching(/^cancelled,[0-9a-f-]+,c_[0-9a-f]{24},2027-03-20,10:00,,apt-cancels,Pat-apt-cancels,Doe,,\(206\) 510-0120,en,2027-03-05T18:00:00(\.\d+)?Z$/)]);
    const booked = await at('2027-03-02T14:00:00Z', () => handOffFile({ practiceId: SUNRISE }));
    // The seven bookings of 1 March above (the eighth was booked on the 2nd, with the move).
    expect(booked).toEqual([expect.objectContaining({ date: '2027-03-01', lines: 7 })]);
  });

  it('a practice\'s appointment-changes file applies each row, says what came of every line, and changes nothing the second time', async () => {
    const one = await agentCall(people.comes!, { disposition: 'appointment-booked', appointmentAt: '2027-03-24T09:00' }, '2027-03-08T18:00:00Z');
    const two = await agentCall(people.cancels!, { disposition: 'appointment-booked', appointmentAt: '2027-03-25T15:00' }, '2027-03-08T18:00:00Z');
    const [first, second] = [appointmentIdFor(one.call), appointmentIdFor(two.call)];
    const csv = [
      'Appointment ID,Contact ID,Change,New Time,Place',
      `${first},${contactIdOf(people.comes!)},Confirmed,,`,
      `${second},${contactIdOf(people.cancels!)},Rescheduled,2027-03-26 11:30,Annex`,
      `${second},${contactIdOf(people.cancels!)},maybe,,`,
      `no-such-appointment,${contactIdOf(people.cancels!)},seen,,`,
      // A cell a spreadsheet would run: the results file shows it as text.
      `"=HYPERLINK(""https://evil.example"",""x"")",${contactIdOf(people.cancels!)},seen,,`,
    ].join('\r\n');
    await stack.s3.send(new PutObjectCommand({ Bucket: 'outreach-imports', Key: 'appointments/sunrise-family/changes-0309.csv', Body: csv }));
    const drop = { detail: { bucket: { name: 'outreach-imports' }, object: { key: 'appointments/sunrise-family/changes-0309.csv' } } };

    expect(await at('2027-03-09T18:00:00Z', () => appointmentFile(drop))).toEqual({ file: 'appointments/sunrise-family/changes-0309.csv.results.csv', counts: { applied: 2, unchanged: 2, unreadable: 1 } });
    expect(await book().get(SUNRISE, contactIdOf(people.comes!), first)).toMatchObject({ status: 'confirmed' });
    expect(await book().get(SUNRISE, contactIdOf(people.cancels!), second)).toMatchObject({ status: 'booked', at: '2027-03-26T18:30:00Z', place: 'Annex' });
    const results = await (await stack.s3.send(new GetObjectCommand({ Bucket: 'outreach-reports', Key: 'appointments/sunrise-family/changes-0309.csv.results.csv' }))).Body!.transformToString();
    expect(results.split('\r\n').slice(1, 6)).toEqual([
      `2,${first},applied,confirm: now confirmed`,
      `3,${second},applied,reschedule: now booked`,
      '4,,unreadable,"unknown change ""maybe"" (confirm, cancel, reschedule, no-show or seen)"',
      '5,no-such-appointment,unchanged,seen: no such appointment',
      `6,"'=HYPERLINK(""https://evil.example"",""x"")",unchanged,seen: no such appointment`,
    ]);

    expect((await at('2027-03-09T18:05:00Z', () => appointmentFile(drop))).counts).toEqual({ applied: 0, unchanged: 4, unreadable: 1 });
  });

  it('refuses an appointment change it cannot read, naming what is wrong', async () => {
    await expect(changeAppointment(practiceChange(people.books!, 'x', { kind: 'reschedule', at: 'next tuesday' }))).rejects.toThrow(/not an appointment change this system can read: .*at/);
  });
});
