/**
 * The stage config: one JSON file per deployment (see samples/stage.sample.json and the
 * README's configuration reference). CDK validates it at synth time and the Lambdas parse
 * the same file at cold start, so both sides share this one schema.
 */
import { z } from 'zod';
import { isValidPhoneNumber, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import {
  cadenceConfigProblems,
  cadencesSchema,
  consentDefaultsSchema,
  enrollmentSchema,
  frequencyCapSchema,
  linksSchema,
  smsSettingsSchema,
  templatesSchema,
} from './cadence-config';
import { CANONICAL_FIELDS } from './import-columns';
import { clockTime, LEGAL_WINDOW, localWindowSchema, sendWindowConfigSchema } from './send-window-rules';
import { WEEKDAYS } from './agent-hours';
import { appointmentPolicySchema } from './appointment';
import { REPLY_TEXT_KINDS, replyTextProblems, replyTextsSchema } from './reply-texts';
import { segmentSchema } from './segment';
import { broadcastingSchema, broadcastSchema, type BroadcastTemplates } from './broadcast';
import { campaignSchema } from './campaign';

const practiceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'practice id: 2–41 lower-case letters, digits or dashes (it is an S3 prefix)');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'not an IANA time zone (e.g. America/Chicago)');

const e164 = z.string().refine((n) => /^\+[1-9]\d{6,14}$/.test(n) && isValidPhoneNumber(n), 'not a valid E.164 phone number');

/** Extra header names mapped to canonical columns, e.g. { "Patient Cell": "mobilePhone" }. */
const headerAliases = z.record(z.string().min(1), z.enum(CANONICAL_FIELDS)).default({});

const originationIdentity = z
  .strictObject({
    /** A phone number, pool id or ARN already registered with End User Messaging (the usual case: ops register numbers once). */
    originationIdentity: z.string().min(1).optional(),
    /** Or: the messaging stack requests a number of this type (its registration stays an ops task). */
    provision: z
      .strictObject({
        numberType: z.enum(['TOLL_FREE', 'TEN_DLC', 'LONG_CODE', 'SIMULATOR']),
        isoCountryCode: z.string().length(2).default('US'),
        /** The approved 10DLC campaign or toll-free verification to attach, when there is one. */
        registrationId: z.string().min(1).optional(),
      })
      .optional(),
    /**
     * Messages per second the identity is registered for (short code 100, or what AWS granted).
     * @default 3 for a toll-free number (provisioned as TOLL_FREE, or an existing +1 8xx toll-free number), else 1 (10DLC)
     */
    messagesPerSecond: z.number().positive().max(1000).optional(),
    /**
     * The E.164 numbers behind an originationIdentity given as a phone number id, pool or ARN:
     * replies arrive at a number, and are matched to this practice by it.
     */
    numbers: z.array(e164).min(1).optional(),
  })
  .refine((o) => (o.originationIdentity === undefined) !== (o.provision === undefined), {
    message: 'give either originationIdentity (an existing number, pool or ARN) or provision (the stack requests a number), not both',
  })
  .refine((o) => o.numbers === undefined || (o.originationIdentity !== undefined && !o.originationIdentity.startsWith('+')), {
    message: 'numbers is for an originationIdentity given as an id, pool or ARN (a number is its own number; a requested one is known to the stack)',
    path: ['numbers'],
  })
  .transform(({ messagesPerSecond, ...o }) => ({ ...o, messagesPerSecond: messagesPerSecond ?? (isTollFree(o) ? 3 : 1) }));

/** Toll-free numbers start at 3 messages a second in the US; 10DLC numbers at 1 until their campaign is vetted. */
function isTollFree(o: { originationIdentity?: string; provision?: { numberType: string } }): boolean {
  if (o.provision) return o.provision.numberType === 'TOLL_FREE';
  return parsePhoneNumberFromString(o.originationIdentity ?? '')?.getType() === 'TOLL_FREE';
}

