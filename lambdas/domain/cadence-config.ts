/**
 * Cadences and templates as configuration: what is sent, on which day, on which channel,
 * to which kind of number, in which words, and who is enrolled in which cadence. The
 * schemas here are part of the stage config; `cadenceConfigProblems` holds the checks that
 * need the whole config (a step's template exists and matches it, every practice's
 * languages are covered, every text fits its limits), so a bad cadence fails `cdk synth`
 * with a message naming the cadence, step, template, practice or language involved.
 */
import { z } from 'zod';
import type { ConsentKey } from './contact';
import { channelsForType, PHONE_TYPES, type PhoneType } from './phone';
import { CONSENT_PURPOSES, type LocalWindow, type Purpose } from './send-window-rules';
import {
  APPOINTMENT_FIELDS,
  FIELD_BUDGET,
  fixedWords,
  GENERAL_FIELDS,
  nonGsm7Characters,
  renderSms,
  renderTemplate,
  smsSegments,
  templateFields,
  templateFieldUses,
  templateTexts,
  voicemailPauses,
  voicemailSeconds,
  voicemailStrayMarkup,
  WORDS_PER_MINUTE,
  type SmsSegments,
  type TemplatePractice,
} from './templates';
import { assignVariant } from './variants';
import { healthDetailsProblem } from './health-details';

export const STEP_CHANNELS = ['postcard', 'sms', 'voicemail', 'call'] as const;
export type StepChannel = (typeof STEP_CHANNELS)[number];

/** Every consent key, in the order reports list them. */
export const CONSENT_KEYS = ['sms:care', 'voice:care', 'sms:outreach', 'voice:outreach'] as const satisfies readonly ConsentKey[];

/** Number types a step reaches when it does not say: texts go to mobiles, voicemail drops to landlines, calls to any phone, postcards to no phone. */
export const DEFAULT_PHONE_TYPES: Readonly<Record<StepChannel, readonly PhoneType[]>> = {
  sms: ['MOBILE'],
  voicemail: ['LANDLINE'],
  call: ['MOBILE', 'LANDLINE', 'VOIP'],
  postcard: [],
};

/** A Step Functions standard execution lasts at most a year, and one execution runs a person's whole cadence. */
export const MAX_CADENCE_DAYS = 365;
/** The longest pause text-to-speech accepts in a <break> (Amazon Polly). */
export const MAX_BREAK_SECONDS = 10;
/** A recorded or text-to-speech voice message must stay under a minute (healthcare exemption). */
export const MAX_VOICEMAIL_SECONDS = 60;

const LANGUAGE = /^[a-z]{2}$/;

export const templateIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,60}$/, 'a template id: 2–61 lower-case letters, digits or dashes, starting with a letter');
export const cadenceNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,40}$/, 'a cadence name: 2–41 lower-case letters, digits or dashes, starting with a letter');
const stepIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, 'a step id: 1–31 lower-case letters, digits or dashes, starting with a letter');
const variantIdSchema = z.string().regex(/^[A-Z][A-Z0-9]{0,7}$/, 'a variant id: 1–8 upper-case letters or digits, starting with a letter (e.g. "A")');
const purposeSchema = z.enum(CONSENT_PURPOSES, {
  error: (issue) =>
    `${issue.input === undefined ? 'missing purpose' : `unknown purpose ${JSON.stringify(issue.input)}`}: "care" (the person's own care, needs care consent) or "outreach" (marketing, needs prior express written consent)`,
});

/** Text per language, e.g. { "en": "…", "es": "…" }; at least one language. */
const byLanguage = (what: string) =>
  z
    .record(z.string().regex(LANGUAGE, 'a two-letter language code such as "en"'), z.string().min(1, `${what} may not be empty`))
    .refine((texts) => Object.keys(texts).length > 0, { message: `give the ${what} in at least one language` });

