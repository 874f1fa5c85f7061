/**
 * The sandbox's outreach operations — SMS Voice V2 SendTextMessage / SendVoiceMessage, Connect
 * StartOutboundVoiceContact, Step Functions StartExecution — driven by the real AWS SDK v3
 * clients: answers, records, validation, opt-outs, idempotency, pacing per origination identity
 * and its rate limits, and injection on the new operations.
 */
import {
  ConnectClient,
  InvalidParameterException,
  InvalidRequestException,
  StartOutboundVoiceContactCommand,
  ThrottlingException as ConnectThrottlingException,
  type StartOutboundVoiceContactCommandInput,
} from '@aws-sdk/client-connect';
import {
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
  ThrottlingException as SmsThrottlingException,
  ValidationException as SmsValidationException,
  type SendTextMessageCommandInput,
  type SendVoiceMessageCommandInput,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  ExecutionAlreadyExists,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  SFNClient,
  StartExecutionCommand,
  ValidationException as SfnValidationException,
} from '@aws-sdk/client-sfn';
import { SlidingWindowMax } from '../../local/sandbox/behaviour';
import {
  SANDBOX_ENDPOINT_ENVS,
  SandboxClient,
  startSandbox,
  type RecordedCall,
  type RecordedExecution,
  type RecordedText,
  type RecordedVoiceMessage,
  type SandboxHandle,
} from '../../local/sandbox';

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SENDER = '+18005550100';
const OTHER_SENDER = '+18005550111';
const PATIENT = '+12065550123';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:outreach-cadence';

let sandbox: SandboxHandle;
const clients: { destroy(): void }[] = [];

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}
const base = () => ({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1 });
const sms = (config: object = {}) => track(new PinpointSMSVoiceV2Client({ ...base(), ...config }));
const connect = (config: object = {}) => track(new ConnectClient({ ...base(), ...config }));
const sfn = (config: object = {}) => track(new SFNClient({ ...base(), ...config }));

/** A retry strategy that never retries but keeps how the SDK classified each error. */
function classifying(seen: string[]) {
  return {
    acquireInitialRetryToken: async () => ({ getRetryCount: () => 0, getRetryDelay: () => 0 }),
    refreshRetryTokenForRetry: async (_token: unknown, info: { errorType: string }) => {
      seen.push(info.errorType);
      throw new Error('no retry');
    },
    recordSuccess: () => undefined,
  };
}

const text = (client: PinpointSMSVoiceV2Client, input: Partial<SendTextMessageCommandInput> = {}) =>
  client.send(
    new SendTextMessageCommand({
      DestinationPhoneNumber: PATIENT,
      OriginationIdentity: SENDER,
      MessageBody: 'Your appointment is tomorrow at 9:00. Reply STOP to opt out.',
      ...input,
    } as SendTextMessageCommandInput),
  );

const voice = (client: PinpointSMSVoiceV2Client, input: Partial<SendVoiceMessageCommandInput> = {}) =>
  client.send(
    new SendVoiceMessageCommand({
      DestinationPhoneNumber: PATIENT,
      OriginationIdentity: SENDER,
      MessageBody: 'Your appointment is tomorrow at nine.',
      ...input,
    } as SendVoiceMessageCommandInput),
  );

const call = (client: ConnectClient, input: Partial<StartOutboundVoiceContactCommandInput> = {}) =>
  client.send(
    new StartOutboundVoiceContactCommand({
      InstanceId: 'instance-1',
      ContactFlowId: 'flow-1',
      DestinationPhoneNumber: PATIENT,
      SourcePhoneNumber: SENDER,
      ...input,
    } as StartOutboundVoiceContactCommandInput),
  );

const start = (client: SFNClient, input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string } = {}) =>
  client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, ...input } as { stateMachineArn: string }));

/** The rejection of a promise that must fail. */
async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown> & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await sandbox.close();
});

beforeEach(() => sandbox.reset({ config: true }));

