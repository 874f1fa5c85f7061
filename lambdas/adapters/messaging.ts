/**
 * End User Messaging SMS and voice (v2): the only code that sends texts and voice
 * messages. Every send names the configuration set (delivery events) and carries the
 * attempt key, practice and contact ids as context, so an event finds its attempt again.
 */
import {
  DeleteOptedOutNumberCommand,
  PinpointSMSVoiceV2Client,
  PutOptedOutNumberCommand,
  ResourceNotFoundException,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { classified } from './send-errors';

export interface OutboundMessage {
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly attemptKey: string;
  /** Whose attempt it is: delivery events carry these back (ids only, no person data). */
  readonly practiceId: string;
  readonly contactId: string;
  /** Care messages are transactional; outreach is promotional. */
  readonly purpose: 'care' | 'outreach';
}

export class Messaging {
  constructor(
    private readonly configurationSetName: string | undefined,
    // One attempt per call: retries belong to the workflow, after the claim is given back.
    private readonly client = new PinpointSMSVoiceV2Client({ maxAttempts: 1 }),
  ) {}

  /** Resolves credentials and the endpoint ahead of a timed send (the first request would otherwise pay for it). */
  async warm(): Promise<void> {
    await this.client.config.credentials();
  }

  async sendText(m: OutboundMessage): Promise<string> {
    const out = await classified(() =>
      this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: m.to,
          OriginationIdentity: m.from,
          MessageBody: m.body,
          MessageType: m.purpose === 'care' ? 'TRANSACTIONAL' : 'PROMOTIONAL',
          ConfigurationSetName: this.configurationSetName,
          Context: { attempt: m.attemptKey, practice: m.practiceId, contact: m.contactId },
        }),
      ),
    );
    return out.MessageId!;
  }

  /**
   * Puts a number on the SMS numbers' opt-out list, so End User Messaging itself refuses texts
   * to it too (an opt-out the system heard — free text, an agent — that the service did not).
   */
  async optOut(optOutListName: string, number: string): Promise<void> {
    await this.client.send(new PutOptedOutNumberCommand({ OptOutListName: optOutListName, OptedOutNumber: number }));
  }

  /** Takes a number off the opt-out list after it opted back in; a number not on it is fine. */
  async optIn(optOutListName: string, number: string): Promise<void> {
    await this.client.send(new DeleteOptedOutNumberCommand({ OptOutListName: optOutListName, OptedOutNumber: number })).catch((e: unknown) => {
      if (!(e instanceof ResourceNotFoundException)) throw e;
    });
  }

  /** A text-to-speech voice message; `ssml` is a <speak> document. */
  async sendVoice(m: OutboundMessage & { readonly ssml: string; readonly voiceId: string }): Promise<string> {
    const out = await classified(() =>
      this.client.send(
        new SendVoiceMessageCommand({
          DestinationPhoneNumber: m.to,
          OriginationIdentity: m.from,
          MessageBody: m.ssml,
          MessageBodyTextType: 'SSML',
          VoiceId: m.voiceId as never,
          ConfigurationSetName: this.configurationSetName,
          Context: { attempt: m.attemptKey, practice: m.practiceId, contact: m.contactId },
        }),
      ),
    );
    return out.MessageId!;
  }
}
