import {
  APPOINTMENT_WORDS,
  HELP_KEYWORDS,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  OPT_OUT_PHRASES,
  YES_OPT_IN_WINDOW_HOURS,
  classifyReply,
  foldReply,
  type ReplyContext,
} from '../../lambdas/domain/reply';

const NOBODY: ReplyContext = { hasAppointment: false, optedOut: false };
const BOOKED: ReplyContext = { hasAppointment: true, optedOut: false };
const OPTED_OUT: ReplyContext = { hasAppointment: false, optedOut: true };

const toFullWidth = (s: string) => [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');
const withZeroWidth = (s: string) => [...s].join('\u200B');

describe('the keyword tables', () => {
  it('hold every opt-out, opt-in and help word compliance.md names', () => {
    expect(OPT_OUT_KEYWORDS.map((k) => k.keyword)).toEqual(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'OPT-OUT', 'REMOVE', 'PARAR', 'ALTO']);
    expect(OPT_IN_KEYWORDS).toEqual(['START', 'UNSTOP', 'YES']);
    expect(HELP_KEYWORDS).toEqual(['HELP', 'INFO', 'AYUDA']);
  });

  it('keeps CANCEL out of the appointment words: it is an opt-out', () => {
    expect(APPOINTMENT_WORDS.cancel).not.toContain('CANCEL');
  });

  it('names every free-text rule once', () => {
    const ids = OPT_OUT_PHRASES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('opt-out keywords', () => {
  it.each(OPT_OUT_KEYWORDS.map((k) => [k.keyword, k.scope] as const))('opts out on %s as the whole message, scope %s', (keyword, scope) => {
    expect(classifyReply(keyword, NOBODY)).toMatchObject({ kind: 'opt-out', scope, keyword });
  });

  it.each(OPT_OUT_KEYWORDS.map((k) => [k.keyword] as const))('reads %s in any case, spacing, punctuation, width or with zero-width characters', (keyword) => {
    const lower = keyword.toLowerCase();
    const spellings = [
      lower,
      lower[0].toUpperCase() + lower.slice(1),
      `   ${keyword}   `,
      `\t${lower}\n`,
      `${keyword}.`,
      `${lower}!!!`,
      `"${keyword}"`,
      `¡${lower}!`,
      `**${keyword}**`,
      `${keyword} 🙏`,
      toFullWidth(keyword),
      withZeroWidth(keyword),
      `\uFEFF${keyword}\u200D`,
    ];
    for (const text of spellings) expect([text, classifyReply(text, NOBODY).keyword]).toEqual([text, keyword]);
  });

  it.each([
    ['SΤOP (Greek Tau)', 'S\u03A4OP', 'STOP'],
    ['ЅТОР (all Cyrillic)', '\u0405\u0422\u041E\u0420', 'STOP'],
    ['stоp (Cyrillic o)', 'st\u043Ep', 'STOP'],
    ['ꜱᴛᴏᴘ (small capitals)', '\uA731\u1D1B\u1D0F\u1D18', 'STOP'],
    ['𝐒𝐓𝐎𝐏 (mathematical bold)', '\u{1D412}\u{1D413}\u{1D40E}\u{1D40F}', 'STOP'],
    ['ⓢⓣⓞⓟ (circled)', '\u24E2\u24E3\u24DE\u24DF', 'STOP'],
    ['STO­P (soft hyphen)', 'STO\u00ADP', 'STOP'],
    ['‏STOP‎ (direction marks)', '\u200FSTOP\u200E', 'STOP'],
    ['pàrar (accent)', 'pàrar', 'PARAR'],
    ['ÁLTO (accent)', 'ÁLTO', 'ALTO'],
    ['ÉND (accent)', 'ÉND', 'END'],
    ['ΑLΤΟ (Greek A, T, O)', '\u0391L\u03A4\u039F', 'ALTO'],
    ['ОРТ-ОUТ (Cyrillic O, P, T)', '\u041E\u0420\u0422-\u041EU\u0422', 'OPT-OUT'],
    ['QUІT (Cyrillic I)', 'QU\u0406T', 'QUIT'],
    ['ＳＴＯＰＡＬＬ (full width)', '\uFF33\uFF34\uFF2F\uFF30\uFF21\uFF2C\uFF2C', 'STOPALL'],
  ])('folds the look-alike %s', (_label, text, keyword) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', keyword });
  });

  it.each([
    ['opt out', 'OPT-OUT'],
    ['Opt‐Out', 'OPT-OUT'],
    ['optout', 'OPTOUT'],
    ['S T O P', 'STOP'],
    ['S.T.O.P.', 'STOP'],
    ['STOPPPP', 'STOP'],
    ['stop stop stop', 'STOP'],
    ['Stop!!! Stop!!!', 'STOP'],
    ['stop all', 'STOPALL'],
  ])('reads %j as %s (spaced, stretched, repeated)', (text, keyword) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', keyword });
  });

  it.each([
    ['STOP please', 'STOP'],
    ['please stop', 'STOP'],
    ['STOP NOW', 'STOP'],
    ['I said STOP', 'STOP'],
    ['stop it', 'STOP'],
    ['ok stop', 'STOP'],
    ['No stop', 'STOP'],
    ['yes stop', 'STOP'],
    ['Remove me please', 'REMOVE'],
    ['unsubscribe me', 'UNSUBSCRIBE'],
    ['opt me out', 'OPT-OUT'],
    ['Alto por favor', 'ALTO'],
    ['Parar ya', 'PARAR'],
    ['quit it', 'QUIT'],
  ])('reads %j as %s with courtesy words around it', (text, keyword) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', keyword });
  });

  it.each(['STOP. I already confirmed on the phone', 'Thanks. Stop', 'Stop, I moved away', 'Stop 😡 who is this'])('opts out on a keyword that is a sentence of its own: %j', (text) => {
    expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'opt-out', keyword: 'STOP' });
  });

  it('opts out on STOP again from someone already opted out', () => {
    expect(classifyReply('STOP', OPTED_OUT)).toMatchObject({ kind: 'opt-out', keyword: 'STOP' });
  });

  it('never leaves an opt-out for staff to find: it is acted on, unflagged', () => {
    expect(classifyReply('STOP', BOOKED)).toEqual({ kind: 'opt-out', scope: 'channel', keyword: 'STOP', reason: 'opt-out keyword STOP', flagForStaff: false });
  });
});

