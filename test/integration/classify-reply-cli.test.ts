/**
 * `npm run -s classify-reply`: the command support uses to ask what a person's reply means, run
 * as they run it.
 */
import { answerOf, npmCommand } from './npm-command';

const classifyReply = (...args: string[]) => npmCommand('classify-reply', ...args);

describe('npm run classify-reply', () => {
  it('says STOP opts a person out of texts', async () => {
    const run = await classifyReply('STOP');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toEqual({ kind: 'opt-out', scope: 'channel', keyword: 'STOP', flagForStaff: false, appointmentIntent: null, reason: 'opt-out keyword STOP' });
  });

  it('says a free-text request to stop calls and texts opts out of every channel', async () => {
    const run = await classifyReply('no me llamen ni me escriban');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toMatchObject({ kind: 'opt-out', scope: 'all', keyword: null, reason: 'free-text stop request (es:no-me-escriban): every channel' });
  });

  it('says a bare CANCEL from a person with an appointment is an opt-out flagged for staff', async () => {
    const run = await classifyReply('--has-appointment', 'Cancel');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toMatchObject({ kind: 'opt-out', scope: 'channel', keyword: 'CANCEL', flagForStaff: true, appointmentIntent: 'cancel' });
  });

  it('reads YES as a confirmation with an appointment and as an opt-in after an opt-out', async () => {
    const confirm = await classifyReply('--has-appointment', 'YES');
    const optIn = await classifyReply('--opted-out', '--has-appointment', 'YES');

    expect(answerOf(confirm)).toMatchObject({ kind: 'confirm', scope: null, keyword: 'YES' });
    expect(answerOf(optIn)).toMatchObject({ kind: 'opt-in', scope: null, keyword: 'YES' });
  });

  it('takes an unquoted text as one message and leaves a near miss for staff', async () => {
    const run = await classifyReply("don't", 'stop', 'my', 'reminders');

    expect(run.code).toBe(0);
    expect(answerOf(run)).toMatchObject({ kind: 'other', scope: null, flagForStaff: true });
  });

  it.each([
    ['no text', [] as string[], /no text to classify/],
    ['only flags', ['--has-appointment'], /no text to classify/],
    ['an unknown flag', ['--appointment', 'C'], /Unknown option '--appointment'/],
  ])('exits 2 with usage on stderr and nothing on stdout for %s', async (_label, args, message) => {
    const run = await classifyReply(...args);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: npm run -s classify-reply');
  });
});
