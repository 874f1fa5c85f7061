import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStageConfig, type PracticeProfile } from '../../lambdas/domain/stage-config';
import { resetCadenceDependencies, smsNumbersOf } from '../../lambdas/handlers/cadence-support';

const SAMPLE = JSON.parse(readFileSync(join(__dirname, '..', '..', 'samples', 'stage.sample.json'), 'utf8'));
const REQUESTED_ARN = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0123456789abcdef';

/** The sample's first practice with its SMS identity replaced. */
function practiceWith(sms: Record<string, unknown>): PracticeProfile {
  const raw = structuredClone(SAMPLE);
  raw.practices[0].sms = sms;
  return parseStageConfig(raw).practices[0]!;
}

function withStackIdentities(identities: Record<string, unknown> | undefined): void {
  if (identities) process.env.ORIGINATION_IDENTITIES = JSON.stringify(identities);
  else delete process.env.ORIGINATION_IDENTITIES;
  resetCadenceDependencies();
}

afterEach(() => withStackIdentities(undefined));

describe('the numbers replies to a practice arrive at', () => {
  it('are the configured number when the identity is one', () => {
    withStackIdentities(undefined);
    expect(smsNumbersOf(practiceWith({ originationIdentity: '+12065550188' }))).toEqual(['+12065550188']);
  });

  it('are the numbers given behind a phone number id or pool, which is no number itself', () => {
    withStackIdentities(undefined);
    expect(smsNumbersOf(practiceWith({ originationIdentity: 'pool-0123456789abcdef', numbers: ['+12065550188', '+12065550166'] }))).toEqual(['+12065550188', '+12065550166']);
    expect(smsNumbersOf(practiceWith({ originationIdentity: 'phone-0123456789abcdef' }))).toEqual([]);
  });

  it('are the number the messaging stack requested, which the config does not know', () => {
    const practice = practiceWith({ provision: { numberType: 'TOLL_FREE' } });
    const stackIdentity = (numbers: string[]) => ({ identity: REQUESTED_ARN, messagesPerSecond: 3, numbers });
    withStackIdentities({ [practice.id]: { sms: stackIdentity(['+18885550123']), voice: stackIdentity(['+18885550124']) } });
    expect(smsNumbersOf(practice)).toEqual(['+18885550123']);
  });
});

describe('the stage config', () => {
  it('refuses numbers beside an identity that is a number, or a requested one', () => {
    expect(() => practiceWith({ originationIdentity: '+12065550188', numbers: ['+12065550188'] })).toThrow(/sms\.numbers: numbers is for an originationIdentity given as an id, pool or ARN/);
    expect(() => practiceWith({ provision: { numberType: 'TEN_DLC' }, numbers: ['+12065550188'] })).toThrow(/sms\.numbers/);
  });

  it('refuses a number that is not E.164', () => {
    expect(() => practiceWith({ originationIdentity: 'phone-0123456789abcdef', numbers: ['206-555-0188'] })).toThrow(/sms\.numbers\.0: not a valid E\.164 phone number/);
  });
});