/** End User Messaging resources shared by the deployment: existing ones by name, or created by the messaging stack. */
const messagingSchema = z
  .strictObject({
    /** An existing configuration set; omitted → the messaging stack creates one with a delivery-event destination. */
    configurationSetName: z.string().min(1).optional(),
    /** An existing opt-out list; omitted → the messaging stack creates one. */
    optOutListName: z.string().min(1).optional(),
  })
  .default({});

const openingHours = z
  .strictObject({ open: clockTime, close: clockTime })
  .refine((h) => h.open < h.close, { message: 'agents must arrive before they leave (open < close)' });

const connectId = (what: string) => z.string().regex(/^[0-9a-f-]{36}$/, what);

/**
 * A practice's Amazon Connect contact center: an existing instance (`instanceId`, with the
 * outbound flow and queue ops built there), or one the contact center stack creates
 * (`instanceAlias`), whose queue and flows then come from that stack.
 */
const contactCenterSchema = z
  .strictObject({
    /** An existing Connect instance id (a UUID); omitted → give instanceAlias and the stack creates the instance. */
    instanceId: connectId('a Connect instance id (UUID)').optional(),
    /**
     * The alias (the instance's web address) of an instance the contact center stack creates,
     * with its hours, queue, routing profile, voice number and flows. Instead of instanceId.
     */
    instanceAlias: z
      .string()
      .min(1)
      .max(45)
      .regex(/^(?!d-)[\da-zA-Z]+(-*[\da-zA-Z])*$/, 'a Connect instance alias: letters, digits and dashes, not starting with "d-"')
      .optional(),
    /** The outbound contact flow that connects the call to an agent (whisper, voicemail path). Required with instanceId; created with instanceAlias. */
    outboundFlowId: connectId('a contact flow id (UUID)').optional(),
    /** The agents' outreach queue. Required with instanceId; created with instanceAlias. */
    queueId: connectId('a queue id (UUID)').optional(),
    /**
     * A contact flow that plays the voicemail after the answering machine's beep (Connect's
     * answering-machine detection). Given → voicemail steps go through Connect from the voice
     * number claimed in the instance; omitted → End User Messaging SendVoiceMessage (README: the trade-off).
     */
    voicemailFlowId: connectId('a contact flow id (UUID)').optional(),
    /**
     * The voice number the stack claims in the instance it creates (the IVR answers it; outbound calls show it).
     * @default { countryCode: "US", type: "DID" }
     */
    phoneNumber: z
      .strictObject({
        countryCode: z.string().regex(/^[A-Z]{2}$/, 'an ISO country code (US)').default('US'),
        type: z.enum(['DID', 'TOLL_FREE', 'UIFN', 'SHARED', 'THIRD_PARTY_DID', 'THIRD_PARTY_TF', 'SHORT_CODE']).default('DID'),
        /** Claim a number starting with this, e.g. "+1206". */
        prefix: z.string().regex(/^\+[0-9]{1,15}$/, 'a number prefix with its country code, e.g. +1206').optional(),
      })
      .optional(),
    /** Calls started per second across every workflow (Connect's StartOutboundVoiceContact rate). @default 1 */
    callsPerSecond: z.number().positive().max(10).default(1),
    /** When agents are there, in the practice's time zone; a missing day is closed. National holidays are closed. */
    hours: z.partialRecord(z.enum(WEEKDAYS), openingHours),
  })
  .superRefine((cc, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((cc.instanceId === undefined) === (cc.instanceAlias === undefined)) {
      issue('instanceId', 'give either instanceId (an existing Connect instance) or instanceAlias (the contact center stack creates one), not both');
      return;
    }
    if (cc.instanceId !== undefined) {
      for (const key of ['outboundFlowId', 'queueId'] as const) {
        if (cc[key] === undefined) issue(key, `an existing instance (instanceId) needs ${key}; the stack creates it only for an instance it creates (instanceAlias)`);
      }
      if (cc.phoneNumber !== undefined) issue('phoneNumber', 'the stack claims a number only in an instance it creates (instanceAlias); claim it in the existing instance instead');
    } else {
      for (const key of ['outboundFlowId', 'queueId', 'voicemailFlowId'] as const) {
        if (cc[key] !== undefined) issue(key, `the stack creates ${key} in the instance it creates (instanceAlias): remove it, or give instanceId for an existing instance`);
      }
    }
  });

