/**
 * Amazon Connect: queues an outbound agent call or drops a voicemail (the attempt key is the
 * client token, so Connect itself refuses to place the same call twice for 7 days), and reads
 * a contact's attributes (where agents record dispositions).
 */
import { ConnectClient, GetContactAttributesCommand, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { classified } from './send-errors';

export interface AgentCall {
  readonly instanceId: string;
  readonly contactFlowId: string;
  readonly queueId: string;
  readonly to: string;
  readonly attemptKey: string;
  /** What the agent's whisper and workspace show: ids, step and script, no clinical data. */
  readonly attributes: Readonly<Record<string, string>>;
}

export class ContactCenter {
  constructor(private readonly client = new ConnectClient({ maxAttempts: 1 })) {}

  /** Resolves credentials and the endpoint ahead of a timed send (the first request would otherwise pay for it). */
  async warm(): Promise<void> {
    await this.client.config.credentials();
  }

  /**
   * A voicemail through Connect: no agent, answering-machine detection on and waiting for
   * the beep, so the message is recorded whole rather than started over the greeting.
   */
  async dropVoicemail(call: VoicemailCall): Promise<string> {
    const out = await classified(() =>
      this.client.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: call.instanceId,
          ContactFlowId: call.contactFlowId,
          ...('queueId' in call ? { QueueId: call.queueId } : { SourcePhoneNumber: call.from }),
          DestinationPhoneNumber: call.to,
          ClientToken: clientToken(call.attemptKey),
          AnswerMachineDetectionConfig: { EnableAnswerMachineDetection: true, AwaitAnswerMachinePrompt: true },
          Attributes: { ...call.attributes },
        }),
      ),
    );
    return out.ContactId!;
  }

  /** The user-defined attributes of a contact (what the flow, the agent and the cadence set on it). */
  async contactAttributes(instanceId: string, initialContactId: string): Promise<Record<string, string>> {
    const out = await this.client.send(new GetContactAttributesCommand({ InstanceId: instanceId, InitialContactId: initialContactId }));
    return out.Attributes ?? {};
  }

  async queueCall(call: AgentCall): Promise<string> {
    const out = await classified(() =>
      this.client.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: call.instanceId,
          ContactFlowId: call.contactFlowId,
          QueueId: call.queueId,
          DestinationPhoneNumber: call.to,
          ClientToken: clientToken(call.attemptKey),
          Attributes: { ...call.attributes },
        }),
      ),
    );
    return out.ContactId!;
  }
}

export type VoicemailCall = VoicemailCallBase & (
  | {
      /** The practice's voice number, claimed in the Connect instance. */
      readonly from: string;
    }
  | {
      /** A queue whose outbound caller id is the number to show (an instance the stack created and claimed its number in). */
      readonly queueId: string;
    }
);

interface VoicemailCallBase {
  readonly instanceId: string;
  readonly contactFlowId: string;
  readonly to: string;
  readonly attemptKey: string;
  /** What the flow plays after the beep (SSML) and the ids it records. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Connect's client token is at most 500 characters; attempt keys are far shorter, but stay safe. */
function clientToken(attemptKey: string): string {
  return attemptKey.slice(0, 500);
}
