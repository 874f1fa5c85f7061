import { AMD_DISPOSITIONS, DISPOSITION_CODES } from '../../lambdas/domain/disposition';
import {
  ACTION_RULES,
  AMD_STATUS_BY_CALL_PROGRESS,
  CONTACT_FLOW_FILES,
  actionById,
  actionsReachableByDigit,
  conditionTarget,
  errorTarget,
  invocationsOf,
  loadFlow,
  placeholdersIn,
  readFlowFile,
  reachableFrom,
  substitutePlaceholders,
  transitionsOf,
  validateFlow,
  type ContactFlow,
  type ContactFlowRole,
  type ContactFlowType,
  type FlowAction,
} from '../../lib/connect-flows';
import { practiceFlowValues } from '../../lib/contact-center-stack';
import { sampleConfig } from './support/outreach-app';

const QUEUE = 'arn:aws:connect:us-east-1:111122223333:instance/8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/queue/0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a';
const LOOKUP = 'arn:aws:lambda:us-east-1:111122223333:function:outreach-dev-lookup-caller';
const RECORD = 'arn:aws:lambda:us-east-1:111122223333:function:outreach-dev-record-disposition';
const WHISPER = 'arn:aws:connect:us-east-1:111122223333:instance/8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/contact-flow/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const sunrise = sampleConfig().practices.find((p) => p.id === 'sunrise-family')!;

/** Every value a flow may take, as the contact center stack gives them (ARNs made up). */
const ALL_VALUES: Record<string, string> = {
  ...practiceFlowValues(sunrise),
  QueueArn: QUEUE,
  CallerLookupFunctionArn: LOOKUP,
  RecordDispositionFunctionArn: RECORD,
  OutboundWhisperFlowArn: WHISPER,
};
const valuesFor = (role: ContactFlowRole) => Object.fromEntries(placeholdersIn(readFlowFile(CONTACT_FLOW_FILES[role].file)).map((n) => [n, ALL_VALUES[n]!]));
const flowOf = (role: ContactFlowRole): ContactFlow => loadFlow(CONTACT_FLOW_FILES[role].file, valuesFor(role));
const ROLES = Object.keys(CONTACT_FLOW_FILES) as ContactFlowRole[];

/** A deep copy to break. */
const copy = (flow: ContactFlow): { Version: string; StartAction: string; Actions: Array<Record<string, any>> } => JSON.parse(JSON.stringify(flow));
const act = (flow: ReturnType<typeof copy>, id: string) => flow.Actions.find((a) => a.Identifier === id)!;
/** The actions a path can end at (no way on). */
const endings = (actions: readonly FlowAction[]) => [...new Set(actions.filter((a) => transitionsOf(a).length === 0).map((a) => a.Type))];
/** StartAction, then each NextAction, as long as there is one. */
const happyPath = (flow: ContactFlow) => {
  const ids: string[] = [];
  for (let id: string | undefined = flow.StartAction; id !== undefined && !ids.includes(id); id = actionById(flow, id)?.Transitions.NextAction) ids.push(id);
  return ids;
};
const texts = (actions: readonly FlowAction[]) => actions.flatMap((a) => [a.Parameters.Text, a.Parameters.SSML]).filter((t): t is string => typeof t === 'string');

describe('GIVEN the contact flow files', () => {
  test.each(ROLES)('THEN %s parses, every placeholder has a value, and it validates clean for its flow type', (role) => {
    const flow = flowOf(role);
    expect(validateFlow(flow, { flowType: CONTACT_FLOW_FILES[role].type })).toEqual([]);
    expect(placeholdersIn(flow)).toEqual([]);
  });

  test('THEN the placeholders each flow takes are the ones the stack fills', () => {
    expect(Object.fromEntries(ROLES.map((role) => [role, placeholdersIn(readFlowFile(CONTACT_FLOW_FILES[role].file))]))).toEqual({
      inboundIvr: ['CallbackNumberSpoken', 'CallerLookupFunctionArn', 'PracticeAddress', 'PracticeHours', 'PracticeId', 'PracticeName', 'QueueArn', 'RecordDispositionFunctionArn'],
      outboundCall: ['CallbackNumberSpoken', 'OutboundWhisperFlowArn', 'PracticeName', 'QueueArn'],
      outboundWhisper: [],
      voicemail: ['RecordDispositionFunctionArn'],
    });
  });

  test('THEN a flow file read as it is (placeholders unfilled) does not validate', () => {
    expect(validateFlow(readFlowFile(CONTACT_FLOW_FILES.voicemail.file))).toEqual(['placeholders without a value: ${RecordDispositionFunctionArn}']);
  });

  test('THEN every action type the flows use has a rule, and every rule is used by a flow', () => {
    const used = new Set(ROLES.flatMap((role) => flowOf(role).Actions.map((a) => a.Type)));
    expect([...used].sort()).toEqual(Object.keys(ACTION_RULES).sort());
  });
});