describe('SendTextMessage', () => {
  test('answers a MessageId and records the request members with it', async () => {
    const answer = await text(sms(), {
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'outreach',
      Context: { patientId: 'p-1', step: 'reminder-1' },
      TimeToLive: 3600,
    });
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(answer.MessageId).toMatch(/^[0-9a-f-]{36}$/);

    const records = await sandbox.records<RecordedText>('texts');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'texts', operation: 'SendTextMessage' });
    expect(records[0].data).toEqual({
      MessageId: answer.MessageId,
      DestinationPhoneNumber: PATIENT,
      OriginationIdentity: SENDER,
      MessageBody: 'Your appointment is tomorrow at 9:00. Reply STOP to opt out.',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'outreach',
      Context: { patientId: 'p-1', step: 'reminder-1' },
      TimeToLive: 3600,
      DryRun: false,
    });
    expect((await sandbox.stats()).operations.SendTextMessage).toMatchObject({ calls: 1, answered: 1, rejected: 0 });
  });

  test('a dry run is validated and answered, recorded as DryRun, and not counted as a message sent', async () => {
    const answer = await text(sms(), { DryRun: true });
    expect(answer.MessageId).toEqual(expect.any(String));
    const records = await sandbox.records<RecordedText>('texts');
    expect(records.map((r) => r.data.DryRun)).toEqual([true]);
    expect((await sandbox.stats()).identities).toEqual({});
    await expect(text(sms(), { DryRun: true, DestinationPhoneNumber: '2065550123' })).rejects.toBeInstanceOf(SmsValidationException);
  });

  test.each<[string, Partial<SendTextMessageCommandInput>, string]>([
    ['a missing DestinationPhoneNumber', { DestinationPhoneNumber: undefined }, 'DestinationPhoneNumber'],
    ['a DestinationPhoneNumber not in E.164', { DestinationPhoneNumber: '(206) 555-0123' }, 'DestinationPhoneNumber'],
    ['a missing OriginationIdentity', { OriginationIdentity: undefined }, 'OriginationIdentity'],
    ['an OriginationIdentity with spaces', { OriginationIdentity: 'my sender' }, 'OriginationIdentity'],
    ['a missing MessageBody', { MessageBody: undefined }, 'MessageBody'],
    ['a MessageBody over 1600 characters', { MessageBody: 'x'.repeat(1601) }, 'MessageBody'],
    ['an unknown MessageType', { MessageType: 'MARKETING' as never }, 'MessageType'],
    ['a TimeToLive under 5 seconds', { TimeToLive: 4 }, 'TimeToLive'],
    ['a Context with more than 5 entries', { Context: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } }, 'Context'],
    ['a ConfigurationSetName with spaces', { ConfigurationSetName: 'out reach' }, 'ConfigurationSetName'],
  ])('%s is a ValidationException naming the field, and nothing is recorded', async (_case, input, field) => {
    const error = await failure(text(sms(), input));
    expect(error).toBeInstanceOf(SmsValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.Reason).toBe('FIELD_VALIDATION_FAILED');
    expect(error.Fields).toEqual([expect.objectContaining({ Name: field })]);
    expect(error.message).toMatch(/^1 validation error detected: Value .* at '\w+' failed to satisfy constraint: /);
    expect(await sandbox.records('texts')).toEqual([]);
    expect((await sandbox.stats()).operations.SendTextMessage).toMatchObject({ answered: 1, rejected: 1 });
  });

  test('every problem of a request is reported at once', async () => {
    const error = await failure(text(sms(), { DestinationPhoneNumber: 'nope', MessageBody: '' }));
    expect(error.message).toMatch(/^2 validation errors detected: /);
    expect((error.Fields as { Name: string }[]).map((f) => f.Name)).toEqual(['DestinationPhoneNumber', 'MessageBody']);
  });

  test('a destination on the opt-out list is a ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT, recording nothing', async () => {
    await sandbox.configure({ optedOut: [PATIENT] });
    const error = await failure(text(sms()));
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error).toMatchObject({
      Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
      ResourceType: 'opted-out-number',
      ResourceId: PATIENT,
    });
    expect(await sandbox.records('texts')).toEqual([]);
    await expect(text(sms(), { DestinationPhoneNumber: '+12065550124' })).resolves.toHaveProperty('MessageId');
    expect(await sandbox.records('texts')).toHaveLength(1);
  });
});

