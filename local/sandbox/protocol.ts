/**
 * The AWS wire protocols the sandbox speaks, the services it fronts, and the
 * contract an operation module fulfils. Adding an operation is one module in
 * ./operations plus one line in ./operations/index.ts; adding a service is one
 * entry in SERVICES below.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxConfig } from './types';

export type WireProtocol = 'rest-json' | 'json-1.0' | 'json-1.1';

export interface ErrorShape {
  /** The error's shape name, e.g. `TooManyRequestsException`. */
  code: string;
  status: number;
  message: string;
}

export interface ServiceDefinition {
  /** Short id used in qualified operation names (`pinpoint:PhoneNumberValidate`). */
  id: string;
  /** The variable the SDK v3 reads the service's endpoint from. */
  endpointEnv: string;
  /** SigV4 signing name: the 4th part of the Authorization header's credential scope. */
  signingName: string;
  protocol: WireProtocol;
  /** JSON protocols: the `X-Amz-Target` prefix before the dot. */
  targetPrefix?: string;
  /** The error the real service answers when a caller is over its rate. */
  throttlingError: ErrorShape;
  /** The error for an injected 500. */
  internalError: ErrorShape;
  /** The error for an injected 503. */
  unavailableError: ErrorShape;
  /** The error for a malformed request body. */
  badRequestError: ErrorShape;
  /**
   * The error body's members besides the error's own (`ServiceError.members`): the message under
   * the name the service's model gives it, and whatever else the service puts in every error
   * body (Pinpoint: RequestID). Default `{ message }`. The JSON protocols also carry `__type`.
   */
  errorBody?: (error: ErrorShape, requestId: string) => Record<string, unknown>;
}

const unavailable = (code = 'ServiceUnavailableException'): ErrorShape => ({
  code,
  status: 503,
  message: 'Service is unavailable (sandbox fault injection)',
});

/** Every service the sandbox fronts, keyed by id. */
export const SERVICES = {
  pinpoint: {
    id: 'pinpoint',
    endpointEnv: 'AWS_ENDPOINT_URL_PINPOINT',
    signingName: 'mobiletargeting',
    protocol: 'rest-json',
    throttlingError: { code: 'TooManyRequestsException', status: 429, message: 'Too many requests' },
    internalError: {
      code: 'InternalServerErrorException',
      status: 500,
      message: 'Internal server error (sandbox fault injection)',
    },
    unavailableError: unavailable(),
    badRequestError: { code: 'BadRequestException', status: 400, message: 'Bad request' },
    // Pinpoint's error shapes carry Message and RequestID.
    errorBody: (error, requestId) => ({ Message: error.message, RequestID: requestId }),
  },
  eventbridge: {
    id: 'eventbridge',
    endpointEnv: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
    signingName: 'events',
    protocol: 'json-1.1',
    targetPrefix: 'AWSEvents',
    throttlingError: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    internalError: { code: 'InternalException', status: 500, message: 'Internal error (sandbox fault injection)' },
    unavailableError: unavailable(),
    badRequestError: { code: 'SerializationException', status: 400, message: 'Malformed request body' },
  },
  smsVoiceV2: {
    id: 'sms-voice-v2',
    endpointEnv: 'AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2',
    signingName: 'sms-voice',
    protocol: 'json-1.0',
    targetPrefix: 'PinpointSMSVoiceV2',
    throttlingError: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    internalError: {
      code: 'InternalServerException',
      status: 500,
      message: 'Internal server error (sandbox fault injection)',
    },
    unavailableError: unavailable(),
    badRequestError: { code: 'ValidationException', status: 400, message: 'Malformed request body' },
    // The SMS Voice V2 error shapes name their message member `Message`.
    errorBody: (error) => ({ Message: error.message }),
  },
  connect: {
    id: 'connect',
    endpointEnv: 'AWS_ENDPOINT_URL_CONNECT',
    signingName: 'connect',
    protocol: 'rest-json',
    throttlingError: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
    internalError: {
      code: 'InternalServiceException',
      status: 500,
      message: 'Internal service error (sandbox fault injection)',
    },
    unavailableError: unavailable(),
    badRequestError: { code: 'InvalidRequestException', status: 400, message: 'Malformed request body' },
    // Connect's error shapes name their message member `Message`.
    errorBody: (error) => ({ Message: error.message }),
  },
  scheduler: {
    id: 'scheduler',
    endpointEnv: 'AWS_ENDPOINT_URL_SCHEDULER',
    signingName: 'scheduler',
    protocol: 'rest-json',
    throttlingError: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded' },
    internalError: {
      code: 'InternalServerException',
      status: 500,
      message: 'Internal server error (sandbox fault injection)',
    },
    unavailableError: unavailable(),
    badRequestError: { code: 'ValidationException', status: 400, message: 'Malformed request body' },
  },
  sfn: {
    id: 'sfn',
    endpointEnv: 'AWS_ENDPOINT_URL_SFN',
    signingName: 'states',
    protocol: 'json-1.0',
    targetPrefix: 'AWSStepFunctions',
    // Step Functions models no throttling or internal error of its own: these are the AWS common
    // errors (ThrottlingException 400, InternalFailure 500, ServiceUnavailable 503).
    throttlingError: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
    internalError: {
      code: 'InternalFailure',
      status: 500,
      message: 'The request processing has failed (sandbox fault injection)',
    },
    unavailableError: unavailable('ServiceUnavailable'),
    badRequestError: { code: 'SerializationException', status: 400, message: 'Malformed request body' },
  },
} as const satisfies Record<string, ServiceDefinition>;