export const practiceSchema = z.strictObject({
  id: practiceId,
  displayName: z.string().min(1).max(60),
  callbackNumber: e164,
  timeZone,
  address: z.strictObject({
    line1: z.string().min(1),
    line2: z.string().optional(),
    city: z.string().min(1),
    state: z.string().regex(/^[A-Z]{2}$/),
    zip: z.string().regex(/^\d{5}(-\d{4})?$/),
  }),
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).min(1).default(['en']),
  sms: originationIdentity,
  voice: originationIdentity,
  /** Country assumed for numbers written without a country code. */
  defaultCountry: z.string().length(2).optional(),
  import: z
    .strictObject({
      headerAliases,
    })
    .default({ headerAliases: {} }),
  /** Which cadence people from this practice's files are enrolled in. @default { byPrefix: {} } (nobody is enrolled) */
  enrollment: enrollmentSchema,
  /** Consent the practice already holds for some or all of its contacts (care only), e.g. { tag: "patient", grant: ["sms:care", "voice:care"] }. @default [] */
  consentDefaults: consentDefaultsSchema,
  /** A narrower send window for this practice; omitted → the stage's sendWindow.window. */
  sendWindow: localWindowSchema.optional(),
  /** Named https links templates use as {link:NAME}, e.g. { "book": "https://…" }. @default {} */
  links: linksSchema,
  /** The Amazon Connect instance agent-call steps queue calls to; omitted → call steps are skipped ("no-contact-center"). */
  contactCenter: contactCenterSchema.optional(),
});

const observabilitySchema = z
  .strictObject({
    /** Alarms are e-mailed here too (the address confirms the subscription once); omitted → the ops topic only. */
    alarmEmail: z.email().optional(),
    /** The last day of the month (practice's time zone) its import file may arrive; from the next day on, none this month alarms. */
    importDueDay: z.number().int().min(1).max(27).default(5),
    /** Alarm when more than this share of a practice's delivery outcomes in an hour are failures. */
    deliveryFailurePercent: z.number().positive().max(100).default(10),
    /** Alarm when a practice gets this many opt-outs or more in an hour (a spike: a message gone wrong). */
    optOutsPerHour: z.number().int().min(1).default(20),
    /** Alarm when PhoneNumberValidate throttles this many lookups or more in each of three 5-minute periods running. */
    throttledLookupsPer5Min: z.number().int().min(1).default(50),
    /** Alarm when a practice's oldest unhandled flag (a reply no rule answers, a disposition not applied) is this many hours old (daily digest). */
    flagHours: z.number().int().min(1).max(24 * 14).default(24),
  })
  .default({ importDueDay: 5, deliveryFailurePercent: 10, optOutsPerHour: 20, throttledLookupsPer5Min: 50, flagHours: 24 });