describe('what follows a text, by the scenario', () => {
  const text = (to: string, n: number) =>
    sms().send(new SendTextMessageCommand({ DestinationPhoneNumber: to, OriginationIdentity: '+12065550188', MessageBody: `text ${n}`, Context: { attempt: `a-${n}`, practice: 'p', contact: 'c' } }));

  it('records each text\'s delivery event with its context (scripted per text, else delivered) and the reply scripted after the Nth text', async () => {
    await sandbox.configure({ deliveries: { '+12065550111': ['TEXT_QUEUED', 'TEXT_CARRIER_UNREACHABLE'] }, replies: { '+12065550111': [{ afterText: 2, text: 'STOP', delayMinutes: 1 }] } });
    for (let n = 1; n <= 3; n++) await text('+12065550111', n);
    await text('+12065550122', 4);

    const events = await sandbox.records<{ event: { eventType: string; destinationPhoneNumber: string; context: Record<string, string> } }>('delivery-events');
    expect(events.map((e) => [e.data.event.destinationPhoneNumber, e.data.event.eventType, e.data.event.context.attempt])).toEqual([
      ['+12065550111', 'TEXT_QUEUED', 'a-1'],
      ['+12065550111', 'TEXT_CARRIER_UNREACHABLE', 'a-2'],
      ['+12065550111', 'TEXT_CARRIER_UNREACHABLE', 'a-3'],
      ['+12065550122', 'TEXT_DELIVERED', 'a-4'],
    ]);
    const replies = await sandbox.records<{ payload: { originationNumber: string; destinationNumber: string; messageBody: string }; answers: Record<string, string>; delayMinutes: number }>('inbound-replies');
    expect(replies.map((r) => [r.data.payload.originationNumber, r.data.payload.destinationNumber, r.data.payload.messageBody, r.data.answers.attempt, r.data.delayMinutes])).toEqual([['+12065550111', '+12065550188', 'STOP', 'a-2', 1]]);
  });
});

describe('SendVoiceMessage', () => {
  test('answers a MessageId and records a TEXT message with its members', async () => {
    const answer = await voice(sms(), { VoiceId: 'JOANNA', Context: { patientId: 'p-1' }, ConfigurationSetName: 'outreach' });
    expect(answer.MessageId).toEqual(expect.any(String));
    const records = await sandbox.records<RecordedVoiceMessage>('voice-messages');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'voice-messages', operation: 'SendVoiceMessage' });
    expect(records[0].data).toEqual({
      MessageId: answer.MessageId,
      DestinationPhoneNumber: PATIENT,
      OriginationIdentity: SENDER,
      MessageBody: 'Your appointment is tomorrow at nine.',
      VoiceId: 'JOANNA',
      ConfigurationSetName: 'outreach',
      Context: { patientId: 'p-1' },
      DryRun: false,
    });
  });

  test('accepts a well-formed SSML <speak> document', async () => {
    const ssml =
      '<?xml version="1.0"?><speak>Hello. <break time="500ms"/> Your appointment is <prosody rate="slow">tomorrow</prosody> &amp; at nine. <!-- reminder --></speak>';
    await voice(sms(), { MessageBodyTextType: 'SSML', MessageBody: ssml });
    const [record] = await sandbox.records<RecordedVoiceMessage>('voice-messages');
    expect(record.data).toMatchObject({ MessageBodyTextType: 'SSML', MessageBody: ssml });
  });

  test.each([
    ['an unclosed tag', '<speak>Hello <prosody rate="slow">there</speak>'],
    ['a closing tag without its opening', '<speak>Hello</emphasis></speak>'],
    ['no <speak> root', '<prosody rate="slow">Hello</prosody>'],
    ['plain text', 'Hello there'],
    ['an unterminated root', '<speak>Hello'],
    ['an unquoted attribute', '<speak><break time=1s/></speak>'],
    ['a bare ampersand', '<speak>Tom & Jerry</speak>'],
    ['text after the root', '<speak>Hello</speak> there'],
  ])('SSML with %s is a ValidationException', async (_case, body) => {
    const error = await failure(voice(sms(), { MessageBodyTextType: 'SSML', MessageBody: body }));
    expect(error).toBeInstanceOf(SmsValidationException);
    expect(error.Fields).toEqual([expect.objectContaining({ Name: 'MessageBody' })]);
    expect(error.message).toMatch(/SSML/);
    expect(await sandbox.records('voice-messages')).toEqual([]);
  });

  test('MessageBody holds at most 3000 characters as TEXT and 6000 as SSML', async () => {
    await expect(voice(sms(), { MessageBody: 'a'.repeat(3001) })).rejects.toBeInstanceOf(SmsValidationException);
    await expect(voice(sms(), { MessageBody: 'a'.repeat(3000) })).resolves.toHaveProperty('MessageId');
    const ssml = (n: number) => `<speak>${'a'.repeat(n - 15)}</speak>`;
    await expect(voice(sms(), { MessageBodyTextType: 'SSML', MessageBody: ssml(6000) })).resolves.toHaveProperty('MessageId');
    await expect(voice(sms(), { MessageBodyTextType: 'SSML', MessageBody: ssml(6001) })).rejects.toBeInstanceOf(SmsValidationException);
  });

  test.each<[string, Partial<SendVoiceMessageCommandInput>, string]>([
    ['an unknown VoiceId', { VoiceId: 'HAL' as never }, 'VoiceId'],
    ['an unknown MessageBodyTextType', { MessageBodyTextType: 'HTML' as never }, 'MessageBodyTextType'],
    ['a missing OriginationIdentity', { OriginationIdentity: undefined }, 'OriginationIdentity'],
    ['a TimeToLive over 72 hours', { TimeToLive: 259201 }, 'TimeToLive'],
  ])('%s is a ValidationException', async (_case, input, field) => {
    const error = await failure(voice(sms(), input));
    expect(error).toBeInstanceOf(SmsValidationException);
    expect(error.Fields).toEqual([expect.objectContaining({ Name: field })]);
  });

  test('a destination on the opt-out list is a ConflictException and records nothing', async () => {
    await sandbox.configure({ optedOut: ['+15550000000', PATIENT] });
    const error = await failure(voice(sms()));
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.Reason).toBe('DESTINATION_PHONE_NUMBER_OPTED_OUT');
    expect(await sandbox.records('voice-messages')).toEqual([]);
  });
});