export const smsTemplateSchema = z.strictObject({
  /** A text message. */
  channel: z.literal('sms'),
  /** Must equal the purpose of every step that uses the template. */
  purpose: purposeSchema,
  /** "appointment" templates may use {appointmentDate} {appointmentTime} {appointmentPlace}. @default 'general' */
  kind: z.enum(['appointment', 'general']).default('general'),
  /** The message per language; must contain {practiceName} and {callbackNumber} and fit sms.maxSegments. */
  text: byLanguage('text'),
});

export const voicemailTemplateSchema = z.strictObject({
  /** A voicemail drop read by text-to-speech. */
  channel: z.literal('voicemail'),
  /** Must equal the purpose of every step that uses the template. */
  purpose: purposeSchema,
  /** Spoken by text-to-speech; plain text plus <break time="500ms"/> pauses only; must contain {practiceName} and {callbackNumber} and last under a minute. */
  text: byLanguage('text'),
});

export const callTemplateSchema = z.strictObject({
  /** A call an agent makes. */
  channel: z.literal('call'),
  /** Must equal the purpose of every step that uses the template. */
  purpose: purposeSchema,
  /** What the agent reads on the call, per language (shown to the agent, never sent to the person). */
  script: byLanguage('script'),
});

export const postcardTemplateSchema = z.strictObject({
  /** A postcard the print vendor mails. */
  channel: z.literal('postcard'),
  /** Must equal the purpose of every step that uses the template. */
  purpose: purposeSchema,
  /** The print vendor's template id per language. */
  vendorTemplate: byLanguage('vendor template id'),
});

/** A template, by channel: sms and voicemail carry message text, call an agent script, postcard the print vendor's template ids. */
export const templateSchema = z.discriminatedUnion('channel', [smsTemplateSchema, voicemailTemplateSchema, callTemplateSchema, postcardTemplateSchema]);

/** Templates by id, e.g. { "sms-intro-a": { "channel": "sms", … } }. @default {} */
export const templatesSchema = z.record(templateIdSchema, templateSchema).default({});

export const variantSchema = z.strictObject({
  /** Names the variant in attempts and reports, e.g. "A". */
  id: variantIdSchema,
  /** Share of people who get it; a step's variants add up to 100. */
  percent: z.number().int().min(1).max(100),
  /** The template this variant sends. */
  template: templateIdSchema,
});

export const stepSchema = z.strictObject({
  /** Names the step; unique within its cadence. Attempts, reports and A/B assignment carry it, so renaming a step restarts its A/B split. */
  id: stepIdSchema,
  /** What the step does: mail a postcard, send a text, drop a voicemail, or queue a call for an agent. */
  channel: z.enum(STEP_CHANNELS, {
    error: (issue) => `${issue.input === undefined ? 'missing channel' : `unknown channel ${JSON.stringify(issue.input)}`}: a step is a postcard, sms, voicemail or call`,
  }),
  /** Care or outreach; decides which consent the step needs and which state rules apply. */
  purpose: purposeSchema,
  /** Days from the round's start. Give this or afterPreviousDays. */
  day: z.number().int().min(0).optional(),
  /** Days after the previous step (not on the first step). Give this or day. */
  afterPreviousDays: z.number().int().min(0).optional(),
  /** Number types the step reaches. @default by channel: sms ["MOBILE"], voicemail ["LANDLINE"], call ["MOBILE","LANDLINE","VOIP"], postcard [] */
  phoneTypes: z.array(z.enum(PHONE_TYPES)).optional(),
  /** The template it sends. Give this or variants. */
  template: templateIdSchema.optional(),
  /** An A/B test: two or more templates, each to a fixed share of people (see variants.ts). Give this or template. */
  variants: z.array(variantSchema).min(2, 'an A/B test needs at least two variants (or use template)').optional(),
});

export const cadenceSchema = z
  .strictObject({
    /** Names the cadence in enrollment, the import's cadence column and reports. */
    name: cadenceNameSchema,
    /** For people reading the config. */
    description: z.string().optional(),
    /** Times the steps run: each new round is for people who did not respond to the last. @default 1 */
    rounds: z.number().int().min(1).max(12).default(1),
    /** Days from one round's start to the next's. @default 30 */
    roundIntervalDays: z.number().int().min(7).max(180).default(30),
    /** The steps of one round, in the order they run. */
    steps: z.array(stepSchema).min(1, 'a cadence needs at least one step'),
  })
  .superRefine((cadence, ctx) => {
    for (const { path, message } of cadenceProblems(cadence)) ctx.addIssue({ code: 'custom', path, message });
  });

