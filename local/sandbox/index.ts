/** The telephony sandbox: see README.md. */
export { startSandbox, type SandboxHandle } from './server';
export { SandboxClient } from './client';
export {
  OPERATIONS,
  type RecordedCall,
  type RecordedEvent,
  type RecordedExecution,
  type RecordedText,
  type RecordedVoiceMessage,
} from './operations';
export { SANDBOX_ENDPOINT_ENVS, SERVICES, ServiceError, type OperationModule, type ServiceDefinition } from './protocol';
export { validatePhoneNumber, phoneTypeOf, US_AREA_CODES, PHONE_TYPE_CODES, type NumberValidation, type PhoneType } from './phone-rules';
export type {
  FaultRule,
  IdentityStats,
  InjectionRule,
  OperationStats,
  RecordsQuery,
  ResetOptions,
  SandboxConfig,
  SandboxControl,
  SandboxOptions,
  SandboxRecord,
  SandboxStats,
} from './types';
