/**
 * Two-way SMS through the real receive-reply handler against the local engines: End User
 * Messaging's inbound payload as the SNS topic delivers it, and what the tracker and the
 * sandbox (texts sent back) hold afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { VirtualClock } from '../../local/cadence-runner';
import { withClock } from '../../lambdas/adapters/clock';
import { ReplyLedger } from '../../lambdas/adapters/reply-ledger';
import { Messaging } from '../../lambdas/adapters/messaging';
import { DispositionLedger } from '../../lambdas/adapters/disposition-ledger';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import { bookAppointment, practiceInfoText } from '../../lambdas/handlers/appointment-desk';
import { handler as receive } from '../../lambdas/handlers/receive-reply';
import { captureEmf } from '../support/emf';
import { cadenceTestConfig, enrollPeople, phoneNumber, SUNRISE, SUNRISE_SMS, type Enrolled, type Person } from './cadence-fixtures';

const SHARED = phoneNumber(25, 'MOBILE', 520);

describe('receive-reply', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    stops: { id: 'rep-stops', mobile: phoneNumber(21, 'MOBILE', 520) },
    keyword: { id: 'rep-keyword', mobile: phoneNumber(22, 'MOBILE', 520) },
    spanish: { id: 'rep-spanish', mobile: phoneNumber(23, 'MOBILE', 520), language: 'es' },
    confirms: { id: 'rep-confirms', firstName: 'Lena', mobile: phoneNumber(24, 'MOBILE', 520) },
    parent: { id: 'rep-parent', firstName: 'Ana', lastName: 'Reyes', mobile: SHARED },
    child: { id: 'rep-child', firstName: 'Leo', lastName: 'Reyes', mobile: SHARED },
    chatty: { id: 'rep-chatty', mobile: phoneNumber(26, 'MOBILE', 520) },
    carrier: { id: 'rep-carrier', mobile: phoneNumber(27, 'MOBILE', 520) },
    late: { id: 'rep-late', mobile: phoneNumber(28, 'MOBILE', 520) },
    prompt: { id: 'rep-prompt', mobile: phoneNumber(29, 'MOBILE', 520) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replies-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'replies.csv', Object.values(people));
  });
  afterAll(() => stack?.stop());

  const NOW = new Date('2027-03-01T18:00:00Z');
  let seq = 0;
  /** What the inbound SNS topic delivers for one text from `from` to the practice's number. */
  const sms = (from: string, text: string, extra: Record<string, string> = {}, id = `in-${++seq}`) => ({
    Records: [{ Sns: { Message: JSON.stringify({ originationNumber: from, destinationNumber: SUNRISE_SMS, messageBody: text, inboundMessageId: id, ...extra }) } }],
  });
  const at = <T>(fn: () => Promise<T>, instant = NOW) => withClock(new VirtualClock(instant), fn);
  const contactOf = async (p: Person) => (await dependencies().tracker.getContact(SUNRISE, enrolled.contactId(p.id)))!;
  const textsTo = async (n: string) => (await stack.engines.sandbox!.records<{ DestinationPhoneNumber: string; MessageBody: string }>('texts')).map((r) => r.data).filter((t) => t.DestinationPhoneNumber === n);
  const replies = () => new ReplyLedger(process.env.TRACKER_TABLE_NAME!);
  const flags = async () => new DispositionLedger(process.env.TRACKER_TABLE_NAME!).flags(SUNRISE);

  it('a free-text stop opts the person out of texts before anything else, sends the one confirmation, and a redelivery changes nothing (nor counts again)', async () => {
    const message = sms(people.stops!.mobile!, 'Please stop texting me', {}, 'in-stop-1');
    const { counts } = await captureEmf(async () => {
      expect(await at(() => receive(message))).toEqual({ outcomes: ['opt-out'] });
      expect(await at(() => receive(message))).toEqual({ outcomes: ['duplicate'] });
    });

    expect(counts.filter((c) => c.name === 'OptOuts' || c.name === 'MessagesSent').map((c) => [c.name, c.dimensions])).toEqual([
      ['OptOuts', { service: 'patient-outreach', practice: SUNRISE, channel: 'sms' }],
      ['MessagesSent', { service: 'patient-outreach', practice: SUNRISE, channel: 'sms' }],
    ]);

    expect((await contactOf(people.stops!)).optedOut.sms).toEqual(expect.any(String));
    expect((await textsTo(people.stops!.mobile!)).map((t) => t.MessageBody)).toEqual(['Sunrise Family Health: you will get no more texts from us. Reply START to receive them again. Questions: (206) 555-0143']);
    expect((await replies().thread(SUNRISE, enrolled.contactId(people.stops!.id))).map((t) => [t.text, t.kind])).toEqual([['Please stop texting me', 'opt-out']]);
    // End User Messaging's opt-out list has the number too: the service itself refuses texts to it.
    expect((await stack.engines.sandbox!.records<{ change: string; OptedOutNumber: string }>('opt-outs')).map((r) => [r.data.change, r.data.OptedOutNumber])).toEqual([['added', people.stops!.mobile]]);
    await expect(new Messaging(undefined).sendText({ to: people.stops!.mobile!, from: SUNRISE_SMS, body: 'x', attemptKey: 'test#refused', practiceId: SUNRISE, contactId: 'c_test', purpose: 'care' })).rejects.toMatchObject({ reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
  });

  it('START after the opt-out brings texts back, recorded, with a confirmation', async () => {
    expect(await at(() => receive(sms(people.stops!.mobile!, 'START')), new Date('2027-03-01T19:00:00Z'))).toEqual({ outcomes: ['opt-in'] });
    const contact = await contactOf(people.stops!);
    expect(contact.optedOut).toEqual({});
    expect((await dependencies().tracker.contactHistory(SUNRISE, contact.contactId)).map((h) => h.kind)).toEqual(expect.arrayContaining(['opt-out', 'opt-in']));
    expect((await textsTo(people.stops!.mobile!)).at(-1)?.MessageBody).toMatch(/^Sunrise Family Health: you will get our texts again/);
    expect((await stack.engines.sandbox!.records<{ change: string; OptedOutNumber: string }>('opt-outs')).map((r) => r.data.change)).toEqual(['added', 'removed']);
  });

  it('a STOP the carrier or the service handled (the number on End User Messaging\'s list) reaches the tracker when a text is refused', async () => {
    const person = people.carrier!;
    await stack.engines.sandbox!.configure({ optedOut: [person.mobile!] });
    const contact = await contactOf(person);
    const { result: outcome, counts } = await captureEmf(() => at(() => practiceInfoText(dependencies().config.practices[0]!, contact, 'test:carrier-stop')));
    await stack.engines.sandbox!.configure({ optedOut: [] });
    expect(outcome).toEqual({ status: 'failed', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    expect(counts.filter((c) => c.name === 'OptOuts' || c.name === 'MessagesSent').map((c) => [c.name, c.dimensions])).toEqual([['OptOuts', { service: 'patient-outreach', practice: SUNRISE, channel: 'sms' }]]);
    const after = await contactOf(person);
    expect(after.optedOut.sms).toEqual(expect.any(String));
    expect((await dependencies().tracker.contactHistory(SUNRISE, after.contactId)).filter((h) => h.kind === 'opt-out').map((h) => h.detail)).toEqual([{ channel: 'sms', source: 'end-user-messaging:opt-out-list' }]);
  });

  it('a STOP handled more than 5 minutes after it was sent (a delivery retried) opts out everywhere, but sends no confirmation', async () => {
    const late = sms(people.late!.mobile!, 'STOP', {}, 'in-late-stop');
    late.Records[0]!.Sns = { ...late.Records[0]!.Sns, Timestamp: new Date(NOW.getTime() - 10 * 60_000).toISOString() } as typeof late.Records[0]['Sns'];
    expect(await at(() => receive(late))).toEqual({ outcomes: ['opt-out'] });
    expect((await contactOf(people.late!)).optedOut.sms).toEqual(expect.any(String));
    expect((await stack.engines.sandbox!.records<{ change: string; OptedOutNumber: string }>('opt-outs')).map((r) => [r.data.change, r.data.OptedOutNumber])).toContainEqual(['added', people.late!.mobile]);
    expect(await textsTo(people.late!.mobile!)).toEqual([]);
    // Within the 5 minutes, the confirmation goes (as for the free-text stop above).
    const inTime = sms(people.prompt!.mobile!, 'STOP', {}, 'in-prompt-stop');
    inTime.Records[0]!.Sns = { ...inTime.Records[0]!.Sns, Timestamp: new Date(NOW.getTime() - 4 * 60_000).toISOString() } as typeof inTime.Records[0]['Sns'];
    expect(await at(() => receive(inTime))).toEqual({ outcomes: ['opt-out'] });
    expect((await textsTo(people.prompt!.mobile!)).map((t) => t.MessageBody)).toEqual([expect.stringMatching(/you will get no more texts from us/)]);
    // Stop said again later, by someone already out (and on End User Messaging's list): recorded, no second confirmation, no failure.
    expect(await at(() => receive(sms(people.prompt!.mobile!, 'please stop texting me', {}, 'in-prompt-again')), new Date(NOW.getTime() + 3_600_000))).toEqual({ outcomes: ['opt-out'] });
    expect(await textsTo(people.prompt!.mobile!)).toHaveLength(1);
  });

  it('STOP that End User Messaging answered itself is recorded without a second confirmation; STOPALL ends every channel', async () => {
    expect(await at(() => receive(sms(people.keyword!.mobile!, 'STOPALL', { messageKeyword: 'STOPALL' })))).toEqual({ outcomes: ['opt-out'] });
    expect((await contactOf(people.keyword!)).optedOut.all).toEqual(expect.any(String));
    expect(await textsTo(people.keyword!.mobile!)).toEqual([]);
  });

  it('AYUDA gets the HELP reply CTIA requires, in the person\'s language', async () => {
    expect(await at(() => receive(sms(people.spanish!.mobile!, 'ayuda')))).toEqual({ outcomes: ['help'] });
    expect((await textsTo(people.spanish!.mobile!)).map((t) => t.MessageBody)).toEqual([
      'Sunrise Family Health: mensajes de citas y salud, hasta 3 por semana. Pueden aplicarse tarifas de mensajes y datos. Ayuda: (206) 555-0143. Responda PARAR para salir.',
    ]);
  });

  it('a confirmation from someone with one upcoming appointment confirms it', async () => {
    const contactId = enrolled.contactId(people.confirms!.id);
    const practice = dependencies().config.practices[0]!;
    await at(() => bookAppointment(practice, contactId, { appointmentId: 'rep-apt-1', at: '2027-03-09T18:00:00Z' }));
    expect(await at(() => receive(sms(people.confirms!.mobile!, 'C')), new Date('2027-03-02T18:00:00Z'))).toEqual({ outcomes: ['confirm'] });
    expect((await new (await import('../../lambdas/adapters/appointment-book')).AppointmentBook(process.env.TRACKER_TABLE_NAME!).get(SUNRISE, contactId, 'rep-apt-1'))?.status).toBe('confirmed');
  });

  it('a number a household shares: the reply is in each person\'s thread and flagged', async () => {
    const out = await at(() => receive(sms(SHARED, 'Who is this?', {}, 'in-household')));
    expect(out).toEqual({ outcomes: ['other'] });
    for (const p of [people.parent!, people.child!]) expect((await replies().thread(SUNRISE, enrolled.contactId(p.id))).map((t) => t.text)).toEqual(['Who is this?']);
    expect((await flags()).filter((f) => (f as { inboundMessageId?: string }).inboundMessageId === 'in-household').map((f) => f.reason)).toEqual(
      expect.arrayContaining(['a number 2 people share: the reply is in each of their threads', expect.stringMatching(/^an unexpected reply/)]),
    );
  });

  it('a near-miss is not an opt-out: "don\'t stop my reminders" is flagged for staff and nothing changes', async () => {
    expect(await at(() => receive(sms(people.chatty!.mobile!, "Don't stop my reminders please", {}, 'in-near-miss')))).toEqual({ outcomes: ['other'] });
    expect((await contactOf(people.chatty!)).optedOut).toEqual({});
    expect((await flags()).some((f) => (f as { inboundMessageId?: string }).inboundMessageId === 'in-near-miss')).toBe(true);
  });

  it('a reply from a number nobody has is kept and flagged, never dropped; one to a number no practice texts from, under unmatched', async () => {
    expect(await at(() => receive(sms('+12065559990', 'hello?', {}, 'in-stranger')))).toEqual({ outcomes: ['other'] });
    expect(await replies().get('in-stranger')).toMatchObject({ text: 'hello?', contactIds: [], status: 'handled', practiceId: SUNRISE });
    expect((await flags()).find((f) => (f as { inboundMessageId?: string }).inboundMessageId === 'in-stranger')?.reason).toBe('a reply from a number no one in the tracker has');
    const elsewhere = { Records: [{ Sns: { Message: JSON.stringify({ originationNumber: '+12065559991', destinationNumber: '+18005550000', messageBody: 'hi', inboundMessageId: 'in-elsewhere' }) } }] };
    await at(() => receive(elsewhere));
    expect((await new DispositionLedger(process.env.TRACKER_TABLE_NAME!).flags('unmatched')).some((f) => (f as { inboundMessageId?: string }).inboundMessageId === 'in-elsewhere')).toBe(true);
  });

  it('refuses a payload that is not an inbound SMS, naming what is wrong', async () => {
    await expect(receive({ Records: [{ Sns: { Message: '{"originationNumber":"12"}' } }] })).rejects.toThrow(/not an inbound SMS this system can read/);
  });
});