describe('GIVEN placeholder values WHEN a flow is loaded', () => {
  test('THEN a value with quotes and backslashes is kept as text and cannot break the JSON', () => {
    const flow = loadFlow(CONTACT_FLOW_FILES.inboundIvr.file, { ...valuesFor('inboundIvr'), PracticeName: 'Dr. "Joe" O\'Neil \\ Sons' });
    expect(actionById(flow, 'greeting')!.Parameters.Text).toBe('Thank you for calling Dr. "Joe" O\'Neil \\ Sons.');
    expect(validateFlow(flow)).toEqual([]);
  });

  test('THEN a placeholder without a value and a value no placeholder takes are both named', () => {
    const { QueueArn: _queue, ...withoutQueue } = valuesFor('outboundCall');
    expect(() => loadFlow(CONTACT_FLOW_FILES.outboundCall.file, { ...withoutQueue, QueueArm: QUEUE })).toThrow(
      'contact flow outbound-call.json: no value for ${QueueArn}; values not used by any placeholder: QueueArm',
    );
  });

  test('THEN CDK tokens and JSONPath references in values are not taken for placeholders', () => {
    const flow = substitutePlaceholders({ a: '${X}', b: '$.Attributes.x' }, { X: '${Token[TOKEN.42]}' });
    expect(flow).toEqual({ a: '${Token[TOKEN.42]}', b: '$.Attributes.x' });
    expect(placeholdersIn(flow)).toEqual([]);
  });
});

