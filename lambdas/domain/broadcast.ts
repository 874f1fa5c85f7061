/**
 * Broadcasts: one message (a template per channel, each with its languages) to everyone in
 * a segment, now or at a set time, under every rule of the cadence: consent for the
 * template's purpose, the recipient's window (a 9:00 Eastern start reaches Pacific
 * recipients when their window opens), the frequency cap (an urgent notice may bypass the
 * cap, never consent or the window), pacing, exactly once per person per run.
 *
 * A run is one sending of a broadcast (or one day of a campaign). Its id is fixed by what
 * triggered it, so a duplicate trigger finds the run already there and sends nothing twice.
 */
import { z } from 'zod';
import type { PhoneType } from './phone';
import type { StepDecision } from './step-plan';

/** Which template each channel uses; people take the first channel that fits them, in this order: SMS, then voicemail. */
export const broadcastTemplatesSchema = z
  .strictObject({
    /** Texted to mobile numbers. */
    sms: z.string().min(1).optional(),
    /** Left as a voicemail on landlines (and mobiles the person cannot be texted on). */
    voicemail: z.string().min(1).optional(),
  })
  .refine((t) => t.sms !== undefined || t.voicemail !== undefined, { message: 'a broadcast needs an sms or a voicemail template' });
export type BroadcastTemplates = z.infer<typeof broadcastTemplatesSchema>;

export const broadcastSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'broadcast name: lower-case letters, digits and dashes'),
  practice: z.string().min(1),
  segment: z.string().min(1),
  templates: broadcastTemplatesSchema,
  /** When it starts (ISO 8601 with offset); omitted → when it is started. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** An urgent notice (a closure, a recall) is not held by the frequency cap; consent and the window still hold. @default false */
  urgent: z.boolean().default(false),
  /** Sending at `at` to more people than broadcasting.confirmAbove is confirmed (the schedule has no one to ask). @default false */
  confirmed: z.boolean().default(false),
});
export type Broadcast = z.infer<typeof broadcastSchema>;

export const broadcastingSchema = z
  .strictObject({
    /** A run for more people than this must be started with an explicit confirmation. @default 25000 */
    confirmAbove: z.number().int().min(1).default(25_000),
    /** Members one send task handles before it hands back (progress is written after each). @default 500 */
    sendsPerTask: z.number().int().min(1).max(10_000).default(500),
  })
  .default({ confirmAbove: 25_000, sendsPerTask: 500 });

export type ChannelName = keyof BroadcastTemplates;

/** The step each broadcast channel sends as: its channel and the number types it takes. */
export const BROADCAST_CHANNELS: Readonly<Record<ChannelName, { readonly channel: 'sms' | 'voicemail'; readonly phoneTypes: readonly PhoneType[] }>> = {
  sms: { channel: 'sms', phoneTypes: ['MOBILE'] },
  voicemail: { channel: 'voicemail', phoneTypes: ['LANDLINE', 'VOIP', 'MOBILE'] },
};

type Planned = Exclude<StepDecision, { action: 'stop' } | { action: 'finish' }>;

/**
 * The channel a person gets the broadcast through: the first (SMS, then voicemail) whose
 * plan is to send, now or later; else none, with the reason that matters most (a reason
 * other than "no number for this channel", i.e. what stopped the channel the person could take).
 */
export function chooseChannel(plans: readonly { readonly name: ChannelName; readonly plan: Planned }[]): { readonly name: ChannelName; readonly plan: Planned } | { readonly skip: string } {
  const usable = plans.find((p) => p.plan.action !== 'skip');
  if (usable) return usable;
  const telling = plans.find((p) => p.plan.action === 'skip' && p.plan.reason !== 'no-number-for-step');
  const first = telling ?? plans[0];
  return { skip: first && first.plan.action === 'skip' ? first.plan.reason : 'no-channel' };
}

export type RunKind = 'broadcast' | 'campaign';
export type RunStatus = 'queued' | 'sending' | 'cancelled' | 'done' | 'failed';

/** A run's progress, as staff see it while it runs. */
export interface RunCounts {
  /** People the segment held when the run was planned. */
  readonly members: number;
  /** Still to send (some waiting for their window or the cap). */
  readonly queued: number;
  readonly sent: number;
  readonly failed: number;
  /** Not sent, by reason (no-consent, opted-out, no-number-for-step, cancelled, …). */
  readonly skipped: Readonly<Record<string, number>>;
}

/** The run id: the broadcast and the instant it was set to start (or the trigger's own id). */
export function broadcastRunId(name: string, trigger: string): string {
  return `broadcast:${name}:${trigger}`;
}

export function campaignRunId(name: string, date: string): string {
  return `campaign:${name}:${date}`;
}

/** The exactly-once key of one person's message in a run (a campaign's includes the occurrence). */
export function memberKey(runId: string, occurrence?: string): string {
  return occurrence ? `${runId.split(':').slice(0, 2).join(':')}:${occurrence}` : runId;
}