/** @default [] */
export const cadencesSchema = z.array(cadenceSchema).default([]);

export const frequencyCapSchema = z
  .strictObject({
    /** Messages a person may get a day, across channels. Compliance: at most 1; may be lower. @default 1 */
    perDay: z
      .number()
      .int()
      .min(0)
      .max(1, 'a person may get at most 1 message a day (the healthcare frequency cap); perDay may be set lower, never higher')
      .default(1),
    /** Messages a person may get in any 7 days, across channels. Compliance: at most 3; may be lower. @default 3 */
    perWeek: z
      .number()
      .int()
      .min(0)
      .max(3, 'a person may get at most 3 messages a week (the healthcare frequency cap); perWeek may be set lower, never higher')
      .default(3),
  })
  .default({ perDay: 1, perWeek: 3 });

export const smsSettingsSchema = z
  .strictObject({
    /**
     * Segments a rendered text may take. The healthcare exemption allows one GSM-7 segment
     * (160 characters); raising this gives the exemption up for care texts. @default 1
     */
    maxSegments: z.number().int().min(1).max(10).default(1),
  })
  .default({ maxSegments: 1 });

export const enrollmentSchema = z
  .strictObject({
    /** Cadence for people from files no byPrefix entry matches; omitted → they are tracked but not enrolled. */
    defaultCadence: cadenceNameSchema.optional(),
    /**
     * Cadence by where the file lands under inbox/<practice-id>/, e.g. { "patients/": "care-gap" };
     * the longest matching prefix wins. A file's cadence column, when it names a known cadence,
     * wins over both. @default {}
     */
    byPrefix: z
      .record(
        z
          .string()
          .min(1)
          .refine((p) => !p.startsWith('/') && !p.startsWith('inbox/'), {
            message: 'a prefix under inbox/<practice-id>/, e.g. "patients/" (without inbox/<practice-id>/ and without a leading /)',
          }),
        cadenceNameSchema,
      )
      .default({}),
  })
  .default({ byPrefix: {} });

export const consentDefaultSchema = z
  .strictObject({
    /** Applies to contacts carrying this import tag (compared as the import stores tags: trimmed, lower-case); omitted → every contact of the practice. */
    tag: z
      .string()
      .trim()
      .min(1)
      .transform((tag) => tag.replace(/\s+/g, ' ').toLowerCase())
      .optional(),
    /** Consent the practice already holds for these contacts, e.g. a number given at intake for care messages. Care keys only. */
    grant: z
      .array(z.enum(CONSENT_KEYS, { error: (issue) => `unknown consent key ${JSON.stringify(issue.input)}: one of ${CONSENT_KEYS.join(', ')}` }))
      .min(1),
  })
  .superRefine((entry, ctx) => {
    entry.grant.forEach((key, i) => {
      if (key.endsWith(':outreach')) {
        ctx.addIssue({
          code: 'custom',
          path: ['grant', i],
          message: `"${key}" cannot be granted by default: outreach needs the person's prior express written consent, which only the person can give (a consent column in their file or a signed form)`,
        });
      }
    });
  });

/** @default [] */
export const consentDefaultsSchema = z.array(consentDefaultSchema).default([]);

/** Named https links for {link:NAME}, e.g. { "book": "https://sunrisefamily.example/book" }. @default {} */
export const linksSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9-]{0,20}$/, 'a link name: 1–21 lower-case letters, digits or dashes, starting with a letter'),
    z.url({ protocol: /^https$/, error: 'a link must be an https URL, e.g. "https://sunrisefamily.example/book"' }),
  )
  .default({});

