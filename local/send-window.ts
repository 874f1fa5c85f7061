/**
 * `npm run send-window`: asks the send-window rules whether a message may go out at an
 * instant, with the rules from a stage config, and prints the answer as one JSON line. For
 * ops checking a rule-table change and for support answering "why did this not go out?".
 *
 *   npm run -s send-window -- --at ISO_INSTANT [--zip ZIP] [--phone-tz IANA] [--practice-tz IANA]
 *                             [--state XX] [--purpose care|outreach] [--config PATH]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runJsonLineCommand, UsageError } from './json-line-command';
import { IANAZone } from 'luxon';
import { parseStageConfig, type StageConfig } from '../lambdas/domain/stage-config';
import { checkSendWindow } from '../lambdas/domain/send-window';
import { CONSENT_PURPOSES, sendWindowConfigSchema, type Purpose, type SendWindowConfig } from '../lambdas/domain/send-window-rules';
import { US_STATE_CODES } from '../lambdas/domain/us-zip-states';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Not from local-stack: that module pulls in the AWS SDK and this command should start fast.
const SAMPLE_CONFIG = join(__dirname, '..', 'samples', 'stage.sample.json');

const USAGE = `Usage: npm run -s send-window -- --at ISO_INSTANT [options]

Says whether a message may go out at an instant under the stage config's send-window rules,
and if not, when it may. Prints one JSON line:
  {"allowed":…,"opensAt":…,"closesAt":…,"timeZones":[…],"state":…,"reasons":[…]}

  --at ISO_INSTANT    the instant, with Z or an offset (e.g. 2026-11-27T15:00:00Z)
  --zip ZIP           the person's address ZIP (5 digits or ZIP+4)
  --phone-tz IANA     the time zone PhoneNumberValidate gave for the number
  --practice-tz IANA  the practice's time zone (default: the config's first practice's)
  --state XX          the person's state from their address
  --purpose P         care or outreach (default: care)
  --config PATH       stage config (default: samples/stage.sample.json)
  --help              this text`;

function main(): number {
  return runJsonLineCommand(USAGE, () => {
    const args = parseArgs({
      options: {
        at: { type: 'string' },
        zip: { type: 'string' },
        'phone-tz': { type: 'string' },
        'practice-tz': { type: 'string' },
        state: { type: 'string' },
        purpose: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
    if (args.help) return 'help';
    const at = parseInstant(args.at);
    const purpose = parsePurpose(args.purpose ?? 'care');
    const phoneTimeZone = args['phone-tz'] === undefined ? undefined : parseZone(args['phone-tz'], '--phone-tz');
    const state = args.state === undefined ? undefined : parseState(args.state);
    const config = loadConfig(resolve(args.config ?? SAMPLE_CONFIG));
    const practiceTimeZone = parseZone(args['practice-tz'] ?? config.practices[0].timeZone, '--practice-tz');
    // The stage config gains a sendWindow section; until it has one, the shipped defaults apply.
    const rules = (config as { sendWindow?: SendWindowConfig }).sendWindow ?? sendWindowConfigSchema.parse(undefined);

    const answer = checkSendWindow({ at, purpose, zip: args.zip, phoneTimeZone, practiceTimeZone, state }, rules);
    return {
      allowed: answer.allowed,
      opensAt: answer.opensAt?.toISOString() ?? null,
      closesAt: answer.closesAt?.toISOString() ?? null,
      timeZones: answer.timeZones,
      state: answer.state ?? null,
      reasons: answer.reasons,
    };
  });
}

function parseInstant(raw: string | undefined): Date {
  if (raw === undefined) throw new UsageError('--at is required');
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(raw) || Number.isNaN(at.getTime())) {
    throw new UsageError(`--at "${raw}" is not an ISO 8601 instant with Z or an offset (e.g. 2026-11-27T15:00:00Z)`);
  }
  return at;
}

function parsePurpose(raw: string): Purpose {
  if (!(CONSENT_PURPOSES as readonly string[]).includes(raw)) {
    throw new UsageError(`--purpose "${raw}" is not one of ${CONSENT_PURPOSES.join(', ')}`);
  }
  return raw as Purpose;
}

function parseZone(raw: string, option: string): string {
  if (!IANAZone.isValidZone(raw)) throw new UsageError(`${option} "${raw}" is not an IANA time zone (e.g. America/Chicago)`);
  return raw;
}

function parseState(raw: string): string {
  const state = raw.trim().toUpperCase();
  if (!US_STATE_CODES.has(state)) throw new UsageError(`--state "${raw}" is not a US state code (e.g. FL)`);
  return state;
}

function loadConfig(path: string): StageConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the stage config ${path}: ${(e as Error).message}`);
  }
  try {
    return parseStageConfig(json, path);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

process.exitCode = main();