describe('CANCEL: always an opt-out (FCC 47 CFR 64.1200(a)(10), CTIA, End User Messaging)', () => {
  it('opts a person with no appointment out of texts', () => {
    expect(classifyReply('CANCEL', NOBODY)).toEqual({ kind: 'opt-out', scope: 'channel', keyword: 'CANCEL', reason: 'opt-out keyword CANCEL', flagForStaff: false });
  });

  it.each(['CANCEL', 'cancel', 'Cancel.', 'Cancel please', 'cancel it'])('opts a person with an appointment out too, and flags %j so staff ask about the visit', (text) => {
    const reply = classifyReply(text, BOOKED);

    expect(reply).toMatchObject({ kind: 'opt-out', scope: 'channel', keyword: 'CANCEL', flagForStaff: true, appointmentIntent: 'cancel' });
    expect(reply.reason).toMatch(/appointment/);
  });

  it.each(['cancel my appointment', 'Cancel the appt', 'I need to cancel', 'Please cancel my visit tomorrow'])('reads %j from a person with an appointment as an appointment cancellation', (text) => {
    expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'cancel', scope: null, flagForStaff: false });
  });

  it('reads "cancel my appointment reminders" as an opt-out that says nothing of the visit', () => {
    const reply = classifyReply('Cancel my appointment reminders', BOOKED);

    expect(reply).toMatchObject({ kind: 'opt-out', scope: 'channel', flagForStaff: false });
    expect(reply.appointmentIntent).toBeUndefined();
  });

  it('opts out and flags the visit when both are asked for', () => {
    expect(classifyReply('Cancel my appointment and stop texting me', BOOKED)).toMatchObject({ kind: 'opt-out', flagForStaff: true, appointmentIntent: 'cancel' });
  });
});

