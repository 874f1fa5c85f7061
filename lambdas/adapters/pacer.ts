/**
 * Paces every sender of an origination identity to its messages-per-second, across all
 * concurrent workflows: each message reserves a send time in the shared ledger, spaced
 * (1000 + margin) / rate ms apart, and goes out at that time. The margin keeps any
 * `rate` consecutive sends more than one second apart despite timer and network jitter
 * (96% of the allowed rate with the default 40 ms).
 */
import type { CadenceLedger } from './cadence-ledger';

export interface SendTime {
  /** Epoch ms the message may go out at. */
  readonly atMs: number;
}

export class Pacer {
  constructor(
    private readonly ledger: CadenceLedger,
    private readonly marginMs = 40,
    /**
     * How far ahead of now the earliest send time is reserved: the sender claims the attempt,
     * takes the cap and prepares the message between reserving and sending, and a time
     * reserved for "now" would find it already late (waitFor refuses a late send).
     */
    private readonly leadMs = 150,
  ) {}

  spacingMs(messagesPerSecond: number): number {
    return (1000 + this.marginMs) / messagesPerSecond;
  }

  async reserve(identity: string, messagesPerSecond: number, nowMs = Date.now()): Promise<SendTime> {
    return { atMs: await this.ledger.reserveSendTime(identity, nowMs + this.leadMs, this.spacingMs(messagesPerSecond)) };
  }

  /** Waits (real time) until the reserved time; a late waker must not send (the next slot's owner may be on time). */
  async waitFor(time: SendTime, toleranceMs = 15): Promise<boolean> {
    const wait = time.atMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return Date.now() - time.atMs <= toleranceMs;
  }
}
