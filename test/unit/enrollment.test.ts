import {
  attemptKeyFor,
  enrollmentDecision,
  enrollmentIdFor,
  newEnrollment,
  nextCursor,
  stopReasonFor,
  type CadenceShape,
  type Cursor,
  type Enrollment,
} from '../../lambdas/domain/enrollment';
import { CONTACT_TIME, testContact } from '../support/contact';

const NOW = CONTACT_TIME;

const contact = testContact;

const cadence: CadenceShape = { name: 'care-gap', rounds: 3, roundIntervalDays: 30, steps: ['postcard', 'sms', 'voicemail'] };

function stored(over: Partial<Enrollment> = {}): Enrollment {
  return { ...newEnrollment(contact(), 'care-gap', 'imp_1', NOW), ...over };
}

describe('enrollmentIdFor', () => {
  it('names the same enrollment for the same practice, contact and cadence', () => {
    expect(enrollmentIdFor('sunrise-family', 'c_1', 'care-gap')).toBe(enrollmentIdFor('sunrise-family', 'c_1', 'care-gap'));
  });

  it('is e_ and 24 hex characters', () => {
    expect(enrollmentIdFor('sunrise-family', 'c_1', 'care-gap')).toMatch(/^e_[0-9a-f]{24}$/);
  });

  it('differs by practice, by contact and by cadence', () => {
    const ids = new Set([
      enrollmentIdFor('sunrise-family', 'c_1', 'care-gap'),
      enrollmentIdFor('lakeside-clinic', 'c_1', 'care-gap'),
      enrollmentIdFor('sunrise-family', 'c_2', 'care-gap'),
      enrollmentIdFor('sunrise-family', 'c_1', 'flu-shot'),
    ]);

    expect(ids.size).toBe(4);
  });

  it('does not confuse parts that run together', () => {
    expect(enrollmentIdFor('ab', 'c', 'x')).not.toBe(enrollmentIdFor('a', 'bc', 'x'));
  });
});

describe('enrollmentDecision', () => {
  it('enrolls an open person with no enrollment in the cadence', () => {
    expect(enrollmentDecision(contact(), 'care-gap', undefined, 'imp_2')).toEqual({ enroll: true });
  });

  it('does not enroll when the file maps to no cadence', () => {
    expect(enrollmentDecision(contact(), undefined, undefined, 'imp_2')).toEqual({ enroll: false, reason: 'no-cadence' });
  });

  it('does not enroll a person already active in the cadence from an earlier import', () => {
    expect(enrollmentDecision(contact(), 'care-gap', stored(), 'imp_2')).toEqual({ enroll: false, reason: 'already-enrolled' });
  });

  it.each(['finished', 'stopped', 'failed'] as const)('does not enroll again a person whose enrollment is %s, from a later file', (status) => {
    const decision = enrollmentDecision(contact(), 'care-gap', stored({ status }), 'imp_2');

    expect(decision).toEqual({ enroll: false, reason: 'finished' });
  });

  it('enrolls again when the same import retries (it carries on with the enrollment it made)', () => {
    expect(enrollmentDecision(contact(), 'care-gap', stored({ importId: 'imp_2' }), 'imp_2')).toEqual({ enroll: true });
  });

  it('does not carry on with a retry when the person opted out since', () => {
    const decision = enrollmentDecision(contact({ optedOut: { sms: NOW } }), 'care-gap', stored({ importId: 'imp_2' }), 'imp_2');

    expect(decision).toEqual({ enroll: false, reason: 'opted-out' });
  });

  it.each([['sms'], ['voice'], ['all']] as const)('never enrolls a person who opted out of %s, whatever the new file says', (channel) => {
    const optedOut = contact({ optedOut: { [channel]: '2026-05-01T00:00:00.000Z' }, consent: { 'sms:care': { granted: true, source: 'import:imp_2:line 2', at: NOW } } });

    expect(enrollmentDecision(optedOut, 'care-gap', undefined, 'imp_2')).toEqual({ enroll: false, reason: 'opted-out' });
  });

  it.each(['booked', 'declined', 'wrong-number', 'deceased', 'already-patient'] as const)('does not enroll a person whose status is %s', (status) => {
    expect(enrollmentDecision(contact({ status }), 'care-gap', undefined, 'imp_2')).toEqual({ enroll: false, reason: `status:${status}` });
  });

  it('treats a person with no status as open', () => {
    expect(enrollmentDecision(contact({ status: undefined }), 'care-gap', undefined, 'imp_2')).toEqual({ enroll: true });
    expect(enrollmentDecision(contact({ status: 'open' }), 'care-gap', undefined, 'imp_2')).toEqual({ enroll: true });
  });
});