describe('free-text stop requests', () => {
  it.each([
    'stop texting me',
    'Please stop messaging me',
    'Could you please stop sending me these texts?',
    'Quit texting me',
    'STOP F***ING TEXTING ME'.replace('***', 'ucK'),
    'please remove me',
    'Remove my number from your list',
    'take me off your list',
    'Take me off the list please',
    'no more messages',
    'No more texts please',
    'No more',
    "don't text me",
    'Do not text me again',
    'Can you not text me',
    "I don't want these messages anymore",
    'I no longer wish to receive texts',
    "don't send me any more messages",
    'I want to opt out',
    'How do I unsubscribe?',
    'unsubscribe from these texts',
    'Leave me alone',
    'Lose my number',
    'Wrong number',
    'You have the wrong number',
    'I want to stop receiving these',
    'Stop the reminders',
    'stop this',
    'No, stop texting me',
  ])('EN: %j is an opt-out of texts', (text) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'channel' });
    expect(classifyReply(text, BOOKED).kind).toBe('opt-out');
  });

  it.each([
    'ya no me escriba',
    'No me escriban más',
    'no me manden mensajes',
    'Por favor ya no me manden mensajes',
    'No me envíen más textos',
    'dejen de escribirme',
    'Deja de mandarme mensajes',
    'Pueden dejar de enviarme mensajes por favor',
    'no quiero mas mensajes',
    'No quiero recibir más textos',
    'Ya no quiero recibir mensajes',
    'No vuelvan a escribirme',
    'No más',
    'No más mensajes por favor',
    'Basta',
    'Ya basta de mensajes',
    'Para',
    'Quítenme de la lista',
    'Sáquenme de su lista',
    'Borren mi número',
    'Quiero darme de baja',
    'Baja',
    'Cancelen los mensajes',
    'Número equivocado',
    'No, dejen de escribirme',
  ])('ES: %j is an opt-out of texts', (text) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'channel' });
    expect(classifyReply(text, BOOKED).kind).toBe('opt-out');
  });

  it('says which rule matched, and never repeats the message in the reason (it may be logged)', () => {
    const reply = classifyReply('Maria here, 206-555-0101, stop texting me', NOBODY);

    expect(reply.reason).toBe('free-text stop request (en:stop-contacting)');
    expect(reply.reason).not.toMatch(/Maria|555/);
  });
});

describe('the scope of an opt-out', () => {
  it.each([
    ['STOPALL', 'STOPALL'],
    ['stop all', 'STOPALL'],
    ['REVOKE', 'REVOKE'],
  ])('%j covers every channel', (text, keyword) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'all', keyword });
  });

  it.each([
    'revoke-all',
    'I revoke my consent',
    'stop everything',
    'stop all messages and calls',
    'Stop texting and calling me',
    'Stop calling me',
    'Do not contact me',
    "Don't call or text me",
    'STOP. Calls too',
    'STOP, and don’t call me either',
    'no me llamen ni me escriban',
    'Dejen de llamarme',
    'No quiero nada',
    'Remove me from everything',
  ])('%j covers every channel', (text) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'all' });
  });

  it.each(['STOP', 'stop texting me', 'Stop texting me, call me instead', 'No me escriban, llámame mejor', 'STOP. I will call the office myself'])('%j covers texts only', (text) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'channel' });
  });
});

describe('near misses: a stop word that is not a request to stop', () => {
  it.each([
    ["don't stop my reminders", true],
    ['stop by tomorrow?', false],
    ['can I stop by at 3', false],
    ["I'll stop by after work", false],
    ['Can I stop in before my appointment?', false],
    ['the bus stop is closed', false],
    ['Is there a bus stop near the office?', false],
    ['Stop & Shop parking lot?', false],
    ["I can't stop laughing", true],
    ['please don’t remove my appointment', true],
    ["no, I don't want to stop", true],
    ['Please never stop sending me reminders', true],
    ["I don't want to unsubscribe", true],
    ["Don't remove me from the list", true],
    ['Did you stop texting me?', true],
    ['I stopped taking my medication', false],
    ['The end of the month works', false],
    ['Please keep sending me reminders', false],
    ['remove my old number and use this one', false],
    ['No dejen de escribirme', true],
    ['Por favor no dejen de mandarme recordatorios', true],
    ['No quiero que dejen de escribirme', true],
    ['Para mañana está bien', false],
    ['¿Es en el piso alto?', false],
    ['No más de 10 minutos tarde', false],
    ['No puedo parar de toser', false],
  ])('%j is not an opt-out', (text, negated) => {
    for (const context of [NOBODY, BOOKED]) {
      const reply = classifyReply(text, context);
      expect([text, reply.kind]).not.toEqual([text, 'opt-out']);
      expect(reply.scope).toBeNull();
    }
    const reply = classifyReply(text, NOBODY);
    expect(reply).toMatchObject({ kind: 'other', flagForStaff: true });
    if (negated) expect(reply.reason).toMatch(/negated/);
  });

  it('reads "don\'t cancel my appointment, I\'ll be there" as a confirmation', () => {
    expect(classifyReply("Don't cancel my appointment, I'll be there", BOOKED)).toMatchObject({ kind: 'confirm' });
  });
});

