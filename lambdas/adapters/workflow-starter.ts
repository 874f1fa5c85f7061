/**
 * Step Functions: starts a cadence execution for an enrollment. The execution is named
 * after the enrollment, so starting it again (a retry, a re-run import) starts nothing new.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

export class WorkflowStarter {
  constructor(
    private readonly stateMachineArn: string,
    private readonly client = new SFNClient({}),
  ) {}

  /** Returns the execution ARN, or undefined when an execution of that name already ran with other input. */
  async start(name: string, input: object): Promise<string | undefined> {
    try {
      const out = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      return out.executionArn;
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as Error).name === 'ExecutionAlreadyExists') return undefined;
      throw e;
    }
  }
}
