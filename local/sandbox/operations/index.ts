/**
 * Every operation the sandbox serves. To add one: write a module beside this file that
 * exports an OperationModule (service, name, http path for rest-json, handle) and list it here.
 */
import type { OperationModule } from '../protocol';
import { getContactAttributes, updateContactAttributes } from './connect-contact-attributes';
import { startOutboundVoiceContact } from './connect-start-outbound-voice-contact';
import { putEvents } from './eventbridge-put-events';
import { phoneNumberValidate } from './pinpoint-phone-number-validate';
import { createSchedule, deleteSchedule, getSchedule, listSchedules, updateSchedule } from './scheduler-schedules';
import { startExecution } from './sfn-start-execution';
import { deleteOptedOutNumber, putOptedOutNumber } from './sms-voice-v2-opted-out-numbers';
import { sendTextMessage } from './sms-voice-v2-send-text-message';
import { sendVoiceMessage } from './sms-voice-v2-send-voice-message';

export const OPERATIONS: readonly OperationModule[] = [
  phoneNumberValidate,
  putEvents,
  sendTextMessage,
  sendVoiceMessage,
  putOptedOutNumber,
  deleteOptedOutNumber,
  startOutboundVoiceContact,
  getContactAttributes,
  updateContactAttributes,
  createSchedule,
  updateSchedule,
  getSchedule,
  deleteSchedule,
  listSchedules,
  startExecution,
];

export type { RecordedCall } from './connect-start-outbound-voice-contact';
export type { RecordedEvent } from './eventbridge-put-events';
export type { RecordedScheduleChange, StoredSchedule } from './scheduler-schedules';
export type { RecordedExecution } from './sfn-start-execution';
export type { RecordedText } from './sms-voice-v2-send-text-message';
export type { RecordedVoiceMessage } from './sms-voice-v2-send-voice-message';
