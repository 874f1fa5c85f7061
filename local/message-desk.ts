/**
 * The phone network's part for texts, in a local run: what the sandbox recorded after each
 * text (its delivery event, and the person's reply where the scenario scripts one) is delivered
 * to the real handlers as End User Messaging's SNS topics would — record-delivery a minute
 * after the text, receive-reply `delayMinutes` after it — on a virtual clock at that time.
 */
import { withClock } from '../lambdas/adapters/clock';
import { dependencies } from '../lambdas/handlers/cadence-support';
import { VirtualClock } from './cadence-runner';
import type { RecordedDeliveryEvent, RecordedReply } from './sandbox/operations/sms-voice-v2-send-text-message';
import type { SandboxControl } from './sandbox/types';

export interface DueMessage {
  readonly seq: number;
  readonly kind: 'delivery' | 'reply';
  readonly at: Date;
  readonly contactId?: string;
  readonly message: string;
}

export interface DeliveredMessage {
  readonly kind: DueMessage['kind'];
  readonly at: string;
  readonly contactId?: string;
  readonly outcome: string;
}

export class MessageDesk {
  private readonly done = new Set<number>();
  readonly delivered: DeliveredMessage[] = [];

  constructor(private readonly sandbox: SandboxControl) {}

  /** What is still to be delivered (of one person, when given), soonest first. */
  async due(contactId?: string): Promise<DueMessage[]> {
    const { ledger } = dependencies();
    const out: DueMessage[] = [];
    const when = async (context: Record<string, string>, minutes: number): Promise<Date | undefined> => {
      const attempt = context.practice && context.contact && context.attempt ? await ledger.getAttempt(context.practice, context.contact, context.attempt) : undefined;
      return attempt?.sentAt ? new Date(Date.parse(attempt.sentAt) + minutes * 60_000) : undefined;
    };
    for (const r of await this.sandbox.records<RecordedDeliveryEvent>('delivery-events')) {
      const context = r.data.event.context as Record<string, string>;
      if (this.done.has(r.seq) || (contactId && context.contact !== contactId)) continue;
      const at = await when(context, 1);
      if (at) out.push({ seq: r.seq, kind: 'delivery', at, contactId: context.contact, message: JSON.stringify(r.data.event) });
    }
    for (const r of await this.sandbox.records<RecordedReply>('inbound-replies')) {
      if (this.done.has(r.seq) || (contactId && r.data.answers.contact !== contactId)) continue;
      const at = await when(r.data.answers, r.data.delayMinutes);
      if (at) out.push({ seq: r.seq, kind: 'reply', at, contactId: r.data.answers.contact, message: JSON.stringify(r.data.payload) });
    }
    return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq);
  }

  async deliver(m: DueMessage): Promise<void> {
    this.done.add(m.seq);
    const envelope = { Records: [{ Sns: { Message: m.message } }] };
    const handler = m.kind === 'delivery' ? (await import('../lambdas/handlers/record-delivery')).handler : (await import('../lambdas/handlers/receive-reply')).handler;
    const { outcomes } = await withClock(new VirtualClock(m.at), () => handler(envelope));
    this.delivered.push({ kind: m.kind, at: m.at.toISOString(), ...(m.contactId ? { contactId: m.contactId } : {}), outcome: outcomes[0]! });
  }
}
