/**
 * The Amazon Connect contact flows in connect/flows/ (Amazon Connect flow language): loads
 * a flow file, fills its `${Placeholder}`s at synth time, and checks a flow before CDK
 * hands it to Connect, so a broken flow fails `cdk synth` (and the tests) instead of a
 * deployment or, worse, a caller. Pure: no CDK, no AWS.
 *
 * What the checks rest on (Amazon Connect Administrator Guide / API Reference, "Amazon
 * Connect Flow language"; looked up 2026-12):
 * - A flow is `{ Version: "2019-10-30", StartAction, Actions: [{ Identifier, Type,
 *   Parameters, Transitions: { NextAction, Conditions[], Errors[] } }] }`; identifiers are
 *   unique, at most 50 characters, without % : ( \ / ) = $ , ; [ ] { }.
 * - Per action (parameters, results, errors, where it may run): MessageParticipant (one of
 *   Text, SSML, PromptId, Media; not in hold flows), GetParticipantInput (DTMF, Conditions
 *   "Equals" one digit; errors InputTimeLimitExceeded, NoMatchingCondition, NoMatchingError;
 *   not in whisper flows), InvokeLambdaFunction (LambdaFunctionARN, InvocationTimeLimitSeconds
 *   1–8, ResponseValidation STRING_MAP or JSON; results under $.External; no conditions),
 *   UpdateContactAttributes (Attributes, TargetContact Current|Related), UpdateContactTargetQueue
 *   (QueueId or AgentId; inbound and transfer flows only), TransferContactToQueue (errors
 *   QueueAtCapacity, NoMatchingError), CheckHoursOfOperation (conditions Equals True and
 *   Equals False, nothing else; no HoursOfOperationId → the target queue's hours; not in
 *   whisper flows), Compare (one JSONPath ComparisonValue; error NoMatchingCondition),
 *   UpdateContactEventHooks (one entry, e.g. AgentWhisper → a flow ARN), EndFlowExecution
 *   (whisper and customer queue flows only, terminal), DisconnectParticipant (terminal),
 *   UpdateFlowLoggingBehavior, UpdateContactTextToSpeechVoice (error NoMatchingError).
 * - Answering-machine detection: a flow reads the result with CheckOutboundCallStatus
 *   ("Check call progress"), whose results are CallAnswered, VoicemailBeep, VoicemailNoBeep
 *   and NotDetected (Conditions "Equals" only; error NoMatchingError). The docs say it works
 *   with outbound campaign calls, i.e. StartOutboundVoiceContact with
 *   AnswerMachineDetectionConfig, which the API Reference says needs TrafficType CAMPAIGN.
 *   There is no documented `$.AnsweringMachineDetectionStatus` JSONPath for flows; the
 *   AnsweringMachineDetectionStatus values (HUMAN_ANSWERED, VOICEMAIL_BEEP,
 *   VOICEMAIL_NO_BEEP, AMD_UNRESOLVED, AMD_ERROR, …) appear on the Contact (DescribeContact)
 *   and in contact events. So voicemail.json maps each CheckOutboundCallStatus branch to the
 *   matching AnsweringMachineDetectionStatus value (AMD_STATUS_BY_CALL_PROGRESS) and passes
 *   that to record-disposition as `amdStatus`, the values AMD_DISPOSITIONS reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CONTACT_FLOWS_DIR = path.resolve(__dirname, '..', 'connect', 'flows');

/** Connect's flow types (AWS::Connect::ContactFlow Type) the project uses. */
export type ContactFlowType = 'CONTACT_FLOW' | 'AGENT_WHISPER' | 'CUSTOMER_QUEUE' | 'CUSTOMER_HOLD' | 'CUSTOMER_WHISPER' | 'AGENT_HOLD' | 'OUTBOUND_WHISPER' | 'AGENT_TRANSFER' | 'QUEUE_TRANSFER';

export interface ContactFlowFile {
  /** File name in connect/flows/. */
  readonly file: string;
  readonly type: ContactFlowType;
  /** What the flow is for (the ContactFlow's description). */
  readonly description: string;
}