describe('GIVEN a broken flow WHEN it is validated', () => {
  const sound = () => copy(flowOf('inboundIvr'));
  const problems = (flow: unknown, flowType?: ContactFlowType) => validateFlow(flow, { flowType });

  test('THEN a wrong version is reported', () => {
    const flow = { ...sound(), Version: '2020-01-01' };
    expect(problems(flow)).toEqual(['Version must be "2019-10-30" (is "2020-01-01")']);
  });

  test('THEN a StartAction that is no action is reported', () => {
    const flow = { ...sound(), StartAction: 'welcome' };
    expect(problems(flow)).toEqual(expect.arrayContaining(['StartAction "welcome" is not an action']));
  });

  test('THEN a duplicate identifier is reported', () => {
    const flow = sound();
    flow.Actions.push({ ...act(flow, 'goodbye') });
    expect(problems(flow)).toEqual(['action "goodbye": Identifier used 2 times']);
  });

  test('THEN a dangling NextAction, condition and error transition are each reported', () => {
    const flow = sound();
    act(flow, 'greeting').Transitions.NextAction = 'look-up-callr';
    act(flow, 'main-menu').Transitions.Conditions[2].NextAction = 'stop-call';
    act(flow, 'transfer-to-scheduling').Transitions.Errors[0].NextAction = 'busy';
    expect(problems(flow)).toEqual(
      expect.arrayContaining([
        'action "greeting": NextAction goes to "look-up-callr", which is not an action',
        'action "main-menu": condition Equals ["3"] goes to "stop-call", which is not an action',
        'action "transfer-to-scheduling": error QueueAtCapacity goes to "busy", which is not an action',
      ]),
    );
  });

  test('THEN an action nothing leads to is reported', () => {
    const flow = sound();
    flow.Actions.push({ Identifier: 'orphan', Type: 'MessageParticipant', Parameters: { Text: 'Hello?' }, Transitions: { NextAction: 'disconnect', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'disconnect' }] } });
    expect(problems(flow)).toEqual(['action "orphan": cannot be reached from StartAction "enable-flow-logs"']);
  });

  test('THEN an action with no way on, or an error it does not handle, is reported', () => {
    const flow = sound();
    act(flow, 'goodbye').Transitions = {};
    act(flow, 'main-menu').Transitions.Errors = act(flow, 'main-menu').Transitions.Errors.filter((e: { ErrorType: string }) => e.ErrorType !== 'InputTimeLimitExceeded');
    expect(problems(flow)).toEqual(
      expect.arrayContaining([
        'action "goodbye": has no way on (no NextAction, condition or error transition)',
        'action "goodbye": does not handle NoMatchingError',
        'action "main-menu": does not handle InputTimeLimitExceeded',
      ]),
    );
  });

  test('THEN an unknown action type and an error an action never raises are reported', () => {
    const flow = sound();
    act(flow, 'goodbye').Type = 'PlayPrompt';
    act(flow, 'greeting').Transitions.Errors.push({ ErrorType: 'QueueAtCapacity', NextAction: 'disconnect' });
    expect(problems(flow).sort()).toEqual(['action "goodbye": unknown action type "PlayPrompt"', 'action "greeting": MessageParticipant never raises QueueAtCapacity']);
  });

  test('THEN an action type the flow type does not allow is reported', () => {
    expect(problems(flowOf('inboundIvr'), 'AGENT_WHISPER')).toEqual(
      expect.arrayContaining(['action "main-menu": GetParticipantInput is not allowed in a AGENT_WHISPER flow', 'action "check-hours": CheckHoursOfOperation is not allowed in a AGENT_WHISPER flow']),
    );
    expect(problems(flowOf('outboundWhisper'), 'CONTACT_FLOW')).toEqual(['action "end-whisper": EndFlowExecution is not allowed in a CONTACT_FLOW flow']);
  });

  test('THEN parameters an action needs are checked per type', () => {
    const flow = sound();
    act(flow, 'look-up-caller').Parameters.InvocationTimeLimitSeconds = '9';
    delete act(flow, 'request-practice-info').Parameters.LambdaFunctionARN;
    act(flow, 'greeting').Parameters.SSML = '<speak>Hi</speak>';
    delete act(flow, 'book-appointment').Parameters.QueueId;
    act(flow, 'check-hours').Transitions.Conditions.pop();
    act(flow, 'main-menu').Transitions.Conditions[0].Condition.Operands = ['12'];
    act(flow, 'remember-caller').Parameters.TargetContact = 'Customer';
    act(flow, 'enable-flow-logs').Parameters.FlowLoggingBehavior = 'On';
    expect(problems(flow).sort()).toEqual(
      [
        'action "book-appointment": needs exactly one of QueueId, AgentId (has none)',
        'action "check-hours": needs exactly one condition Equals True and one Equals False',
        'action "enable-flow-logs": FlowLoggingBehavior must be Enabled or Disabled',
        'action "greeting": needs exactly one of Text, SSML, PromptId, Media (has Text, SSML)',
        'action "look-up-caller": InvocationTimeLimitSeconds must be a whole number from 1 to 8',
        'action "main-menu": condition Equals ["12"] is not Equals one key (0-9, *, #)',
        'action "remember-caller": TargetContact must be Current or Related',
        'action "request-practice-info": needs LambdaFunctionARN',
      ].sort(),
    );
  });

  test('THEN a terminal action with transitions and an identifier Connect refuses are reported', () => {
    const flow = sound();
    act(flow, 'disconnect').Transitions = { NextAction: 'goodbye' };
    act(flow, 'goodbye').Identifier = 'good:bye';
    act(flow, 'main-menu-again').Transitions.NextAction = 'good:bye';
    for (const e of act(flow, 'main-menu-again').Transitions.Errors) e.NextAction = 'good:bye';
    for (const e of act(flow, 'after-hours-menu-again').Transitions.Errors) e.NextAction = 'good:bye';
    act(flow, 'after-hours-menu-again').Transitions.NextAction = 'good:bye';
    act(flow, 'speak-practice-info').Transitions = { NextAction: 'good:bye', Errors: [{ ErrorType: 'NoMatchingError', NextAction: 'good:bye' }] };
    expect(problems(flow)).toEqual(
      expect.arrayContaining(['action "good:bye": Identifier must be at most 50 characters without % : ( \\ / ) = $ , ; [ ] { }', 'action "disconnect": DisconnectParticipant ends the flow and takes no transitions']),
    );
  });

  test('THEN a placeholder left in a flow is reported', () => {
    const flow = sound();
    act(flow, 'goodbye').Parameters.Text = 'Thank you for calling ${PracticeNmae}.';
    expect(problems(flow)).toEqual(['placeholders without a value: ${PracticeNmae}']);
  });

  test('THEN something that is not a flow is reported, not thrown', () => {
    expect(problems(null)).toEqual(['a flow is a JSON object']);
    expect(problems({ Version: '2019-10-30', StartAction: 'x', Actions: [] })).toEqual(['Actions must be a non-empty list']);
  });
});

