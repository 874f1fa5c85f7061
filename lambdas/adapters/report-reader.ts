/**
 * Reads what a practice's report counts: each person's partition (profile, enrollments,
 * attempts, appointments, replies, history) found through the roster — one query a person,
 * a bounded number at a time, streamed into the tally so memory stays flat — plus the
 * practice's flags and imports. Reads only; the report is a count over the tracker.
 */
import type { ImportRun } from '../domain/import-run';
import type { AttemptFact, FlagFact, ImportFact, PersonActivity } from '../domain/outreach-report';
import { Roster, ROSTER_SHARDS } from './roster';
import { StaffFlags } from './staff-flags';
import { TrackerTable, contactPk, stripKeys, type Item } from './tracker-table-client';

/** People read at once: enough to keep the table busy, few enough to stay under its partition limits. */
const IN_FLIGHT = 32;

export class ReportReader extends TrackerTable {
  /** Hands each person of the practice to `onPerson`; answers how many there were and the read units used. */
  async eachPerson(practiceId: string, onPerson: (person: PersonActivity) => void): Promise<{ people: number }> {
    const roster = new Roster(this.tableName);
    let people = 0;
    for (let shard = 0; shard < ROSTER_SHARDS; shard++) {
      for await (const page of roster.shardPages(practiceId, shard)) {
        for (let i = 0; i < page.cards.length; i += IN_FLIGHT) {
          const batch = await Promise.all(page.cards.slice(i, i + IN_FLIGHT).map((c) => this.person(practiceId, c.contactId)));
          for (const person of batch) {
            if (!person) continue;
            people += 1;
            onPerson(person);
          }
        }
      }
    }
    return { people };
  }

  private async person(practiceId: string, contactId: string): Promise<PersonActivity | undefined> {
    const p: { contact?: PersonActivity['contact']; enrollments: PersonActivity['enrollments'][number][]; attempts: AttemptFact[]; appointments: PersonActivity['appointments'][number][]; replies: PersonActivity['replies'][number][]; history: PersonActivity['history'][number][] } = {
      enrollments: [],
      attempts: [],
      appointments: [],
      replies: [],
      history: [],
    };
    for await (const item of this.query(contactPk(practiceId, contactId))) {
      const sk = item.sk as string;
      const data = stripKeys<Item>(item);
      if (sk === 'PROFILE') p.contact = data as unknown as PersonActivity['contact'];
      else if (sk.startsWith('ENROLLMENT#')) p.enrollments.push({ cadence: data.cadence as string, enrolledAt: data.enrolledAt as string });
      else if (sk.startsWith('ATTEMPT#')) p.attempts.push(data as unknown as AttemptFact);
      else if (sk.startsWith('APPOINTMENT#')) p.appointments.push({ appointmentId: data.appointmentId as string, status: data.status as PersonActivity['appointments'][number]['status'], at: data.at as string });
      else if (sk.startsWith('THREAD#') && data.direction === 'in') p.replies.push({ at: data.at as string, kind: data.kind as string });
      else if (sk.startsWith('HISTORY#')) p.history.push({ at: data.at as string, kind: data.kind as string, detail: data.detail as Record<string, unknown> | undefined });
    }
    return p.contact ? { ...p, contact: p.contact } : undefined;
  }

  async flags(practiceId: string): Promise<FlagFact[]> {
    return (await new StaffFlags(this.tableName).list(practiceId)).map((f) => ({ kind: f.kind, at: f.at, ...(f.handledAt ? { handledAt: f.handledAt } : {}) }));
  }

  async imports(practiceId: string): Promise<ImportFact[]> {
    const keys: { pk: string; sk: string }[] = [];
    for await (const entry of this.query(`PRACTICE#${practiceId}#IMPORTS`)) keys.push({ pk: `IMPORT#${entry.importId as string}`, sk: 'RUN' });
    // The runs in batches of 100, not one read each; the practice's index holds them in start order.
    return (await this.batchGet(keys))
      .map((item) => stripKeys<ImportRun>(item))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .map((run) => ({ importId: run.importId, key: run.source.key, startedAt: run.startedAt, rowsRead: run.rowCounts.rowsRead, created: run.rowCounts.created, rejected: run.rowCounts.rejected, status: run.failure ? 'failed' : run.phase }));
  }
}
