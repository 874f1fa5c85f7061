import type { PostcardLine } from '../../lambdas/adapters/cadence-ledger';
import { classified, classifySendError, PermanentSendError, TransientSendError } from '../../lambdas/adapters/send-errors';
import { returnCodeFor } from '../../lambdas/handlers/add-postcard';
import { numberIn } from '../../lambdas/handlers/dnc-import';
import { manifestCsv } from '../../lambdas/handlers/postcard-manifest';
import { attemptKeyFor } from '../../lambdas/domain/enrollment';

describe('returnCodeFor', () => {
  const key = 'e_0123456789abcdef01234567#r01#postcard';

  it('is 8 characters without look-alikes (no 0, 1, I or O)', () => {
    expect(returnCodeFor(key)).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
  });

  it('gives the same code for the same attempt, every time and on every deploy', () => {
    // Codes are printed on mailed cards: the function may never change what it gives.
    expect(returnCodeFor(key)).toBe('3ZERY5NU');
    expect(returnCodeFor(key)).toBe(returnCodeFor(`${key}`));
  });

  it('gives another code for the same step in another round', () => {
    expect(returnCodeFor(key)).not.toBe(returnCodeFor(key.replace('#r01#', '#r02#')));
  });

  it('gives 24,000 attempts 24,000 different codes', () => {
    const codes = new Set<string>();
    for (let e = 0; e < 2000; e++) {
      for (let round = 1; round <= 12; round++) codes.add(returnCodeFor(attemptKeyFor(`e_${e.toString(16).padStart(24, '0')}`, { round, step: 0 }, 'postcard')));
    }

    expect(codes.size).toBe(24_000);
  });

  it('only ever uses the 32-letter alphabet', () => {
    const used = new Set<string>();
    for (let i = 0; i < 500; i++) for (const c of returnCodeFor(`key-${i}`)) used.add(c);

    expect([...used].sort().join('')).toBe('23456789ABCDEFGHJKLMNPQRSTUVWXYZ');
  });
});

