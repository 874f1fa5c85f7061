import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { ConnectClient, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { resetStageConfig } from '../../lambdas/adapters/settings';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import { connectedCenter, dependencies, knowContactCenters, resetCadenceDependencies } from '../../lambdas/handlers/cadence-support';
import { voicemailPacing } from '../../lambdas/handlers/message-support';

const ssm = mockClient(SSMClient);
const SAMPLE = join(__dirname, '..', '..', 'samples', 'stage.sample.json');
const IDS = { instanceId: 'inst-created', queueId: 'queue-created', outboundFlowId: 'flow-out', voicemailFlowId: 'flow-vm' };

/** The sample config with sunrise-family's instance created by the stack (an alias, no ids), or as it ships (with a voicemail flow and 2 calls a second, when asked). */
function useConfig(created: boolean, voicemailFlow = false): void {
  const raw = JSON.parse(readFileSync(SAMPLE, 'utf8'));
  if (created) raw.practices[0].contactCenter = { instanceAlias: 'sunrise-outreach', hours: raw.practices[0].contactCenter.hours };
  if (voicemailFlow) Object.assign(raw.practices[0].contactCenter, { voicemailFlowId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', callsPerSecond: 2 });
  const path = join(mkdtempSync(join(tmpdir(), 'contact-centers-')), 'stage.json');
  writeFileSync(path, JSON.stringify(raw));
  process.env.OUTREACH_CONFIG_FILE = path;
  process.env.TRACKER_TABLE_NAME = 'outreach-tracker';
  resetStageConfig();
  resetCadenceDependencies();
}

beforeEach(() => ssm.reset());

describe('the contact center calls go through', () => {
  it('for an instance the stack created: the ids its parameter holds, read once per cold start, with the config\'s hours', async () => {
    useConfig(true);
    ssm.on(GetParameterCommand, { Name: '/outreach/dev/contact-centers' }).resolves({ Parameter: { Value: JSON.stringify({ 'sunrise-family': IDS }) } });
    const practice = dependencies().config.practices[0]!;
    expect(connectedCenter(practice)).toBeUndefined();

    await knowContactCenters();
    await knowContactCenters();

    expect(connectedCenter(practice)).toMatchObject({ ...IDS, instanceAlias: 'sunrise-outreach', callsPerSecond: 1, hours: practice.contactCenter!.hours });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(connectedCenter(dependencies().config.practices[1]!)).toBeUndefined();
  });

  it('for an instance the stack has not created yet: none, so its call steps are skipped rather than failing', async () => {
    useConfig(true);
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not there', $metadata: {} }));
    await knowContactCenters();
    expect(connectedCenter(dependencies().config.practices[0]!)).toBeUndefined();
  });

  it('for an existing instance the config names: its ids, and no parameter is read', async () => {
    useConfig(false);
    await knowContactCenters();
    expect(connectedCenter(dependencies().config.practices[0]!)).toMatchObject({ instanceId: '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', queueId: '0a9b8c7d-6e5f-4d3c-9b2a-1f0e9d8c7b6a' });
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });
});

describe('the pace of voicemails', () => {
  it('through Connect (a voicemail flow): the instance\'s outbound calls at callsPerSecond, shared with agent calls; else the voice number\'s rate', async () => {
    useConfig(false, true);
    await knowContactCenters();
    const [sunrise, lakeside] = dependencies().config.practices;
    expect(voicemailPacing(sunrise!)).toEqual({ identity: 'connect:8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', messagesPerSecond: 2 });
    expect(voicemailPacing(lakeside!)).toEqual({ identity: '+13125550199', messagesPerSecond: 1 });
    useConfig(false);
    expect(voicemailPacing(dependencies().config.practices[0]!)).toEqual({ identity: '+12065550177', messagesPerSecond: 1 });
  });
});

describe('a voicemail through an instance the stack created', () => {
  it('shows the number claimed there, through the queue\'s caller id, instead of a source number', async () => {
    const connect = mockClient(ConnectClient);
    connect.on(StartOutboundVoiceContactCommand).resolves({ ContactId: 'c-1' });
    await new ContactCenter(new ConnectClient({})).dropVoicemail({ instanceId: 'inst', contactFlowId: 'flow-vm', queueId: 'queue-created', to: '+12065550141', attemptKey: 'e_1#r01#voicemail', attributes: {} });
    const input = connect.commandCalls(StartOutboundVoiceContactCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ QueueId: 'queue-created', ContactFlowId: 'flow-vm', AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true } });
    expect(input.SourcePhoneNumber).toBeUndefined();
    connect.restore();
  });
});
