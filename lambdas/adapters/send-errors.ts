/**
 * How a provider's answer to a send is read: a transient failure (throttled, 5xx, the
 * network) means the message was not accepted and may be tried again; anything else
 * the provider refused is permanent for this attempt.
 */
export class TransientSendError extends Error {
  override readonly name = 'TransientSendError';
}

export class PermanentSendError extends Error {
  override readonly name = 'PermanentSendError';
  constructor(
    message: string,
    /** Why, in the provider's words (e.g. DESTINATION_PHONE_NUMBER_OPTED_OUT). */
    readonly reason: string,
  ) {
    super(message);
  }
}

const TRANSIENT = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailableException', 'InternalServerException', 'InternalServiceException', 'InternalServerError', 'LimitExceededException']);

/** Turns an SDK error into one of the two kinds above. */
export function classifySendError(e: unknown): TransientSendError | PermanentSendError {
  const err = e as { name?: string; message?: string; Reason?: string; $fault?: 'client' | 'server'; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = err.$metadata?.httpStatusCode;
  // No fault and no status: the request never got an answer (network, timeout) — not accepted.
  const unanswered = err.$fault === undefined && status === undefined;
  if (TRANSIENT.has(err.name ?? '') || err.$fault === 'server' || (status !== undefined && status >= 500) || err.$retryable || unanswered) {
    return new TransientSendError(`${err.name ?? 'Error'}: ${err.message ?? ''}`);
  }
  return new PermanentSendError(`${err.name}: ${err.message ?? ''}`, err.Reason ?? err.name ?? 'refused');
}

/** Runs a provider call, turning its failure into one of the two kinds. */
export async function classified<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw classifySendError(e);
  }
}
