/**
 * The staff API (API Gateway, IAM-authorised; REST proxy events): what practice staff tools
 * need of the inbox.
 *
 *   GET  /practices/{practiceId}/flags?kind=reply|disposition&olderThanHours=N&handled=true
 *   POST /practices/{practiceId}/flags/{flagId}/handled
 *        (both also for practiceId `unmatched`: flags that name no practice)
 *   GET  /practices/{practiceId}/contacts/{contactId}/thread
 *   POST /practices/{practiceId}/contacts/{contactId}/messages   {"messageId": "<uuid>", "text": "…"}
 *   POST /practices/{practiceId}/contacts/{contactId}/consent    {"key": "sms:care", "granted": true, "evidence": "…"}
 *   POST /practices/{practiceId}/contacts/{contactId}/opt-out    {"channel": "sms" | "all", "evidence": "…"}
 *   GET  /practices/{practiceId}/segments                        the config's and the saved ones
 *   PUT  /practices/{practiceId}/segments/{name}                 {"description": "…", "filter": {…}}
 *   GET  /practices/{practiceId}/segments/{name}/count           the dry run: how many people it holds now
 *   POST /practices/{practiceId}/broadcasts/{name}/start         {"requestId": "<uuid>", "at": "ISO time", "confirm": true}
 *   GET  /practices/{practiceId}/runs                            broadcast and campaign runs with their progress
 *   GET  /practices/{practiceId}/runs/{runId}                    one run's progress (queued, sent, skipped by reason)
 *   POST /practices/{practiceId}/runs/{runId}/cancel             stops it within seconds
 *
 * API Gateway refuses unsigned requests; a request that reaches here without a caller is
 * refused too (never trust one layer). A one-off text obeys consent, window and cap like any
 * other, exactly once per messageId (a retried request sends nothing more). Logs name the
 * caller's ARN and ids, never text or numbers.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { now } from '../adapters/clock';
import { Messaging } from '../adapters/messaging';
import { logger } from '../adapters/powertools';
import { ReplyLedger } from '../adapters/reply-ledger';
import { requiredEnv } from '../adapters/settings';
import { StaffFlags, UNMATCHED, type StaffFlag } from '../adapters/staff-flags';
import { staffMessage } from '../domain/staff-message';
import { findPractice } from '../domain/stage-config';
import { dependencies, originationIdentity } from './cadence-support';
import { sendOneOff, type SendOutcome } from './message-support';
import { recordOptOutEverywhere } from './opt-outs';
import { segmentSchema } from '../domain/segment';
import { cancelRun, countMembers, findSegment, runDependencies, segmentContext, startBroadcast } from './run-support';

const request = z.object({
  httpMethod: z.string(),
  resource: z.string(),
  pathParameters: z.record(z.string(), z.string()).nullish(),
  queryStringParameters: z.record(z.string(), z.string()).nullish(),
  body: z.string().nullish(),
  requestContext: z.object({ requestId: z.string().optional(), identity: z.object({ userArn: z.string().nullish(), caller: z.string().nullish() }).loose().optional() }).loose(),
});

export interface ApiAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const answer = (statusCode: number, body: unknown): ApiAnswer => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let flags: StaffFlags | undefined;
let replies: ReplyLedger | undefined;
let messaging: Messaging | undefined;

export const handler = async (payload: unknown): Promise<ApiAnswer> => {
  const parsed = request.safeParse(payload);
  if (!parsed.success) return answer(400, { message: 'not an API Gateway request' });
  const req = parsed.data;
  const caller = req.requestContext.identity?.userArn;
  if (!caller) return answer(403, { message: 'requests must be signed (AWS SigV4, IAM)' });
  const route = `${req.httpMethod} ${req.resource}`;
  const practiceId = req.pathParameters?.practiceId ?? '';
  // Flags that name no practice are read and handled under `unmatched`; nothing else is.
  if (practiceId === UNMATCHED && FLAG_ROUTES.has(route)) {
    logger.info('staff api', { route, practiceId, caller });
    return flagRoute(route, practiceId, req, caller);
  }
  const practice = findPractice(dependencies().config, practiceId);
  if (!practice) return answer(404, { message: 'no such practice' });
  logger.info('staff api', { route, practiceId: practice.id, caller });
  if (FLAG_ROUTES.has(route)) return flagRoute(route, practice.id, req, caller);
  switch (route) {
    case 'GET /practices/{practiceId}/contacts/{contactId}/thread': {
      const thread = await personThread(practice.id, req.pathParameters!.contactId!);
      return thread ? answer(200, thread) : answer(404, { message: 'no such contact' });
    }
    case 'POST /practices/{practiceId}/contacts/{contactId}/messages': {
      const input = z.object({ messageId: z.string().regex(/^[0-9A-Za-z-]{8,64}$/), text: z.string().min(1).max(1000) }).safeParse(JSON.parse(req.body || '{}'));
      if (!input.success) return answer(400, { message: 'give {"messageId": "<8-64 letters, digits, hyphens>", "text": "…"}' });
      const contact = await dependencies().tracker.getContact(practice.id, req.pathParameters!.contactId!);
      if (!contact) return answer(404, { message: 'no such contact' });
      const message = staffMessage(practice, input.data.text, dependencies().config.sms.maxSegments);
      if (!message.ok) return answer(400, { message: message.reason });
      const key = `staff#${input.data.messageId}`;
      const outcome = await sendOneOff(
        { practice, contact, key, kind: 'staff-message', about: `staff:${caller}`, owner: randomUUID(), text: message.body },
        {
          step: { id: 'staff-message', channel: 'sms', purpose: 'care', phoneTypes: ['MOBILE'], day: 0 },
          pacing: originationIdentity(practice, 'sms'),
          prepare: async (plan) => {
            messaging ??= new Messaging(process.env.CONFIGURATION_SET_NAME || undefined);
            await messaging.warm();
            return () => messaging!.sendText({ to: plan.to!, from: originationIdentity(practice, 'sms').identity, body: message.body, attemptKey: key, practiceId: practice.id, contactId: contact.contactId, purpose: 'care' });
          },
        },
      );
      const { about: _about, since: _since, ...shown } = outcome as SendOutcome & { about?: string; since?: string };
      return answer(outcome.status === 'sent' || outcome.status === 'already' ? 200 : outcome.status === 'later' ? 202 : 409, shown);
    }
    case 'POST /practices/{practiceId}/contacts/{contactId}/consent': {
      // What the person told staff (a signed form, a call): recorded with who and what shows it.
      const input = z.object({ key: z.enum(['sms:care', 'sms:outreach', 'voice:care', 'voice:outreach']), granted: z.boolean(), evidence: z.string().min(3).max(300) }).safeParse(JSON.parse(req.body || '{}'));
      if (!input.success) return answer(400, { message: 'give {"key": "sms:care|sms:outreach|voice:care|voice:outreach", "granted": true|false, "evidence": "what shows it"}' });
      const { tracker } = dependencies();
      const contactId = req.pathParameters!.contactId!;
      if (!(await tracker.getContact(practice.id, contactId))) return answer(404, { message: 'no such contact' });
      const applied = await tracker.setConsent(practice.id, contactId, input.data.key, input.data.granted, `staff:${caller}`, now().toISOString(), input.data.evidence);
      return applied ? answer(200, { recorded: true }) : answer(409, { message: 'the person opted out of this channel: only they can opt back in (START)' });
    }
    case 'POST /practices/{practiceId}/contacts/{contactId}/opt-out': {
      const input = z.object({ channel: z.enum(['sms', 'all']), evidence: z.string().min(3).max(300) }).safeParse(JSON.parse(req.body || '{}'));
      if (!input.success) return answer(400, { message: 'give {"channel": "sms|all", "evidence": "what the person said, and how"}' });
      const contact = await dependencies().tracker.getContact(practice.id, req.pathParameters!.contactId!);
      if (!contact) return answer(404, { message: 'no such contact' });
      await recordOptOutEverywhere(practice.id, contact.contactId, input.data.channel, contact.phones.map((p) => p.e164), `staff:${caller} (${input.data.evidence})`, now().toISOString());
      return answer(200, { optedOut: input.data.channel });
    }
    case 'GET /practices/{practiceId}/segments': {
      const saved = await runDependencies().roster.savedSegments(practice.id);
      return answer(200, { segments: [...dependencies().config.segments.filter((x) => x.practice === practice.id).map((x) => ({ ...x, source: 'config' })), ...saved.map((x) => ({ ...x, source: 'saved' }))] });
    }
    case 'PUT /practices/{practiceId}/segments/{name}': {
      const name = req.pathParameters!.name!;
      // The stage config's segment schema, with the name from the path and the practice from the route.
      const input = segmentSchema.safeParse({ ...JSON.parse(req.body || '{}'), name, practice: practice.id });
      if (!input.success) return answer(400, { message: `give a segment name of lower-case letters, digits and dashes, and {"filter": {…}}: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
      if (dependencies().config.segments.some((x) => x.practice === practice.id && x.name === name)) return answer(409, { message: `segment ${name} is defined in the stage config; change it there` });
      await runDependencies().roster.saveSegment(input.data, caller, now().toISOString());
      return answer(200, { saved: name });
    }
    case 'GET /practices/{practiceId}/segments/{name}/count': {
      const segment = await findSegment(practice.id, req.pathParameters!.name!);
      if (!segment) return answer(404, { message: 'no such segment' });
      return answer(200, { segment: segment.name, ...(await countMembers(practice, [segment.filter], segmentContext(practice, now()))) });
    }
    case 'POST /practices/{practiceId}/broadcasts/{name}/start': {
      const input = z.object({ requestId: z.string().regex(/^[0-9A-Za-z-]{8,64}$/).optional(), at: z.iso.datetime({ offset: true }).optional(), confirm: z.boolean().optional() }).safeParse(JSON.parse(req.body || '{}'));
      if (!input.success || (!input.data.requestId && !input.data.at)) {
        return answer(400, { message: 'give {"requestId": "<8-64 letters, digits, hyphens>", "at": "<ISO 8601 time>", "confirm": true}: a requestId or an at (either names the run, so a retried request starts nothing twice)' });
      }
      const started = await startBroadcast({ practiceId: practice.id, name: req.pathParameters!.name!, at: input.data.at, confirm: input.data.confirm, trigger: input.data.requestId ?? input.data.at, by: `staff:${caller}` });
      const status = { started: 201, 'already-started': 200, 'needs-confirmation': 409, refused: 404 }[started.status];
      return answer(status, started);
    }
    case 'GET /practices/{practiceId}/runs':
      return answer(200, { runs: (await runDependencies().runs.runs(practice.id)).map(({ filters: _f, ...run }) => run) });
    case 'GET /practices/{practiceId}/runs/{runId}': {
      const run = await runDependencies().runs.getRun(practice.id, decodeURIComponent(req.pathParameters!.runId!));
      return run ? answer(200, run) : answer(404, { message: 'no such run' });
    }
    case 'POST /practices/{practiceId}/runs/{runId}/cancel': {
      const runId = decodeURIComponent(req.pathParameters!.runId!);
      if (await cancelRun(practice.id, runId, `staff:${caller}`)) return answer(200, { cancelled: runId });
      const run = await runDependencies().runs.getRun(practice.id, runId);
      return run ? answer(409, { message: `the run is ${run.status}` }) : answer(404, { message: 'no such run' });
    }
    default:
      return answer(404, { message: `no route ${route}` });
  }
};

const FLAG_ROUTES: ReadonlySet<string> = new Set(['GET /practices/{practiceId}/flags', 'POST /practices/{practiceId}/flags/{flagId}/handled']);

/** The flag routes, for a practice or for `unmatched`. */
async function flagRoute(route: string, practiceId: string, req: z.infer<typeof request>, caller: string): Promise<ApiAnswer> {
  if (route === 'GET /practices/{practiceId}/flags') {
    const q = req.queryStringParameters ?? {};
    const olderThanHours = q.olderThanHours ? Number(q.olderThanHours) : 0;
    if (Number.isNaN(olderThanHours)) return answer(400, { message: 'olderThanHours must be a number' });
    return answer(200, { flags: await flagsOf(practiceId, { kind: q.kind, olderThanHours, handledToo: q.handled === 'true' }) });
  }
  const found = await markFlagHandled(practiceId, decodeURIComponent(req.pathParameters!.flagId!), caller);
  return found ? answer(200, { handled: true }) : answer(404, { message: 'no such flag' });
}