export type Template = z.infer<typeof templateSchema>;
export type SmsTemplate = z.infer<typeof smsTemplateSchema>;
export type Variant = z.infer<typeof variantSchema>;
export type Step = z.infer<typeof stepSchema>;
export type Cadence = z.infer<typeof cadenceSchema>;
export type FrequencyCap = z.infer<typeof frequencyCapSchema>;
export type SmsSettings = z.infer<typeof smsSettingsSchema>;
export type Enrollment = z.infer<typeof enrollmentSchema>;
export type ConsentDefault = z.infer<typeof consentDefaultSchema>;

/** A step with its absolute day in the round and its phone types filled in. */
export interface ResolvedStep {
  readonly id: string;
  readonly channel: StepChannel;
  readonly purpose: Purpose;
  /** Days from the round's start. */
  readonly day: number;
  readonly phoneTypes: readonly PhoneType[];
  readonly template?: string;
  readonly variants?: readonly Variant[];
}

/** The steps of a cadence with an absolute day each (afterPreviousDays added to the previous step's day) and default phone types. */
export function resolvedSteps(cadence: { readonly steps: readonly Step[] }): ResolvedStep[] {
  let previousDay = 0;
  return cadence.steps.map(({ day: fixedDay, afterPreviousDays, phoneTypes, ...step }) => {
    const day = fixedDay ?? previousDay + (afterPreviousDays ?? 0);
    previousDay = day;
    return { ...step, day, phoneTypes: phoneTypes ?? DEFAULT_PHONE_TYPES[step.channel] };
  });
}

/** The template a step sends to a person: its own, or the person's A/B variant (stable across rounds). */
export function stepTemplateFor(contactId: string, cadenceName: string, step: Pick<Step, 'id' | 'template' | 'variants'>): { template: string; variant?: string } {
  if (step.variants) {
    const variant = assignVariant(contactId, cadenceName, step.id, step.variants);
    return { template: step.variants.find((v) => v.id === variant)!.template, variant };
  }
  if (step.template === undefined) throw new Error(`step "${step.id}" has neither a template nor variants`);
  return { template: step.template };
}

/**
 * The cadence a person from this file is enrolled in: the file's cadence column when it
 * names a known cadence (compared trimmed and lower-case, spaces as dashes), else the
 * longest byPrefix entry the object key (with or without inbox/<practice-id>/) starts with,
 * else the practice's defaultCadence, else none.
 */