describe('opting back in', () => {
  it.each(['START', 'start', 'Unstop', 'START please', 'ＳＴＡＲＴ'])('reads %j after an opt-out as an opt-in', (text) => {
    expect(classifyReply(text, OPTED_OUT)).toMatchObject({ kind: 'opt-in', scope: null, flagForStaff: false });
  });

  it('reads START from someone who never opted out as nothing to act on', () => {
    expect(classifyReply('START', NOBODY)).toMatchObject({ kind: 'other', flagForStaff: true, reason: expect.stringMatching(/not opted out/) });
    expect(classifyReply('START', BOOKED).kind).toBe('other');
  });

  it('takes STOP then START as opt-out then opt-in', () => {
    expect(classifyReply('STOP', NOBODY).kind).toBe('opt-out');
    expect(classifyReply('START', OPTED_OUT)).toMatchObject({ kind: 'opt-in', keyword: 'START' });
  });

  it('lets an opt-out win over an opt-in in the same message', () => {
    expect(classifyReply('start. no wait, stop', OPTED_OUT).kind).toBe('opt-out');
  });

  it('does not opt back in on START inside a sentence', () => {
    expect(classifyReply('When does the program start?', OPTED_OUT).kind).toBe('other');
  });
});

describe('YES', () => {
  const at = new Date('2026-12-06T10:00:00Z');
  const hoursLater = (h: number) => new Date(at.getTime() + h * 3_600_000);

  it('opts back in right after an opt-out, appointment or not', () => {
    expect(classifyReply('YES', OPTED_OUT)).toMatchObject({ kind: 'opt-in', keyword: 'YES' });
    expect(classifyReply('yes please', { ...OPTED_OUT, hasAppointment: true })).toMatchObject({ kind: 'opt-in', keyword: 'YES' });
    expect(classifyReply('Yes', { ...OPTED_OUT, lastOptOutAt: at, now: hoursLater(2) }).kind).toBe('opt-in');
    expect(classifyReply('Yes', { ...OPTED_OUT, lastOptOutAt: at, now: hoursLater(YES_OPT_IN_WINDOW_HOURS) }).kind).toBe('opt-in');
  });

  it('does not opt back in long after the opt-out', () => {
    const late = { ...OPTED_OUT, lastOptOutAt: at, now: hoursLater(YES_OPT_IN_WINDOW_HOURS + 1) };

    expect(classifyReply('YES', late)).toMatchObject({ kind: 'other', flagForStaff: true });
    expect(classifyReply('YES', { ...late, hasAppointment: true })).toMatchObject({ kind: 'confirm' });
  });

  it('confirms the appointment of someone who has not opted out', () => {
    expect(classifyReply('YES', BOOKED)).toMatchObject({ kind: 'confirm', keyword: 'YES' });
  });

  it('means nothing from someone with no appointment who has not opted out', () => {
    expect(classifyReply('YES', NOBODY)).toMatchObject({ kind: 'other', flagForStaff: true });
  });
});

