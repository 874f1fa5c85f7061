/**
 * Pinpoint PhoneNumberValidate (rest-json): POST /v1/phone/number/validate.
 * The body is the NumberValidateRequest ({ IsoCountryCode?, PhoneNumber }); the answer's body
 * is the NumberValidateResponse. Rules: ../phone-rules.ts and README.md.
 */
import { validatePhoneNumber } from '../phone-rules';
import { SERVICES, ServiceError, type OperationModule } from '../protocol';

export const phoneNumberValidate: OperationModule = {
  service: SERVICES.pinpoint,
  name: 'PhoneNumberValidate',
  http: { method: 'POST', path: '/v1/phone/number/validate' },
  recordKinds: ['validations'],
  handle({ body, record }) {
    const { PhoneNumber, IsoCountryCode } = body;
    if (typeof PhoneNumber !== 'string' || PhoneNumber.trim() === '') {
      throw new ServiceError('BadRequestException', 'PhoneNumber is required');
    }
    if (IsoCountryCode !== undefined && typeof IsoCountryCode !== 'string') {
      throw new ServiceError('BadRequestException', 'IsoCountryCode must be a string');
    }
    const response = validatePhoneNumber(PhoneNumber, IsoCountryCode);
    record('validations', { request: { PhoneNumber, IsoCountryCode }, response });
    return { body: response };
  },
};