describe('manifestCsv', () => {
  const line = (over: Partial<PostcardLine> = {}): PostcardLine => ({
    attemptKey: 'e_1#r01#postcard',
    contactId: 'c_1',
    name: 'Ana Lopez',
    address: { line1: '400 N Michigan Ave', line2: 'Apt 12', city: 'Chicago', state: 'IL', zip: '60611' },
    vendorTemplate: 'pc-intro-en',
    returnCode: '3ZERY5NU',
    ...over,
  });

  const HEADER = 'name,address line 1,address line 2,city,state,zip,template id,return code\r\n';

  it('starts with a byte-order mark and the header, so a spreadsheet reads it as UTF-8', () => {
    expect(manifestCsv([])).toBe(`\uFEFF${HEADER}`);
  });

  it('writes one CRLF-terminated line per postcard, in the header order', () => {
    const csv = manifestCsv([line(), line({ name: 'Bo Chen', returnCode: '22222222', address: { line1: '1 Main St', city: 'Evanston', state: 'IL', zip: '60201' } })]);

    expect(csv).toBe(
      `\uFEFF${HEADER}` + 'Ana Lopez,400 N Michigan Ave,Apt 12,Chicago,IL,60611,pc-intro-en,3ZERY5NU\r\n' + 'Bo Chen,1 Main St,,Evanston,IL,60201,pc-intro-en,22222222\r\n',
    );
  });

  it('quotes cells with commas, quotes and line breaks', () => {
    const csv = manifestCsv([line({ name: 'Lopez, Ana "Annie"', address: { line1: '400 N Michigan Ave\nSuite 5', city: 'Chicago', state: 'IL', zip: '60611' } })]);

    expect(csv.split('\r\n')[1]).toBe('"Lopez, Ana ""Annie""","400 N Michigan Ave\nSuite 5",,Chicago,IL,60611,pc-intro-en,3ZERY5NU');
  });

  it.each([
    ['=HYPERLINK("https://evil.example","Ana")', `"'=HYPERLINK(""https://evil.example"",""Ana"")"`],
    ['+1+cmd|/C calc!A0', "'+1+cmd|/C calc!A0"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('neutralises a formula in a name (%j) so a spreadsheet shows it as text', (name, cell) => {
    const csv = manifestCsv([line({ name })]);

    expect(csv.slice(`\uFEFF${HEADER}`.length)).toBe(`${cell},400 N Michigan Ave,Apt 12,Chicago,IL,60611,pc-intro-en,3ZERY5NU\r\n`);
  });

  it('neutralises formulas in every column, not only the name', () => {
    const csv = manifestCsv([line({ address: { line1: '=1+1', line2: '@x', city: '+y', state: '-z', zip: '=9' }, vendorTemplate: '=t' })]);

    expect(csv.split('\r\n')[1]).toBe("Ana Lopez,'=1+1,'@x,'+y,'-z,'=9,'=t,3ZERY5NU");
  });

  it('leaves a formula character that is not at the start of a cell alone', () => {
    const csv = manifestCsv([line({ name: 'Ana-Maria Lopez', address: { line1: '12 A=B St', city: 'Chicago', state: 'IL', zip: '60611-2345' } })]);

    expect(csv.split('\r\n')[1]).toBe('Ana-Maria Lopez,12 A=B St,,Chicago,IL,60611-2345,pc-intro-en,3ZERY5NU');
  });
});

describe('numberIn', () => {
  it('reads a bare 10-digit number as a US number', () => {
    expect(numberIn('2065550143', 'US')).toBe('+12065550143');
  });

  it('reads punctuation, a leading 1 and quotes', () => {
    expect(numberIn('"(206) 555-0143"', 'US')).toBe('+12065550143');
    expect(numberIn('1-206-555-0143', 'US')).toBe('+12065550143');
    expect(numberIn('+1 206.555.0143', 'US')).toBe('+12065550143');
  });

  it.each([
    ['comma', 'Ana Lopez,206-555-0143'],
    ['semicolon', 'Ana Lopez;206-555-0143'],
    ['tab', 'Ana Lopez\t206-555-0143'],
    ['pipe', 'Ana Lopez|206-555-0143'],
  ])('takes the first number-looking cell of a %s-separated line', (_separator, text) => {
    expect(numberIn(text, 'US')).toBe('+12065550143');
  });

  it('takes the first of two numbers', () => {
    expect(numberIn('206-555-0143,206-555-0199', 'US')).toBe('+12065550143');
  });

  it('does not read a name or a place as a vanity number and miss the real one', () => {
    // "Alexandria" on a phone keypad is 253-926-3742, a valid US number.
    expect(numberIn('Alexandria,VA,206-555-0143', 'US')).toBe('+12065550143');
    expect(numberIn('Jacqueline,2065550143', 'US')).toBe('+12065550143');
  });

  it('still reads a vanity number written with its digits', () => {
    expect(numberIn('1-800-FLOWERS', 'US')).toBe('+18003569377');
  });

  it('keeps the number and drops an extension', () => {
    expect(numberIn('206-555-0143 x12', 'US')).toBe('+12065550143');
  });

  it("reads a national number by the list's country", () => {
    expect(numberIn('020 7946 0958', 'GB')).toBe('+442079460958');
  });

  it.each([['phone'], ['name,phone number'], [''], ['   '], ['555-0143'], ['12345'], ['206-555-014x']])('finds no number in %j', (text) => {
    expect(numberIn(text, 'US')).toBeUndefined();
  });
});

describe('classifySendError', () => {
  const sdkError = (name: string, fault: 'client' | 'server' | undefined, status: number | undefined, extra: Record<string, unknown> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

  it.each([
    'ThrottlingException',
    'TooManyRequestsException',
    'ServiceUnavailableException',
    'InternalServerException',
    'InternalServiceException',
    'InternalServerError',
    'LimitExceededException',
  ])('reads %s as transient even when the SDK calls it a client fault', (name) => {
    const classifiedError = classifySendError(sdkError(name, 'client', 400));

    expect(classifiedError).toBeInstanceOf(TransientSendError);
    expect(classifiedError.message).toBe(`${name}: ${name} happened`);
  });

  it('reads a server fault as transient', () => {
    expect(classifySendError(sdkError('SomethingBroke', 'server', 400))).toBeInstanceOf(TransientSendError);
  });

  it.each([500, 502, 503, 504])('reads HTTP %i as transient', (status) => {
    expect(classifySendError(sdkError('Unknown', 'client', status))).toBeInstanceOf(TransientSendError);
  });

  it('reads an error the SDK marks retryable as transient', () => {
    expect(classifySendError(sdkError('RequestTimeout', 'client', 408, { $retryable: { throttling: false } }))).toBeInstanceOf(TransientSendError);
  });

  it('reads an error that never got an answer (network, timeout) as transient: the message was not accepted', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

    expect(classifySendError(reset)).toBeInstanceOf(TransientSendError);
    expect(classifySendError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toBeInstanceOf(TransientSendError);
  });

  it("reads a refusal as permanent, with the provider's reason", () => {
    const optedOut = sdkError('ConflictException', 'client', 400, { Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });

    const classifiedError = classifySendError(optedOut);

    expect(classifiedError).toBeInstanceOf(PermanentSendError);
    expect(classifiedError).toMatchObject({ name: 'PermanentSendError', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', message: 'ConflictException: ConflictException happened' });
  });

  it('uses the error name as the reason when the provider gives none', () => {
    const classifiedError = classifySendError(sdkError('ValidationException', 'client', 400));

    expect(classifiedError).toMatchObject({ name: 'PermanentSendError', reason: 'ValidationException' });
  });

  it('reads a 4xx without a fault as permanent', () => {
    expect(classifySendError(sdkError('AccessDeniedException', undefined, 403))).toBeInstanceOf(PermanentSendError);
  });

  it('names the transient kind so Step Functions can retry on it', () => {
    expect(classifySendError(sdkError('ThrottlingException', 'client', 400)).name).toBe('TransientSendError');
  });
});

describe('classified', () => {
  it("passes a provider's answer through", async () => {
    await expect(classified(async () => 'm-1')).resolves.toBe('m-1');
  });

  it('turns a failure into its kind', async () => {
    const refused = classified(async () => {
      throw Object.assign(new Error('opted out'), { name: 'ConflictException', $fault: 'client', $metadata: { httpStatusCode: 400 }, Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    });

    await expect(refused).rejects.toMatchObject({ name: 'PermanentSendError', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
  });
});