/** Every flow file, by its role. */
export const CONTACT_FLOW_FILES = {
  inboundIvr: { file: 'inbound-ivr.json', type: 'CONTACT_FLOW', description: 'Answers the practice number: greeting, caller lookup, hours, book / practice information / stop calls' },
  outboundCall: { file: 'outbound-call.json', type: 'CONTACT_FLOW', description: 'The cadence agent call: names the practice, sets the agent whisper, queues the call' },
  outboundWhisper: { file: 'outbound-whisper.json', type: 'AGENT_WHISPER', description: 'Tells the agent who the person is, their language, the cadence step and the script' },
  voicemail: { file: 'voicemail.json', type: 'CONTACT_FLOW', description: 'The cadence voicemail: plays the message after detection and records what detection found' },
} as const satisfies Record<string, ContactFlowFile>;
export type ContactFlowRole = keyof typeof CONTACT_FLOW_FILES;

/**
 * Check call progress (CheckOutboundCallStatus) results → Connect's
 * AnsweringMachineDetectionStatus value voicemail.json passes as `amdStatus`, plus the error branch.
 */
export const AMD_STATUS_BY_CALL_PROGRESS = {
  CallAnswered: 'HUMAN_ANSWERED',
  VoicemailBeep: 'VOICEMAIL_BEEP',
  VoicemailNoBeep: 'VOICEMAIL_NO_BEEP',
  NotDetected: 'AMD_UNRESOLVED',
  NoMatchingError: 'AMD_ERROR',
} as const;

export interface FlowCondition {
  readonly NextAction: string;
  readonly Condition: { readonly Operator: string; readonly Operands: readonly string[] };
}
export interface FlowError {
  readonly NextAction: string;
  readonly ErrorType: string;
}
export interface FlowTransitions {
  readonly NextAction?: string;
  readonly Conditions?: readonly FlowCondition[];
  readonly Errors?: readonly FlowError[];
}
export interface FlowAction {
  readonly Identifier: string;
  readonly Type: string;
  readonly Parameters: Readonly<Record<string, unknown>>;
  readonly Transitions: FlowTransitions;
}
export interface ContactFlow {
  readonly Version: string;
  readonly StartAction: string;
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly Actions: readonly FlowAction[];
}

