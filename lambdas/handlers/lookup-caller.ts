/**
 * The inbound IVR's caller lookup (a contact flow's Lambda block): who in the practice's
 * tracker has the number calling in, so the flow can copy it into contact attributes for
 * the agent and for the "stop calls" and "practice information" choices.
 *
 * Answers Connect's flat string map (every key, always, so the flow's attribute copy never
 * reads a missing one): `known` none | one | several; for exactly one person their
 * contactId, firstName, language, status and voiceOutreachOff; for several (a household
 * sharing a number) only how many, and the agent is told to ask who is calling.
 * Logs carry the practice and contact ids only, never the number or a name.
 */
import { z } from 'zod';
import { logger } from '../adapters/powertools';
import { loadStageConfig, requiredEnv } from '../adapters/settings';
import { Tracker } from '../adapters/tracker';
import type { Contact } from '../domain/contact';
import { normalisePhone } from '../domain/phone';
import { findPractice, practiceCountry } from '../domain/stage-config';
import { contactFlowEvent } from './contact-flow-event';

const flowEvent = contactFlowEvent(z.object({ practiceId: z.string().min(1) }).loose());

export interface CallerAnswer {
  readonly [attribute: string]: string;
  readonly known: 'none' | 'one' | 'several';
  readonly contactId: string;
  readonly firstName: string;
  readonly language: string;
  readonly status: string;
  /** 'true' when the person asked not to be called or opted out of voice: the agent must not offer outreach calls. */
  readonly voiceOutreachOff: string;
  /** How many people of the practice have this number. */
  readonly householdSize: string;
  /** One line for the agent. */
  readonly agentNote: string;
}

let tracker: Tracker | undefined;

export const handler = async (payload: unknown): Promise<CallerAnswer> => {
  const parsed = flowEvent.safeParse(payload);
  // The flow's error branch goes on without a lookup; the log says what was wrong, never the values.
  if (!parsed.success) {
    logger.error('not a contact flow event with a practiceId parameter', { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`) });
    throw new Error(`lookup-caller: not a contact flow event with a practiceId parameter (${parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')})`);
  }
  const { ContactData, Parameters } = parsed.data.Details;
  const config = loadStageConfig();
  const practice = findPractice(config, Parameters.practiceId);
  if (!practice) {
    logger.warn('caller lookup for a practice not in the stage config', { connectContactId: ContactData.ContactId, practiceId: Parameters.practiceId });
    return unknownCaller('The practice of this number is not configured.');
  }
  const number = callerNumber(ContactData.CustomerEndpoint?.Address, practiceCountry(config, practice));
  if (!number) {
    logger.info('caller lookup: no usable caller number', { connectContactId: ContactData.ContactId, practiceId: practice.id });
    return unknownCaller('The caller\'s number is withheld or unreadable.');
  }
  tracker ??= new Tracker(requiredEnv('TRACKER_TABLE_NAME'));
  const people = await tracker.contactsByPhone(practice.id, number);
  const answer = answerFor(people);
  logger.info('caller looked up', { connectContactId: ContactData.ContactId, practiceId: practice.id, known: answer.known, ...(answer.contactId ? { contactId: answer.contactId } : {}), householdSize: people.length });
  return answer;
};

/** Only a dialable number is looked up ("anonymous", "restricted" and the like are not numbers). */
function callerNumber(address: string | undefined, country: Parameters<typeof normalisePhone>[1]): string | undefined {
  if (!address || !/^\+?[\d\s().-]{7,}$/.test(address.trim())) return undefined;
  const normalised = normalisePhone(address, country);
  return normalised.ok ? normalised.e164 : undefined;
}

function answerFor(people: readonly Contact[]): CallerAnswer {
  if (people.length === 0) return unknownCaller('This number is not in the outreach tracker.');
  if (people.length > 1) {
    return {
      ...blank,
      known: 'several',
      householdSize: String(people.length),
      agentNote: `${people.length} people in the outreach tracker share this number: ask who is calling.`,
    };
  }
  const person = people[0]!;
  const voiceOff = person.doNotCall !== undefined || person.optedOut.voice !== undefined || person.optedOut.all !== undefined;
  return {
    known: 'one',
    contactId: person.contactId,
    firstName: person.firstName ?? '',
    language: person.language ?? '',
    status: person.status ?? 'open',
    voiceOutreachOff: String(voiceOff),
    householdSize: '1',
    agentNote: voiceOff ? 'The caller asked not to receive outreach calls: do not offer any.' : 'The caller is in the outreach tracker.',
  };
}

const blank: CallerAnswer = { known: 'none', contactId: '', firstName: '', language: '', status: '', voiceOutreachOff: '', householdSize: '0', agentNote: '' };

function unknownCaller(agentNote: string): CallerAnswer {
  return { ...blank, agentNote };
}

/** For tests and the local host, which point the handler at another table. */
export function resetCallerLookup(): void {
  tracker = undefined;
}
