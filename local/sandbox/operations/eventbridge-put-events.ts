/**
 * EventBridge PutEvents (AWS JSON 1.1, X-Amz-Target: AWSEvents.PutEvents).
 * Every accepted entry is kept as a record of kind `events`. Entries missing Source,
 * DetailType or Detail fail with InvalidArgument, a Detail that is not a JSON object with
 * MalformedDetail — per entry, in FailedEntryCount, as EventBridge does.
 */
import { randomUUID } from 'node:crypto';
import { SERVICES, ServiceError, type OperationModule } from '../protocol';

/** What a record of kind `events` holds. */
export interface RecordedEvent {
  EventId: string;
  EventBusName: string;
  Source: string;
  DetailType: string;
  /** The Detail string as sent. */
  Detail: string;
  /** The Detail parsed. */
  detail: unknown;
  Resources: string[];
  /** ISO time: the entry's Time, else the time of the call. */
  Time: string;
  TraceHeader?: string;
}

interface ResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/** The SDK sends Time as epoch seconds (a number); accept ISO strings too. */
function timeOf(value: unknown, now: Date): string {
  if (typeof value === 'number') return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return now.toISOString();
}

export const putEvents: OperationModule = {
  service: SERVICES.eventbridge,
  name: 'PutEvents',
  recordKinds: ['events'],
  handle({ body, now, record }) {
    const entries = body.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new ServiceError('ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must not be null and must have length greater than or equal to 1");
    }
    if (entries.length > MAX_ENTRIES) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`);
    }
    if (Buffer.byteLength(JSON.stringify(entries)) > MAX_REQUEST_BYTES) {
      throw new ServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
    }

    let failed = 0;
    const results: ResultEntry[] = entries.map((raw: unknown): ResultEntry => {
      const entry = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
      for (const member of ['Source', 'DetailType', 'Detail'] as const) {
        if (typeof entry[member] !== 'string' || entry[member] === '') {
          failed++;
          return {
            ErrorCode: 'InvalidArgument',
            ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
          };
        }
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail as string);
      } catch {
        detail = undefined;
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
        failed++;
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const event: RecordedEvent = {
        EventId: randomUUID(),
        EventBusName: typeof entry.EventBusName === 'string' && entry.EventBusName ? entry.EventBusName : 'default',
        Source: entry.Source as string,
        DetailType: entry.DetailType as string,
        Detail: entry.Detail as string,
        detail,
        Resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        Time: timeOf(entry.Time, now()),
        ...(typeof entry.TraceHeader === 'string' ? { TraceHeader: entry.TraceHeader } : {}),
      };
      record('events', event);
      return { EventId: event.EventId };
    });
    return { body: { FailedEntryCount: failed, Entries: results } };
  },
};
