/**
 * PhoneNumberValidate (still served by the Pinpoint API after Pinpoint's engagement
 * features ended). Paid per call and rate-limited per account, so every attempt —
 * retries included — goes through one client-side limiter (Bottleneck) that spaces
 * calls at the configured rate: close to the limit, never above it. The SDK's own
 * retries are off for that reason; throttling and server errors are retried here with
 * exponential backoff and full jitter.
 */
import { PhoneNumberValidateCommand, PinpointClient } from '@aws-sdk/client-pinpoint';
import Bottleneck from 'bottleneck';
import { phoneTypeOf } from '../domain/phone';
import { countOutcome } from './outcome-metrics';
import type { PhoneValidation } from './tracker';

/** What PhoneNumberValidate said about a number, as it said it. */
export interface NumberAnswer {
  readonly phoneType?: string;
  readonly carrier?: string;
  readonly timeZone?: string;
  readonly zip?: string;
  readonly city?: string;
  readonly country?: string;
}

export interface PhoneValidatorOptions {
  /** Calls per second across this process. */
  readonly ratePerSecond: number;
  /** Attempts per number before it is reported as failed. */
  readonly maxAttempts: number;
  /** Base of the exponential backoff after a throttled or failed attempt. @default 200 */
  readonly backoffBaseMs?: number;
}

/** The tracker's record of a lookup's answer (the number's type in the system's words). */
export function validationOf(e164: string, answer: NumberAnswer, validatedAt: string): PhoneValidation {
  return { ...answer, e164, phoneType: phoneTypeOf(answer.phoneType), validatedAt };
}

export type LookupResult = { readonly ok: true; readonly answer: NumberAnswer } | { readonly ok: false; readonly error: string };

export interface ValidatorStats {
  calls: number;
  throttled: number;
  serverErrors: number;
}

export class PhoneValidator {
  private readonly limiter: Bottleneck;
  readonly stats: ValidatorStats = { calls: 0, throttled: 0, serverErrors: 0 };

  constructor(
    private readonly options: PhoneValidatorOptions,
    private readonly client: PinpointClient = new PinpointClient({ maxAttempts: 1 }),
  ) {
    // 2% headroom: arrival jitter must not push any 1-second window over the account's limit.
    const minTime = 1000 / (options.ratePerSecond * 0.98);
    // Enough calls in flight to keep the rate up under a second of latency.
    this.limiter = new Bottleneck({ minTime, maxConcurrent: Math.max(2, Math.ceil(options.ratePerSecond)) });
  }

  async validate(e164: string): Promise<LookupResult> {
    let lastError = 'no attempt made';
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      try {
        const out = await this.limiter.schedule(() => {
          this.stats.calls += 1;
          return this.client.send(new PhoneNumberValidateCommand({ NumberValidateRequest: { PhoneNumber: e164 } }));
        });
        const r = out.NumberValidateResponse ?? {};
        return {
          ok: true,
          answer: { phoneType: r.PhoneType, carrier: r.Carrier, timeZone: r.Timezone, zip: r.ZipCode, city: r.City, country: r.CountryCodeIso2 },
        };
      } catch (e) {
        const err = e as Error & { $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
        const status = err.$metadata?.httpStatusCode ?? 0;
        const throttled = Boolean(err.$retryable?.throttling) || status === 429 || err.name === 'TooManyRequestsException';
        if (throttled) {
          this.stats.throttled += 1;
          countOutcome('NumberLookupsThrottled', {});
        }
        else if (status >= 500) this.stats.serverErrors += 1;
        else if (status >= 400) return { ok: false, error: `${err.name}: the number was refused` };
        lastError = err.name || 'network error';
        if (attempt < this.options.maxAttempts) await sleep(Math.random() * (this.options.backoffBaseMs ?? 200) * 2 ** attempt);
      }
    }
    return { ok: false, error: `${lastError} after ${this.options.maxAttempts} attempts` };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
