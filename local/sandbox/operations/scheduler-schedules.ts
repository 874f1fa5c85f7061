/**
 * EventBridge Scheduler (rest-json): CreateSchedule (POST /schedules/{Name}), UpdateSchedule
 * (PUT /schedules/{Name}), GetSchedule (GET /schedules/{Name}) and DeleteSchedule
 * (DELETE /schedules/{Name}), with `groupName` in the body or the query as the service takes
 * it (default group "default"). Creating a name that exists is a ConflictException (409);
 * updating, getting or deleting one that does not is a ResourceNotFoundException (404).
 * ListSchedules (GET /schedules, filtered by GroupName and NamePrefix) lists them in name order.
 * Nothing fires on its own: whoever drives the sandbox lists the schedules due at its
 * (virtual) time and invokes their targets.
 * Every change is a record of kind `schedules`.
 */
import { SERVICES, ServiceError, type OperationModule } from '../protocol';
import { MemberChecks } from '../validation';

export interface StoredSchedule {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: 'ENABLED' | 'DISABLED';
  ActionAfterCompletion: 'NONE' | 'DELETE';
  FlexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  Target: { Arn: string; RoleArn: string; Input?: string; [member: string]: unknown };
  Description?: string;
  CreationDate: number;
  LastModificationDate: number;
}

/** What a record of kind `schedules` holds. */
export interface RecordedScheduleChange {
  change: 'created' | 'updated' | 'deleted';
  Name: string;
  GroupName: string;
  ScheduleExpression?: string;
  Input?: string;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const EXPRESSION = /^(at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)|rate\(.+\)|cron\(.+\))$/;
const key = (group: string, name: string) => `schedule\n${group}\n${name}`;

function groupOf(body: Record<string, unknown>, query: URLSearchParams): string {
  return (body.GroupName as string | undefined) ?? query.get('groupName') ?? 'default';
}

function checked(name: string, body: Record<string, unknown>): void {
  const checks = new MemberChecks(body);
  checks.required('ScheduleExpression', 'FlexibleTimeWindow', 'Target');
  checks.string('ScheduleExpression', { min: 1, max: 256, pattern: EXPRESSION });
  checks.string('GroupName', { min: 1, max: 64, pattern: NAME });
  checks.string('ScheduleExpressionTimezone', { min: 1, max: 50 });
  checks.enumeration('State', ['ENABLED', 'DISABLED'] as const);
  checks.enumeration('ActionAfterCompletion', ['NONE', 'DELETE'] as const);
  checks.string('Description', { max: 512 });
  const window = checks.structure('FlexibleTimeWindow');
  if (window && window.Mode !== 'OFF' && window.Mode !== 'FLEXIBLE') checks.fail('FlexibleTimeWindow.Mode', window.Mode, 'Member must satisfy enum value set: [OFF, FLEXIBLE]');
  const target = checks.structure('Target');
  if (target) {
    const inner = new MemberChecks(target);
    inner.required('Arn', 'RoleArn');
    inner.string('Arn', { min: 1, max: 1600 });
    inner.string('RoleArn', { min: 1, max: 1600 });
    inner.string('Input', { min: 1, max: 8192 });
    for (const p of inner.problems) checks.fail(`Target.${p.member}`, target[p.member], p.constraint);
  }
  if (!NAME.test(name)) checks.fail('Name', name, `Member must satisfy regular expression pattern: ${NAME.source}`);
  if (!checks.ok) throw new ServiceError('ValidationException', checks.message);
}