export const stageConfigSchema = z
  .strictObject({
    stage: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
    env: z
      .strictObject({ account: z.string().regex(/^\d{12}$/).optional(), region: z.string().default('us-east-1') })
      .default({ region: 'us-east-1' }),
    /** Keep data on stack deletion and turn on deletion protection (always on outside dev). */
    retainData: z.boolean().default(true),
    defaultCountry: z.string().length(2).default('US'),
    import: z
      .strictObject({
        /** Raw uploaded files are deleted this many days after upload. */
        rawRetentionDays: z.number().int().min(1).max(3650).default(30),
        /** Rejected-row reports and summaries are kept this long. */
        reportRetentionDays: z.number().int().min(1).max(3650).default(365),
        /** Rows one import-rows invocation handles before it checkpoints and hands back. */
        rowsPerInvocation: z.number().int().min(100).max(1_000_000).default(100_000),
        headerAliases,
      })
      .default({ rawRetentionDays: 30, reportRetentionDays: 365, rowsPerInvocation: 100_000, headerAliases: {} }),
    validation: z
      .strictObject({
        /** The account's PhoneNumberValidate limit this deployment may use (calls per second). */
        ratePerSecond: z.number().positive().max(1000).default(20),
        /**
         * The part of ratePerSecond kept for one-off lookups (a number an agent takes down),
         * paced across every caller; imports use the rest, so together they never pass the limit.
         */
        oneOffPerSecond: z.number().positive().max(100).default(1),
        /** A number validated within this many days is not looked up again. */
        freshnessDays: z.number().int().min(1).max(3650).default(180),
        /** Attempts per number before the lookup is recorded as failed and left for the next run. */
        maxAttempts: z.number().int().min(1).max(10).default(6),
        /** Numbers one import-validate invocation handles before it checkpoints and hands back. */
        numbersPerInvocation: z.number().int().min(10).max(100_000).default(10_000),
      })
      .default({ ratePerSecond: 20, oneOffPerSecond: 1, freshnessDays: 180, maxAttempts: 6, numbersPerInvocation: 10_000 })
      .refine((v) => v.oneOffPerSecond < v.ratePerSecond, { message: 'oneOffPerSecond must be below ratePerSecond: imports look numbers up with the rest', path: ['oneOffPerSecond'] }),
    messaging: messagingSchema,
    /** When texts, voicemails and calls may go out: the base window, holidays and the per-state table. @default the shipped rules (send-window-rules.ts) */
    sendWindow: sendWindowConfigSchema,
    /** Messages a person may get, across channels. @default { perDay: 1, perWeek: 3 } (the most compliance allows) */
    frequencyCap: frequencyCapSchema,
    /** Limits on texts. @default { maxSegments: 1 } (one GSM-7 segment, the healthcare exemption) */
    sms: smsSettingsSchema,
    /** Message templates by id. @default {} */
    templates: templatesSchema,
    /** The cadences practices enroll people in. @default [] */
    cadences: cadencesSchema,
    /** How imports enroll people: cadence executions started per second (Step Functions' StartExecution quota is shared by the account). @default { startsPerSecond: 50 } */
    enrollment: z
      .strictObject({ startsPerSecond: z.number().positive().max(1000).default(50) })
      .default({ startsPerSecond: 50 }),
    /** Appointment reminders and the review request after a visit. @default reminders 7 and 2 days before at 10:00 and the same day at 08:00 (local), review the next day at 10:00 */
    appointments: appointmentPolicySchema,
    /** What dispositions lead to. @default { retryAfterDeclineDays: 30 } */
    dispositions: z
      .strictObject({
        /** Days after "not interested" before the person is tried again (a new try next month). */
        retryAfterDeclineDays: z.number().int().min(1).max(365).default(30),
        /** The SMS template with the practice's information, texted after "not interested" or when a caller asks for it; none → not sent. */
        practiceInfoTemplate: z.string().min(1).optional(),
      })
      .default({ retryAfterDeclineDays: 30 }),
    /** What the system answers to HELP, and after an opt-out or an opt-in, per language. @default the shipped texts (reply-texts.ts) */
    replies: replyTextsSchema,
    /** Saved filters over a practice's people, used by broadcasts and campaigns (more can be saved through the staff API). @default [] */
    segments: z.array(segmentSchema).default([]),
    /** One message to a segment, now or at a set time. @default [] */
    broadcasts: z.array(broadcastSchema).default([]),
    /** Messages at an offset from a date of each person's, evaluated daily. @default [] */
    campaigns: z.array(campaignSchema).default([]),
    /** Limits on broadcast and campaign runs. @default { confirmAbove: 25000, sendsPerTask: 500 } */
    broadcasting: broadcastingSchema,
    /** The ops dashboard's alarms (lib/constructs/observability.ts). @default { importDueDay: 5, deliveryFailurePercent: 10, optOutsPerHour: 20, throttledLookupsPer5Min: 50, flagHours: 24 } */
    observability: observabilitySchema,
    practices: z.array(practiceSchema).min(1),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.practices.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', path: ['practices', i, 'id'], message: `duplicate practice id "${p.id}"` });
      seen.add(p.id);
      // The identities themselves, or the numbers behind an id or pool (a pool holding the voice number texts from it too).
      const numbersOf = (o: PracticeProfile['sms']) => new Set([...(o.originationIdentity ? [o.originationIdentity] : []), ...(o.numbers ?? [])]);
      const voiceNumbers = numbersOf(p.voice);
      if ([...numbersOf(p.sms)].some((n) => voiceNumbers.has(n))) {
        ctx.addIssue({
          code: 'custom',
          path: ['practices', i, 'voice', 'originationIdentity'],
          message: 'SMS and voice must use separate origination numbers (numbers that do both get flagged as spam)',
        });
      }
    });
    for (const { path, message } of cadenceConfigProblems(config)) ctx.addIssue({ code: 'custom', path, message });
    // Reminders and review requests are messages: a time the law never allows is a mistake. (A
    // narrower stage or practice window only holds one until its window opens, when it is sent.)
    const { start, end } = LEGAL_WINDOW;
    const outside = (at: string) => at < start || at >= end;
    config.appointments.reminders.forEach((r, i) => {
      if (outside(r.at)) ctx.addIssue({ code: 'custom', path: ['appointments', 'reminders', i, 'at'], message: `reminder "${r.id}" at ${r.at} is outside the send window ${start}–${end}` });
    });
    for (const { path, message } of messageTemplateProblems(config)) ctx.addIssue({ code: 'custom', path, message });
    for (const { path, message } of broadcastProblems(config)) ctx.addIssue({ code: 'custom', path, message });
    for (const kind of REPLY_TEXT_KINDS) {
      for (const [language, text] of Object.entries(config.replies[kind])) {
        for (const message of replyTextProblems(kind, text)) ctx.addIssue({ code: 'custom', path: ['replies', kind, language], message: `the ${kind} reply ${message}` });
      }
      for (const practice of config.practices) {
        if (!Object.hasOwn(config.replies[kind], practice.languages[0]!)) ctx.addIssue({ code: 'custom', path: ['replies', kind], message: `no '${practice.languages[0]}' text, the first language of practice ${practice.id}` });
      }
    }
    if (outside(config.appointments.reviewRequest.at)) {
      ctx.addIssue({ code: 'custom', path: ['appointments', 'reviewRequest', 'at'], message: `the review request at ${config.appointments.reviewRequest.at} is outside the send window ${start}–${end}` });
    }
  });

