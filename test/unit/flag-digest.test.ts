import { flagDigest } from '../../lambdas/domain/flag-digest';

describe('flagDigest', () => {
  const NOW = new Date('2027-03-02T14:00:00Z');
  it('counts the unhandled flags by kind, with the oldest one\'s age, and what was handled in the last day', () => {
    const digest = flagDigest(
      'sunrise-family',
      [
        { kind: 'reply', at: '2027-03-01T14:00:00Z' },
        { kind: 'reply', at: '2027-03-02T12:30:00Z' },
        { kind: 'disposition', at: '2027-03-02T10:00:00Z' },
        { kind: 'reply', at: '2027-02-20T10:00:00Z', handledAt: '2027-03-02T09:00:00Z' },
        { kind: 'reply', at: '2027-02-10T10:00:00Z', handledAt: '2027-02-11T09:00:00Z' },
      ],
      NOW,
    );
    expect(digest).toEqual({ practiceId: 'sunrise-family', at: NOW.toISOString(), unhandled: 3, byKind: { reply: 2, disposition: 1 }, oldestHours: 24, handledSinceYesterday: 1 });
  });

  it('says zero hours when nothing is waiting', () => {
    expect(flagDigest('p', [], NOW)).toMatchObject({ unhandled: 0, byKind: {}, oldestHours: 0 });
  });
});