export function cadenceFor(
  practice: { readonly id: string; readonly enrollment: Enrollment },
  objectKey: string,
  column: string | undefined,
  cadences: readonly { readonly name: string }[],
): string | undefined {
  if (column !== undefined) {
    const named = column.trim().toLowerCase().replace(/[\s_]+/g, '-');
    if (cadences.some((c) => c.name === named)) return named;
  }
  const inbox = `inbox/${practice.id}/`;
  const key = objectKey.startsWith(inbox) ? objectKey.slice(inbox.length) : objectKey;
  const prefix = Object.keys(practice.enrollment.byPrefix)
    .filter((p) => key.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  return prefix !== undefined ? practice.enrollment.byPrefix[prefix] : practice.enrollment.defaultCadence;
}

/**
 * The consent a practice's defaults give a contact with these tags (tags compared trimmed and
 * lower-case). Only care keys ever come back, whatever the config says: outreach needs the
 * person's own written consent. The caller applies them where the file is silent, never
 * over an explicit "no", an opt-out or a do-not-call request.
 */
export function consentDefaultsFor(practice: { readonly consentDefaults: readonly ConsentDefault[] }, tags: readonly string[]): ConsentKey[] {
  const carried = new Set(tags.map((t) => t.trim().replace(/\s+/g, ' ').toLowerCase()));
  const granted = new Set<ConsentKey>();
  for (const entry of practice.consentDefaults) {
    if (entry.tag === undefined || carried.has(entry.tag)) entry.grant.forEach((key) => granted.add(key));
  }
  return CONSENT_KEYS.filter((key) => granted.has(key) && key.endsWith(':care'));
}

export interface ConfigProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** Checks within one cadence: timing, template or variants, phone types, ids. Paths are relative to the cadence. */
export function cadenceProblems(cadence: Pick<Cadence, 'name' | 'rounds' | 'roundIntervalDays' | 'steps'>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const label = `cadence "${cadence.name}"`;
  const stepIds = new Set<string>();
  cadence.steps.forEach((step, i) => {
    const where = `${label} step "${step.id}"`;
    if (stepIds.has(step.id)) add(['steps', i, 'id'], `${label} has two steps with id "${step.id}"; step ids must be unique within a cadence`);
    stepIds.add(step.id);

    if (step.day !== undefined && step.afterPreviousDays !== undefined) {
      add(['steps', i], `${where}: give day (days from the round's start) or afterPreviousDays (days after the previous step), not both`);
    } else if (step.day === undefined && step.afterPreviousDays === undefined) {
      add(['steps', i], `${where}: give day (days from the round's start) or afterPreviousDays (days after the previous step)`);
    }
    if (i === 0 && step.afterPreviousDays !== undefined) {
      add(['steps', i, 'afterPreviousDays'], `${where} is the first step, so there is no previous step for afterPreviousDays; use day`);
    }

    if (step.template !== undefined && step.variants !== undefined) {
      add(['steps', i], `${where}: give template or variants (an A/B test), not both`);
    } else if (step.template === undefined && step.variants === undefined) {
      add(['steps', i], `${where}: give template (what the step sends) or variants (an A/B test)`);
    }
    if (step.variants) {
      const total = step.variants.reduce((sum, v) => sum + v.percent, 0);
      if (total !== 100) add(['steps', i, 'variants'], `${where}: variant percents add up to ${total}; they must add up to 100`);
      const variantIds = new Set<string>();
      step.variants.forEach((v, vi) => {
        if (variantIds.has(v.id)) add(['steps', i, 'variants', vi, 'id'], `${where} has two variants with id "${v.id}"`);
        variantIds.add(v.id);
      });
    }

    if (step.phoneTypes !== undefined) {
      if (step.channel === 'postcard') {
        if (step.phoneTypes.length > 0) add(['steps', i, 'phoneTypes'], `${where}: a postcard goes to the mailing address, so phoneTypes does not apply (leave it out)`);
      } else if (step.phoneTypes.length === 0) {
        add(['steps', i, 'phoneTypes'], `${where}: phoneTypes is empty, so the step would never send; leave it out for the default (${DEFAULT_PHONE_TYPES[step.channel].join(', ')})`);
      } else {
        const needs = step.channel === 'sms' ? 'sms' : 'voice';
        step.phoneTypes.forEach((type, ti) => {
          if (!channelsForType(type).channels.includes(needs)) {
            add(['steps', i, 'phoneTypes', ti], `${where}: a ${type} number cannot take ${step.channel === 'sms' ? 'texts' : 'voice calls'}`);
          }
        });
      }
    }
  });

  const steps = resolvedSteps(cadence);
  const timingKey = (i: number) => (cadence.steps[i]!.day !== undefined ? 'day' : 'afterPreviousDays');
  for (let i = 1; i < steps.length; i++) {
    const before = steps[i - 1]!;
    const step = steps[i]!;
    if (step.day < before.day) {
      add(
        ['steps', i, timingKey(i)],
        `${label}: step "${before.id}" (day ${before.day}) comes before step "${step.id}" (day ${step.day}) in the list: offsets may not go backwards`,
      );
    }
  }
  const last = steps.at(-1);
  if (last && last.day >= cadence.roundIntervalDays) {
    add(
      ['steps', steps.length - 1, timingKey(steps.length - 1)],
      `${label}: the last step "${last.id}" is on day ${last.day}, but a round lasts roundIntervalDays ${cadence.roundIntervalDays}: every step must fall before the next round starts`,
    );
  }
  const days = cadence.rounds * cadence.roundIntervalDays;
  if (days > MAX_CADENCE_DAYS) {
    add(
      ['rounds'],
      `${label} lasts rounds ${cadence.rounds} × roundIntervalDays ${cadence.roundIntervalDays} = ${days} days; a Step Functions standard execution lasts at most one year (${MAX_CADENCE_DAYS} days)`,
    );
  }
  return problems;
}

/** What the cross-checks read of a practice (a PracticeProfile has it all). */
export interface CadencePractice extends TemplatePractice {
  readonly id: string;
  readonly languages: readonly string[];
  readonly links: Readonly<Record<string, string>>;
  readonly enrollment: Enrollment;
  readonly sendWindow?: LocalWindow;
}

/** What the cross-checks read of the stage config (a StageConfig has it all). */
export interface CadenceConfig {
  readonly templates: Readonly<Record<string, Template>>;
  readonly cadences: readonly Cadence[];
  readonly sms: SmsSettings;
  readonly sendWindow: { readonly window: LocalWindow };
  readonly practices: readonly CadencePractice[];
}

const FIELD_LIST = [...GENERAL_FIELDS, ...APPOINTMENT_FIELDS].map((f) => `{${f}}`).join(' ') + ' {link:NAME}';
const has = (record: object, key: string) => Object.hasOwn(record, key);

type AddProblem = (path: (string | number)[], message: string) => void;
/** A practice that sends a template, through which cadence. */
type TemplateUser = { readonly practice: CadencePractice; readonly index: number; readonly cadence: string };

/**
 * The checks that need the whole stage config. Paths are from the config's root; each
 * message names the cadence, step, template, practice or language involved.
 */
export function cadenceConfigProblems(config: CadenceConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  const cadences = checkSteps(config, add);
  const users = checkEnrollment(config, cadences, add);
  for (const [id, template] of Object.entries(config.templates)) checkTemplate(config, id, template, users.get(id) ?? [], add);
  return problems;
}

/** Cadence names are unique; each step's templates exist and match its channel and purpose. Returns the cadences by name. */
function checkSteps(config: CadenceConfig, add: AddProblem): Map<string, Cadence> {
  const { templates } = config;
  const templateList = Object.keys(templates).join(', ') || 'none';
  const cadences = new Map<string, Cadence>();
  config.cadences.forEach((cadence, ci) => {
    if (cadences.has(cadence.name)) add(['cadences', ci, 'name'], `there are two cadences named "${cadence.name}"; cadence names must be unique`);
    else cadences.set(cadence.name, cadence);
    cadence.steps.forEach((step, si) => {
      const where = `cadence "${cadence.name}" step "${step.id}"`;
      const stepPath = ['cadences', ci, 'steps', si];
      const refs = step.variants
        ? step.variants.map((v, vi) => ({ id: v.template, path: [...stepPath, 'variants', vi, 'template'], what: `variant ${v.id} of ${where}` }))
        : step.template !== undefined
          ? [{ id: step.template, path: [...stepPath, 'template'], what: where }]
          : [];
      for (const ref of refs) {
        if (!has(templates, ref.id)) {
          add(ref.path, `${ref.what} uses template "${ref.id}", which does not exist (templates: ${templateList})`);
          continue;
        }
        const template = templates[ref.id]!;
        if (template.channel !== step.channel) add(ref.path, `${ref.what} is a ${step.channel} step, but template "${ref.id}" is a ${template.channel} template`);
        if (template.purpose !== step.purpose) add(ref.path, `${ref.what} is for ${step.purpose}, but template "${ref.id}" is for ${template.purpose}`);
      }
    });
  });
  return cadences;
}

/** Enrollment names existing cadences; a practice window only narrows the stage's. Returns who sends each template. */
function checkEnrollment(config: CadenceConfig, cadences: ReadonlyMap<string, Cadence>, add: AddProblem): Map<string, TemplateUser[]> {
  const cadenceList = [...cadences.keys()].join(', ') || 'none';
  const users = new Map<string, TemplateUser[]>();
  config.practices.forEach((practice, pi) => {
    const named: [(string | number)[], string][] = [];
    if (practice.enrollment.defaultCadence !== undefined) named.push([['practices', pi, 'enrollment', 'defaultCadence'], practice.enrollment.defaultCadence]);
    for (const [prefix, name] of Object.entries(practice.enrollment.byPrefix)) named.push([['practices', pi, 'enrollment', 'byPrefix', prefix], name]);
    for (const [path, name] of named) {
      const cadence = cadences.get(name);
      if (!cadence) {
        add(path, `practice ${practice.id} enrolls people in cadence "${name}", which does not exist (cadences: ${cadenceList})`);
        continue;
      }
      for (const id of templateIdsOf(cadence)) {
        const list = users.get(id) ?? [];
        if (!list.some((u) => u.practice === practice)) list.push({ practice, index: pi, cadence: name });
        users.set(id, list);
      }
    }
    const stage = config.sendWindow.window;
    if (practice.sendWindow && (practice.sendWindow.start < stage.start || practice.sendWindow.end > stage.end)) {
      add(
        ['practices', pi, 'sendWindow'],
        `practice ${practice.id}'s sendWindow ${practice.sendWindow.start}–${practice.sendWindow.end} is wider than the stage's sendWindow.window ${stage.start}–${stage.end}; a practice may only narrow it`,
      );
    }
  });
  return users;
}

/** One template: languages, fields, links, practice name and number, markup, and length for each practice that may send it. */
function checkTemplate(config: CadenceConfig, id: string, template: Template, usedBy: readonly TemplateUser[], add: AddProblem): void {
  const textKey = template.channel === 'call' ? 'script' : template.channel === 'postcard' ? 'vendorTemplate' : 'text';
  const texts = templateTexts(template);
  for (const { practice, cadence } of usedBy) {
    for (const language of practice.languages) {
      if (!has(texts, language)) add(['templates', id, textKey, language], `template ${id} has no '${language}' ${textKey}, needed by practice ${practice.id} (cadence ${cadence})`);
    }
  }
  if (template.channel === 'postcard') return;

  // Measured for the practices that send it, or for every practice when no cadence reaches it yet (e.g. appointment texts).
  const measuredFor = usedBy.length > 0 ? usedBy.map((u) => u.practice) : config.practices;
  const missingLinks = new Set<string>();
  for (const [language, text] of Object.entries(texts)) {
    const path = ['templates', id, textKey, language];
    const where = `template ${id} ('${language}' ${textKey})`;
    const { fields, unpairedBrace } = templateFieldUses(text);
    let renderable = true;
    if (unpairedBrace) {
      add(path, `${where} has a { or } that is not part of a field; fields are written {firstName} or {firstName|fallback}`);
      renderable = false;
    }
    for (const field of fields) {
      if (!field.known) {
        add(path, `${where} uses unknown field ${field.raw}; the fields are ${FIELD_LIST} (there is no field for health information, by design)`);
        renderable = false;
      } else if ((APPOINTMENT_FIELDS as readonly string[]).includes(field.name) && !(template.channel === 'sms' && template.kind === 'appointment')) {
        add(path, `${where} uses ${field.raw}, which only sms templates of kind "appointment" may use`);
        renderable = false;
      } else if (field.link !== undefined && field.fallback === undefined) {
        for (const { practice, index } of usedBy) {
          const key = `${index}:${field.link}`;
          if (!has(practice.links, field.link) && !missingLinks.has(key)) {
            missingLinks.add(key);
            add(['practices', index, 'links'], `template ${id} uses {link:${field.link}}, but practice ${practice.id} has no link "${field.link}" in its links`);
          }
        }
      }
    }
    if (template.channel === 'call') continue;

    const health = healthDetailsProblem(fixedWords(text));
    if (health) add(path, `${where} ${health}`);
    const missing = (['practiceName', 'callbackNumber'] as const).filter((name) => !fields.some((f) => f.name === name));
    if (missing.length > 0) {
      add(path, `${where} must contain ${missing.map((m) => `{${m}}`).join(' and ')}: every message names the practice and gives a way to reach it`);
    }
    if (template.channel === 'voicemail') {
      const markup = voicemailStrayMarkup(text);
      if (markup !== undefined) {
        add(path, `${where} contains ${markup}: voicemail text is plain text and may carry only <break time="500ms"/> pauses`);
        renderable = false;
      }
      for (const pause of voicemailPauses(text)) {
        if (pause.seconds > MAX_BREAK_SECONDS) add(path, `${where} has a ${pause.seconds}s pause (${pause.tag}); a <break> may be at most ${MAX_BREAK_SECONDS}s`);
      }
    }
    if (!renderable) continue;

    for (const practice of measuredFor) {
      if (template.channel === 'sms') {
        const worst = worstCaseSms(text, template, practice);
        const limit = config.sms.maxSegments;
        // A maxSegments below 1 is refused by its own schema; measuring against it would only add noise.
        if (worst && limit >= 1 && worst.segments > limit) {
          const nonGsm = worst.encoding === 'UCS-2' ? nonGsm7Characters(worst.rendered) : [];
          add(
            path,
            `${where} renders to ${worst.segments} ${worst.encoding} segment${worst.segments === 1 ? '' : 's'} (${worst.characters} characters) for practice ${practice.id}; the limit is ${limit} (sms.maxSegments)` +
              (nonGsm.length > 0 ? `. It is UCS-2 because of ${nonGsm.map((c) => JSON.stringify(c)).join(', ')}, which GSM-7 does not have` : ''),
          );
        }
      } else {
        const seconds = worstCaseVoicemailSeconds(text, practice);
        if (seconds !== undefined && seconds >= MAX_VOICEMAIL_SECONDS) {
          add(
            path,
            `${where} is estimated at ${Math.ceil(seconds)} seconds for practice ${practice.id} (${WORDS_PER_MINUTE} words a minute plus pauses); a voicemail must be under ${MAX_VOICEMAIL_SECONDS} seconds`,
          );
        }
      }
    }
  }
}

function templateIdsOf(cadence: Cadence): string[] {
  return [...new Set(cadence.steps.flatMap((s) => (s.variants ? s.variants.map((v) => v.template) : s.template !== undefined ? [s.template] : [])))];
}

/** Placeholder for a variable field at its budget: one GSM-7 unit a character. */
const atBudget = (n: number) => 'W'.repeat(n);

/**
 * The longest a text can render for a practice: the first name at its budget, or absent
 * (its fallback), and appointment fields at their budgets; with the practice's real name,
 * number, address and links. Undefined when it cannot render (a problem reported elsewhere).
 */
function worstCaseSms(text: string, template: SmsTemplate, practice: CadencePractice): (SmsSegments & { rendered: string }) | undefined {
  const appointment =
    template.kind === 'appointment'
      ? { date: atBudget(FIELD_BUDGET.appointmentDate), time: atBudget(FIELD_BUDGET.appointmentTime), place: atBudget(FIELD_BUDGET.appointmentPlace) }
      : undefined;
  const named = templateFields(practice, { firstName: atBudget(FIELD_BUDGET.firstName) }, appointment, practice.links);
  let worst: (SmsSegments & { rendered: string }) | undefined;
  for (const fields of [named, { ...named, firstName: undefined }]) {
    let rendered: string;
    try {
      rendered = renderSms(text, fields);
    } catch {
      continue;
    }
    const measured = smsSegments(rendered);
    if (!worst || measured.segments > worst.segments || (measured.segments === worst.segments && measured.characters > worst.characters)) {
      worst = { ...measured, rendered };
    }
  }
  return worst;
}

function worstCaseVoicemailSeconds(text: string, practice: CadencePractice): number | undefined {
  const named = templateFields(practice, { firstName: atBudget(FIELD_BUDGET.firstName) }, undefined, practice.links);
  let worst: number | undefined;
  for (const fields of [named, { ...named, firstName: undefined }]) {
    try {
      worst = Math.max(worst ?? 0, voicemailSeconds(renderTemplate(text, fields)));
    } catch {
      continue;
    }
  }
  return worst;
}
