/** The sandbox's behaviour knobs, statistics and records — shared by the server, the control client and main.ts. */
import { z } from 'zod';

/** An E.164 phone number: `+`, a non-zero digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/**
 * Which calls a rule applies to: an operation name (`PhoneNumberValidate`), a qualified
 * name (`pinpoint:PhoneNumberValidate`), or `*` / omitted for every operation.
 * Exactly one of `every`, `firstN` or `probability` picks the calls it fires on; each rule
 * counts the calls it has seen since it was installed (by start, `configure` or `reset`).
 */
const injectionRuleFields = {
  operation: z.string().min(1).optional(),
  /** Fire on the Nth, 2Nth, 3Nth… matching call. */
  every: z.number().int().positive().optional(),
  /** Fire on the first K matching calls. */
  firstN: z.number().int().nonnegative().optional(),
  /** Fire with this probability, drawn from a PRNG seeded with `seed` (default: the sandbox's seed). */
  probability: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
};

const oneSelector = (rule: { every?: number; firstN?: number; probability?: number }) =>
  [rule.every, rule.firstN, rule.probability].filter((v) => v !== undefined).length === 1;
const oneSelectorMessage = { message: 'give exactly one of every, firstN, probability' };

export const InjectionRuleSchema = z.object(injectionRuleFields).strict().refine(oneSelector, oneSelectorMessage);
export const FaultRuleSchema = z
  .object({
    ...injectionRuleFields,
    /** 500 → the service's internal error (default), 503 → ServiceUnavailableException. */
    status: z.union([z.literal(500), z.literal(503)]).optional(),
  })
  .strict()
  .refine(oneSelector, oneSelectorMessage);

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time HH:MM');
/** A moment relative to the call, as an agent hears it: "in 6 days at 10:30" (the practice's local time). */
const relativeTime = z.object({ inDays: z.number().int().min(0).max(90), at: localTime }).strict();

/**
 * What happens on one call to a number: what the agent records (the contact attributes of
 * the agent workspace, with times relative to the call), or for a voicemail through Connect
 * what answering-machine detection reports; and for a booking, how the visit turns out (the
 * practice reports it: seen, no-show, or cancelled two days before).
 */
export const CallOutcomeSchema = z
  .object({
    disposition: z.string().min(1).optional(),
    appointment: relativeTime.extend({ place: z.string().min(1).max(40).optional() }).strict().optional(),
    callback: relativeTime.optional(),
    language: z.string().min(1).optional(),
    newNumber: z.string().min(1).optional(),
    smsConsent: z.enum(['yes', 'no']).optional(),
    amdStatus: z.string().min(1).optional(),
    visit: z.enum(['seen', 'no-show', 'cancelled']).optional(),
  })
  .strict();
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

export const ReplyScriptSchema = z.object({ afterText: z.number().int().min(1), text: z.string().min(1).max(1600), delayMinutes: z.number().int().min(0).max(7 * 24 * 60).optional() }).strict();
export type ReplyScript = z.infer<typeof ReplyScriptSchema>;

export const SandboxConfigSchema = z
  .object({
    /** Added before every answer: one number for all operations, or per operation with `*` as the default. */
    latencyMs: z.union([z.number().nonnegative(), z.record(z.string(), z.number().nonnegative())]).optional(),
    /** Calls per second per operation (key `*`: every operation, each its own bucket), as a token bucket. */
    rateLimits: z.record(z.string(), z.number().positive()).optional(),
    throttle: z.array(InjectionRuleSchema).optional(),
    faults: z.array(FaultRuleSchema).optional(),
    /**
     * Messages per second per origination identity (SendTextMessage, SendVoiceMessage), as a token
     * bucket per identity — how End User Messaging holds a sender to its MPS. Key `*`: every
     * identity without its own entry, each its own bucket.
     */
    identityRateLimits: z.record(z.string().min(1), z.number().positive()).optional(),
    /** E.164 numbers on the sandbox's opt-out list: texts and voice messages to them are refused. */
    optedOut: z.array(z.string().regex(E164, 'an E.164 phone number (+ and 2 to 15 digits)')).optional(),
    /**
     * Scripted outcomes of Connect calls by destination number: the Nth call to a number gets
     * the Nth outcome (the last one repeats). An unscripted agent call ends "no-answer"; an
     * unscripted voicemail call reaches a machine (VOICEMAIL_BEEP).
     */
    callOutcomes: z.record(z.string().regex(E164, 'an E.164 phone number (+ and 2 to 15 digits)'), z.array(CallOutcomeSchema).min(1)).optional(),
    /**
     * Scripted answers to texts, by the number texted: after its Nth text (`afterText`, from 1)
     * the person replies `text`, `delayMinutes` later (default 5). Each becomes a record of kind
     * `inbound-replies`: End User Messaging's two-way payload, for whoever delivers it.
     */
    replies: z.record(z.string().regex(E164, 'an E.164 phone number (+ and 2 to 15 digits)'), z.array(ReplyScriptSchema).min(1)).optional(),
    /**
     * Scripted delivery results by the number texted: the Nth text gets the Nth event type (the
     * last repeats); unscripted texts are TEXT_DELIVERED. Each text's event is a record of kind
     * `delivery-events`: the configuration set's event, with the send's context.
     */
    deliveries: z.record(z.string().regex(E164, 'an E.164 phone number (+ and 2 to 15 digits)'), z.array(z.string().regex(/^TEXT_[A-Z_]+$/)).min(1)).optional(),
  })
  .strict();