describe('GIVEN the inbound IVR', () => {
  const flow = flowOf('inboundIvr');
  const queueTransfers = (actions: readonly FlowAction[]) => actions.filter((a) => a.Type === 'TransferContactToQueue');
  const dispositions = (actions: readonly FlowAction[]) => invocationsOf(actions, RECORD).map((a) => a.Parameters.LambdaInvocationAttributes);

  test('THEN it greets with the practice name, looks the caller up with the practice id and copies the answer into contact attributes', () => {
    expect(happyPath(flow).slice(0, 6)).toEqual(['enable-flow-logs', 'set-outreach-queue', 'greeting', 'look-up-caller', 'remember-caller', 'check-hours']);
    expect(actionById(flow, 'greeting')!.Parameters.Text).toBe('Thank you for calling Sunrise Family Health.');
    const lookup = actionById(flow, 'look-up-caller')!;
    expect(lookup.Parameters).toMatchObject({ LambdaFunctionARN: LOOKUP, LambdaInvocationAttributes: { practiceId: 'sunrise-family' }, ResponseValidation: { ResponseType: 'STRING_MAP' } });
    expect(actionById(flow, 'remember-caller')!.Parameters.Attributes).toEqual({
      practiceId: 'sunrise-family',
      callerKnown: '$.External.known',
      contactId: '$.External.contactId',
      firstName: '$.External.firstName',
      language: '$.External.language',
      status: '$.External.status',
      voiceOutreachOff: '$.External.voiceOutreachOff',
      householdSize: '$.External.householdSize',
      agentNote: '$.External.agentNote',
    });
    // A failed lookup goes on to the menu rather than dropping the caller.
    expect(errorTarget(flow, 'look-up-caller', 'NoMatchingError')).toBe('check-hours');
  });

  test.each(['main-menu', 'main-menu-again'])('THEN at %s, 1 sets the working queue to the outreach queue and transfers to it, with a path when the queue is full', (menu) => {
    const reached = actionsReachableByDigit(flow, menu, '1');
    const setQueue = reached.findIndex((a) => a.Type === 'UpdateContactTargetQueue' && a.Parameters.QueueId === QUEUE);
    const transfer = reached.findIndex((a) => a.Type === 'TransferContactToQueue');
    expect(setQueue).toBeGreaterThanOrEqual(0);
    expect(transfer).toBeGreaterThan(setQueue);
    expect(texts(reached.filter((a) => a.Identifier === errorTarget(flow, reached[transfer]!.Identifier, 'QueueAtCapacity')))).toEqual([expect.stringContaining('call us back at 2 0 6, 5 5 5, 0 1 4 3')]);
    expect(dispositions(reached)).toEqual([]);
  });

  test.each(['main-menu', 'main-menu-again', 'after-hours-menu', 'after-hours-menu-again'])('THEN at %s, 2 records practice-info-requested and speaks address, hours and number; nothing else', (menu) => {
    const reached = actionsReachableByDigit(flow, menu, '2');
    expect(dispositions(reached)).toEqual([{ disposition: 'practice-info-requested', source: 'ivr', practiceId: 'sunrise-family', contactId: '$.Attributes.contactId' }]);
    expect(texts(reached)).toEqual(
      expect.arrayContaining([
        'Sunrise Family Health is at 1200 Pine St, Suite 300, Seattle, WA 98101. Our hours are Monday to Friday, 9 AM to 5 PM; Saturday, 9 AM to 1 PM. You can reach us at 2 0 6, 5 5 5, 0 1 4 3. If we have a mobile number for you, we will also send this to you by text message.',
      ]),
    );
    expect(queueTransfers(reached)).toEqual([]);
  });

  test.each(['main-menu', 'main-menu-again', 'after-hours-menu', 'after-hours-menu-again'])('THEN at %s, 3 records do-not-call (trying twice), confirms and disconnects; no queue', (menu) => {
    const reached = actionsReachableByDigit(flow, menu, '3');
    expect(dispositions(reached)).toEqual([
      { disposition: 'do-not-call', source: 'ivr', practiceId: 'sunrise-family', contactId: '$.Attributes.contactId' },
      { disposition: 'do-not-call', source: 'ivr', practiceId: 'sunrise-family', contactId: '$.Attributes.contactId' },
    ]);
    const stop = actionById(flow, conditionTarget(flow, menu, '3')!)!;
    expect(texts([actionById(flow, stop.Transitions.NextAction!)!])).toEqual(['Thank you. We have recorded your request, and Sunrise Family Health will stop calling you. Goodbye.']);
    expect(queueTransfers(reached)).toEqual([]);
    expect(endings(reached)).toEqual(['DisconnectParticipant']);
  });

  test('THEN every disposition the IVR records is one record-disposition knows, from the source "ivr"', () => {
    const recorded = invocationsOf(flow.Actions, RECORD).map((a) => a.Parameters.LambdaInvocationAttributes as Record<string, string>);
    expect([...new Set(recorded.map((r) => r.disposition))].sort()).toEqual(['do-not-call', 'practice-info-requested']);
    for (const r of recorded) {
      expect(DISPOSITION_CODES).toContain(r.disposition);
      expect(r.source).toBe('ivr');
    }
  });

  test('THEN no key or a wrong key repeats the menu once, then says goodbye and disconnects', () => {
    for (const error of ['InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError']) {
      expect(errorTarget(flow, 'main-menu', error)).toBe('main-menu-again');
      expect(errorTarget(flow, 'main-menu-again', error)).toBe('goodbye');
      expect(errorTarget(flow, 'after-hours-menu', error)).toBe('after-hours-menu-again');
      expect(errorTarget(flow, 'after-hours-menu-again', error)).toBe('goodbye');
    }
    expect(actionById(flow, 'goodbye')!.Transitions.NextAction).toBe('disconnect');
  });

  test('THEN after hours the caller hears the hours and can still get the practice information or stop calls, but not the queue', () => {
    expect(conditionTarget(flow, 'check-hours', 'True')).toBe('main-menu');
    expect(conditionTarget(flow, 'check-hours', 'False')).toBe('after-hours-menu');
    expect(errorTarget(flow, 'check-hours', 'NoMatchingError')).toBe('after-hours-menu');
    expect(actionById(flow, 'after-hours-menu')!.Parameters.Text).toContain('Our office is closed now. Our hours are Monday to Friday, 9 AM to 5 PM; Saturday, 9 AM to 1 PM.');
    expect(conditionTarget(flow, 'after-hours-menu', '1')).toBeUndefined();
    expect(conditionTarget(flow, 'after-hours-menu', '2')).toBe(conditionTarget(flow, 'main-menu', '2'));
    expect(conditionTarget(flow, 'after-hours-menu', '3')).toBe(conditionTarget(flow, 'main-menu', '3'));
    expect(queueTransfers(reachableFrom(flow, ['after-hours-menu']))).toEqual([]);
  });

  test('THEN every path ends in a disconnect (or the queue)', () => {
    const ends = flow.Actions.filter((a) => transitionsOf(a).length === 0 || a.Type === 'TransferContactToQueue');
    for (const end of ends) expect(['DisconnectParticipant', 'TransferContactToQueue']).toContain(end.Type);
  });
});

