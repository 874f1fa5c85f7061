import { MEASUREMENTS, measures, parseArgs } from '../../local/bench';
import { itemsOf } from '../../local/bench/dynamo-counter';
import { daytimeStart } from '../../local/bench/daytime';
import { checkSendWindow } from '../../lambdas/domain/send-window';

describe('npm run bench arguments', () => {
  it('runs every measurement at full size by default', () => {
    const args = parseArgs([]);
    expect(args.only).toBeUndefined();
    expect(args.enrollRows).toBe(100_000);
    expect(args.mobiles).toBe(600);
    expect(args.smsRate).toBe(10);
    expect(args.segmentSizes).toEqual([100_000, 1_000_000]);
    for (const m of MEASUREMENTS) expect(measures(args, m)).toBe(true);
  });

  it('--quick shrinks the enrollment, sender, broadcast and segments runs', () => {
    const args = parseArgs(['--quick']);
    expect(args.enrollRows).toBe(5_000);
    expect(args.mobiles).toBe(120);
    expect(args.smsRate).toBe(10);
    expect(args.sizes).toEqual([1_000, 2_500]);
    expect(args.segmentSizes).toEqual([2_000, 10_000]);
  });

  it.each(['enrollment', 'sender', 'transitions', 'import', 'validation', 'dispositions', 'segments', 'broadcast'] as const)('--only %s runs that measurement alone', (which) => {
    for (const argv of [['--only', which], [`--only=${which}`]]) {
      const args = parseArgs(argv);
      expect(args.only).toBe(which);
      for (const m of MEASUREMENTS) expect(measures(args, m)).toBe(m === which);
    }
  });

  it('refuses an unknown --only and names the ones it knows', () => {
    expect(() => parseArgs(['--only', 'everything'])).toThrow(/--only takes import, validation, enrollment, sender, transitions, dispositions, segments, broadcast/);
  });

  it('takes sizes and the SMS rate', () => {
    const args = parseArgs(['--enroll-rows=20_000', '--mobiles', '300', '--sms-rate', '5', '--segment-sizes', '5000,50_000', '--quick']);
    expect(args.enrollRows).toBe(20_000);
    expect(args.mobiles).toBe(300);
    expect(args.smsRate).toBe(5);
    expect(args.segmentSizes).toEqual([5_000, 50_000]);
  });

  it('refuses sizes it cannot measure', () => {
    expect(() => parseArgs(['--mobiles', '1'])).toThrow(/at least 2/);
    expect(() => parseArgs(['--sms-rate', '2000'])).toThrow(/at most 1000/);
    expect(() => parseArgs(['--enroll-rows', '0'])).toThrow(/positive whole number/);
    expect(() => parseArgs(['--segment-sizes', '1000,-5'])).toThrow(/--segment-sizes needs a positive whole number/);
  });
});

describe('DynamoDB write counting', () => {
  const body = (o: object, bytes = false) => (bytes ? new TextEncoder().encode(JSON.stringify(o)) : JSON.stringify(o));

  it('counts one item per single-item write and per batch entry', () => {
    expect(itemsOf('PutItem', {})).toEqual({ writes: 1, reads: 0 });
    expect(itemsOf('UpdateItem', {})).toEqual({ writes: 1, reads: 0 });
    expect(itemsOf('DeleteItem', {})).toEqual({ writes: 1, reads: 0 });
    const batch = { RequestItems: { t: [{ PutRequest: {} }, { PutRequest: {} }, { DeleteRequest: {} }], u: [{ PutRequest: {} }] } };
    expect(itemsOf('BatchWriteItem', { body: body(batch) })).toEqual({ writes: 4, reads: 0 });
    expect(itemsOf('BatchWriteItem', { body: body(batch, true) })).toEqual({ writes: 4, reads: 0 });
    expect(itemsOf('TransactWriteItems', { body: body({ TransactItems: [{}, {}] }) })).toEqual({ writes: 2, reads: 0 });
  });

  it('counts reads per key asked for', () => {
    expect(itemsOf('GetItem', {})).toEqual({ writes: 0, reads: 1 });
    expect(itemsOf('BatchGetItem', { body: body({ RequestItems: { t: { Keys: [{}, {}, {}] } } }, true) })).toEqual({ writes: 0, reads: 3 });
  });

  it('refuses to guess at a batch body it cannot read', () => {
    expect(() => itemsOf('BatchWriteItem', { body: { stream: true } })).toThrow(/request body/);
  });
});

describe('the sender benchmark start instant', () => {
  const rules = {
    window: { start: '08:00', end: '21:00' },
    holidays: [],
    stateRules: [],
  };
  const question = { purpose: 'care' as const, zip: '98101', phoneTimeZone: 'America/Los_Angeles', practiceTimeZone: 'America/Los_Angeles', state: 'WA' };

  it('is local noon of a coming weekday, inside the window', () => {
    const after = new Date('2026-11-21T07:00:00Z'); // a Saturday
    const { at, open } = daytimeStart(after, 'America/Los_Angeles', question, rules as never);
    expect(open).toBe(true);
    expect(at.toISOString()).toBe('2026-11-23T20:00:00.000Z'); // Monday 12:00 PST
    expect(checkSendWindow({ ...question, at }, rules as never).allowed).toBe(true);
  });
});