/** The appointment and practice-information messages name SMS templates and cadences that exist and fit. */
function messageTemplateProblems(config: Pick<StageConfig, 'templates' | 'appointments' | 'dispositions' | 'cadences'>): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const check = (path: (string | number)[], id: string | undefined, needs: { purpose?: 'care'; appointmentKind?: boolean }) => {
    if (id === undefined) return;
    const template = config.templates[id];
    if (!template) return problems.push({ path, message: `no template "${id}" in templates` });
    if (template.channel !== 'sms') return problems.push({ path, message: `template "${id}" is a ${template.channel} template; this message is a text` });
    if (needs.purpose && template.purpose !== needs.purpose) problems.push({ path, message: `template "${id}" must have purpose "care" (appointment messages are care messages)` });
    if (needs.appointmentKind && template.kind !== 'appointment') problems.push({ path, message: `template "${id}" must be of kind "appointment" to carry the date, time and place` });
    return undefined;
  };
  const { messages, followUps } = config.appointments;
  check(['appointments', 'messages', 'confirmation'], messages.confirmation, { purpose: 'care', appointmentKind: true });
  check(['appointments', 'messages', 'reminder'], messages.reminder, { purpose: 'care', appointmentKind: true });
  check(['appointments', 'messages', 'review'], messages.review, { purpose: 'care' });
  check(['dispositions', 'practiceInfoTemplate'], config.dispositions.practiceInfoTemplate, {});
  for (const kind of ['noShow', 'cancellation'] as const) {
    const name = followUps[kind];
    if (name !== undefined && !config.cadences.some((c) => c.name === name)) problems.push({ path: ['appointments', 'followUps', kind], message: `no cadence "${name}" in cadences` });
  }
  return problems;
}

