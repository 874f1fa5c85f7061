/**
 * The staff API's handler against the local engines, with API Gateway's proxy events as they
 * arrive after IAM authorisation (requestContext.identity.userArn), and without it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { VirtualClock } from '../../local/cadence-runner';
import { withClock } from '../../lambdas/adapters/clock';
import { handler as receive } from '../../lambdas/handlers/receive-reply';
import { handler as api, type ApiAnswer } from '../../lambdas/handlers/staff-api';
import { handler as flagDigestTask } from '../../lambdas/handlers/flag-digest';
import { captureEmf } from '../support/emf';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { cadenceTestConfig, enrollPeople, phoneNumber, SUNRISE, SUNRISE_SMS, type Enrolled, type Person } from './cadence-fixtures';

const STAFF = 'arn:aws:sts::000000000000:assumed-role/front-desk/maria';
const MONDAY_10AM = new Date('2027-03-01T18:00:00Z');

describe('staff API', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    asks: { id: 'api-asks', mobile: phoneNumber(41, 'MOBILE', 540) },
    texted: { id: 'api-texted', firstName: 'Noor', mobile: phoneNumber(42, 'MOBILE', 540) },
    desk: { id: 'api-desk', mobile: phoneNumber(43, 'MOBILE', 540) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staff-api-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'staff.csv', Object.values(people));
    await withClock(new VirtualClock(MONDAY_10AM), () =>
      receive({ Records: [{ Sns: { Message: JSON.stringify({ originationNumber: people.asks!.mobile, destinationNumber: SUNRISE_SMS, messageBody: 'Is parking free?', inboundMessageId: 'api-in-1' }) } }] }),
    );
  });
  afterAll(() => stack?.stop());

  const call = (method: string, resource: string, pathParameters: Record<string, string>, options: { query?: Record<string, string>; body?: object; signed?: boolean; at?: Date } = {}) =>
    withClock(new VirtualClock(options.at ?? new Date('2027-03-01T20:00:00Z')), async () => {
      const out = (await api({
        httpMethod: method,
        resource,
        pathParameters: { practiceId: SUNRISE, ...pathParameters },
        queryStringParameters: options.query ?? null,
        body: options.body ? JSON.stringify(options.body) : null,
        requestContext: { requestId: 'r-1', identity: options.signed === false ? { userArn: null } : { userArn: STAFF } },
      })) as ApiAnswer;
      return { status: out.statusCode, body: JSON.parse(out.body) };
    });
  const FLAGS = '/practices/{practiceId}/flags';
  const HANDLED = '/practices/{practiceId}/flags/{flagId}/handled';
  const THREAD = '/practices/{practiceId}/contacts/{contactId}/thread';
  const MESSAGES = '/practices/{practiceId}/contacts/{contactId}/messages';

  it('refuses a request that did not come through IAM authorisation', async () => {
    expect(await call('GET', FLAGS, {}, { signed: false })).toEqual({ status: 403, body: { message: 'requests must be signed (AWS SigV4, IAM)' } });
  });

  it('lists the practice\'s unhandled flags by kind and age, and marks one handled by the caller', async () => {
    const listed = await call('GET', FLAGS, {}, { query: { kind: 'reply' } });
    expect(listed.status).toBe(200);
    const [flag] = listed.body.flags;
    expect(flag).toMatchObject({ kind: 'reply', inboundMessageId: 'api-in-1', contactId: enrolled.contactId(people.asks!.id), reason: expect.stringMatching(/^an unexpected reply/) });
    expect((await call('GET', FLAGS, {}, { query: { olderThanHours: '3' } })).body.flags).toEqual([]);
    expect((await call('GET', FLAGS, {}, { query: { kind: 'disposition' } })).body.flags).toEqual([]);

    expect(await call('POST', HANDLED, { flagId: encodeURIComponent(flag.flagId) })).toEqual({ status: 200, body: { handled: true } });
    expect((await call('GET', FLAGS, {})).body.flags).toEqual([]);
    expect((await call('GET', FLAGS, {}, { query: { handled: 'true' } })).body.flags).toEqual([expect.objectContaining({ flagId: flag.flagId, handledBy: STAFF })]);
    expect((await call('POST', HANDLED, { flagId: 'nope' })).status).toBe(404);
  });

  it('lists and handles the flags that name no practice under "unmatched" (a reply to a number no practice texts from), and nothing else there', async () => {
    await withClock(new VirtualClock(new Date('2027-03-01T19:00:00Z')), () =>
      receive({ Records: [{ Sns: { Message: JSON.stringify({ originationNumber: people.asks!.mobile, destinationNumber: '+12065550999', messageBody: 'Who is this?', inboundMessageId: 'api-in-elsewhere' }) } }] }),
    );
    const unmatched = await call('GET', FLAGS, { practiceId: 'unmatched' }, { query: { kind: 'reply' } });
    expect(unmatched.status).toBe(200);
    const flag = unmatched.body.flags.find((f: { inboundMessageId?: string }) => f.inboundMessageId === 'api-in-elsewhere');
    expect(flag).toMatchObject({ kind: 'reply', reason: 'a reply to a number no practice texts from' });
    expect(await call('POST', HANDLED, { practiceId: 'unmatched', flagId: encodeURIComponent(flag.flagId) })).toEqual({ status: 200, body: { handled: true } });
    expect((await call('GET', FLAGS, { practiceId: 'unmatched' })).body.flags.map((f: { flagId: string }) => f.flagId)).not.toContain(flag.flagId);
    expect((await call('GET', THREAD, { practiceId: 'unmatched', contactId: 'c_000000000000000000000000' })).status).toBe(404);
  });

  it('writes the daily digest of what staff still have to look at, and publishes it for the dashboard by practice', async () => {
    const { result: digests, counts } = await captureEmf(() => withClock(new VirtualClock(new Date('2027-03-02T14:00:00Z')), () => flagDigestTask()));
    const [digest] = digests;
    expect(digest).toMatchObject({ practiceId: SUNRISE, unhandled: 0, handledSinceYesterday: 1, file: 's3://outreach-reports/digests/sunrise-family/2027-03-02.json' });
    // The flags that name no practice have their digest too (the one handled above).
    expect(digests.at(-1)).toMatchObject({ practiceId: 'unmatched', handledSinceYesterday: 1, file: 's3://outreach-reports/digests/unmatched/2027-03-02.json' });
    expect(counts.filter((c) => c.dimensions.practice === 'unmatched').map((c) => c.name)).toEqual(['UnhandledFlags', 'OldestFlagHours']);
    expect(counts.filter((c) => c.dimensions.practice === SUNRISE).map((c) => [c.name, c.value, c.dimensions])).toEqual([
      ['UnhandledFlags', 0, { service: 'patient-outreach', practice: SUNRISE }],
      ['OldestFlagHours', 0, { service: 'patient-outreach', practice: SUNRISE }],
    ]);
    const text = await (await stack.s3.send(new GetObjectCommand({ Bucket: 'outreach-reports', Key: 'digests/sunrise-family/2027-03-02.json' }))).Body!.transformToString();
    expect(JSON.parse(text)).toMatchObject({ unhandled: 0, byKind: {}, oldestHours: 0 });
  });

  it('sends a one-off text under the rules, once per messageId, and shows it in the thread with the reply', async () => {
    const contactId = enrolled.contactId(people.texted!.id);
    const sent = await call('POST', MESSAGES, { contactId }, { body: { messageId: 'msg-0001-abc', text: 'Your forms are ready at the front desk.' } });
    expect(sent).toEqual({ status: 200, body: { status: 'sent' } });
    expect(await call('POST', MESSAGES, { contactId }, { body: { messageId: 'msg-0001-abc', text: 'Your forms are ready at the front desk.' } })).toEqual({ status: 200, body: { status: 'already', as: 'sent' } });
    const texts = (await stack.engines.sandbox!.records<{ DestinationPhoneNumber: string; MessageBody: string }>('texts')).filter((t) => t.data.DestinationPhoneNumber === people.texted!.mobile);
    expect(texts.map((t) => t.data.MessageBody)).toEqual(['Sunrise Family Health: Your forms are ready at the front desk. Call (206) 555-0143. Reply STOP to opt out']);

    const thread = await call('GET', THREAD, { contactId });
    expect(thread.body.thread).toEqual([expect.objectContaining({ direction: 'out', channel: 'sms', what: 'one-off/staff-message', text: 'Sunrise Family Health: Your forms are ready at the front desk. Call (206) 555-0143. Reply STOP to opt out' })]);
    expect((await call('GET', THREAD, { contactId: enrolled.contactId(people.asks!.id) })).body.thread).toEqual([expect.objectContaining({ direction: 'in', text: 'Is parking free?', kind: 'other' })]);
  });

  it('records consent staff were given, with who and what shows it, in the person\'s history; never over an opt-out', async () => {
    const CONSENT = '/practices/{practiceId}/contacts/{contactId}/consent';
    const contactId = enrolled.contactId(people.asks!.id);
    expect(await call('POST', CONSENT, { contactId }, { body: { key: 'sms:outreach', granted: true, evidence: 'signed form at the front desk, 2027-03-01' } })).toEqual({ status: 200, body: { recorded: true } });
    const thread = await call('GET', '/practices/{practiceId}/contacts/{contactId}/thread', { contactId });
    expect(thread.body.history.filter((h: { kind: string }) => h.kind === 'consent').at(-1).detail).toEqual({ key: 'sms:outreach', granted: true, source: `staff:${STAFF}`, evidence: 'signed form at the front desk, 2027-03-01' });
    expect((await call('POST', CONSENT, { contactId }, { body: { key: 'sms:care', granted: true } })).status).toBe(400);

    await withClock(new VirtualClock(MONDAY_10AM), () =>
      receive({ Records: [{ Sns: { Message: JSON.stringify({ originationNumber: people.asks!.mobile, destinationNumber: SUNRISE_SMS, messageBody: 'STOP', inboundMessageId: 'api-in-stop', messageKeyword: 'STOP' }) } }] }),
    );
    expect(await call('POST', CONSENT, { contactId }, { body: { key: 'sms:care', granted: true, evidence: 'asked at the desk' } })).toEqual({ status: 409, body: { message: 'the person opted out of this channel: only they can opt back in (START)' } });
  });

  it('records an opt-out staff heard, for the person and on End User Messaging\'s list', async () => {
    const contactId = enrolled.contactId(people.desk!.id);
    expect(await call('POST', '/practices/{practiceId}/contacts/{contactId}/opt-out', { contactId }, { body: { channel: 'sms', evidence: 'asked at the front desk not to get texts' } })).toEqual({ status: 200, body: { optedOut: 'sms' } });
    const thread = await call('GET', '/practices/{practiceId}/contacts/{contactId}/thread', { contactId });
    expect(thread.body.optedOut.sms).toEqual(expect.any(String));
    expect((await stack.engines.sandbox!.records<{ change: string; OptedOutNumber: string }>('opt-outs')).map((r) => [r.data.change, r.data.OptedOutNumber])).toContainEqual(['added', people.desk!.mobile]);
    const refused = await call('POST', '/practices/{practiceId}/contacts/{contactId}/messages', { contactId }, { body: { messageId: 'msg-0009-after', text: 'One more thing' } });
    expect(refused).toEqual({ status: 409, body: { status: 'skipped', reason: 'opted-out' } });
  });

  it('holds a text outside the window (202, with when) and refuses one too long for a segment or naming health details (400, why)', async () => {
    const contactId = enrolled.contactId(people.texted!.id);
    const late = await call('POST', MESSAGES, { contactId }, { body: { messageId: 'msg-0002-late', text: 'See you soon.' }, at: new Date('2027-03-02T06:30:00Z') });
    expect(late).toEqual({ status: 202, body: { status: 'later', at: expect.stringMatching(/^2027-03-02T16:00:00/) } });
    const long = await call('POST', MESSAGES, { contactId }, { body: { messageId: 'msg-0003-long', text: 'x'.repeat(200) } });
    expect(long).toEqual({ status: 400, body: { message: expect.stringMatching(/segments with the practice's name and STOP; at most 1 allowed/) } });
    const health = await call('POST', MESSAGES, { contactId }, { body: { messageId: 'msg-0004-labs', text: 'Your lab results are normal.' } });
    expect(health).toEqual({ status: 400, body: { message: expect.stringMatching(/^the text names health details \("lab", "results"\).*call the person instead$/) } });
    expect((await call('GET', '/practices/{practiceId}/contacts/{contactId}/thread', { contactId })).body.thread.map((m: { text?: string }) => m.text)).not.toContainEqual(expect.stringContaining('lab results'));
  });
});
