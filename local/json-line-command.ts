/**
 * What the one-answer commands share (send-window, classify-reply): the answer printed as one
 * JSON line and exit 0; a usage mistake (a bad option, a missing value) named on stderr with the
 * usage, and exit 2.
 */

/** A mistake in how the command was called: named to the caller with the usage. */
export class UsageError extends Error {}

export function runJsonLineCommand(usage: string, answer: () => object | 'help'): number {
  try {
    const out = answer();
    if (out === 'help') {
      console.log(usage);
      return 0;
    }
    console.log(JSON.stringify(out));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(e as Error).message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }
}
