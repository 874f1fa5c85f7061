import type { CadenceLedger } from '../../lambdas/adapters/cadence-ledger';
import { Pacer } from '../../lambdas/adapters/pacer';

/** The ledger's reservation rule in memory: the later of now and the identity's next free time, which then moves on by the spacing. */
class FakeLedger {
  readonly next = new Map<string, number>();
  readonly calls: Array<{ identity: string; nowMs: number; spacingMs: number }> = [];

  async reserveSendTime(identity: string, nowMs: number, spacingMs: number): Promise<number> {
    this.calls.push({ identity, nowMs, spacingMs });
    const at = Math.max(nowMs, this.next.get(identity) ?? 0);
    this.next.set(identity, at + spacingMs);
    return at;
  }
}

/** A pacer on a fake ledger; no lead unless asked, so slot arithmetic reads plainly. */
function pacer(marginMs?: number, leadMs = 0) {
  const ledger = new FakeLedger();
  return { ledger, pacer: new Pacer(ledger as unknown as CadenceLedger, marginMs, leadMs) };
}

const T0 = 1_780_000_000_000;

describe('Pacer.spacingMs', () => {
  it('spaces sends (1000 + 40) / rate ms apart by default', () => {
    expect(pacer().pacer.spacingMs(10)).toBe(104);
    expect(pacer().pacer.spacingMs(1)).toBe(1040);
    expect(pacer().pacer.spacingMs(20)).toBe(52);
  });

  it('uses the configured margin', () => {
    expect(pacer(0).pacer.spacingMs(10)).toBe(100);
    expect(pacer(60).pacer.spacingMs(4)).toBe(265);
  });

  it('keeps a fractional spacing rather than rounding it away', () => {
    expect(pacer().pacer.spacingMs(3)).toBeCloseTo(346.667, 3);
  });
});

describe('Pacer.reserve', () => {
  it('asks the ledger for a slot with the spacing for the rate', async () => {
    const { ledger, pacer: p } = pacer();

    const time = await p.reserve('+13125550100', 10, T0);

    expect(time).toEqual({ atMs: T0 });
    expect(ledger.calls).toEqual([{ identity: '+13125550100', nowMs: T0, spacingMs: 104 }]);
  });

  it('gives concurrent senders of one identity slots one spacing apart', async () => {
    const { pacer: p } = pacer();

    const times = await Promise.all(Array.from({ length: 5 }, () => p.reserve('id-1', 10, T0)));

    expect(times.map((t) => t.atMs - T0)).toEqual([0, 104, 208, 312, 416]);
  });

  it('keeps any rate + 1 consecutive sends more than a second apart', async () => {
    const rate = 20;
    const { pacer: p } = pacer();

    const times: number[] = [];
    for (let i = 0; i < 3 * rate; i++) times.push((await p.reserve('id-1', rate, T0 + i)).atMs);

    for (let i = 0; i + rate < times.length; i++) expect(times[i + rate]! - times[i]!).toBeGreaterThan(1000);
  });

  it('paces each identity on its own', async () => {
    const { pacer: p } = pacer();

    const a1 = await p.reserve('sms-id', 1, T0);
    const b1 = await p.reserve('voice-id', 1, T0);
    const a2 = await p.reserve('sms-id', 1, T0);

    expect([a1.atMs, b1.atMs, a2.atMs]).toEqual([T0, T0, T0 + 1040]);
  });

  it('reserves the earliest slot the lead ahead of now, so preparing the send does not make it late', async () => {
    const { ledger, pacer: p } = pacer(40, 150);

    const first = await p.reserve('id-1', 10, T0);
    const second = await p.reserve('id-1', 10, T0);

    expect([first.atMs, second.atMs]).toEqual([T0 + 150, T0 + 254]);
    expect(ledger.calls[0]).toEqual({ identity: 'id-1', nowMs: T0 + 150, spacingMs: 104 });
  });

  it('reserves with a lead by default', async () => {
    const ledger = new FakeLedger();

    const time = await new Pacer(ledger as unknown as CadenceLedger).reserve('id-1', 10, T0);

    expect(time.atMs).toBeGreaterThan(T0);
  });

  it('sends straight away when the identity has been idle', async () => {
    const { pacer: p } = pacer();
    await p.reserve('id-1', 10, T0);

    const later = await p.reserve('id-1', 10, T0 + 5_000);

    expect(later).toEqual({ atMs: T0 + 5_000 });
  });
});

describe('Pacer.waitFor', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('waits until the reserved time and says the send may go', async () => {
    const { pacer: p } = pacer();
    let answer: boolean | undefined;

    const waiting = p.waitFor({ atMs: T0 + 500 }).then((ok) => (answer = ok));
    await jest.advanceTimersByTimeAsync(499);
    const before = answer;
    await jest.advanceTimersByTimeAsync(1);
    await waiting;

    expect(before).toBeUndefined();
    expect(answer).toBe(true);
    expect(Date.now()).toBe(T0 + 500);
  });

  it('says go at once for a time that is now', async () => {
    const { pacer: p } = pacer();

    await expect(p.waitFor({ atMs: T0 })).resolves.toBe(true);
  });

  it('allows a waker up to the tolerance late', async () => {
    const { pacer: p } = pacer();

    await expect(p.waitFor({ atMs: T0 - 15 })).resolves.toBe(true);
    await expect(p.waitFor({ atMs: T0 - 30 }, 30)).resolves.toBe(true);
  });

  it('says do not send when asked after the slot has passed', async () => {
    const { pacer: p } = pacer();

    await expect(p.waitFor({ atMs: T0 - 16 })).resolves.toBe(false);
    await expect(p.waitFor({ atMs: T0 - 1_000 })).resolves.toBe(false);
  });

  it('says do not send when woken late (the next slot may already be going out)', async () => {
    const { pacer: p } = pacer();

    const waiting = p.waitFor({ atMs: T0 + 500 });
    // The process is frozen for a while: the clock moves on and the timer fires 200 ms late.
    jest.setSystemTime(T0 + 200);
    await jest.advanceTimersByTimeAsync(500);

    await expect(waiting).resolves.toBe(false);
    expect(Date.now()).toBe(T0 + 700);
  });
});
