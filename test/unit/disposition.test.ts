import { AGENT_DISPOSITIONS, AMD_DISPOSITIONS, dispositionCode, nextActions, readDisposition, type Disposition } from '../../lambdas/domain/disposition';

const CTX = { timeZone: 'America/Los_Angeles', now: new Date('2026-11-23T18:00:00Z'), defaultCountry: 'US' as const };
const POLICY = { retryAfterDeclineDays: 30 };
const AT = new Date('2026-11-23T18:00:00Z');
const CALLED = '+12065550101';

const read = (attributes: Record<string, string>, source: 'agent' | 'ivr' | 'machine-detection' = 'agent') => readDisposition(attributes, source, CTX);
const ok = (attributes: Record<string, string>, source?: 'agent' | 'ivr' | 'machine-detection'): Disposition => {
  const reading = read(attributes, source);
  if (!reading.ok) throw new Error(reading.problems.join('; '));
  return reading.disposition;
};
const problemsOf = (attributes: Record<string, string>, source?: 'agent' | 'ivr' | 'machine-detection') => {
  const reading = read(attributes, source);
  if (reading.ok) throw new Error('expected problems');
  return reading.problems;
};

describe('dispositionCode', () => {
  it.each([
    ['Appointment Booked', 'appointment-booked'],
    ['appointment_booked', 'appointment-booked'],
    ['  CALL-BACK-LATER ', 'call-back-later'],
    ['no voicemail box', 'no-voicemail-box'],
  ])('reads %j as %s', (raw, code) => expect(dispositionCode(raw)).toBe(code));

  it('knows nothing of other words', () => expect(dispositionCode('maybe later')).toBeUndefined());
});

describe('readDisposition', () => {
  it('reads a booking with a local appointment time in the practice zone', () => {
    expect(ok({ disposition: 'appointment-booked', appointmentAt: '2026-12-03T14:30', appointmentPlace: 'Pine St clinic' })).toEqual({
      code: 'appointment-booked',
      source: 'agent',
      appointment: { at: '2026-12-03T22:30:00Z', place: 'Pine St clinic' },
    });
  });

  it('keeps an explicit offset as given', () => {
    expect(ok({ disposition: 'call-back-later', callbackAt: '2026-11-24T09:00-05:00' }).callbackAt).toBe('2026-11-24T14:00:00Z');
  });

  it('normalises a new number and a language', () => {
    expect(ok({ disposition: 'no-answer', newNumber: '(206) 555-0142', language: 'Spanish' })).toMatchObject({ newNumber: '+12065550142', language: 'es' });
  });

  it('lists every problem at once, without repeating the digits of a bad number', () => {
    const problems = problemsOf({ disposition: 'appointment-booked', appointmentAt: 'next tuesday', language: 'Klingon', newNumber: '555-01', smsConsent: 'perhaps' });
    expect(problems).toEqual([
      'appointmentAt "next tuesday" is not a date and time (YYYY-MM-DDTHH:MM)',
      'smsConsent "perhaps" is not yes or no',
      'language "Klingon" is not one we know',
      'newNumber is not a usable phone number (too short)',
    ]);
    expect(problems.join(' ')).not.toContain('555');
  });

  it('refuses an unknown code, a missing one, and a booking or call-back without its time', () => {
    expect(problemsOf({ disposition: 'maybe later' })).toEqual(['unknown disposition "maybe later"']);
    expect(problemsOf({})).toEqual(['no disposition']);
    expect(problemsOf({ disposition: 'appointment-booked' })).toEqual(['appointment-booked needs appointmentAt']);
    expect(problemsOf({ disposition: 'call-back-later' })).toEqual(['call-back-later needs callbackAt']);
    expect(problemsOf({ disposition: 'language-barrier' })).toEqual(['language-barrier needs the language']);
  });

  it('refuses an appointment or call-back in the past', () => {
    expect(problemsOf({ disposition: 'appointment-booked', appointmentAt: '2026-11-20T10:00' })).toEqual(['appointmentAt 2026-11-20T10:00 is in the past']);
  });

  it('takes network-only outcomes from machine detection, never from an agent', () => {
    expect(problemsOf({ disposition: 'human-answered' })).toEqual(['human-answered is reported by the phone network, not recorded by hand']);
    expect(ok({ disposition: 'human-answered' }, 'machine-detection').code).toBe('human-answered');
  });

  it('maps every answering-machine status it names to a known disposition', () => {
    expect(AMD_DISPOSITIONS).toMatchObject({ VOICEMAIL_BEEP: 'left-voicemail', AMD_UNANSWERED: 'no-answer', SIT_TONE_BUSY: 'busy', SIT_TONE_INVALID_NUMBER: 'wrong-number' });
    for (const code of Object.values(AMD_DISPOSITIONS)) expect(dispositionCode(code)).toBe(code);
  });
});