/** `${Name}`: a synth-time placeholder. CDK tokens (`${Token[…]}`) and JSONPath (`$.x`) are not. */
const PLACEHOLDER = /\$\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** Reads a flow file from connect/flows/ (or a path); throws naming the file when it is not JSON. */
export function readFlowFile(file: string): ContactFlow {
  const full = path.isAbsolute(file) ? file : path.join(CONTACT_FLOWS_DIR, file);
  const text = fs.readFileSync(full, 'utf8');
  try {
    return JSON.parse(text) as ContactFlow;
  } catch (error) {
    throw new Error(`contact flow ${full} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The placeholder names a flow (or any JSON value) uses, sorted. */
export function placeholdersIn(value: unknown): string[] {
  const names = new Set<string>();
  walkStrings(value, (text) => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]!);
    return text;
  });
  return [...names].sort();
}

/**
 * Fills every `${Name}` in the flow's strings. Works on the parsed JSON, so a value with
 * quotes or backslashes (a practice name) can never break the document. Throws naming every
 * placeholder without a value and every value no placeholder uses (a typo on either side).
 */
export function substitutePlaceholders<T>(flow: T, values: Readonly<Record<string, string>>, source = 'contact flow'): T {
  const used = placeholdersIn(flow);
  const missing = used.filter((name) => values[name] === undefined);
  const unused = Object.keys(values).filter((name) => !used.includes(name)).sort();
  if (missing.length > 0 || unused.length > 0) {
    const problems = [
      ...(missing.length > 0 ? [`no value for ${missing.map((n) => `\${${n}}`).join(', ')}`] : []),
      ...(unused.length > 0 ? [`values not used by any placeholder: ${unused.join(', ')}`] : []),
    ];
    throw new Error(`${source}: ${problems.join('; ')}`);
  }
  return walkStrings(flow, (text) => text.replace(PLACEHOLDER, (_whole, name: string) => values[name]!)) as T;
}

/** Reads a flow file and fills its placeholders. */
export function loadFlow(file: string, values: Readonly<Record<string, string>>): ContactFlow {
  return substitutePlaceholders(readFlowFile(file), values, `contact flow ${file}`);
}

function walkStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === 'string') return change(value);
  if (Array.isArray(value)) return value.map((v) => walkStrings(v, change));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [change(k), walkStrings(v, change)]));
  }
  return value;
}

// ---- validation ----

interface ActionRule {
  /** Error types the action can raise; each must be handled (so no failure leaves the caller in silence). */
  readonly errors: readonly string[];
  /** The action ends the flow: no transitions at all. */
  readonly terminal?: boolean;
  /** Flow types it may run in. @default every type */
  readonly flowTypes?: readonly ContactFlowType[];
  /** Problems with the action's parameters and conditions. */
  readonly check?: (action: FlowAction) => string[];
}

const INBOUND_AND_TRANSFER: readonly ContactFlowType[] = ['CONTACT_FLOW', 'AGENT_TRANSFER', 'QUEUE_TRANSFER'];
const NOT_WHISPER_OR_HOLD: readonly ContactFlowType[] = ['CONTACT_FLOW', 'CUSTOMER_QUEUE', 'AGENT_TRANSFER', 'QUEUE_TRANSFER'];
const EVENT_HOOKS = ['AgentHold', 'AgentWhisper', 'CustomerHold', 'CustomerQueue', 'CustomerRemaining', 'CustomerWhisper', 'DefaultAgentUI', 'DisconnectAgentUI', 'PauseContact', 'ResumeContact'];

const exactlyOneOf = (action: FlowAction, keys: readonly string[]): string[] => {
  const given = keys.filter((k) => action.Parameters[k] !== undefined);
  return given.length === 1 ? [] : [`needs exactly one of ${keys.join(', ')} (has ${given.length === 0 ? 'none' : given.join(', ')})`];
};
const nonEmptyString = (action: FlowAction, key: string): string[] =>
  typeof action.Parameters[key] === 'string' && (action.Parameters[key] as string).trim() !== '' ? [] : [`needs ${key}`];
const conditionsOnly = (action: FlowAction, allowed: readonly string[] | ((operand: string) => boolean), what: string): string[] =>
  (action.Transitions.Conditions ?? []).flatMap((c) => {
    const operand = c.Condition.Operands[0] ?? '';
    const ok = c.Condition.Operator === 'Equals' && c.Condition.Operands.length === 1 && (typeof allowed === 'function' ? allowed(operand) : allowed.includes(operand));
    return ok ? [] : [`condition ${c.Condition.Operator} ${JSON.stringify(c.Condition.Operands)} is not ${what}`];
  });
const noConditions = (action: FlowAction): string[] => ((action.Transitions.Conditions ?? []).length > 0 ? ['supports no conditions'] : []);

/** The action types the flows use, with what each needs (see the header for the sources). */
export const ACTION_RULES: Readonly<Record<string, ActionRule>> = {
  UpdateFlowLoggingBehavior: {
    errors: [],
    check: (a) => [...(['Enabled', 'Disabled'].includes(a.Parameters.FlowLoggingBehavior as string) ? [] : ['FlowLoggingBehavior must be Enabled or Disabled']), ...noConditions(a)],
  },
  MessageParticipant: {
    errors: ['NoMatchingError'],
    flowTypes: ['CONTACT_FLOW', 'AGENT_TRANSFER', 'QUEUE_TRANSFER', 'CUSTOMER_QUEUE', 'AGENT_WHISPER', 'CUSTOMER_WHISPER', 'OUTBOUND_WHISPER'],
    check: (a) => [...exactlyOneOf(a, ['Text', 'SSML', 'PromptId', 'Media']), ...noConditions(a)],
  },
  GetParticipantInput: {
    errors: ['InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError'],
    flowTypes: NOT_WHISPER_OR_HOLD,
    check: (a) => {
      const seconds = Number(a.Parameters.InputTimeLimitSeconds);
      const digits = (a.Transitions.Conditions ?? []).map((c) => c.Condition.Operands[0]);
      return [
        ...exactlyOneOf(a, ['Text', 'SSML', 'PromptId', 'Media']),
        ...(Number.isInteger(seconds) && seconds >= 1 ? [] : ['needs InputTimeLimitSeconds (whole seconds)']),
        ...(a.Parameters.StoreInput === 'False' ? [] : ['a menu reads one key: StoreInput must be "False"']),
        ...((a.Transitions.Conditions ?? []).length > 0 ? [] : ['a menu needs at least one key condition']),
        ...conditionsOnly(a, (d) => /^[0-9*#]$/.test(d), 'Equals one key (0-9, *, #)'),
        ...(new Set(digits).size === digits.length ? [] : ['the same key leads two ways']),
      ];
    },
  },
  InvokeLambdaFunction: {
    errors: ['NoMatchingError'],
    check: (a) => {
      const seconds = Number(a.Parameters.InvocationTimeLimitSeconds);
      const responseType = (a.Parameters.ResponseValidation as { ResponseType?: string } | undefined)?.ResponseType;
      const attributes = a.Parameters.LambdaInvocationAttributes;
      return [
        ...nonEmptyString(a, 'LambdaFunctionARN'),
        ...(Number.isInteger(seconds) && seconds >= 1 && seconds <= 8 ? [] : ['InvocationTimeLimitSeconds must be a whole number from 1 to 8']),
        ...(responseType === undefined || responseType === 'STRING_MAP' || responseType === 'JSON' ? [] : ['ResponseValidation.ResponseType must be STRING_MAP or JSON']),
        ...(attributes === undefined || (typeof attributes === 'object' && Object.values(attributes as object).every((v) => typeof v === 'string'))
          ? []
          : ['LambdaInvocationAttributes must map names to strings']),
        ...noConditions(a),
      ];
    },
  },
  UpdateContactAttributes: {
    errors: ['NoMatchingError'],
    check: (a) => {
      const attributes = a.Parameters.Attributes;
      const ok = attributes !== null && typeof attributes === 'object' && Object.keys(attributes).length > 0 && Object.values(attributes).every((v) => typeof v === 'string');
      return [
        ...(ok ? [] : ['needs Attributes (names to strings)']),
        ...(['Current', 'Related'].includes(a.Parameters.TargetContact as string) ? [] : ['TargetContact must be Current or Related']),
        ...noConditions(a),
      ];
    },
  },
  UpdateContactTargetQueue: {
    errors: ['NoMatchingError'],
    flowTypes: INBOUND_AND_TRANSFER,
    check: (a) => [...exactlyOneOf(a, ['QueueId', 'AgentId']), ...noConditions(a)],
  },
  TransferContactToQueue: {
    errors: ['QueueAtCapacity', 'NoMatchingError'],
    flowTypes: INBOUND_AND_TRANSFER,
    check: (a) => noConditions(a),
  },
  CheckHoursOfOperation: {
    errors: ['NoMatchingError'],
    flowTypes: NOT_WHISPER_OR_HOLD,
    check: (a) => {
      const operands = (a.Transitions.Conditions ?? []).map((c) => c.Condition.Operands[0]).sort();
      return [
        ...conditionsOnly(a, ['True', 'False'], 'Equals True or Equals False'),
        ...(JSON.stringify(operands) === JSON.stringify(['False', 'True']) ? [] : ['needs exactly one condition Equals True and one Equals False']),
      ];
    },
  },
  CheckOutboundCallStatus: {
    errors: ['NoMatchingError'],
    check: (a) => [
      ...conditionsOnly(a, ['CallAnswered', 'VoicemailBeep', 'VoicemailNoBeep', 'NotDetected'], 'Equals CallAnswered, VoicemailBeep, VoicemailNoBeep or NotDetected'),
      ...((a.Transitions.Conditions ?? []).length > 0 ? [] : ['needs a condition per call-progress result']),
    ],
  },
  Compare: {
    errors: ['NoMatchingCondition'],
    check: (a) => [
      ...(typeof a.Parameters.ComparisonValue === 'string' && /^\$\.\S+$/.test(a.Parameters.ComparisonValue) ? [] : ['ComparisonValue must be one JSONPath ($.…)']),
      ...((a.Transitions.Conditions ?? []).length > 0 ? [] : ['needs at least one condition']),
    ],
  },
  UpdateContactEventHooks: {
    errors: ['NoMatchingError'],
    check: (a) => {
      const hooks = Object.entries((a.Parameters.EventHooks as Record<string, unknown> | undefined) ?? {});
      return [
        ...(hooks.length === 1 ? [] : ['EventHooks must hold exactly one entry']),
        ...hooks.flatMap(([hook, flow]) => [
          ...(EVENT_HOOKS.includes(hook) ? [] : [`unknown event hook ${hook}`]),
          ...(typeof flow === 'string' && flow !== '' ? [] : [`event hook ${hook} needs a flow id or ARN`]),
        ]),
        ...noConditions(a),
      ];
    },
  },
  UpdateContactTextToSpeechVoice: {
    errors: ['NoMatchingError'],
    check: (a) => [...nonEmptyString(a, 'TextToSpeechVoice'), ...noConditions(a)],
  },
  DisconnectParticipant: { errors: [], terminal: true },
  EndFlowExecution: { errors: [], terminal: true, flowTypes: ['AGENT_WHISPER', 'CUSTOMER_WHISPER', 'OUTBOUND_WHISPER', 'CUSTOMER_QUEUE'] },
};

const FORBIDDEN_IN_IDENTIFIER = /[%:()\\/=$,;[\]{}]/;

/**
 * Every problem with a flow, each naming the action; [] when it is sound. Checks: the
 * version; StartAction names an action; identifiers are unique and allowed; every
 * transition (NextAction, condition, error) lands on an action; every action can be
 * reached from StartAction; every action but a terminal one has a way on, and handles
 * each error its type can raise; types are known and allowed in `flowType`; each type has
 * the parameters and conditions it needs; no `${Placeholder}` is left.
 */
export function validateFlow(flow: unknown, options: { readonly flowType?: ContactFlowType } = {}): string[] {
  if (flow === null || typeof flow !== 'object') return ['a flow is a JSON object'];
  const doc = flow as Partial<ContactFlow>;
  const problems: string[] = [];
  if (doc.Version !== '2019-10-30') problems.push(`Version must be "2019-10-30" (is ${JSON.stringify(doc.Version)})`);
  if (!Array.isArray(doc.Actions) || doc.Actions.length === 0) return [...problems, 'Actions must be a non-empty list'];

  const actions = doc.Actions as readonly FlowAction[];
  const ids = new Map<string, number>();
  actions.forEach((action, i) => {
    const at = typeof action?.Identifier === 'string' ? `action "${action.Identifier}"` : `action #${i}`;
    if (typeof action?.Identifier !== 'string' || action.Identifier === '') return problems.push(`${at}: needs an Identifier`);
    ids.set(action.Identifier, (ids.get(action.Identifier) ?? 0) + 1);
    if (action.Identifier.length > 50 || FORBIDDEN_IN_IDENTIFIER.test(action.Identifier)) problems.push(`${at}: Identifier must be at most 50 characters without % : ( \\ / ) = $ , ; [ ] { }`);
    if (action.Parameters === null || typeof action.Parameters !== 'object') problems.push(`${at}: needs Parameters (an object, {} when there are none)`);
    if (action.Transitions === null || typeof action.Transitions !== 'object') problems.push(`${at}: needs Transitions (an object, {} for a terminal action)`);
    return undefined;
  });
  for (const [id, count] of ids) if (count > 1) problems.push(`action "${id}": Identifier used ${count} times`);
  if (typeof doc.StartAction !== 'string' || !ids.has(doc.StartAction)) problems.push(`StartAction ${JSON.stringify(doc.StartAction)} is not an action`);
  if (problems.some((p) => /needs (Parameters|Transitions|an Identifier)/.test(p))) return problems;

  for (const action of actions) {
    const at = `action "${action.Identifier}"`;
    const rule = ACTION_RULES[action.Type];
    for (const [via, target] of transitionsOf(action)) {
      if (!ids.has(target)) problems.push(`${at}: ${via} goes to "${target}", which is not an action`);
    }
    if (!rule) {
      problems.push(`${at}: unknown action type ${JSON.stringify(action.Type)}`);
      continue;
    }
    if (options.flowType && rule.flowTypes && !rule.flowTypes.includes(options.flowType)) problems.push(`${at}: ${action.Type} is not allowed in a ${options.flowType} flow`);
    const t = action.Transitions;
    const handled = new Set((t.Errors ?? []).map((e) => e.ErrorType));
    if (rule.terminal) {
      if (t.NextAction !== undefined || (t.Conditions ?? []).length > 0 || (t.Errors ?? []).length > 0) problems.push(`${at}: ${action.Type} ends the flow and takes no transitions`);
    } else {
      if (t.NextAction === undefined && (t.Conditions ?? []).length === 0 && (t.Errors ?? []).length === 0) problems.push(`${at}: has no way on (no NextAction, condition or error transition)`);
      for (const error of rule.errors) if (!handled.has(error)) problems.push(`${at}: does not handle ${error}`);
    }
    for (const error of handled) if (!rule.errors.includes(error)) problems.push(`${at}: ${action.Type} never raises ${error}`);
    for (const problem of rule.check?.(action) ?? []) problems.push(`${at}: ${problem}`);
  }

  if (typeof doc.StartAction === 'string' && ids.has(doc.StartAction)) {
    const reached = new Set(reachableFrom(doc as ContactFlow, [doc.StartAction]).map((a) => a.Identifier));
    for (const id of ids.keys()) if (!reached.has(id)) problems.push(`action "${id}": cannot be reached from StartAction "${doc.StartAction}"`);
  }
  const leftover = placeholdersIn(doc.Actions);
  if (leftover.length > 0) problems.push(`placeholders without a value: ${leftover.map((n) => `\${${n}}`).join(', ')}`);
  return problems;
}