/** A practice's flags, oldest first: open ones only unless `handledToo`; of one kind; at least `olderThanHours` old. */
export async function flagsOf(practiceId: string, filter: { kind?: string; olderThanHours?: number; handledToo?: boolean } = {}): Promise<StaffFlag[]> {
  flags ??= new StaffFlags(requiredEnv('TRACKER_TABLE_NAME'));
  const at = now().getTime();
  const olderThanMs = (filter.olderThanHours ?? 0) * 3_600_000;
  return (await flags.list(practiceId)).filter((f) => (!filter.kind || f.kind === filter.kind) && (filter.handledToo || !f.handledAt) && at - Date.parse(f.at) >= olderThanMs);
}

/** Marks a flag handled by `by`; false when the practice has no such flag (handling twice keeps the first). */
export async function markFlagHandled(practiceId: string, flagId: string, by: string): Promise<boolean> {
  flags ??= new StaffFlags(requiredEnv('TRACKER_TABLE_NAME'));
  return flags.markHandled(practiceId, flagId, by, now().toISOString());
}

/** A person's thread (replies in, texts and voicemails out with their delivery, by time) and history; undefined for no such person. */
export async function personThread(practiceId: string, contactId: string) {
  replies ??= new ReplyLedger(requiredEnv('TRACKER_TABLE_NAME'));
  const { tracker, ledger } = dependencies();
  const contact = await tracker.getContact(practiceId, contactId);
  if (!contact) return undefined;
  const [incoming, attempts, history] = await Promise.all([replies.thread(practiceId, contactId), ledger.attemptsOf(practiceId, contactId), tracker.contactHistory(practiceId, contactId)]);
  const thread = [
    ...incoming.map((m) => ({ at: m.at, direction: 'in' as const, text: m.text, kind: m.kind })),
    ...attempts
      .filter((a) => a.status === 'sent' && a.channel !== 'postcard')
      .map((a) => ({ at: a.sentAt ?? a.at, direction: 'out' as const, channel: a.channel, what: `${a.cadence}/${a.stepId}`, template: a.template, text: a.text, delivery: a.delivery?.status })),
  ].sort((x, y) => x.at.localeCompare(y.at));
  return { contactId, status: contact.status ?? 'open', optedOut: contact.optedOut, thread, history };
}

export function resetStaffApi(): void {
  flags = undefined;
  replies = undefined;
  messaging = undefined;
}
