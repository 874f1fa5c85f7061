/**
 * Appointments in the tracker table, beside the person they are for. Every change is
 * conditional on the version it was decided from, so two changes decided at once (a reply
 * and the practice's file) cannot both apply; the loser re-reads and decides again.
 *
 *   PRACTICE#<id>#CONTACT#<contactId>   APPOINTMENT#<appointmentId>          the appointment: start, place, status, version, effects pending
 *   PRACTICE#<id>#HANDOFF#<date>        <decidedAt>#<appointmentId>#v<n>     a hand-off to the scheduling team, by the practice's local date it was decided
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Appointment, HandOff } from '../domain/appointment';
import { ConflictError, TrackerTable, contactPk, stripKeys } from './tracker-table-client';

const APPOINTMENT = 'APPOINTMENT#';
const handOffPk = (practiceId: string, date: string) => `PRACTICE#${practiceId}#HANDOFF#${date}`;
const keyOf = (a: Pick<Appointment, 'practiceId' | 'contactId' | 'appointmentId'>) => ({ pk: contactPk(a.practiceId, a.contactId), sk: APPOINTMENT + a.appointmentId });

export class AppointmentBook extends TrackerTable {
  /** Stores a new appointment; one of that id already there (a retried booking) is returned instead. */
  async create(appointment: Appointment): Promise<{ readonly created: boolean; readonly appointment: Appointment }> {
    try {
      await this.conditional(new PutCommand({ TableName: this.tableName, Item: { ...keyOf(appointment), ...appointment }, ConditionExpression: 'attribute_not_exists(pk)' }), 'appointment exists');
      return { created: true, appointment };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      return { created: false, appointment: (await this.get(appointment.practiceId, appointment.contactId, appointment.appointmentId))! };
    }
  }

  /** Stores the next state of an appointment if it is still at the version before it; throws ConflictError otherwise. */
  async save(next: Appointment): Promise<void> {
    await this.conditional(
      new PutCommand({ TableName: this.tableName, Item: { ...keyOf(next), ...next }, ConditionExpression: 'version = :before', ExpressionAttributeValues: { ':before': next.version - 1 } }),
      `appointment ${next.appointmentId} changed meanwhile`,
    );
  }

  /** Clears the effects a change left pending, once they are done (only at the version that stored them). */
  async settled(a: Appointment): Promise<void> {
    await this.conditional(
      new UpdateCommand({ TableName: this.tableName, Key: keyOf(a), UpdateExpression: 'REMOVE pending', ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': a.version } }),
      `appointment ${a.appointmentId} changed meanwhile`,
    ).catch((e: Error) => {
      // A newer change carries its own effects; the ones done here stay done.
      if (!(e instanceof ConflictError)) throw e;
    });
  }

  /** Records a hand-off for the file of `date` (the practice's local date); the same change recorded twice is one line. */
  async recordHandOff(h: HandOff, date: string): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: handOffPk(h.practiceId, date), sk: `${h.decidedAt}#${h.appointmentId}#v${h.version}`, ...h } }),
    );
  }

  /** The hand-offs decided on a practice's local date, in the order they were decided. */
  async *handOffs(practiceId: string, date: string): AsyncGenerator<HandOff> {
    for await (const item of this.query(handOffPk(practiceId, date))) yield stripKeys<HandOff>(item);
  }

  async get(practiceId: string, contactId: string, appointmentId: string): Promise<Appointment | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keyOf({ practiceId, contactId, appointmentId }), ConsistentRead: true }));
    return Item ? stripKeys<Appointment>(Item) : undefined;
  }

  /** The person's appointments, oldest first by id order. */
  async of(practiceId: string, contactId: string): Promise<Appointment[]> {
    const out: Appointment[] = [];
    for await (const item of this.query(contactPk(practiceId, contactId), APPOINTMENT)) out.push(stripKeys<Appointment>(item));
    return out;
  }
}