describe('StartOutboundVoiceContact', () => {
  test('answers a ContactId and records the call with its members', async () => {
    const answer = await call(connect(), {
      Attributes: { patientId: 'p-1', step: 'call-1' },
      Name: 'Appointment reminder',
      Description: 'Cadence step 3',
      References: { chart: { Type: 'URL', Value: 'https://example.org/p-1' } },
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
      TrafficType: 'GENERAL',
      ClientToken: 'step-3-p-1',
    });
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(answer.ContactId).toMatch(/^[0-9a-f-]{36}$/);
    const records = await sandbox.records<RecordedCall>('calls');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'calls', operation: 'StartOutboundVoiceContact' });
    expect(records[0].data).toEqual({
      ContactId: answer.ContactId,
      InstanceId: 'instance-1',
      ContactFlowId: 'flow-1',
      DestinationPhoneNumber: PATIENT,
      SourcePhoneNumber: SENDER,
      ClientToken: 'step-3-p-1',
      Attributes: { patientId: 'p-1', step: 'call-1' },
      Name: 'Appointment reminder',
      Description: 'Cadence step 3',
      References: { chart: { Type: 'URL', Value: 'https://example.org/p-1' } },
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
      TrafficType: 'GENERAL',
    });
  });

  test('the same ClientToken answers the same ContactId and places no second call', async () => {
    const client = connect();
    const first = await call(client, { ClientToken: 'token-1' });
    const again = await call(client, { ClientToken: 'token-1', Attributes: { retried: 'yes' } });
    expect(again.ContactId).toBe(first.ContactId);
    expect(await sandbox.records('calls')).toHaveLength(1);

    const other = await call(client, { ClientToken: 'token-2' });
    const otherInstance = await call(client, { ClientToken: 'token-1', InstanceId: 'instance-2' });
    expect(new Set([first.ContactId, other.ContactId, otherInstance.ContactId]).size).toBe(3);
    expect(await sandbox.records('calls')).toHaveLength(3);
  });

  test('without a ClientToken the SDK sends a fresh one, so each call is a new contact', async () => {
    const client = connect();
    const [a, b] = [await call(client), await call(client)];
    expect(a.ContactId).not.toBe(b.ContactId);
    const records = await sandbox.records<RecordedCall>('calls');
    expect(records.map((r) => r.data.ClientToken)).toEqual([expect.any(String), expect.any(String)]);
  });

  test('reset forgets the tokens', async () => {
    const first = await call(connect(), { ClientToken: 'token-1' });
    await sandbox.reset();
    const after = await call(connect(), { ClientToken: 'token-1' });
    expect(after.ContactId).not.toBe(first.ContactId);
  });

  test.each<[string, Partial<StartOutboundVoiceContactCommandInput>]>([
    ['a missing InstanceId', { InstanceId: undefined }],
    ['a missing ContactFlowId', { ContactFlowId: undefined }],
    ['a missing DestinationPhoneNumber', { DestinationPhoneNumber: undefined }],
    ['a DestinationPhoneNumber not in E.164', { DestinationPhoneNumber: '206-555-0123' }],
    ['a SourcePhoneNumber not in E.164', { SourcePhoneNumber: '18005550100' }],
    ['an unknown TrafficType', { TrafficType: 'BULK' as never }],
    ['a Reference without a Type', { References: { chart: { Value: 'x' } as never } }],
  ])('%s is an InvalidParameterException, and no call is placed', async (_case, input) => {
    const error = await failure(call(connect(), input));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/validation error/);
    expect(await sandbox.records('calls')).toEqual([]);
  });

  test('neither QueueId nor SourcePhoneNumber is an InvalidRequestException; a QueueId alone is enough', async () => {
    const error = await failure(call(connect(), { SourcePhoneNumber: undefined }));
    expect(error).toBeInstanceOf(InvalidRequestException);
    await expect(call(connect(), { SourcePhoneNumber: undefined, QueueId: 'queue-1' })).resolves.toHaveProperty('ContactId');
  });
});