export const SandboxOptionsSchema = SandboxConfigSchema.extend({
  host: z.string().optional(),
  port: z.number().int().nonnegative().optional(),
  /** Default seed for probability rules (default 1). */
  seed: z.number().int().optional(),
}).strict();

export type InjectionRule = z.infer<typeof InjectionRuleSchema>;
export type FaultRule = z.infer<typeof FaultRuleSchema>;
export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;
export type SandboxOptions = z.infer<typeof SandboxOptionsSchema>;

export interface OperationStats {
  service: string;
  /** Every call that reached the operation. */
  calls: number;
  /** Calls the operation itself answered (2xx, or its own 4xx validation errors). */
  answered: number;
  /** Subset of `answered` the operation rejected with a 4xx validation error. */
  rejected: number;
  /** Calls refused by a rate limit: the operation's token bucket, or (messages) the origination identity's. */
  throttled: number;
  /** Throttling errors injected by `throttle` rules. */
  injectedThrottles: number;
  /** 5xx errors injected by `faults` rules. */
  injectedFaults: number;
  /** Highest number of answered calls whose arrival fell in any 1-second sliding window. */
  maxPerSecond: number;
}

/** Pacing of one origination identity (SendTextMessage, SendVoiceMessage). */
export interface IdentityStats {
  /** The operation that sent from it (`SendTextMessage`), comma-separated in order of first use if more than one did. */
  operation: string;
  /** Messages accepted (answered 2xx; dry runs send nothing and are not counted). */
  messages: number;
  /** Highest number of accepted messages whose arrival fell in any 1-second sliding window. */
  maxPerSecond: number;
  /** Messages refused because the identity's `identityRateLimits` bucket was empty. */
  throttled: number;
}

export interface SandboxStats {
  operations: Record<string, OperationStats>;
  /**
   * Per origination identity, keyed by the identity as sent (`+18005550100`, a pool id…): every
   * identity that had a message accepted or throttled since the last reset.
   */
  identities: Record<string, IdentityStats>;
  /** Calls to operations the sandbox does not serve. */
  unknownOperations: number;
  /** When the counters were last reset (ISO). */
  since: string;
}

export interface SandboxRecord<T = unknown> {
  /** Increasing across kinds; page with `since`. */
  seq: number;
  kind: string;
  operation: string;
  requestId: string;
  at: string;
  data: T;
}

export interface RecordsQuery {
  /** Only records with seq greater than this. */
  since?: number;
  limit?: number;
}

export interface ResetOptions {
  /** Also restore the configuration the sandbox was started with. */
  config?: boolean;
}

/** What both the in-process handle and the HTTP control client offer. */
export interface SandboxControl {
  readonly url: string;
  stats(): Promise<SandboxStats>;
  records<T = unknown>(kind?: string, query?: RecordsQuery): Promise<SandboxRecord<T>[]>;
  config(): Promise<SandboxConfig>;
  /** Merge into the current configuration (a key given replaces that key; rules restart their counts). */
  configure(config: SandboxConfig): Promise<SandboxConfig>;
  /** Clear records and statistics, refill token buckets, restart rule counts. */
  reset(options?: ResetOptions): Promise<void>;
  /**
   * A call coming in from the phone network: Connect makes a contact (no attributes yet, as
   * before the inbound flow runs) and answers its id, for GetContactAttributes and
   * UpdateContactAttributes. Recorded as kind `inbound-calls`.
   */
  inboundCall(call: InboundCall): Promise<{ ContactId: string }>;
}

export const InboundCallSchema = z.object({ InstanceId: z.string().min(1), From: z.string().regex(E164), To: z.string().regex(E164) }).strict();
export type InboundCall = z.infer<typeof InboundCallSchema>;
