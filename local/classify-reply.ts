/**
 * `npm run classify-reply`: asks the reply classifier what a text from a person means — opt-out
 * (and of what), opt-in, help, an appointment answer, or one for staff — and prints the answer as
 * one JSON line. For support answering "why was this person opted out?" and for checking a new
 * phrase before it reaches the rules.
 *
 *   npm run -s classify-reply -- [--has-appointment] [--opted-out] "TEXT"
 */
import { parseArgs } from 'node:util';
import { runJsonLineCommand, UsageError } from './json-line-command';
import { classifyReply } from '../lambdas/domain/reply';

const USAGE = `Usage: npm run -s classify-reply -- [--has-appointment] [--opted-out] "TEXT"

Says what a person's reply to a text means, and prints one JSON line:
  {"kind":…,"scope":…,"keyword":…,"flagForStaff":…,"appointmentIntent":…,"reason":…}
kind is opt-out, opt-in, help, confirm, cancel, reschedule or other; scope (for an opt-out)
is channel (texts) or all (every channel).

  --has-appointment   the person has an open appointment the reply can be about
  --opted-out         the person has opted out of texts (YES, START and UNSTOP opt back in)
  --help              this text

Quote the text. One that starts with "-" goes after a second "--".`;

function main(): number {
  return runJsonLineCommand(USAGE, () => {
    const { values, positionals } = parseArgs({
      options: {
        'has-appointment': { type: 'boolean' },
        'opted-out': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (values.help) return 'help';
    // An unquoted text arrives as several words; they are one message.
    const text = positionals.join(' ');
    if (text === '') throw new UsageError('no text to classify');

    const answer = classifyReply(text, { hasAppointment: values['has-appointment'] === true, optedOut: values['opted-out'] === true });
    return {
      kind: answer.kind,
      scope: answer.scope,
      keyword: answer.keyword ?? null,
      flagForStaff: answer.flagForStaff,
      appointmentIntent: answer.appointmentIntent ?? null,
      reason: answer.reason,
    };
  });
}

process.exitCode = main();