describe('help', () => {
  it.each([
    ['HELP', 'HELP'],
    ['help', 'HELP'],
    ['Help?', 'HELP'],
    ['INFO', 'INFO'],
    ['info please', 'INFO'],
    ['more info', 'INFO'],
    ['AYUDA', 'AYUDA'],
    ['Ayuda por favor', 'AYUDA'],
    ['ＨＥＬＰ', 'HELP'],
  ])('reads %j as a request for help (%s)', (text, keyword) => {
    for (const context of [NOBODY, BOOKED, OPTED_OUT]) expect(classifyReply(text, context)).toMatchObject({ kind: 'help', scope: null, keyword, flagForStaff: false });
  });

  it('lets STOP win over HELP', () => {
    expect(classifyReply('help. stop', NOBODY).kind).toBe('opt-out');
  });
});

describe('appointment replies', () => {
  const CONFIRMS = ['C', 'c', 'CONFIRM', 'Confirmed', 'YES', 'Y', 'yep', 'Sí', 'si', 'confirmo', 'Confirmo mi cita', "I'll be there", 'I will be there!', 'Yes, I’ll be there. Thanks!', 'See you then', 'Ahí estaré', "I'll be there, hope traffic is ok"];
  const CANCELS = ['cancel my appointment', 'cancelar', 'Cancelar mi cita', "can't make it", 'I won’t be there', 'Sorry, I cannot make it', 'No puedo ir', 'No voy a poder asistir'];
  const RESCHEDULES = ['R', 'RESCHEDULE', 'Can we reschedule?', 'change my appointment', 'another time', 'Can I come a different day?', 'cambiar mi cita', 'reprogramar', 'Quiero otra fecha', "Can't make it, can we do another day?"];

  it.each(CONFIRMS)('confirms on %j', (text) => expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'confirm', scope: null, flagForStaff: false }));
  it.each(CANCELS)('cancels on %j', (text) => expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'cancel', scope: null, flagForStaff: false }));
  it.each(RESCHEDULES)('reschedules on %j', (text) => expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'reschedule', scope: null, flagForStaff: false }));

  it.each([...CONFIRMS, ...CANCELS, ...RESCHEDULES].filter((t) => !/^cancelar$/i.test(t)))('leaves %j for staff when there is no appointment', (text) => {
    expect(classifyReply(text, NOBODY)).toMatchObject({ kind: 'other', scope: null, flagForStaff: true });
  });

  it('reads a bare CANCELAR with no appointment as an opt-out: the texts are all there is to cancel', () => {
    expect(classifyReply('Cancelar', NOBODY)).toMatchObject({ kind: 'opt-out', scope: 'channel', keyword: 'CANCELAR' });
  });

  it.each(['Not sure I’ll be there', 'Maybe, I will be there if I can', 'No'])('does not take %j as a confirmation', (text) => {
    expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'other', flagForStaff: true });
  });

  it.each(["Don't cancel my appointment", 'No cancelen mi cita'])('does not cancel on %j', (text) => {
    expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'other', reason: expect.stringMatching(/negated/) });
  });

  it('keeps the confirmation of a person who opts out in the same message, for staff', () => {
    expect(classifyReply("Stop sending reminders, I'll be there", BOOKED)).toMatchObject({ kind: 'opt-out', flagForStaff: true, appointmentIntent: 'confirm' });
  });
});

describe('everything else', () => {
  it.each(['', '   ', '👍', '?!', "What's the address?", 'Who is this?', 'Thanks for the reminder!', 'not interested', 'Please call me', 'Text me the address'])('leaves %j for staff', (text) => {
    expect(classifyReply(text, BOOKED)).toMatchObject({ kind: 'other', scope: null, flagForStaff: true });
  });
});

describe('foldReply', () => {
  it.each([
    ['ＳＴＯＰ', 'stop'],
    ['S\u03A4OP', 'stop'],
    ['S\u200BT\u200CO\u200DP\u2060', 'stop'],
    ['pàrar', 'parar'],
    ['Quítenme', 'quitenme'],
    ['don’t', "don't"],
    ['don´t', "don't"],
  ])('folds %j to %j', (text, folded) => expect(foldReply(text)).toBe(folded));

  it('keeps line breaks and punctuation, which separate sentences', () => {
    expect(foldReply('STOP.\r\nThanks!')).toBe('stop.\n\nthanks!');
  });
});
