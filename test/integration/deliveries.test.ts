/**
 * Delivery events through the real record-delivery handler against the local engines: each
 * event as the delivery-events SNS topic delivers it, the attempt it names already in the
 * ledger (as a send leaves it), and what the attempt, the person and the next plan show.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/local-stack';
import { dependencies, loadSendSituation } from '../../lambdas/handlers/cadence-support';
import { handler as record } from '../../lambdas/handlers/record-delivery';
import { captureEmf } from '../support/emf';
import { planSend } from '../../lambdas/domain/step-plan';
import { cadenceTestConfig, enrollPeople, MONDAY_10AM_SEATTLE, phoneNumber, SUNRISE, type Enrolled, type Person } from './cadence-fixtures';

describe('record-delivery', () => {
  let stack: LocalStack;
  let enrolled: Enrolled;
  const people: Record<string, Person> = {
    lands: { id: 'del-lands', mobile: phoneNumber(31, 'MOBILE', 530) },
    stopped: { id: 'del-stopped', mobile: phoneNumber(32, 'MOBILE', 530) },
    invalid: { id: 'del-invalid', mobile: phoneNumber(33, 'MOBILE', 530), home: phoneNumber(34, 'LANDLINE', 530) },
    flaky: { id: 'del-flaky', mobile: phoneNumber(35, 'MOBILE', 530) },
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deliveries-'));
    stack = await startLocalStack({ inMemory: true, configPath: cadenceTestConfig(dir) });
    enrolled = await enrollPeople(stack, dir, SUNRISE, 'deliveries.csv', Object.values(people));
  });
  afterAll(() => stack?.stop());

  const contactId = (p: Person) => enrolled.contactId(p.id);
  /** An attempt as a send leaves it: claimed, then sent. */
  async function sent(p: Person, attemptKey: string): Promise<void> {
    const { ledger } = dependencies();
    const attempt = { attemptKey, practiceId: SUNRISE, contactId: contactId(p), enrollmentId: 'e-test', cadence: 'community-outreach', round: 1, stepId: 'sms', channel: 'sms' as const, status: 'claimed' as const, owner: 'test', to: p.mobile, at: new Date().toISOString() };
    await ledger.claimAttempt(attempt);
    await ledger.completeAttempt(attempt, { status: 'sent', providerMessageId: `m-${attemptKey}`, sentAt: new Date().toISOString() });
  }
  const event = (p: Person, attemptKey: string, eventType: string, at: number) => ({
    Records: [
      {
        Sns: {
          Message: JSON.stringify({ eventType, eventVersion: '1.0', eventTimestamp: at, isFinal: true, originationPhoneNumber: '+12065550188', destinationPhoneNumber: p.mobile, messageId: `m-${attemptKey}`, messageStatus: eventType.slice(5), context: { attempt: attemptKey, practice: SUNRISE, contact: contactId(p) } }),
        },
      },
    ],
  });
  const attemptOf = async (p: Person, key: string) => dependencies().ledger.getAttempt(SUNRISE, contactId(p), key);
  const contactOf = async (p: Person) => (await dependencies().tracker.getContact(SUNRISE, contactId(p)))!;

  it('keeps the event that stands whatever the order, and a duplicate or a late passing event changes nothing', async () => {
    await sent(people.lands!, 'del#1');
    const T = 1_790_000_000_000;
    expect(await record(event(people.lands!, 'del#1', 'TEXT_DELIVERED', T + 2000))).toEqual({ outcomes: ['delivered'] });
    expect(await record(event(people.lands!, 'del#1', 'TEXT_QUEUED', T))).toEqual({ outcomes: ['superseded'] });
    expect(await record(event(people.lands!, 'del#1', 'TEXT_DELIVERED', T + 2000))).toEqual({ outcomes: ['superseded'] });
    expect((await attemptOf(people.lands!, 'del#1'))?.delivery).toEqual({ eventType: 'TEXT_DELIVERED', status: 'delivered', final: true, at: T + 2000 });
    expect((await contactOf(people.lands!)).lastDelivered?.[people.lands!.mobile!]).toBe(T + 2000);
  });

  it('a number the carrier reports opted out opts the person out of texts in the tracker', async () => {
    await sent(people.stopped!, 'del#2');
    expect(await record(event(people.stopped!, 'del#2', 'TEXT_OPTED_OUT', 1_790_000_000_000))).toEqual({ outcomes: ['opted-out'] });
    expect((await contactOf(people.stopped!)).optedOut.sms).toEqual(expect.any(String));
  });

  it('a number texts cannot reach is left for voice: the next text has no number, the next call uses the other', async () => {
    await sent(people.invalid!, 'del#3');
    expect(await record(event(people.invalid!, 'del#3', 'TEXT_INVALID', 1_790_000_000_000))).toEqual({ outcomes: ['invalid-number'] });
    const person = await contactOf(people.invalid!);
    expect(person.undeliverable?.[people.invalid!.mobile!]).toMatchObject({ channel: 'sms' });
    const s = { ...(await loadSendSituation(dependencies().config.practices[0]!, person)), now: MONDAY_10AM_SEATTLE };
    expect(planSend(s, { id: 'sms', channel: 'sms', purpose: 'care', phoneTypes: ['MOBILE'], day: 0 })).toMatchObject({ action: 'skip', reason: 'no-number-for-step' });
    expect(planSend(s, { id: 'voicemail', channel: 'voicemail', purpose: 'care', phoneTypes: ['MOBILE', 'LANDLINE'], day: 0 })).toMatchObject({ action: 'send', to: people.invalid!.mobile });
  });

  it(`three failures in a row to one number stop its use; a message that gets through in between starts the count again`, async () => {
    const T = 1_790_000_000_000;
    const p = people.flaky!;
    for (const [key, type, at] of [
      ['del#f1', 'TEXT_CARRIER_UNREACHABLE', T],
      ['del#f2', 'TEXT_UNREACHABLE', T + 1000],
      ['del#ok', 'TEXT_DELIVERED', T + 2000],
      ['del#f3', 'TEXT_TTL_EXPIRED', T + 3000],
      ['del#f4', 'TEXT_UNREACHABLE', T + 4000],
    ] as const) {
      await sent(p, key);
      await record(event(p, key, type, at));
    }
    expect((await contactOf(p)).undeliverable?.[p.mobile!]).toBeUndefined();
    await sent(p, 'del#f5');
    // The same failure delivered twice counts once.
    await record(event(p, 'del#f5', 'TEXT_SPAM', T + 5000));
    await record(event(p, 'del#f5', 'TEXT_SPAM', T + 5000));
    expect((await contactOf(p)).undeliverable?.[p.mobile!]).toMatchObject({ channel: 'all' });
  });

  it('an event without this system\'s context is not ours; one naming an attempt not in the ledger is said so; a malformed one of ours fails with why', async () => {
    expect(await record({ Records: [{ Sns: { Message: JSON.stringify({ eventType: 'TEXT_DELIVERED', eventTimestamp: 1, destinationPhoneNumber: '+12065550100', messageId: 'x' }) } }] })).toEqual({ outcomes: ['not ours'] });
    expect(await record(event(people.lands!, 'del#never-sent', 'TEXT_DELIVERED', 1))).toEqual({ outcomes: ['no-attempt'] });
    await expect(record({ Records: [{ Sns: { Message: JSON.stringify({ eventType: 'TEXT_DELIVERED', context: { attempt: 'a' } }) } }] })).rejects.toThrow(/not a delivery event this system can read/);
  });
  it('counts each message\'s outcome once as DeliveryEvents {practice, status}, whatever the order and the repeats', async () => {
    const T = 1_790_100_000_000;
    const p = people.lands!;
    await sent(p, 'del#m1');
    await sent(p, 'del#m2');
    const { counts } = await captureEmf(async () => {
      // m1: queued, accepted by the carrier, then delivered (twice): one delivered message.
      for (const [type, at] of [['TEXT_QUEUED', T], ['TEXT_SUCCESSFUL', T + 1000], ['TEXT_DELIVERED', T + 2000], ['TEXT_DELIVERED', T + 2000]] as const) await record(event(p, 'del#m1', type, at));
      // m2: the failure arrives before the passing event it follows.
      await record(event(p, 'del#m2', 'TEXT_CARRIER_UNREACHABLE', T + 3000));
      await record(event(p, 'del#m2', 'TEXT_QUEUED', T));
    });

    expect(counts.filter((c) => c.name === 'DeliveryEvents').map((c) => c.dimensions)).toEqual([
      { service: 'patient-outreach', practice: SUNRISE, status: 'delivered' },
      { service: 'patient-outreach', practice: SUNRISE, status: 'failed' },
    ]);
  });

  it('counts an opt-out the carrier reports for someone not yet opted out, once', async () => {
    const p = people.flaky!;
    await sent(p, 'del#m4');
    const { counts } = await captureEmf(async () => {
      await record(event(p, 'del#m4', 'TEXT_OPTED_OUT', 1_790_200_000_000));
      await record(event(p, 'del#m4', 'TEXT_OPTED_OUT', 1_790_200_000_000));
    });
    expect(counts.filter((c) => c.name === 'OptOuts').map((c) => c.dimensions)).toEqual([{ service: 'patient-outreach', practice: SUNRISE, channel: 'sms' }]);
  });
});