/** Segments, broadcasts and campaigns name practices, segments and templates that exist and fit. */
function broadcastProblems(config: Pick<StageConfig, 'templates' | 'segments' | 'broadcasts' | 'campaigns' | 'practices'>): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const practices = new Set(config.practices.map((p) => p.id));
  const names = new Set<string>();
  config.segments.forEach((s, i) => {
    if (!practices.has(s.practice)) problems.push({ path: ['segments', i, 'practice'], message: `no practice "${s.practice}"` });
    if (names.has(`${s.practice}/${s.name}`)) problems.push({ path: ['segments', i, 'name'], message: `duplicate segment "${s.name}" for practice ${s.practice}` });
    names.add(`${s.practice}/${s.name}`);
  });
  const checkTemplates = (path: (string | number)[], templates: BroadcastTemplates) => {
    for (const channel of ['sms', 'voicemail'] as const) {
      const id = templates[channel];
      if (id === undefined) continue;
      const template = config.templates[id];
      if (!template) problems.push({ path: [...path, channel], message: `no template "${id}" in templates` });
      else if (template.channel !== channel) problems.push({ path: [...path, channel], message: `template "${id}" is a ${template.channel} template, not ${channel}` });
      else if (template.channel === 'sms' && template.kind === 'appointment') problems.push({ path: [...path, channel], message: `template "${id}" needs an appointment to fill in; a broadcast has none` });
    }
  };
  const seen = new Set<string>();
  for (const [list, what] of [[config.broadcasts, 'broadcasts'], [config.campaigns, 'campaigns']] as const) {
    list.forEach((b: { name: string; practice: string; segment?: string; templates: BroadcastTemplates }, i: number) => {
      if (!practices.has(b.practice)) problems.push({ path: [what, i, 'practice'], message: `no practice "${b.practice}"` });
      if (b.segment !== undefined && !names.has(`${b.practice}/${b.segment}`)) problems.push({ path: [what, i, 'segment'], message: `no segment "${b.segment}" for practice ${b.practice} in segments` });
      if (seen.has(`${what}/${b.name}`)) problems.push({ path: [what, i, 'name'], message: `duplicate name "${b.name}"` });
      seen.add(`${what}/${b.name}`);
      checkTemplates([what, i, 'templates'], b.templates);
    });
  }
  return problems;
}

export type StageConfig = z.infer<typeof stageConfigSchema>;
export type PracticeProfile = z.infer<typeof practiceSchema>;

/** Parses a stage config, throwing one error that names every problem with its path. */
export function parseStageConfig(input: unknown, source = 'stage config'): StageConfig {
  const result = stageConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${issueMessage(i)}`).join('\n');
    throw new Error(`Invalid ${source}:\n${problems}`);
  }
  return result.data;
}

/** Zod says only "Invalid key in record" for a bad record key; add why. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return `${issue.message}: ${issue.issues.map((i) => i.message).join('; ')}`;
  return issue.message;
}

/** The SSM parameter where the ContactCenter stack leaves the ids of the instances it created. */
export function contactCentersParameterName(stage: string): string {
  return `/outreach/${stage}/contact-centers`;
}

/** The E.164 numbers behind a configured identity: the identity itself when it is a number, else its `numbers`. */
export function configuredNumbers(o: PracticeProfile['sms']): string[] {
  return o.originationIdentity?.startsWith('+') ? [o.originationIdentity] : [...(o.numbers ?? [])];
}

/** PhoneNumberValidate calls per second an import may make: the deployment's share less what one-off lookups keep. */
export function importLookupRate(validation: StageConfig['validation']): number {
  return validation.ratePerSecond - validation.oneOffPerSecond;
}

export function findPractice(config: StageConfig, practiceId: string): PracticeProfile | undefined {
  return config.practices.find((p) => p.id === practiceId);
}

export function practiceCountry(config: StageConfig, practice: PracticeProfile): CountryCode {
  return (practice.defaultCountry ?? config.defaultCountry) as CountryCode;
}
