/**
 * What ops do to one person's outreach (the ops CLI and staff tools call these): pause and
 * resume their cadences, and see their timeline — what happened, and what the next days
 * hold if nothing changes. Ids and counts in logs only.
 */
import { now } from '../adapters/clock';
import { logger } from '../adapters/powertools';
import { cadenceOutlook, type ComingStep } from '../domain/cadence-outlook';
import type { Enrollment } from '../domain/enrollment';
import { findPractice } from '../domain/stage-config';
import { dependencies, loadSendSituation, plannedCadence } from './cadence-support';

export interface PauseAnswer {
  readonly changed: readonly string[];
  readonly unchanged: ReadonlyArray<{ readonly cadence: string; readonly status: Enrollment['status'] }>;
}

/** Pauses (or resumes) the person's enrollments — one cadence, or all of them — recording who did it. */
export async function setCadencesPaused(practiceId: string, contactId: string, paused: boolean, by: string, cadence?: string): Promise<PauseAnswer> {
  const { ledger } = dependencies();
  const enrollments = (await ledger.enrollmentsOf(practiceId, contactId)).filter((e) => !cadence || e.cadence === cadence);
  const changed: string[] = [];
  const unchanged: Array<{ cadence: string; status: Enrollment['status'] }> = [];
  for (const e of enrollments) {
    if (await ledger.setPaused(e, paused, by, now().toISOString())) changed.push(e.cadence);
    else unchanged.push({ cadence: e.cadence, status: e.status });
  }
  logger.info(paused ? 'cadences paused' : 'cadences resumed', { practiceId, contactId, changed });
  return { changed, unchanged };
}

export interface TimelineEntry {
  readonly at: string;
  readonly what: string;
}

export interface PersonTimeline {
  readonly contactId: string;
  readonly past: readonly TimelineEntry[];
  readonly coming: readonly ComingStep[];
  readonly notes: readonly string[];
}

/** The person's history, messages and replies so far, and each enrollment's outlook for the next `days`. */
export async function personTimeline(practiceId: string, contactId: string, days: number): Promise<PersonTimeline | undefined> {
  const { config, tracker, ledger } = dependencies();
  const practice = findPractice(config, practiceId);
  const contact = practice && (await tracker.getContact(practiceId, contactId));
  if (!practice || !contact) return undefined;
  const [history, attempts, enrollments] = await Promise.all([tracker.contactHistory(practiceId, contactId), ledger.attemptsOf(practiceId, contactId), ledger.enrollmentsOf(practiceId, contactId)]);
  const past: TimelineEntry[] = [
    ...history.map((h) => ({ at: String(h.at), what: `${String(h.kind)}${h.detail ? ` ${describe(h.detail as Record<string, unknown>)}` : ''}` })),
    ...attempts.map((a) => ({ at: a.sentAt ?? a.at, what: `${a.cadence} r${a.round} ${a.stepId} [${a.channel}]: ${a.status}${a.reason ? ` (${a.reason})` : ''}${a.delivery ? `, ${a.delivery.status}` : ''}` })),
  ].sort((x, y) => x.at.localeCompare(y.at));
  const situation = await loadSendSituation(practice, contact);
  const coming: ComingStep[] = [];
  const notes: string[] = [];
  for (const enrollment of enrollments) {
    const cadence = config.cadences.find((c) => c.name === enrollment.cadence);
    if (!cadence) continue;
    const outlook = cadenceOutlook({ ...situation, cadence: plannedCadence(cadence), enrollment }, days);
    coming.push(...outlook.coming);
    if (outlook.note) notes.push(`${enrollment.cadence}: ${outlook.note}`);
  }
  return { contactId, past, coming: coming.sort((x, y) => x.at.localeCompare(y.at)), notes };
}

function describe(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
