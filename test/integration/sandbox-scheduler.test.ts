/**
 * The sandbox's EventBridge Scheduler operations driven by the real SDK client, and the
 * MessageScheduler adapter over them: one schedule per name whatever the retries, moved when
 * the time changes, gone when cancelled.
 */
import { ConflictException, CreateScheduleCommand, GetScheduleCommand, ListSchedulesCommand, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { GetContactAttributesCommand, ConnectClient, ResourceNotFoundException as ConnectNotFound, StartOutboundVoiceContactCommand, UpdateContactAttributesCommand } from '@aws-sdk/client-connect';
import { startSandbox, type SandboxHandle } from '../../local/sandbox';
import { MessageScheduler } from '../../lambdas/adapters/message-scheduler';

const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const TARGET = { arn: 'arn:aws:lambda:us-east-1:000000000000:function:send-message', roleArn: 'arn:aws:iam::000000000000:role/scheduler', groupName: 'outreach-dev' };
const SETTINGS = {
  groupName: TARGET.groupName,
  roleArn: TARGET.roleArn,
  targets: { sendMessage: TARGET.arn, placeCallback: 'arn:aws:lambda:us-east-1:000000000000:function:place-callback', resumeOutreach: 'arn:aws:lambda:us-east-1:000000000000:function:resume-outreach' },
};

let sandbox: SandboxHandle;
let client: SchedulerClient;
beforeAll(async () => {
  sandbox = await startSandbox();
  client = new SchedulerClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await sandbox.close();
});
beforeEach(() => sandbox.reset());

const get = (name: string) => client.send(new GetScheduleCommand({ Name: name, GroupName: TARGET.groupName }));

describe('MessageScheduler against the sandbox', () => {
  it('creates a one-time schedule in UTC that deletes itself after it fires, with the input as JSON', async () => {
    await new MessageScheduler(SETTINGS, client).schedule('sendMessage', 'appt-apt-1-7d', '2026-11-26T18:00:00Z', { appointmentId: 'apt-1', reminder: '7d' });

    expect(await get('appt-apt-1-7d')).toMatchObject({
      Name: 'appt-apt-1-7d',
      GroupName: TARGET.groupName,
      ScheduleExpression: 'at(2026-11-26T18:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TARGET.arn, RoleArn: TARGET.roleArn, Input: '{"appointmentId":"apt-1","reminder":"7d"}' },
    });
  });

  it('scheduling the same name again moves it: one schedule, at the new time', async () => {
    const scheduler = new MessageScheduler(SETTINGS, client);
    await scheduler.schedule('sendMessage', 'appt-apt-2-2d', '2026-12-01T18:00:00Z', { v: 1 });
    await scheduler.schedule('sendMessage', 'appt-apt-2-2d', '2026-12-08T18:00:00Z', { v: 2 });

    const { Schedules } = await client.send(new ListSchedulesCommand({ GroupName: TARGET.groupName, NamePrefix: 'appt-apt-2' }));
    expect(Schedules?.map((s) => s.Name)).toEqual(['appt-apt-2-2d']);
    expect(await get('appt-apt-2-2d')).toMatchObject({ ScheduleExpression: 'at(2026-12-08T18:00:00)', Target: { Input: '{"v":2}' } });
    expect((await sandbox.records<{ change: string }>('schedules')).map((r) => r.data.change)).toEqual(['created', 'updated']);
  });

  it('cancel deletes the schedule, and cancelling one already gone is fine', async () => {
    const scheduler = new MessageScheduler(SETTINGS, client);
    await scheduler.schedule('sendMessage', 'appt-apt-3-same-day', '2026-12-03T16:00:00Z', {});
    await scheduler.cancel('appt-apt-3-same-day');
    await scheduler.cancel('appt-apt-3-same-day');

    await expect(get('appt-apt-3-same-day')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('Scheduler operations', () => {
  const create = (name: string, input: object = {}) =>
    client.send(new CreateScheduleCommand({ Name: name, ScheduleExpression: 'at(2026-12-01T10:00:00)', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: TARGET.arn, RoleArn: TARGET.roleArn }, ...input }));

  it('refuses a second schedule of the same name in a group, but not in another group', async () => {
    await create('dup');
    await expect(create('dup')).rejects.toBeInstanceOf(ConflictException);
    await expect(create('dup', { GroupName: 'other' })).resolves.toMatchObject({ ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/other/dup' });
  });

  it('refuses a malformed expression or a name outside the allowed characters', async () => {
    await expect(create('bad', { ScheduleExpression: 'tomorrow at 10' })).rejects.toBeInstanceOf(ValidationException);
    await expect(create('bad name!')).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('Connect contact attributes', () => {
  it('reads what the call started with, merges what an agent sets, and knows no other contact', async () => {
    const connect = new ConnectClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const { ContactId } = await connect.send(
      new StartOutboundVoiceContactCommand({ InstanceId: 'i-1', ContactFlowId: 'f-1', QueueId: 'q-1', DestinationPhoneNumber: '+12065550123', Attributes: { practiceId: 'p', step: 'call' } }),
    );
    await connect.send(new UpdateContactAttributesCommand({ InstanceId: 'i-1', InitialContactId: ContactId!, Attributes: { disposition: 'no-answer', step: 'call-2' } }));

    expect((await connect.send(new GetContactAttributesCommand({ InstanceId: 'i-1', InitialContactId: ContactId! }))).Attributes).toEqual({ practiceId: 'p', step: 'call-2', disposition: 'no-answer' });
    await expect(connect.send(new GetContactAttributesCommand({ InstanceId: 'i-1', InitialContactId: 'nope' }))).rejects.toBeInstanceOf(ConnectNotFound);
    connect.destroy();
  });
});

describe('Connect scripted call outcomes', () => {
  it('ends the Nth call to a number with its Nth scripted outcome (the last repeats), an unscripted agent call with no-answer, a voicemail call at a machine', async () => {
    const connect = new ConnectClient({ endpoint: sandbox.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    await sandbox.configure({
      callOutcomes: {
        '+12065550111': [{ disposition: 'call-back-later', callback: { inDays: 1, at: '16:00' } }, { disposition: 'appointment-booked', appointment: { inDays: 3, at: '10:30' }, visit: 'seen' }],
      },
    });
    const call = (to: string, extra: object = {}) =>
      connect.send(new StartOutboundVoiceContactCommand({ InstanceId: 'i-1', ContactFlowId: 'f-1', QueueId: 'q-1', DestinationPhoneNumber: to, Attributes: { contactId: `c-${to}` }, ...extra }));
    for (const to of ['+12065550111', '+12065550111', '+12065550111', '+12065550122']) await call(to);
    await call('+12065550133', { QueueId: undefined, SourcePhoneNumber: '+12065550177', AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true } });

    const ended = (await sandbox.records<{ kind: string; Attributes: Record<string, string>; outcome: Record<string, unknown> }>('contact-events')).map((r) => [r.data.kind, r.data.Attributes.contactId, r.data.outcome]);
    expect(ended).toEqual([
      ['agent', 'c-+12065550111', { disposition: 'call-back-later', callback: { inDays: 1, at: '16:00' } }],
      ['agent', 'c-+12065550111', { disposition: 'appointment-booked', appointment: { inDays: 3, at: '10:30' }, visit: 'seen' }],
      ['agent', 'c-+12065550111', { disposition: 'appointment-booked', appointment: { inDays: 3, at: '10:30' }, visit: 'seen' }],
      ['agent', 'c-+12065550122', { disposition: 'no-answer' }],
      ['voicemail', 'c-+12065550133', { amdStatus: 'VOICEMAIL_BEEP' }],
    ]);
    connect.destroy();
  });

  it('refuses a scenario outcome it does not know, naming the field', async () => {
    await expect(sandbox.configure({ callOutcomes: { '+12065550111': [{ disposition: 'busy', mood: 'grumpy' } as never] } })).rejects.toThrow(/mood|unrecognized/i);
  });
});