describe('GIVEN the outbound call and its agent whisper', () => {
  const call = flowOf('outboundCall');
  const whisper = flowOf('outboundWhisper');
  /** What queue-agent-call.ts sets on every outreach call (StartOutboundVoiceContact Attributes). */
  const CALL_ATTRIBUTES = ['practiceId', 'contactId', 'enrollmentId', 'cadence', 'round', 'step', 'attempt', 'firstName', 'language', 'script'];

  test('THEN the call names the practice, sets the whisper flow and queues the call to the outreach queue', () => {
    const path = reachableFrom(call, [call.StartAction]);
    expect(path.find((a) => a.Type === 'UpdateContactEventHooks')!.Parameters).toEqual({ EventHooks: { AgentWhisper: WHISPER } });
    expect(path.find((a) => a.Type === 'UpdateContactTargetQueue')!.Parameters).toEqual({ QueueId: QUEUE });
    expect(texts(path)[0]).toBe('Hello, this is Sunrise Family Health. Please hold for a moment while we connect you.');
    expect(errorTarget(call, 'transfer-to-agents', 'QueueAtCapacity')).toBe('could-not-connect');
  });

  test('THEN the whisper speaks the first name, language, cadence step and script from the call attributes', () => {
    const spoken = texts(reachableFrom(whisper, [whisper.StartAction])).join(' ');
    for (const attribute of ['firstName', 'language', 'cadence', 'round', 'step', 'script']) expect(spoken).toContain(`$.Attributes.${attribute}`);
    const referenced = [...spoken.matchAll(/\$\.Attributes\.(\w+)/g)].map((m) => m[1]);
    expect(referenced.filter((a) => !CALL_ATTRIBUTES.includes(a!))).toEqual([]);
  });

  test('THEN the whisper reaches its end whatever fails, so the agent is always connected', () => {
    for (const action of whisper.Actions.filter((a) => a.Type !== 'EndFlowExecution')) {
      const onward = [action.Transitions.NextAction, ...(action.Transitions.Errors ?? []).map((e) => e.NextAction)];
      for (const next of onward) expect(endings(reachableFrom(whisper, [next!]))).toEqual(['EndFlowExecution']);
    }
    expect(whisper.Actions.some((a) => (a.Transitions.Conditions ?? []).length > 0)).toBe(false);
  });
});