describe('nextActions', () => {
  const actions = (attributes: Record<string, string>, called: string | null = CALLED) => nextActions(ok(attributes), called ?? undefined, AT, POLICY);

  it('books: status booked (which ends every cadence step), then the appointment (which sends the confirmation and reminders)', () => {
    expect(actions({ disposition: 'appointment-booked', appointmentAt: '2026-12-03T14:30' })).toEqual([
      { kind: 'set-status', status: 'booked' },
      { kind: 'book-appointment', at: '2026-12-03T22:30:00Z' },
    ]);
  });

  it('not interested: declined (which ends every cadence step), practice information now and a new try after the configured days', () => {
    expect(actions({ disposition: 'not-interested' })).toEqual([
      { kind: 'set-status', status: 'declined' },
      { kind: 'send-practice-info' },
      { kind: 'retry-later', at: '2026-12-23T18:00:00.000Z' },
    ]);
  });

  it('wrong number: the number called is marked invalid and the cadence tries the others', () => {
    expect(actions({ disposition: 'wrong-number' })).toEqual([{ kind: 'mark-number-invalid', e164: CALLED }, { kind: 'continue-cadence' }]);
    expect(actions({ disposition: 'wrong-number' }, null)[0]).toEqual({ kind: 'flag-for-staff', reason: 'wrong-number without the number called' });
  });

  it('do not call: voice channels off for good', () => expect(actions({ disposition: 'do-not-call' })).toEqual([{ kind: 'voice-off' }]));

  it('call back later: a call at the time asked for', () => {
    expect(actions({ disposition: 'call-back-later', callbackAt: '2026-11-24T17:30' })).toEqual([{ kind: 'schedule-call', at: '2026-11-25T01:30:00Z' }]);
  });

  it.each([
    ['deceased', 'deceased'],
    ['already-patient', 'already-patient'],
  ] as const)('%s: status %s and every cadence stops', (code, status) => {
    expect(actions({ disposition: code })).toEqual([{ kind: 'set-status', status }]);
  });

  it('a person calling about their appointment confirms, cancels or moves it (the one named, else their next open one)', () => {
    expect(actions({ disposition: 'appointment-confirmed' })).toEqual([{ kind: 'change-appointment', change: { kind: 'confirm' } }]);
    expect(actions({ disposition: 'Appointment Cancelled', appointmentId: 'apt-7' })).toEqual([{ kind: 'change-appointment', appointmentId: 'apt-7', change: { kind: 'cancel', by: 'person' } }]);
    expect(actions({ disposition: 'appointment-rescheduled', appointmentAt: '2026-12-09T08:15', appointmentPlace: 'Annex' })).toEqual([
      { kind: 'change-appointment', change: { kind: 'reschedule', at: '2026-12-09T16:15:00Z', place: 'Annex' } },
    ]);
    expect(problemsOf({ disposition: 'appointment-rescheduled' })).toEqual(['appointment-rescheduled needs appointmentAt']);
  });

  it('a caller asking for the practice information gets it by text, and the cadence goes on', () => {
    expect(actions({ disposition: 'practice-info-requested' })).toEqual([{ kind: 'send-practice-info' }, { kind: 'continue-cadence' }]);
  });

  it('a yes or no to texts about their care is recorded before the booking that would send one', () => {
    expect(actions({ disposition: 'appointment-booked', appointmentAt: '2026-12-03T14:30', smsConsent: 'Yes' })).toEqual([
      { kind: 'set-sms-consent', granted: true },
      { kind: 'set-status', status: 'booked' },
      { kind: 'book-appointment', at: '2026-12-03T22:30:00Z' },
    ]);
    // A no to texts is an opt-out of texts too: it ends them here and on End User Messaging's list.
    expect(actions({ disposition: 'no-answer', smsConsent: 'n' }).slice(0, 2)).toEqual([{ kind: 'set-sms-consent', granted: false }, { kind: 'sms-opt-out' }]);
  });

  it('language barrier: the language is recorded first and staff are told', () => {
    expect(actions({ disposition: 'language-barrier', language: 'vi' })).toEqual([{ kind: 'set-language', language: 'vi' }, { kind: 'flag-for-staff', reason: 'language-barrier' }, { kind: 'continue-cadence' }]);
  });

  it.each(['left-voicemail', 'no-answer', 'no-voicemail-box', 'busy'])('%s: the cadence goes on', (code) => {
    expect(actions({ disposition: code })).toEqual([{ kind: 'continue-cadence' }]);
  });

  it('a new number is added before anything else, so what follows can use it', () => {
    expect(actions({ disposition: 'appointment-booked', appointmentAt: '2026-12-03T14:30', newNumber: '206-555-0142' })[0]).toEqual({ kind: 'add-number', e164: '+12065550142' });
  });

  it('gives every agent disposition at least one action', () => {
    const extra: Record<string, Record<string, string>> = {
      'appointment-booked': { appointmentAt: '2026-12-03T14:30' },
      'call-back-later': { callbackAt: '2026-11-24T17:30' },
      'language-barrier': { language: 'es' },
      'appointment-rescheduled': { appointmentAt: '2026-12-09T08:15' },
    };
    for (const code of AGENT_DISPOSITIONS) expect(actions({ disposition: code, ...extra[code] }).length).toBeGreaterThan(0);
  });
});
