/**
 * Helpers for the cadence tests: a stage config tuned so pacing is fast where pacing is
 * not what a test is about, import files with given people, consent, phones and addresses,
 * and a run of one person's enrollment through the real cadence workflow that hands back
 * what reached the person (sandbox records), the attempt ledger, the enrollment and a
 * trace of every Task the execution ran.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importFile, SAMPLE_CONFIG, type ImportOutcome, type LocalStack } from '../../local/local-stack';
import { cadenceHandlers, runCadence, startedExecutions, type CadenceRun, type StartedExecution } from '../../local/cadence-runner';
import type { LocalHandler } from '../../local/workflow-runner';
import type { SandboxRecord } from '../../local/sandbox/types';
import { now } from '../../lambdas/adapters/clock';
import type { Attempt } from '../../lambdas/adapters/cadence-ledger';
import { dependencies } from '../../lambdas/handlers/cadence-support';
import type { z } from 'zod';
import { parseStageConfig, type stageConfigSchema } from '../../lambdas/domain/stage-config';
import type { Contact } from '../../lambdas/domain/contact';
import type { Enrollment } from '../../lambdas/domain/enrollment';

export const SUNRISE = 'sunrise-family';
export const LAKESIDE = 'lakeside-pediatrics';
export const SUNRISE_SMS = '+12065550188';
export const SUNRISE_VOICE = '+12065550177';
export const LAKESIDE_SMS = '+18885550111';

/** A Monday 10:00 in Seattle (no holiday near it): pinned as a round's day 0 so runs do not depend on when the test runs. */
export const MONDAY_10AM_SEATTLE = new Date('2027-03-01T18:00:00Z');

// ---- stage config ----

/** The stage config as written in its JSON file (before defaults are filled in). */
export type ConfigFile = z.input<typeof stageConfigSchema>;

/**
 * The sample config with fast pacing (20 texts and voice messages a second, 10 calls) and
 * fast imports, then `tweak`; checked with parseStageConfig before it is written.
 */
