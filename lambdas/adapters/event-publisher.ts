/** EventBridge: the system's own events (import summaries, hand-offs) on its bus. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export class EventPublisher {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  async publish(detailType: string, detail: object): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({ Entries: [{ EventBusName: this.busName, Source: 'patient-outreach', DetailType: detailType, Detail: JSON.stringify(detail) }] }),
    );
    if (out.FailedEntryCount) throw new Error(`EventBridge refused the ${detailType} event: ${out.Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
  }
}
