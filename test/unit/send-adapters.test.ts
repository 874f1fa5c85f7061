import { mockClient } from 'aws-sdk-client-mock';
import { ConnectClient, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, SendVoiceMessageCommand, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ContactCenter } from '../../lambdas/adapters/contact-center';
import { Messaging } from '../../lambdas/adapters/messaging';
import { PermanentSendError, TransientSendError } from '../../lambdas/adapters/send-errors';

const sms = mockClient(PinpointSMSVoiceV2Client);
const connect = mockClient(ConnectClient);
beforeEach(() => {
  sms.reset();
  connect.reset();
});

const message = { to: '+12065550141', from: '+12065550188', body: 'Hi from Sunrise', attemptKey: 'e_1#r01#sms', practiceId: 'sunrise-family', contactId: 'c_1', purpose: 'care' as const };

describe('Messaging (End User Messaging SMS and voice v2)', () => {
  it('texts from the origination identity with the configuration set, the attempt key as context, and care as transactional', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-1' });

    const id = await new Messaging('outreach-dev-messaging', new PinpointSMSVoiceV2Client({})).sendText(message);

    expect(id).toBe('m-1');
    expect(sms.commandCalls(SendTextMessageCommand)[0]!.args[0].input).toEqual({
      DestinationPhoneNumber: '+12065550141',
      OriginationIdentity: '+12065550188',
      MessageBody: 'Hi from Sunrise',
      MessageType: 'TRANSACTIONAL',
      ConfigurationSetName: 'outreach-dev-messaging',
      // Delivery events carry the context back: the attempt and whose it is (ids only).
      Context: { attempt: 'e_1#r01#sms', practice: 'sunrise-family', contact: 'c_1' },
    });
  });

  it('sends outreach as promotional', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'm-2' });
    await new Messaging(undefined, new PinpointSMSVoiceV2Client({})).sendText({ ...message, purpose: 'outreach' });
    expect(sms.commandCalls(SendTextMessageCommand)[0]!.args[0].input.MessageType).toBe('PROMOTIONAL');
  });

  it('leaves a voice message as SSML with the chosen voice', async () => {
    sms.on(SendVoiceMessageCommand).resolves({ MessageId: 'v-1' });
    await new Messaging('cs', new PinpointSMSVoiceV2Client({})).sendVoice({ ...message, from: '+12065550177', ssml: '<speak>Hi</speak>', voiceId: 'LUPE' });
    expect(sms.commandCalls(SendVoiceMessageCommand)[0]!.args[0].input).toEqual(
      expect.objectContaining({ OriginationIdentity: '+12065550177', MessageBody: '<speak>Hi</speak>', MessageBodyTextType: 'SSML', VoiceId: 'LUPE', Context: { attempt: 'e_1#r01#sms', practice: 'sunrise-family', contact: 'c_1' } }),
    );
  });

  it('reads throttling as transient (the claim is given back and the workflow retries) and an opted-out number as permanent, with the reason', async () => {
    sms.on(SendTextMessageCommand).rejectsOnce(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    await expect(new Messaging(undefined, new PinpointSMSVoiceV2Client({})).sendText(message)).rejects.toBeInstanceOf(TransientSendError);

    sms.reset();
    sms.on(SendTextMessageCommand).rejects(
      new ConflictException({ message: 'opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ResourceType: 'opted-out-number', ResourceId: '+12065550141', $metadata: { httpStatusCode: 400 } }),
    );
    const refused = await new Messaging(undefined, new PinpointSMSVoiceV2Client({})).sendText(message).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermanentSendError);
    expect((refused as PermanentSendError).reason).toBe('DESTINATION_PHONE_NUMBER_OPTED_OUT');
  });
});

describe('ContactCenter (Amazon Connect)', () => {
  it('queues an agent call to the outreach queue with the attempt key as client token and the agent attributes', async () => {
    connect.on(StartOutboundVoiceContactCommand).resolves({ ContactId: 'c-1' });
    await new ContactCenter(new ConnectClient({})).queueCall({
      instanceId: 'i-1',
      contactFlowId: 'f-1',
      queueId: 'q-1',
      to: '+12065550141',
      attemptKey: 'e_1#r01#call',
      attributes: { step: 'call', script: 'Hello' },
    });
    expect(connect.commandCalls(StartOutboundVoiceContactCommand)[0]!.args[0].input).toEqual({
      InstanceId: 'i-1',
      ContactFlowId: 'f-1',
      QueueId: 'q-1',
      DestinationPhoneNumber: '+12065550141',
      ClientToken: 'e_1#r01#call',
      Attributes: { step: 'call', script: 'Hello' },
    });
  });

  it('leaves a voicemail through the voicemail flow from the voice number, waiting for the answering machine beep', async () => {
    connect.on(StartOutboundVoiceContactCommand).resolves({ ContactId: 'c-2' });
    await new ContactCenter(new ConnectClient({})).dropVoicemail({
      instanceId: 'i-1',
      contactFlowId: 'vm-1',
      from: '+12065550177',
      to: '+14255550185',
      attemptKey: 'e_2#r01#voicemail',
      attributes: { message: '<speak>Hi</speak>' },
    });
    expect(connect.commandCalls(StartOutboundVoiceContactCommand)[0]!.args[0].input).toEqual({
      InstanceId: 'i-1',
      ContactFlowId: 'vm-1',
      SourcePhoneNumber: '+12065550177',
      DestinationPhoneNumber: '+14255550185',
      ClientToken: 'e_2#r01#voicemail',
      AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
      Attributes: { message: '<speak>Hi</speak>' },
    });
  });
});