export function cadenceTestConfig(dir: string, tweak: (config: ConfigFile) => void = () => undefined): string {
  const config = JSON.parse(readFileSync(SAMPLE_CONFIG, 'utf8')) as ConfigFile;
  config.validation = { ...config.validation, ratePerSecond: 200 };
  config.enrollment = { startsPerSecond: 500 };
  for (const practice of config.practices) {
    practice.sms = { ...practice.sms, messagesPerSecond: 20 };
    practice.voice = { ...practice.voice, messagesPerSecond: 20 };
    if (practice.contactCenter) practice.contactCenter.callsPerSecond = 10;
  }
  tweak(config);
  parseStageConfig(config, 'cadence test config');
  const path = join(dir, 'stage.cadence-test.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export function practiceOf(config: ConfigFile, id: string): ConfigFile['practices'][number] {
  return config.practices.find((p) => p.id === id)!;
}

// ---- people and import files ----

export type PhoneKind = 'MOBILE' | 'LANDLINE' | 'VOIP' | 'INVALID';
const LAST_DIGIT: Record<PhoneKind, number> = { MOBILE: 0, LANDLINE: 5, VOIP: 7, INVALID: 9 };

/**
 * A Seattle number (+1206…) the sandbox classifies as `kind` (by its last digit), distinct
 * for each `n`; `base` keeps the numbers of one test file apart from another's.
 */
export function phoneNumber(n: number, kind: PhoneKind, base = 300): string {
  return `+1206${base + Math.floor(n / 1000)}${String(n % 1000).padStart(3, '0')}${LAST_DIGIT[kind]}`;
}

export interface Address {
  readonly line1: string;
  readonly city: string;
  readonly state: string;
  readonly zip: string;
}

export const SEATTLE_ADDRESS: Address = { line1: '1420 E Pine St', city: 'Seattle', state: 'WA', zip: '98122' };

export interface Person {
  /** External id, lower case (the tracker keys it as ext:<id>). */
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly mobile?: string;
  readonly home?: string;
  /** null: no address at all. @default SEATTLE_ADDRESS */
  readonly address?: Address | null;
  /** SMS Consent / Call Consent / Marketing Consent columns; Y by default. */
  readonly smsConsent?: 'Y' | 'N';
  readonly callConsent?: 'Y' | 'N';
  readonly marketingConsent?: 'Y' | 'N';
  /** The file's cadence column. */
  readonly cadence?: string;
  readonly language?: string;
}

const HEADER = ['External ID', 'First Name', 'Last Name', 'Mobile', 'Home Phone', 'Address', 'City', 'State', 'ZIP', 'Language', 'SMS Consent', 'Call Consent', 'Marketing Consent', 'Cadence'];

/** Writes an import file (CSV) with one row per person. Returns its path. */
export function writePeopleCsv(dir: string, name: string, people: readonly Person[]): string {
  const cell = (v: string | undefined) => (v === undefined ? '' : /[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = people.map((p) => {
    const a = p.address === null ? undefined : (p.address ?? SEATTLE_ADDRESS);
    return [
      p.id,
      p.firstName ?? `Pat-${p.id}`,
      p.lastName ?? 'Doe',
      p.mobile,
      p.home,
      a?.line1,
      a?.city,
      a?.state,
      a?.zip,
      p.language ?? 'en',
      p.smsConsent ?? 'Y',
      p.callConsent ?? 'Y',
      p.marketingConsent ?? 'Y',
      p.cadence,
    ]
      .map(cell)
      .join(',');
  });
  const path = join(dir, name);
  writeFileSync(path, [HEADER.join(','), ...rows].join('\r\n') + '\r\n');
  return path;
}

export interface Enrolled {
  readonly outcome: ImportOutcome;
  /** The executions this import started. */
  readonly executions: StartedExecution[];
  /** The execution started for a person (by external id), if one was. */
  execution(personId: string, cadence?: string): StartedExecution;
  contactId(personId: string): string;
}

let lastExecutionSeq = 0;

/** Imports the people into the practice (the real import workflow) and returns the executions it started. */
export async function enrollPeople(stack: LocalStack, dir: string, practiceId: string, fileName: string, people: readonly Person[], objectName?: string): Promise<Enrolled> {
  const file = writePeopleCsv(dir, fileName, people);
  const outcome = await importFile(stack, file, { practiceId, objectName });
  if (outcome.execution.status !== 'SUCCEEDED') throw new Error(`import of ${fileName} failed: ${outcome.execution.error} ${outcome.execution.cause}`);
  const { executions, last } = await startedExecutions(stack, lastExecutionSeq);
  lastExecutionSeq = last;
  const claims = await dependencies().tracker.getClaims(practiceId, people.map((p) => `ext:${p.id}`));
  const contactId = (personId: string) => {
    const id = claims.get(`ext:${personId}`);
    if (!id) throw new Error(`person ${personId} was not imported`);
    return id;
  };
  return {
    outcome,
    executions,
    contactId,
    execution(personId, cadence) {
      const id = contactId(personId);
      const found = executions.find((e) => inputOf(e).contactId === id && (!cadence || inputOf(e).cadence === cadence));
      if (!found) throw new Error(`no execution was started for ${personId}${cadence ? ` in ${cadence}` : ''}`);
      return found;
    },
  };
}

export interface CadenceInput {
  readonly practiceId: string;
  readonly contactId: string;
  readonly cadence: string;
  readonly enrollmentId: string;
}

export function inputOf(execution: StartedExecution): CadenceInput {
  return execution.input as CadenceInput;
}

/** Makes `at` the enrollment's current round's day 0 (before it runs), so the test decides when steps fall due. */
export async function pinRoundStart(execution: StartedExecution, at: Date): Promise<void> {
  const { practiceId, contactId, cadence } = inputOf(execution);
  await dependencies().ledger.updateEnrollment({ practiceId, contactId, cadence }, { roundStartedAt: at.toISOString() }, at.toISOString());
}

// ---- running an enrollment ----

/** One Task invocation of an execution: its state, the decision it got and the one it handed on (or the error it threw). */
export interface TaskCall {
  readonly state: string;
  /** Virtual time of the call. */
  readonly at: string;
  readonly input?: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly error?: string;
}

export type HandlerWrap = (real: Record<string, LocalHandler>) => Record<string, LocalHandler>;

export interface RunOptions {
  /** The virtual clock's start. @default the execution's start date */
  readonly start?: Date;
  /** Handlers to use instead of (or around) the real ones, by Task state. */
  readonly wrap?: HandlerWrap;
}

/** Runs one execution on its own virtual clock with every Task traced. */
export async function traceCadence(execution: StartedExecution, options: RunOptions = {}): Promise<{ run: CadenceRun; trace: TaskCall[] }> {
  const real = await cadenceHandlers();
  const handlers = { ...real, ...options.wrap?.(real) };
  const trace: TaskCall[] = [];
  const traced = Object.fromEntries(
    Object.entries(handlers).map(([state, handler]): [string, LocalHandler] => [
      state,
      async (payload, context) => {
        const at = now().toISOString();
        const input = (payload as { state?: { decision?: Record<string, unknown> } }).state?.decision;
        try {
          const out = await handler(payload, context);
          trace.push({ state, at, input, output: (out as { decision?: Record<string, unknown> } | null)?.decision });
          return out;
        } catch (e) {
          trace.push({ state, at, input, error: (e as Error).name });
          throw e;
        }
      },
    ]),
  );
  const run = await runCadence(execution.input, options.start ?? new Date(execution.startDate), execution.name, { handlers: traced });
  return { run, trace };
}

export interface Reached {
  readonly texts: SandboxRecord<RecordedText>[];
  readonly voiceMessages: SandboxRecord<RecordedVoice>[];
  readonly calls: SandboxRecord<RecordedCall>[];
}

export interface RecordedText {
  readonly MessageId: string;
  readonly DestinationPhoneNumber: string;
  readonly OriginationIdentity: string;
  readonly MessageBody: string;
  readonly MessageType?: string;
  readonly Context?: Record<string, string>;
}

export interface RecordedVoice extends RecordedText {
  readonly MessageBodyTextType?: string;
  readonly VoiceId?: string;
}

export interface RecordedCall {
  readonly ContactId: string;
  readonly DestinationPhoneNumber: string;
  readonly ClientToken: string;
  readonly Attributes?: Record<string, string>;
}

/** Everything the sandbox recorded that went to one of `numbers`. */
export async function reached(stack: LocalStack, numbers: readonly string[]): Promise<Reached> {
  const sandbox = stack.engines.sandbox!;
  const to = <T extends { DestinationPhoneNumber: string }>(records: SandboxRecord<T>[]) => records.filter((r) => numbers.includes(r.data.DestinationPhoneNumber));
  const [texts, voiceMessages, calls] = await Promise.all([
    sandbox.records<RecordedText>('texts', { limit: 100_000 }),
    sandbox.records<RecordedVoice>('voice-messages', { limit: 100_000 }),
    sandbox.records<RecordedCall>('calls', { limit: 100_000 }),
  ]);
  return { texts: to(texts), voiceMessages: to(voiceMessages), calls: to(calls) };
}

export interface PersonRun extends Reached {
  readonly run: CadenceRun;
  readonly trace: TaskCall[];
  readonly attempts: Attempt[];
  readonly enrollment: Enrollment;
  readonly contact: Contact;
}

/** The enrollment, attempts, and what reached the person's numbers, as they stand now. */
export async function outcomeOf(stack: LocalStack, execution: StartedExecution): Promise<Omit<PersonRun, 'run' | 'trace'>> {
  const { practiceId, contactId, cadence } = inputOf(execution);
  const { tracker, ledger } = dependencies();
  const [contact, enrollment, attempts] = await Promise.all([
    tracker.getContact(practiceId, contactId),
    ledger.getEnrollment(practiceId, contactId, cadence),
    ledger.attemptsOf(practiceId, contactId),
  ]);
  const mine = attempts.filter((a) => a.enrollmentId === inputOf(execution).enrollmentId);
  return { contact: contact!, enrollment: enrollment!, attempts: mine, ...(await reached(stack, contact!.phones.map((p) => p.e164))) };
}

/**
 * Runs one person's enrollment to its end: optionally pins its round's day 0 first (the
 * virtual clock then starts there), and returns the records, attempts and execution result.
 */
export async function runEnrollment(stack: LocalStack, execution: StartedExecution, options: RunOptions & { roundStartedAt?: Date } = {}): Promise<PersonRun> {
  if (options.roundStartedAt) await pinRoundStart(execution, options.roundStartedAt);
  const { run, trace } = await traceCadence(execution, { start: options.start ?? options.roundStartedAt, wrap: options.wrap });
  return { run, trace, ...(await outcomeOf(stack, execution)) };
}

/** The attempt of a step in a round (attempt keys end in #rNN#<step>). */
export function attemptOf(attempts: readonly Attempt[], round: number, stepId: string): Attempt | undefined {
  return attempts.find((a) => a.attemptKey.endsWith(`#r${String(round).padStart(2, '0')}#${stepId}`));
}

/** Step id → status (and reason) per round, e.g. { 'r01#sms': 'sent', 'r01#voicemail': 'skipped:no-number-for-step' }. */
export function attemptSummary(attempts: readonly Attempt[]): Record<string, string> {
  return Object.fromEntries(
    attempts
      .map((a): [string, string] => [`r${String(a.round).padStart(2, '0')}#${a.stepId}`, a.reason ? `${a.status}:${a.reason}` : a.status])
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** How many records carry each attempt key (texts and voice messages as Context.attempt, calls as ClientToken). */
export function perAttemptKey(records: ReadonlyArray<SandboxRecord<{ Context?: Record<string, string>; ClientToken?: string }>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    const key = r.data.Context?.attempt ?? r.data.ClientToken ?? '?';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
