/** Run task "SendDue": sends to the people due now, paced; answers send more, wait until, or done. */
import { runState } from './run-plan';
import { sendDue, type RunState } from './run-support';

export const handler = async (payload: unknown, context: { getRemainingTimeInMillis(): number }): Promise<RunState> => sendDue(runState.parse(payload) as RunState, context);
