import * as path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { PhoneNumberValidateCommand, PinpointClient, TooManyRequestsException } from '@aws-sdk/client-pinpoint';
import { PhoneValidator } from '../../lambdas/adapters/phone-validator';
import { resetStageConfig } from '../../lambdas/adapters/settings';
import { captureEmf } from '../support/emf';

const pinpoint = mockClient(PinpointClient);

describe('PhoneValidator', () => {
  beforeAll(() => {
    process.env.OUTREACH_CONFIG_FILE = path.resolve(__dirname, '..', '..', 'samples', 'stage.sample.json');
    resetStageConfig();
  });
  afterAll(() => {
    delete process.env.OUTREACH_CONFIG_FILE;
    resetStageConfig();
  });
  beforeEach(() => pinpoint.reset());

  it('counts each throttled lookup as NumberLookupsThrottled, then retries and gets the answer', async () => {
    const throttled = () => new TooManyRequestsException({ message: 'Too many requests', $metadata: { httpStatusCode: 429 } });
    pinpoint.on(PhoneNumberValidateCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ NumberValidateResponse: { PhoneType: 'MOBILE', Timezone: 'America/Los_Angeles' } });
    const validator = new PhoneValidator({ ratePerSecond: 100, maxAttempts: 3, backoffBaseMs: 1 }, new PinpointClient({}));

    const { result, counts } = await captureEmf(() => validator.validate('+12065550101'));

    expect(result).toMatchObject({ ok: true, answer: { phoneType: 'MOBILE' } });
    expect(validator.stats).toEqual({ calls: 3, throttled: 2, serverErrors: 0 });
    expect(counts.map((c) => [c.name, c.value, c.dimensions])).toEqual([
      ['NumberLookupsThrottled', 1, { service: 'patient-outreach' }],
      ['NumberLookupsThrottled', 1, { service: 'patient-outreach' }],
    ]);
  });
});