describe('GIVEN the voicemail flow', () => {
  const flow = flowOf('voicemail');

  test.each(Object.entries(AMD_STATUS_BY_CALL_PROGRESS))('THEN call progress %s is recorded as amdStatus %s, after the message from the call is played', (result, status) => {
    const branch = result === 'NoMatchingError' ? errorTarget(flow, 'check-call-progress', result) : conditionTarget(flow, 'check-call-progress', result);
    const path = reachableFrom(flow, [branch!]);
    expect(path[0]).toMatchObject({ Type: 'UpdateContactAttributes', Parameters: { Attributes: { amdStatus: status } } });
    // record-disposition knows the status (AMD_DISPOSITIONS), so it records a disposition rather than flagging it.
    expect(Object.keys(AMD_DISPOSITIONS)).toContain(status);
    const play = path.findIndex((a) => a.Type === 'MessageParticipant' && a.Parameters.SSML === '$.Attributes.message');
    const record = path.findIndex((a) => invocationsOf([a], RECORD).length === 1);
    expect(play).toBeGreaterThan(0);
    expect(record).toBeGreaterThan(play);
    expect(path[record]!.Parameters.LambdaInvocationAttributes).toEqual({ amdStatus: '$.Attributes.amdStatus', source: 'machine-detection' });
    expect(endings(path)).toEqual(['DisconnectParticipant']);
  });

  test('THEN every call-progress result has a branch', () => {
    const operands = (actionById(flow, 'check-call-progress')!.Transitions.Conditions ?? []).map((c) => c.Condition.Operands[0]).sort();
    expect(operands).toEqual(Object.keys(AMD_STATUS_BY_CALL_PROGRESS).filter((k) => k !== 'NoMatchingError').sort());
  });

  test('THEN a Spanish message is read with a Spanish voice, anything else with the default one', () => {
    expect(conditionTarget(flow, 'check-language', 'es')).toBe('set-spanish-voice');
    expect(actionById(flow, 'set-spanish-voice')!.Parameters).toEqual({ TextToSpeechVoice: 'Lupe' });
    expect(errorTarget(flow, 'check-language', 'NoMatchingCondition')).toBe('check-call-progress');
  });

  test('THEN a failed recording is tried once more before hanging up', () => {
    expect(errorTarget(flow, 'record-detection', 'NoMatchingError')).toBe('record-detection-once-more');
    expect(invocationsOf([actionById(flow, 'record-detection-once-more')!], RECORD)).toHaveLength(1);
  });
});
