/**
 * The ids of the Connect instances the ContactCenter stack created (instance, queue, flows),
 * which the stage config cannot know: the stack writes them as one SSM parameter, the
 * functions that call read it once per cold start.
 */
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';

export const createdCenterIds = z.record(
  z.string(),
  z.object({ instanceId: z.string().min(1), queueId: z.string().min(1), outboundFlowId: z.string().min(1), voicemailFlowId: z.string().min(1).optional() }),
);
export type CreatedCenterIds = z.infer<typeof createdCenterIds>;

export class ContactCenterIds {
  constructor(private readonly client = new SSMClient({})) {}

  /** By practice id; none when the parameter is not there (the ContactCenter stack is not deployed yet). */
  async read(parameterName: string): Promise<CreatedCenterIds> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: parameterName }));
      return createdCenterIds.parse(JSON.parse(out.Parameter?.Value ?? '{}'));
    } catch (e) {
      if (e instanceof ParameterNotFound) return {};
      throw e;
    }
  }
}
