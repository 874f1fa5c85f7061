import { DEFAULT_REPLY_TEXTS, REPLY_TEXT_KINDS, replyTextProblems } from '../../lambdas/domain/reply-texts';

describe('replyTextProblems', () => {
  it.each(REPLY_TEXT_KINDS.flatMap((kind) => Object.entries(DEFAULT_REPLY_TEXTS[kind]).map(([language, text]) => [kind, language, text] as const)))(
    'passes the shipped %s reply (%s)',
    (kind, _language, text) => {
      expect(replyTextProblems(kind, text)).toEqual([]);
    },
  );

  it('asks the HELP reply for the practice, a number, the rates, how often and how to stop', () => {
    expect(replyTextProblems('help', 'We are here for you.')).toEqual([
      'must name the practice ({practiceName})',
      'must give a number to call ({callbackNumber})',
      'must say "Msg & data rates may apply"',
      'must say how many messages to expect',
      'must say how to stop (STOP)',
    ]);
  });

  it('asks the opt-out confirmation how to come back, not how to stop', () => {
    expect(replyTextProblems('optOutConfirmation', '{practiceName}: no more texts. Questions: {callbackNumber}')).toEqual(['must say how to come back (START)']);
  });

  it('asks every reply for a way to reach the practice', () => {
    expect(replyTextProblems('optInConfirmation', '{practiceName}: welcome back. Reply STOP to opt out.')).toEqual(['must give a number to call ({callbackNumber})']);
    expect(replyTextProblems('optOutConfirmation', '{practiceName}: no more texts. Reply START to come back.')).toEqual(['must give a number to call ({callbackNumber})']);
  });

  it('refuses a reply that names health details, whatever its kind', () => {
    expect(replyTextProblems('optOutConfirmation', '{practiceName}: no more texts about your diabetes care. Reply START to come back. {callbackNumber}')).toEqual([
      'names health details ("diabetes"): a text or voicemail may not carry a condition, a test or its result, a medication or a visit\'s reason',
    ]);
  });
});
