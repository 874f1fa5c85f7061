/**
 * Appointments in the tracker table, beside the person they are for. Every change is
 * conditional on the version it was decided from, so two changes decided at once (a reply
 * and the practice's file) cannot both apply; the loser re-reads and decides again.
 *
 *   PRACTICE#<id>#CONTACT#<contactId>   APPOINTMENT#<appointmentId>   the appointment: start, place, status, version
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Appointment } from '../domain/appointment';
import { ConflictError, TrackerTable, contactPk, stripKeys } from './tracker-table-client';

const APPOINTMENT = 'APPOINTMENT#';
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