describe('newEnrollment', () => {
  it('starts active at round 1, step 0, with the round starting now', () => {
    const enrollment = newEnrollment(contact(), 'care-gap', 'imp_1', NOW);

    expect(enrollment).toEqual({
      practiceId: 'sunrise-family',
      contactId: 'c_1',
      enrollmentId: enrollmentIdFor('sunrise-family', 'c_1', 'care-gap'),
      cadence: 'care-gap',
      status: 'active',
      cursor: { round: 1, step: 0 },
      roundStartedAt: NOW,
      enrolledAt: NOW,
      importId: 'imp_1',
      executionName: enrollmentIdFor('sunrise-family', 'c_1', 'care-gap'),
      updatedAt: NOW,
    });
  });

  it('names the execution after the enrollment, so starting it twice starts it once', () => {
    const first = newEnrollment(contact(), 'care-gap', 'imp_1', NOW);
    const again = newEnrollment(contact(), 'care-gap', 'imp_9', '2026-07-01T00:00:00.000Z');

    expect(again.executionName).toBe(first.executionName);
    expect(first.executionName).toBe(first.enrollmentId);
  });
});

describe('nextCursor', () => {
  it('moves to the next step of the same round, keeping the round start', () => {
    expect(nextCursor(cadence, { round: 1, step: 0 }, NOW)).toEqual({ cursor: { round: 1, step: 1 }, roundStartedAt: NOW });
  });

  it('moves from the last step to the first step of the next round, roundIntervalDays later', () => {
    expect(nextCursor(cadence, { round: 1, step: 2 }, NOW)).toEqual({ cursor: { round: 2, step: 0 }, roundStartedAt: '2026-07-01T15:00:00.000Z' });
  });

  it('keeps the exact instant across a DST change (whole days of 24 hours)', () => {
    const next = nextCursor({ ...cadence, roundIntervalDays: 7 }, { round: 1, step: 2 }, '2026-03-05T15:00:00.000Z');

    expect(next.roundStartedAt).toBe('2026-03-12T15:00:00.000Z');
  });

  it('points past the last round after the last step of the last round', () => {
    expect(nextCursor(cadence, { round: 3, step: 2 }, NOW)).toEqual({ cursor: { round: 4, step: 0 }, roundStartedAt: '2026-07-01T15:00:00.000Z' });
  });

  it('visits every step of every round once, in order', () => {
    const visited: Cursor[] = [];
    let at = { cursor: { round: 1, step: 0 } as Cursor, roundStartedAt: NOW };
    while (at.cursor.round <= cadence.rounds) {
      visited.push(at.cursor);
      at = nextCursor(cadence, at.cursor, at.roundStartedAt);
    }

    expect(visited.map((c) => `${c.round}.${c.step}`)).toEqual(['1.0', '1.1', '1.2', '2.0', '2.1', '2.2', '3.0', '3.1', '3.2']);
    expect(at.roundStartedAt).toBe('2026-08-30T15:00:00.000Z');
  });

  it('moves a one-step cadence straight to the next round', () => {
    expect(nextCursor({ ...cadence, steps: ['sms'] }, { round: 1, step: 0 }, NOW)).toEqual({ cursor: { round: 2, step: 0 }, roundStartedAt: '2026-07-01T15:00:00.000Z' });
  });
});

describe('stopReasonFor', () => {
  it('has no reason for an open person without opt-outs', () => {
    expect(stopReasonFor(contact())).toBeUndefined();
  });

  it('stops for any opt-out before looking at the status', () => {
    expect(stopReasonFor(contact({ optedOut: { voice: NOW }, status: 'booked' }))).toBe('opted-out');
  });

  it('stops with the status when it is not open', () => {
    expect(stopReasonFor(contact({ status: 'declined' }))).toBe('declined');
  });
});

describe('attemptKeyFor', () => {
  it('is enrollment#r<two-digit round>#step', () => {
    expect(attemptKeyFor('e_abc', { round: 1, step: 3 }, 'text')).toBe('e_abc#r01#text');
  });

  it('pads rounds below 10 and keeps two-digit rounds', () => {
    expect(attemptKeyFor('e_abc', { round: 9, step: 0 }, 'call')).toBe('e_abc#r09#call');
    expect(attemptKeyFor('e_abc', { round: 12, step: 0 }, 'call')).toBe('e_abc#r12#call');
  });

  it('names the step by id, not by index, so the same step in another round has its own key', () => {
    const first = attemptKeyFor('e_abc', { round: 1, step: 1 }, 'text');
    const second = attemptKeyFor('e_abc', { round: 2, step: 1 }, 'text');

    expect(first).not.toBe(second);
    expect(attemptKeyFor('e_abc', { round: 1, step: 5 }, 'text')).toBe(first);
  });
});
