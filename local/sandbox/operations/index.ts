/**
 * Every operation the sandbox serves. To add one: write a module beside this file that
 * exports an OperationModule (service, name, http path for rest-json, handle) and list it here.
 */
import type { OperationModule } from '../protocol';
import { putEvents } from './eventbridge-put-events';
import { phoneNumberValidate } from './pinpoint-phone-number-validate';

export const OPERATIONS: readonly OperationModule[] = [phoneNumberValidate, putEvents];

export type { RecordedEvent } from './eventbridge-put-events';