function stored(name: string, group: string, body: Record<string, unknown>, created: number, now: number): StoredSchedule {
  return {
    Arn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${group}/${name}`,
    Name: name,
    GroupName: group,
    ScheduleExpression: body.ScheduleExpression as string,
    ...(body.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: body.ScheduleExpressionTimezone as string } : {}),
    State: (body.State as StoredSchedule['State'] | undefined) ?? 'ENABLED',
    ActionAfterCompletion: (body.ActionAfterCompletion as StoredSchedule['ActionAfterCompletion'] | undefined) ?? 'NONE',
    FlexibleTimeWindow: body.FlexibleTimeWindow as StoredSchedule['FlexibleTimeWindow'],
    Target: body.Target as StoredSchedule['Target'],
    ...(body.Description ? { Description: body.Description as string } : {}),
    CreationDate: created,
    LastModificationDate: now,
  };
}

function existing(store: Map<string, unknown>, group: string, name: string): StoredSchedule {
  const schedule = store.get(key(group, name)) as StoredSchedule | undefined;
  if (!schedule) throw new ServiceError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
  return schedule;
}

export const createSchedule: OperationModule = {
  service: SERVICES.scheduler,
  name: 'CreateSchedule',
  http: { method: 'POST', path: '/schedules/{Name}' },
  recordKinds: ['schedules'],
  handle({ body, pathParams, query, now, record, serviceStore }) {
    const name = pathParams.Name!;
    checked(name, body);
    const group = groupOf(body, query);
    if (serviceStore.has(key(group, name))) throw new ServiceError('ConflictException', `Schedule ${name} already exists.`, 409);
    const at = now().getTime() / 1000;
    const schedule = stored(name, group, body, at, at);
    serviceStore.set(key(group, name), schedule);
    record('schedules', { change: 'created', Name: name, GroupName: group, ScheduleExpression: schedule.ScheduleExpression, Input: schedule.Target.Input } satisfies RecordedScheduleChange);
    return { body: { ScheduleArn: schedule.Arn } };
  },
};

export const updateSchedule: OperationModule = {
  service: SERVICES.scheduler,
  name: 'UpdateSchedule',
  http: { method: 'PUT', path: '/schedules/{Name}' },
  recordKinds: ['schedules'],
  handle({ body, pathParams, query, now, record, serviceStore }) {
    const name = pathParams.Name!;
    checked(name, body);
    const group = groupOf(body, query);
    // An update replaces the whole schedule, as Scheduler's does: members left out take their defaults.
    const before = existing(serviceStore, group, name);
    const schedule = stored(name, group, body, before.CreationDate, now().getTime() / 1000);
    serviceStore.set(key(group, name), schedule);
    record('schedules', { change: 'updated', Name: name, GroupName: group, ScheduleExpression: schedule.ScheduleExpression, Input: schedule.Target.Input } satisfies RecordedScheduleChange);
    return { body: { ScheduleArn: schedule.Arn } };
  },
};

export const getSchedule: OperationModule = {
  service: SERVICES.scheduler,
  name: 'GetSchedule',
  http: { method: 'GET', path: '/schedules/{Name}' },
  handle({ pathParams, query, serviceStore }) {
    return { body: existing(serviceStore, query.get('groupName') ?? 'default', pathParams.Name!) };
  },
};

export const deleteSchedule: OperationModule = {
  service: SERVICES.scheduler,
  name: 'DeleteSchedule',
  http: { method: 'DELETE', path: '/schedules/{Name}' },
  recordKinds: ['schedules'],
  handle({ pathParams, query, record, serviceStore }) {
    const name = pathParams.Name!;
    const group = query.get('groupName') ?? 'default';
    existing(serviceStore, group, name);
    serviceStore.delete(key(group, name));
    record('schedules', { change: 'deleted', Name: name, GroupName: group } satisfies RecordedScheduleChange);
    return { body: {} };
  },
};

export const listSchedules: OperationModule = {
  service: SERVICES.scheduler,
  name: 'ListSchedules',
  http: { method: 'GET', path: '/schedules' },
  handle({ query, serviceStore }) {
    const group = query.get('ScheduleGroup') ?? query.get('GroupName');
    const prefix = query.get('NamePrefix') ?? '';
    const schedules = [...serviceStore.values()]
      .map((v) => v as StoredSchedule)
      .filter((s) => s.Arn !== undefined && (!group || s.GroupName === group) && s.Name.startsWith(prefix))
      .sort((a, b) => a.Name.localeCompare(b.Name))
      .map(({ Arn, Name, GroupName, State, CreationDate, LastModificationDate, Target }) => ({ Arn, Name, GroupName, State, CreationDate, LastModificationDate, Target: { Arn: Target.Arn } }));
    return { body: { Schedules: schedules } };
  },
};