export type ServiceId = keyof typeof SERVICES;

/** The endpoint variables the sandbox answers for (what the local engines set). */
export const SANDBOX_ENDPOINT_ENVS: readonly string[] = Object.values(SERVICES).map((s) => s.endpointEnv);

/** An error an operation throws to answer with a modelled AWS error. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** The error shape's other members, put in the body as given (`{ Reason, Fields }`…). */
    readonly members?: Record<string, unknown>,
  ) {
    super(message);
    this.name = code;
  }
}

export interface OperationContext {
  /** The parsed JSON body ({} when the body is empty). */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  /** Values of `{Label}` segments of a rest-json path. */
  pathParams: Record<string, string>;
  requestId: string;
  now(): Date;
  /** Keep something for the control API's `GET /_sandbox/records?kind=...`. */
  record(kind: string, data: unknown): void;
  /** The sandbox's current configuration (read only: `optedOut`, …). */
  config: Readonly<SandboxConfig>;
  /**
   * State this operation keeps across calls (idempotency tokens, execution names…): one map per
   * operation per sandbox, emptied by `reset`.
   */
  store: Map<string, unknown>;
  /**
   * State the service's operations share (Connect's contacts: started by one operation, their
   * attributes read and updated by others): one map per service per sandbox, emptied by `reset`.
   */
  serviceStore: Map<string, unknown>;
}

export interface OperationAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface OperationModule {
  service: ServiceDefinition;
  /** The AWS operation name, e.g. `PhoneNumberValidate`. */
  name: string;
  /** rest-json only: method and path template (`/v1/apps/{ApplicationId}/messages`). */
  http?: { method: string; path: string };
  /** Record kinds this operation writes (documentation and the control API's listing). */
  recordKinds?: readonly string[];
  /**
   * Messaging operations: the origination identity a request sends from, read from the parsed
   * body before `handle` runs; undefined when the request sends nothing (a dry run, a missing or
   * malformed identity). A paced request takes a token of the identity's `identityRateLimits`
   * bucket (refused: the service's throttling error), and when `handle` answers 2xx it counts in
   * `stats().identities`; when `handle` throws a ServiceError its token is given back.
   */
  pacedBy?(body: Record<string, unknown>): string | undefined;
  handle(ctx: OperationContext): OperationAnswer | Promise<OperationAnswer>;
}

export function contentType(protocol: WireProtocol): string {
  switch (protocol) {
    case 'rest-json':
      return 'application/json';
    case 'json-1.0':
      return 'application/x-amz-json-1.0';
    case 'json-1.1':
      return 'application/x-amz-json-1.1';
  }
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Encode an error the way the service's protocol does so the SDK names it:
 * rest-json reads the `x-amzn-ErrorType` header, the JSON protocols `__type` in the body.
 */
export function encodeError(
  protocol: WireProtocol,
  error: ErrorShape,
  requestId: string,
  service?: ServiceDefinition,
  members: Record<string, unknown> = {},
): WireResponse {
  const headers: Record<string, string> = {
    'content-type': contentType(protocol),
    'x-amzn-requestid': requestId,
  };
  const common = service?.errorBody ? service.errorBody(error, requestId) : { message: error.message };
  let body: Record<string, unknown>;
  if (protocol === 'rest-json') {
    headers['x-amzn-errortype'] = error.code;
    body = { ...common, ...members };
  } else {
    body = { __type: error.code, ...common, ...members };
  }
  return { status: error.status, headers, body: JSON.stringify(body) };
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/mobiletargeting/aws4_request, ...` → `mobiletargeting`. */
export function signingNameOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  const match = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return match?.[1];
}

/** Compile a rest-json path template into a matcher returning its labels. */
export function compilePath(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split('/')
    .map((segment) => {
      const label = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!label) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(label[1]);
      return label[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  const regex = new RegExp(`^${pattern}/?$`);
  return (path) => {
    const match = regex.exec(path);
    if (!match) return undefined;
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1]);
    });
    return params;
  };
}