describe('StartExecution', () => {
  test('answers the execution ARN derived from the state machine and name, and records the parsed input', async () => {
    const before = Date.now();
    const answer = await start(sfn(), { name: 'p-1-step-1', input: JSON.stringify({ patientId: 'p-1', step: 1 }) });
    expect(answer.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:outreach-cadence:p-1-step-1');
    expect(answer.startDate).toBeInstanceOf(Date);
    expect(answer.startDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.startDate!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    const records = await sandbox.records<RecordedExecution>('executions');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'executions', operation: 'StartExecution' });
    expect(records[0].data).toEqual({
      executionArn: answer.executionArn,
      stateMachineArn: MACHINE,
      name: 'p-1-step-1',
      input: { patientId: 'p-1', step: 1 },
      startDate: answer.startDate!.toISOString(),
    });
  });

  test('a name defaults to a UUID, and a missing input to {}', async () => {
    const answer = await start(sfn());
    expect(answer.executionArn).toMatch(/:execution:outreach-cadence:[0-9a-f-]{36}$/);
    const [record] = await sandbox.records<RecordedExecution>('executions');
    expect(record.data.input).toEqual({});
  });

  test('a version-qualified state machine ARN starts an execution of the machine', async () => {
    const answer = await start(sfn(), { stateMachineArn: `${MACHINE}:3`, name: 'versioned' });
    expect(answer.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:outreach-cadence:versioned');
  });

  test('the same name and input answer the same execution and record nothing new', async () => {
    const client = sfn();
    const first = await start(client, { name: 'p-1-step-1', input: '{"a":1}' });
    await sleep(20);
    const again = await start(client, { name: 'p-1-step-1', input: '{"a":1}' });
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect(await sandbox.records('executions')).toHaveLength(1);

    // The same name under another state machine is another execution.
    const elsewhere = await start(client, { stateMachineArn: `${MACHINE}-2`, name: 'p-1-step-1', input: '{"a":1}' });
    expect(elsewhere.executionArn).not.toBe(first.executionArn);
    expect(await sandbox.records('executions')).toHaveLength(2);
  });

  test('the same name with another input is ExecutionAlreadyExists', async () => {
    const client = sfn();
    await start(client, { name: 'p-1-step-1', input: '{"a":1}' });
    const error = await failure(start(client, { name: 'p-1-step-1', input: '{"a":2}' }));
    expect(error).toBeInstanceOf(ExecutionAlreadyExists);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain(':execution:outreach-cadence:p-1-step-1');
    expect(await sandbox.records('executions')).toHaveLength(1);
  });

  test.each<[string, Parameters<typeof start>[1], unknown]>([
    ['a missing stateMachineArn', { stateMachineArn: undefined }, SfnValidationException],
    ['an ARN that is not a state machine', { stateMachineArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' }, InvalidArn],
    ['a name with whitespace', { name: 'step 1' }, InvalidName],
    ['a name with a slash', { name: 'p-1/step-1' }, InvalidName],
    ['a name over 80 characters', { name: 'n'.repeat(81) }, SfnValidationException],
    ['an empty name', { name: '' }, SfnValidationException],
    ['input that is not JSON', { input: '{not json' }, InvalidExecutionInput],
    ['input over 256 KiB', { input: JSON.stringify({ blob: 'x'.repeat(256 * 1024) }) }, SfnValidationException],
    ['a traceHeader over 256 characters', { traceHeader: 'r'.repeat(257) }, SfnValidationException],
  ])('%s is refused with the service error', async (_case, input, errorClass) => {
    const error = await failure(start(sfn(), input));
    expect(error).toBeInstanceOf(errorClass as new (...args: never[]) => Error);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await sandbox.records('executions')).toEqual([]);
  });

  test('an SFN client configured only by AWS_ENDPOINT_URL_SFN reaches the sandbox', async () => {
    expect(SANDBOX_ENDPOINT_ENVS).toContain('AWS_ENDPOINT_URL_SFN');
    const saved = process.env.AWS_ENDPOINT_URL_SFN;
    process.env.AWS_ENDPOINT_URL_SFN = sandbox.url;
    try {
      const client = track(new SFNClient({ region: 'us-east-1', credentials }));
      await expect(start(client, { name: 'through-env' })).resolves.toHaveProperty('executionArn');
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SFN;
      else process.env.AWS_ENDPOINT_URL_SFN = saved;
    }
    expect(await sandbox.records('executions')).toHaveLength(1);
  });
});

describe('pacing per origination identity', () => {
  test('the sliding window counts arrivals within any second: (t - 1 s, t]', () => {
    const quarter = new SlidingWindowMax();
    for (const at of [0, 250, 500, 750, 1000]) quarter.add(at);
    expect(quarter.max).toBe(4);
    const spaced = new SlidingWindowMax();
    for (const at of [0, 1050, 2100, 3150, 4200]) spaced.add(at);
    expect(spaced.max).toBe(1);
  });

  test('5 texts spaced 250 ms apart: maxPerSecond 4', async () => {
    const client = sms();
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(250);
      await text(client);
    }
    expect((await sandbox.stats()).identities).toEqual({
      [SENDER]: { operation: 'SendTextMessage', messages: 5, maxPerSecond: 4, throttled: 0 },
    });
  });

  test('5 voice messages spaced 1.05 s apart: maxPerSecond 1', async () => {
    const client = sms();
    for (let i = 0; i < 5; i++) {
      if (i > 0) await sleep(1050);
      await voice(client);
    }
    expect((await sandbox.stats()).identities[SENDER]).toEqual({
      operation: 'SendVoiceMessage',
      messages: 5,
      maxPerSecond: 1,
      throttled: 0,
    });
  });

  test('each identity is paced on its own; one used by both operations names both; refused messages do not count', async () => {
    const client = sms();
    await Promise.all([text(client), text(client), text(client), text(client, { OriginationIdentity: OTHER_SENDER })]);
    await voice(client);
    await failure(text(client, { MessageBody: '' }));
    await failure(text(client, { MessageBody: '', OriginationIdentity: 'never-sent' }));
    const { identities, operations } = await sandbox.stats();
    expect(Object.keys(identities).sort()).toEqual([SENDER, OTHER_SENDER].sort());
    expect(identities[SENDER]).toEqual({ operation: 'SendTextMessage,SendVoiceMessage', messages: 4, maxPerSecond: 4, throttled: 0 });
    expect(identities[OTHER_SENDER]).toEqual({ operation: 'SendTextMessage', messages: 1, maxPerSecond: 1, throttled: 0 });
    expect(operations.SendTextMessage).toMatchObject({ answered: 6, rejected: 2 });

    await sandbox.reset();
    expect((await sandbox.stats()).identities).toEqual({});
  });

  test('an identity over its rate limit gets ThrottlingException; other identities are not held back', async () => {
    await sandbox.configure({ identityRateLimits: { [SENDER]: 2 } });
    const seen: string[] = [];
    const client = sms({ retryStrategy: classifying(seen) });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => text(client).then(() => 'ok', (error: unknown) => error)),
    );
    const errors = outcomes.filter((o) => o !== 'ok') as SmsThrottlingException[];
    // A full bucket of 2; a refill can add at most one more on a slow machine.
    expect(outcomes.length - errors.length).toBeGreaterThanOrEqual(2);
    expect(outcomes.length - errors.length).toBeLessThanOrEqual(3);
    for (const error of errors) {
      expect(error).toBeInstanceOf(SmsThrottlingException);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(seen).toEqual(errors.map(() => 'THROTTLING'));

    const others = await Promise.all(Array.from({ length: 5 }, () => text(client, { OriginationIdentity: OTHER_SENDER })));
    expect(others).toHaveLength(5);

    const { identities, operations } = await sandbox.stats();
    expect(identities[SENDER]).toMatchObject({ messages: 6 - errors.length, throttled: errors.length });
    expect(identities[OTHER_SENDER]).toMatchObject({ messages: 5, throttled: 0 });
    expect(operations.SendTextMessage).toMatchObject({ calls: 11, answered: 11 - errors.length, throttled: errors.length });
    expect(await sandbox.records('texts')).toHaveLength(11 - errors.length);
  });

  test('`*` limits every identity without its own entry, each in its own bucket; the bucket refills at the rate', async () => {
    await sandbox.configure({ identityRateLimits: { '*': 1, [OTHER_SENDER]: 3 } });
    const client = sms();
    const burst = async (identity: string, n: number) =>
      (await Promise.all(Array.from({ length: n }, () => text(client, { OriginationIdentity: identity }).then(() => 1, () => 0)))).reduce(
        (a: number, b) => a + b,
        0,
      );
    expect(await burst(SENDER, 3)).toBe(1);
    expect(await burst('+18005550122', 3)).toBe(1);
    expect(await burst(OTHER_SENDER, 5)).toBe(3);
    await sleep(1050);
    expect(await burst(SENDER, 3)).toBe(1);
  });

  test('a message that is refused (opt-out, validation) or a dry run takes no token', async () => {
    await sandbox.configure({ identityRateLimits: { [SENDER]: 1 }, optedOut: ['+12065550199'] });
    const client = sms();
    await expect(text(client, { DestinationPhoneNumber: '+12065550199' })).rejects.toBeInstanceOf(ConflictException);
    await expect(voice(client, { MessageBodyTextType: 'SSML', MessageBody: '<speak>' })).rejects.toBeInstanceOf(SmsValidationException);
    await text(client, { DryRun: true });
    await expect(text(client)).resolves.toHaveProperty('MessageId');
    await expect(text(client)).rejects.toBeInstanceOf(SmsThrottlingException);
    expect((await sandbox.stats()).identities[SENDER]).toMatchObject({ messages: 1, throttled: 1 });
  });

  test('the control API validates the new keys and round-trips them', async () => {
    const control = new SandboxClient(sandbox.url);
    await expect(control.configure({ optedOut: ['206-555-0123'] })).rejects.toThrow(/400/);
    await expect(control.configure({ identityRateLimits: { [SENDER]: 0 } })).rejects.toThrow(/400/);
    await control.configure({ identityRateLimits: { [SENDER]: 2 }, optedOut: [PATIENT] });
    expect(await control.config()).toEqual({ identityRateLimits: { [SENDER]: 2 }, optedOut: [PATIENT] });
    await text(sms(), { DestinationPhoneNumber: '+12065550124' });
    expect((await control.stats()).identities[SENDER]).toEqual({ operation: 'SendTextMessage', messages: 1, maxPerSecond: 1, throttled: 0 });
  });

  test('start options carry identity limits and the opt-out list', async () => {
    const other = await startSandbox({ identityRateLimits: { [SENDER]: 1 }, optedOut: [PATIENT] });
    try {
      const client = track(new PinpointSMSVoiceV2Client({ ...base(), endpoint: other.url }));
      await expect(text(client)).rejects.toBeInstanceOf(ConflictException);
      await text(client, { DestinationPhoneNumber: '+12065550124' });
      await expect(text(client, { DestinationPhoneNumber: '+12065550124' })).rejects.toBeInstanceOf(SmsThrottlingException);
      await other.reset({ config: true });
      expect(await other.config()).toEqual({ identityRateLimits: { [SENDER]: 1 }, optedOut: [PATIENT] });
    } finally {
      await other.close();
    }
  });
});

