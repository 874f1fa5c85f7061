/**
 * The outreach report (lambdas/handlers/outreach-report.ts) against the local engines, on a
 * scenario: people imported through the real import workflow, every enrollment run through
 * the real cadence workflow (two rounds: postcard, A/B text, voicemail, agent call), delivery
 * events for two texts, agents' dispositions from Connect contact events, and replies (one a
 * STOP). Then the report's numbers are checked against a direct count over the tracker: a
 * DynamoDB Scan of every item (test-only; the report itself reads person by person through
 * the roster).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectClient, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { LOCAL_NAMES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { withClock } from '../../lambdas/adapters/clock';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import type { Attempt } from '../../lambdas/adapters/cadence-ledger';
import { handler as recordDisposition } from '../../lambdas/handlers/record-disposition';
import { handler as recordDelivery } from '../../lambdas/handlers/record-delivery';
import { handler as receive } from '../../lambdas/handlers/receive-reply';
import { handler as outreachReport, type WrittenReport } from '../../lambdas/handlers/outreach-report';
import { cadenceTestConfig, enrollPeople, MONDAY_10AM_SEATTLE, phoneNumber, runEnrollment, SUNRISE, SUNRISE_SMS, type Enrolled, type Person } from './cadence-fixtures';

const INSTANCE = '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const INSTANCE_ARN = `arn:aws:connect:us-east-1:000000000000:instance/${INSTANCE}`;

type Item = Record<string, any>;
type StepCounts = { sent: number; delivered: number; failed: number; skipped: Record<string, number> };

describe('the outreach report on a scenario', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  let written: WrittenReport;
  let items: Item[];
  const people: Record<string, Person> = {
    texts: { id: 'rpt-texts', mobile: phoneNumber(1, 'MOBILE', 540) },
    textsToo: { id: 'rpt-texts-too', mobile: phoneNumber(2, 'MOBILE', 540) },
    textsThree: { id: 'rpt-texts-three', mobile: phoneNumber(3, 'MOBILE', 540) },
    landline: { id: 'rpt-landline', home: phoneNumber(4, 'LANDLINE', 540) },
    noConsent: { id: 'rpt-no-consent', mobile: phoneNumber(5, 'MOBILE', 540), smsConsent: 'N', callConsent: 'N', marketingConsent: 'N' },
    mailOnly: { id: 'rpt-mail-only' },
  };
  const contactId = (p: Person) => enrolled.contactId(p.id);
  const fixed = <T>(iso: string, fn: () => Promise<T>) => withClock({ now: () => new Date(iso) }, fn);

  /** A call the cadence could have queued, with the agent's disposition set on it, and its contact event. */
  async function agentDisposition(person: Person, attributes: Record<string, string>, agent: string, at: string): Promise<unknown> {
    const call = await new ContactCenter().queueCall({
      instanceId: INSTANCE,
      contactFlowId: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
      queueId: '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a',
      to: person.mobile ?? person.home!,
      attemptKey: `test#report#${person.id}`,
      attributes: { practiceId: SUNRISE, contactId: contactId(person) },
    });
    await new ConnectClient({}).send(new UpdateContactAttributesCommand({ InstanceId: INSTANCE, InitialContactId: call, Attributes: attributes }));
    const event = {
      version: '0',
      id: `evt-${call}`,
      source: 'aws.connect',
      'detail-type': 'Amazon Connect Contact Event',
      detail: { eventType: 'COMPLETED', contactId: call, initialContactId: call, instanceArn: INSTANCE_ARN, channel: 'VOICE', initiationMethod: 'OUTBOUND', agentInfo: { agentArn: `${INSTANCE_ARN}/agent/${agent}` } },
    };
    return fixed(at, () => recordDisposition(event));
  }

  const reply = (from: string, text: string, id: string, at: string) =>
    fixed(at, () => receive({ Records: [{ Sns: { Message: JSON.stringify({ originationNumber: from, destinationNumber: SUNRISE_SMS, messageBody: text, inboundMessageId: id }) } }] }));

  const delivery = (a: Attempt, eventType: string, at: number) =>
    recordDelivery({
      Records: [
        {
          Sns: {
            Message: JSON.stringify({ eventType, eventVersion: '1.0', eventTimestamp: at, isFinal: true, originationPhoneNumber: SUNRISE_SMS, destinationPhoneNumber: a.to, messageId: a.providerMessageId, messageStatus: eventType.slice(5), context: { attempt: a.attemptKey, practice: SUNRISE, contact: a.contactId } }),
          },
        },
      ],
    });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reports-'));
    stack = await startLocalStack({ inMemory: true, sandbox: { latencyMs: 2 }, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'reports.csv', Object.values(people));

    // Everyone through both rounds of the cadence.
    const texts: Attempt[] = [];
    for (const p of Object.values(people)) {
      const run = await runEnrollment(stack, enrolled.execution(p.id), { roundStartedAt: MONDAY_10AM_SEATTLE });
      const { result } = run.run;
      if (result.status !== 'SUCCEEDED') throw new Error(`${p.id}: ${result.status} ${result.error} ${result.cause}`);
      texts.push(...run.attempts.filter((a) => a.channel === 'sms' && a.status === 'sent'));
    }
    // What the carriers said of two texts: one delivered, one to a number that cannot take texts.
    const T = Date.parse('2027-03-08T18:05:00Z');
    expect(await delivery(texts[0]!, 'TEXT_DELIVERED', T)).toEqual({ outcomes: ['delivered'] });
    expect((await delivery(texts[1]!, 'TEXT_INVALID', T)).outcomes).toHaveLength(1);

    // Agents' dispositions, and replies, after the cadence.
    await agentDisposition(people.texts!, { disposition: 'Appointment Booked', appointmentAt: '2030-01-15T14:30', appointmentPlace: 'Pine St' }, 'a-1', '2027-05-03T18:00:00.000Z');
    await agentDisposition(people.landline!, { disposition: 'Not Interested' }, 'a-2', '2027-05-03T18:30:00.000Z');
    await agentDisposition(people.textsThree!, { disposition: 'Appointment Booked', appointmentAt: '2030-01-16T10:00' }, 'a-2', '2027-05-04T18:00:00.000Z');
    await reply(people.textsToo!.mobile!, 'STOP', 'rpt-in-stop', '2027-05-05T18:00:00.000Z');
    await reply(people.noConsent!.mobile!, 'Who is this?', 'rpt-in-other', '2027-05-05T19:00:00.000Z');

    [written] = await outreachReport({ practiceId: SUNRISE, periods: ['all'], date: '2028-01-01' });

    // The direct count's source: every item of the table.
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    items = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: LOCAL_NAMES.table, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    doc.destroy();
  });
  afterAll(() => stack?.stop());

  const ofPractice = (skPrefix: string) => items.filter((i) => String(i.pk).startsWith(`PRACTICE#${SUNRISE}#CONTACT#`) && String(i.sk).startsWith(skPrefix));

  it('counts the practice\'s whole period, for everyone imported', () => {
    expect(written.period).toBe('all');
    expect(written.report.period.to).toBe('2028-01-02T08:00:00.000Z');
    expect(written.report.people).toBe(ofPractice('PROFILE').length);
    expect(written.report.people).toBe(Object.keys(people).length);
  });

  it('has per cadence, step and channel the sent, delivered, failed and skipped (by reason) of the ATTEMPT# items', () => {
    const direct: Record<string, StepCounts> = {};
    for (const a of ofPractice('ATTEMPT#')) {
      const key = `${a.cadence}/${a.stepId}/${a.channel}`;
      const row = (direct[key] ??= { sent: 0, delivered: 0, failed: 0, skipped: {} });
      if (a.status === 'sent') row.sent += 1;
      if (a.status === 'sent' && ['delivered', 'answered', 'completed'].includes(a.delivery?.status)) row.delivered += 1;
      if (a.status === 'failed' || (a.status === 'sent' && a.delivery?.failure)) row.failed += 1;
      if (a.status === 'skipped') row.skipped[a.reason ?? 'unknown'] = (row.skipped[a.reason ?? 'unknown'] ?? 0) + 1;
    }
    const reported = Object.fromEntries(written.report.steps.map((s) => [`${s.cadence}/${s.step}/${s.channel}`, { sent: s.sent, delivered: s.delivered, failed: s.failed, skipped: s.skipped }]));
    expect(reported).toEqual(direct);

    // The scenario is not empty: every channel acted, some steps were skipped, a text was delivered and one failed.
    const total = (f: (r: StepCounts) => number) => Object.values(direct).reduce((n, r) => n + f(r), 0);
    expect(Object.keys(direct)).toEqual(expect.arrayContaining(['community-outreach/postcard/postcard', 'community-outreach/sms/sms', 'community-outreach/voicemail/voicemail', 'community-outreach/call/call']));
    expect(total((r) => r.sent)).toBeGreaterThan(10);
    expect(total((r) => Object.values(r.skipped).reduce((a, b) => a + b, 0))).toBeGreaterThan(3);
    expect(total((r) => r.delivered)).toBe(1);
    expect(total((r) => r.failed)).toBeGreaterThanOrEqual(1);
  });

  it('has the HISTORY# dispositions by code, and the opt-outs by channel', () => {
    const byCode: Record<string, number> = {};
    for (const h of ofPractice('HISTORY#').filter((i) => i.kind === 'disposition')) byCode[h.detail.code] = (byCode[h.detail.code] ?? 0) + 1;
    const optOuts: Record<string, number> = {};
    for (const h of ofPractice('HISTORY#').filter((i) => i.kind === 'opt-out')) optOuts[h.detail.channel] = (optOuts[h.detail.channel] ?? 0) + 1;

    expect(written.report.dispositions.byCode).toEqual(byCode);
    expect(byCode).toEqual({ 'appointment-booked': 2, 'not-interested': 1 });
    expect(written.report.dispositions.byAgent).toEqual({ 'a-1': { 'appointment-booked': 1 }, 'a-2': { 'not-interested': 1, 'appointment-booked': 1 } });
    expect(written.report.optOuts).toEqual(optOuts);
    expect(optOuts.sms).toBe(1);
  });

  it('counts the funnel over the rounds people were planned in, and the flag the unexpected reply raised', () => {
    const rounds = written.report.funnel.filter((f) => f.cadence === 'community-outreach');
    expect(rounds.map((f) => f.round)).toEqual([1, 2]);
    expect(rounds[0]!.enrolled).toBe(Object.keys(people).length);
    // The bookings (and the answered calls) came after round 2 began: they count for round 2.
    expect(rounds[1]).toMatchObject({ booked: 2 });
    expect(written.report.flags.unhandled).toBe(items.filter((i) => i.pk === `FLAGS#${SUNRISE}` && !i.handledAt).length);
    expect(written.report.flags.unhandled).toBeGreaterThanOrEqual(1);
    expect(written.report.imports.map((i) => i.key)).toEqual([`inbox/${SUNRISE}/reports.csv`]);
  });

  it('on a Monday writes the day and the week before it from one pass over the people, each as a run of its own would', async () => {
    const monday = '2027-05-10';
    const both = await outreachReport({ practiceId: SUNRISE, date: monday });
    expect(both.map((w) => w.period)).toEqual(['daily', 'weekly']);
    const [dayAlone] = await outreachReport({ practiceId: SUNRISE, periods: ['daily'], date: monday });
    const [weekAlone] = await outreachReport({ practiceId: SUNRISE, periods: ['weekly'], date: monday });
    const content = (w: WrittenReport) => ({ ...w.report, generatedAt: undefined });
    expect(content(both[0]!)).toEqual(content(dayAlone!));
    expect(content(both[1]!)).toEqual(content(weekAlone!));
    // The week holds the agents' dispositions of 3 and 4 May: the comparison is not of two empty reports.
    expect(both[1]!.report.dispositions.byCode).not.toEqual({});
  });

  it('writes the CSV and the HTML page to reports/<practice>/all/ in the reports bucket', async () => {
    const base = `reports/${SUNRISE}/all/until-2028-01-01`;
    expect([written.csv, written.html]).toEqual([`s3://${LOCAL_NAMES.reportsBucket}/${base}.csv`, `s3://${LOCAL_NAMES.reportsBucket}/${base}.html`]);
    const csv = await stack.s3.send(new HeadObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: `${base}.csv` }));
    const html = await stack.s3.send(new HeadObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: `${base}.html` }));
    expect(csv.ContentType).toBe('text/csv; charset=utf-8');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    const text = await (await stack.s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: `${base}.csv` }))).Body!.transformToString();
    expect(text).toContain(`\r\ndispositions by code\r\ncode,count\r\n`);
    expect(text).toContain('appointment-booked,2\r\n');
    const page = await (await stack.s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: `${base}.html` }))).Body!.transformToString();
    expect(page.match(/<svg[\s>]/g)).toHaveLength(4);
  });
});