/** Each transition of an action as [how, target id]. */
export function transitionsOf(action: FlowAction): Array<[string, string]> {
  const t = action.Transitions ?? {};
  return [
    ...(t.NextAction !== undefined ? ([['NextAction', t.NextAction]] as Array<[string, string]>) : []),
    ...(t.Conditions ?? []).map((c): [string, string] => [`condition ${c.Condition.Operator} ${JSON.stringify(c.Condition.Operands)}`, c.NextAction]),
    ...(t.Errors ?? []).map((e): [string, string] => [`error ${e.ErrorType}`, e.NextAction]),
  ];
}

export function actionById(flow: ContactFlow, id: string): FlowAction | undefined {
  return flow.Actions.find((a) => a.Identifier === id);
}

/** The actions reachable from `startIds` (themselves included), in the order they are first reached. */
export function reachableFrom(flow: ContactFlow, startIds: readonly string[]): FlowAction[] {
  const seen = new Set<string>();
  const order: FlowAction[] = [];
  const queue = [...startIds];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const action = actionById(flow, id);
    if (!action) continue;
    order.push(action);
    for (const [, target] of transitionsOf(action)) queue.push(target);
  }
  return order;
}

/** Where a condition `Equals <operand>` of an action leads (a menu key, a call-progress result, True/False). */
export function conditionTarget(flow: ContactFlow, actionId: string, operand: string): string | undefined {
  return actionById(flow, actionId)?.Transitions.Conditions?.find((c) => c.Condition.Operator === 'Equals' && c.Condition.Operands[0] === operand)?.NextAction;
}

/** Where an error of an action leads. */
export function errorTarget(flow: ContactFlow, actionId: string, errorType: string): string | undefined {
  return actionById(flow, actionId)?.Transitions.Errors?.find((e) => e.ErrorType === errorType)?.NextAction;
}

/** The actions a caller can reach by pressing `digit` at the menu `menuId` ([] when the key does nothing). */
export function actionsReachableByDigit(flow: ContactFlow, menuId: string, digit: string): FlowAction[] {
  const target = conditionTarget(flow, menuId, digit);
  return target === undefined ? [] : reachableFrom(flow, [target]);
}

/** The Lambda invocations among `actions` that call `functionArn`. */
export function invocationsOf(actions: readonly FlowAction[], functionArn: string): FlowAction[] {
  return actions.filter((a) => a.Type === 'InvokeLambdaFunction' && a.Parameters.LambdaFunctionARN === functionArn);
}