describe('injected faults and throttling on the new operations', () => {
  test('SMS Voice V2: a 500 fault is InternalServerException, a 503 ServiceUnavailableException; neither counts for the identity', async () => {
    await sandbox.configure({
      faults: [
        { operation: 'SendTextMessage', firstN: 1 },
        { operation: 'sms-voice-v2:SendVoiceMessage', firstN: 1, status: 503 },
      ],
      identityRateLimits: { [SENDER]: 1 },
    });
    const seen: string[] = [];
    const client = sms({ retryStrategy: classifying(seen) });
    const internal = await failure(text(client));
    expect(internal).toBeInstanceOf(InternalServerException);
    expect(internal.$metadata.httpStatusCode).toBe(500);
    const unavailable = await failure(voice(client));
    expect(unavailable).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
    expect(seen).toEqual(['TRANSIENT', 'TRANSIENT']);
    // The faults took no token: the identity's single token is still there.
    await expect(text(client)).resolves.toHaveProperty('MessageId');
    const { operations, identities } = await sandbox.stats();
    expect(operations.SendTextMessage).toMatchObject({ calls: 2, injectedFaults: 1, answered: 1 });
    expect(operations.SendVoiceMessage).toMatchObject({ calls: 1, injectedFaults: 1, answered: 0 });
    expect(identities[SENDER]).toMatchObject({ messages: 1, throttled: 0 });
  });

  test('SMS Voice V2: an injected throttle is ThrottlingException and the SDK retries it', async () => {
    await sandbox.configure({ throttle: [{ operation: 'SendTextMessage', firstN: 1 }] });
    const answer = await text(sms({ maxAttempts: 2 }));
    expect(answer.$metadata.attempts).toBe(2);
    expect((await sandbox.stats()).operations.SendTextMessage).toMatchObject({ calls: 2, injectedThrottles: 1, answered: 1 });
    expect(await sandbox.records('texts')).toHaveLength(1);
  });

  test('Connect: injected throttling is a 429 ThrottlingException, a rate limit too, and faults are 5xx', async () => {
    await sandbox.configure({ throttle: [{ operation: 'StartOutboundVoiceContact', every: 2 }] });
    const seen: string[] = [];
    const client = connect({ retryStrategy: classifying(seen) });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await call(client).then(() => 'ok', (e: Error) => e.name));
    expect(outcomes).toEqual(['ok', 'ThrottlingException', 'ok', 'ThrottlingException']);
    expect(seen).toEqual(['THROTTLING', 'THROTTLING']);

    await sandbox.configure({ throttle: [], rateLimits: { StartOutboundVoiceContact: 1 } });
    await call(client);
    const limited = await failure(call(client));
    expect(limited).toBeInstanceOf(ConnectThrottlingException);
    expect(limited.$metadata.httpStatusCode).toBe(429);

    await sandbox.configure({ rateLimits: {}, faults: [{ operation: 'connect:StartOutboundVoiceContact', firstN: 2 }] });
    expect(await failure(call(client))).toMatchObject({ name: 'InternalServiceException', $metadata: { httpStatusCode: 500 } });
    await sandbox.configure({ faults: [{ operation: 'StartOutboundVoiceContact', firstN: 1, status: 503 }] });
    expect(await failure(call(client))).toMatchObject({ name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } });
    expect((await sandbox.stats()).operations.StartOutboundVoiceContact).toMatchObject({
      injectedThrottles: 2,
      throttled: 1,
      injectedFaults: 2,
    });
  });

  test('Step Functions: throttling is ThrottlingException (400), faults InternalFailure (500) and ServiceUnavailable (503)', async () => {
    await sandbox.configure({
      throttle: [{ operation: 'StartExecution', firstN: 1 }],
      faults: [{ operation: 'sfn:StartExecution', every: 3 }],
    });
    const seen: string[] = [];
    const client = sfn({ retryStrategy: classifying(seen) });
    // Step Functions models no throttling error: the SDK names the common error from __type.
    const throttled = await failure(start(client));
    expect(throttled).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 }, $fault: 'client' });
    await start(client);
    const internal = await failure(start(client));
    expect(internal).toMatchObject({ name: 'InternalFailure', $metadata: { httpStatusCode: 500 }, $fault: 'server' });
    expect(seen).toEqual(['THROTTLING', 'TRANSIENT']);

    await sandbox.configure({ throttle: [], faults: [{ operation: 'StartExecution', firstN: 1, status: 503 }] });
    expect(await failure(start(client))).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    await sandbox.configure({ faults: [], rateLimits: { StartExecution: 1 } });
    await start(client);
    expect(await failure(start(client))).toMatchObject({ name: 'ThrottlingException' });
    expect(await sandbox.records('executions')).toHaveLength(2);
  });
});
