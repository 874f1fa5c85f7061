/**
 * Amazon Connect GetContactAttributes (GET /contact/attributes/{InstanceId}/{InitialContactId})
 * and UpdateContactAttributes (POST /contact/attributes): the user-defined attributes of a
 * contact the sandbox started (StartOutboundVoiceContact) or was told of. Updates merge as
 * Connect's do: a key given replaces its value, others stay. An unknown contact is a
 * ResourceNotFoundException, as in Connect. Updates are records of kind `contactAttributes`,
 * so a test or `npm start` can see what an agent (or a scripted outcome) set.
 */
import { SERVICES, ServiceError, type OperationModule } from '../protocol';
import { MemberChecks } from '../validation';

/** The service-store key of a contact's attributes. */
export function contactKey(instanceId: string, contactId: string): string {
  return `contact\n${instanceId}\n${contactId}`;
}

function attributesOf(serviceStore: Map<string, unknown>, instanceId: string, contactId: string): Record<string, string> {
  const attributes = serviceStore.get(contactKey(instanceId, contactId)) as Record<string, string> | undefined;
  if (!attributes) throw new ServiceError('ResourceNotFoundException', `Contact ${contactId} not found in instance ${instanceId}`, 404);
  return attributes;
}

export const getContactAttributes: OperationModule = {
  service: SERVICES.connect,
  name: 'GetContactAttributes',
  http: { method: 'GET', path: '/contact/attributes/{InstanceId}/{InitialContactId}' },
  handle({ pathParams, serviceStore }) {
    return { body: { Attributes: { ...attributesOf(serviceStore, pathParams.InstanceId!, pathParams.InitialContactId!) } } };
  },
};

export const updateContactAttributes: OperationModule = {
  service: SERVICES.connect,
  name: 'UpdateContactAttributes',
  http: { method: 'POST', path: '/contact/attributes' },
  recordKinds: ['contactAttributes'],
  handle({ body, record, serviceStore }) {
    const checks = new MemberChecks(body);
    checks.required('InitialContactId', 'InstanceId', 'Attributes');
    checks.string('InitialContactId', { min: 1, max: 256 });
    checks.string('InstanceId', { min: 1, max: 100 });
    checks.stringMap('Attributes', { key: { min: 1, max: 32767 }, value: { max: 32767 } });
    if (!checks.ok) throw new ServiceError('InvalidParameterException', checks.message);
    const attributes = attributesOf(serviceStore, body.InstanceId as string, body.InitialContactId as string);
    Object.assign(attributes, body.Attributes as Record<string, string>);
    record('contactAttributes', { InstanceId: body.InstanceId, InitialContactId: body.InitialContactId, Attributes: body.Attributes });
    return { body: {} };
  },
};
