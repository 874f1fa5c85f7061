/**
 * The telephony sandbox: an HTTP server on 127.0.0.1 speaking the AWS wire protocol for the
 * operations in ./operations, with latency, token-bucket rate limits, deterministic throttling
 * and fault injection, statistics and records, all steerable through `/_sandbox/*`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ArmedRule, SlidingWindowMax, TokenBucket, perOperation } from './behaviour';
import { OPERATIONS } from './operations';
import {
  compilePath,
  contentType,
  encodeError,
  ServiceError,
  SERVICES,
  signingNameOf,
  type ErrorShape,
  type OperationModule,
  type ServiceDefinition,
  type WireProtocol,
  type WireResponse,
} from './protocol';
import { contactKey } from './operations/connect-contact-attributes';
import {
  InboundCallSchema,
  SandboxConfigSchema,
  SandboxOptionsSchema,
  type FaultRule,
  type IdentityStats,
  type InjectionRule,
  type OperationStats,
  type RecordsQuery,
  type ResetOptions,
  type SandboxConfig,
  type SandboxControl,
  type SandboxOptions,
  type SandboxRecord,
  type SandboxStats,
} from './types';

export interface SandboxHandle extends SandboxControl {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Route {
  op: OperationModule;
  /** Key in stats: the operation name, qualified with the service id only if two services share it. */
  key: string;
  match?: (path: string) => Record<string, string> | undefined;
}

interface OperationState {
  stats: OperationStats;
  window: SlidingWindowMax;
  bucket?: TokenBucket;
  /** The operation's own state across calls (OperationContext.store). */
  store: Map<string, unknown>;
}

/** Pacing of one origination identity: its statistics and `identityRateLimits` bucket. */
interface IdentityState {
  operations: string[];
  messages: number;
  throttled: number;
  window: SlidingWindowMax;
  bucket?: TokenBucket;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, wire: WireResponse): void {
  res.writeHead(wire.status, { ...wire.headers, 'content-length': Buffer.byteLength(wire.body) });
  res.end(wire.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

class Sandbox {
  private config: SandboxConfig;
  private throttleRules: ArmedRule<InjectionRule>[] = [];
  private faultRules: ArmedRule<FaultRule>[] = [];
  private readonly states = new Map<string, OperationState>();
  private identities = new Map<string, IdentityState>();
  private serviceStores = new Map<string, Map<string, unknown>>();
  private recordList: SandboxRecord[] = [];
  private recordsByKind = new Map<string, SandboxRecord[]>();
  private seq = 0;
  private unknownOperations = 0;
  private since = new Date();
  private readonly routesByTarget = new Map<string, Route>();
  private readonly restRoutes: Route[] = [];
  private readonly routes: Route[] = [];
  private readonly servicesByPrefix = new Map<string, ServiceDefinition>();

  constructor(
    private readonly initial: SandboxOptions,
    operations: readonly OperationModule[],
  ) {
    this.config = this.configOf(initial);
    for (const service of Object.values(SERVICES) as ServiceDefinition[]) {
      if (service.targetPrefix) this.servicesByPrefix.set(service.targetPrefix, service);
    }
    const nameCounts = new Map<string, number>();
    for (const op of operations) nameCounts.set(op.name, (nameCounts.get(op.name) ?? 0) + 1);
    for (const op of operations) {
      const key = nameCounts.get(op.name)! > 1 ? `${op.service.id}:${op.name}` : op.name;
      const route: Route = { op, key };
      this.routes.push(route);
      if (op.service.protocol === 'rest-json') {
        if (!op.http) throw new Error(`rest-json operation ${op.name} needs http.method and http.path`);
        route.match = compilePath(op.http.path);
        this.restRoutes.push(route);
      } else {
        if (!op.service.targetPrefix) throw new Error(`service ${op.service.id} needs a targetPrefix`);
        this.routesByTarget.set(`${op.service.targetPrefix}.${op.name}`, route);
      }
      this.states.set(key, this.emptyState(op));
    }
    this.arm(this.config);
  }

  private configOf(options: SandboxOptions): SandboxConfig {
    const { host: _host, port: _port, seed: _seed, ...config } = options;
    const given = Object.entries(config).filter(([, v]) => v !== undefined);
    return SandboxConfigSchema.parse(Object.fromEntries(given));
  }

  private serviceStoreOf(serviceId: string): Map<string, unknown> {
    let store = this.serviceStores.get(serviceId);
    if (!store) this.serviceStores.set(serviceId, (store = new Map()));
    return store;
  }

  private emptyState(op: OperationModule): OperationState {
    return { stats: this.emptyStats(op), window: new SlidingWindowMax(), store: new Map() };
  }

  private get seed(): number {
    return this.initial.seed ?? 1;
  }

  private arm(config: SandboxConfig, which: { throttle?: boolean; faults?: boolean } = { throttle: true, faults: true }) {
    if (which.throttle) this.throttleRules = (config.throttle ?? []).map((r) => new ArmedRule(r, this.seed));
    if (which.faults) this.faultRules = (config.faults ?? []).map((r) => new ArmedRule(r, this.seed));
  }

  private emptyStats(op: OperationModule): OperationStats {
    return {
      service: op.service.id,
      calls: 0,
      answered: 0,
      rejected: 0,
      throttled: 0,
      injectedThrottles: 0,
      injectedFaults: 0,
      maxPerSecond: 0,
    };
  }

  // ---- control ----------------------------------------------------------------------------

  getConfig(): SandboxConfig {
    return structuredClone(this.config);
  }

  configure(input: unknown): SandboxConfig {
    const given = SandboxConfigSchema.parse(input ?? {});
    this.config = { ...this.config, ...given };
    this.arm(this.config, { throttle: given.throttle !== undefined, faults: given.faults !== undefined });
    if (given.rateLimits !== undefined) for (const state of this.states.values()) state.bucket = undefined;
    if (given.identityRateLimits !== undefined) for (const identity of this.identities.values()) identity.bucket = undefined;
    return this.getConfig();
  }

  reset(options: ResetOptions = {}): void {
    if (options.config) this.config = this.configOf(this.initial);
    this.arm(this.config);
    for (const route of this.routes) this.states.set(route.key, this.emptyState(route.op));
    this.identities = new Map();
    this.serviceStores = new Map();
    this.recordList = [];
    this.recordsByKind = new Map();
    this.unknownOperations = 0;
    this.since = new Date();
  }

  stats(): SandboxStats {
    const operations: Record<string, OperationStats> = {};
    for (const [key, state] of this.states) operations[key] = { ...state.stats, maxPerSecond: state.window.max };
    const identities: Record<string, IdentityStats> = {};
    for (const [identity, state] of this.identities) {
      if (state.operations.length === 0) continue; // only refused requests so far: nothing sent, nothing throttled
      identities[identity] = {
        operation: state.operations.join(','),
        messages: state.messages,
        maxPerSecond: state.window.max,
        throttled: state.throttled,
      };
    }
    return { operations, identities, unknownOperations: this.unknownOperations, since: this.since.toISOString() };
  }

  records(kind?: string, query: RecordsQuery = {}): SandboxRecord[] {
    const list = kind ? (this.recordsByKind.get(kind) ?? []) : this.recordList;
    let start = 0;
    if (query.since !== undefined) {
      // Records are in seq order: binary search the first one after `since`.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid].seq <= query.since) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const end = query.limit !== undefined ? Math.min(list.length, start + query.limit) : list.length;
    return list.slice(start, end);
  }

  inboundCall(input: unknown): { ContactId: string } {
    const call = InboundCallSchema.parse(input);
    const ContactId = randomUUID();
    this.serviceStoreOf(SERVICES.connect.id).set(contactKey(call.InstanceId, ContactId), {});
    this.addRecord({ key: 'control:InboundCall' } as Route, ContactId, 'inbound-calls', { ContactId, ...call });
    return { ContactId };
  }

  private addRecord(route: Route, requestId: string, kind: string, data: unknown): void {
    const record: SandboxRecord = {
      seq: ++this.seq,
      kind,
      operation: route.key,
      requestId,
      at: new Date().toISOString(),
      data,
    };
    this.recordList.push(record);
    let list = this.recordsByKind.get(kind);
    if (!list) this.recordsByKind.set(kind, (list = []));
    list.push(record);
  }

  // ---- HTTP -------------------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    try {
      const body = await readBody(req);
      if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/')) {
        this.control(req.method ?? 'GET', url, body, res);
        return;
      }
      await this.operation(req, url, body, res);
    } catch (error) {
      if (res.headersSent) return;
      if (error instanceof HttpError) sendJson(res, error.status, { message: error.message });
      else sendJson(res, 500, { message: error instanceof Error ? error.message : String(error) });
    }
  }

  private control(method: string, url: URL, body: Buffer, res: ServerResponse): void {
    const path = url.pathname.replace(/\/+$/, '');
    const json = (): unknown => {
      if (body.length === 0) return {};
      try {
        return JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'body is not JSON');
      }
    };
    const number = (name: string): number | undefined => {
      const value = url.searchParams.get(name);
      if (value === null || value === '') return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new HttpError(400, `${name} must be a non-negative integer`);
      return n;
    };
    try {
      const route = `${method} ${path}`;
      switch (route) {
        case 'GET /_sandbox/health':
          return sendJson(res, 200, { ok: true, operations: [...this.states.keys()] });
        case 'GET /_sandbox/config':
          return sendJson(res, 200, this.getConfig());
        case 'POST /_sandbox/config':
          return sendJson(res, 200, this.configure(json()));
        case 'GET /_sandbox/stats':
          return sendJson(res, 200, this.stats());
        case 'GET /_sandbox/records': {
          const kind = url.searchParams.get('kind') || undefined;
          const records = this.records(kind, { since: number('since'), limit: number('limit') });
          return sendJson(res, 200, { records, lastSeq: this.seq });
        }
        case 'POST /_sandbox/inbound-call':
          return sendJson(res, 200, this.inboundCall(json()));
        case 'POST /_sandbox/reset':
          this.reset(json() as ResetOptions);
          return sendJson(res, 200, { ok: true });
        default:
          return sendJson(res, 404, { message: `no control route ${route}` });
      }
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { message: error.message });
      if (error && typeof error === 'object' && 'issues' in error) {
        return sendJson(res, 400, { message: 'invalid configuration', issues: (error as { issues: unknown }).issues });
      }
      throw error;
    }
  }

  private unknownOperation(res: ServerResponse, protocol: WireProtocol, message: string, service?: ServiceDefinition) {
    this.unknownOperations++;
    const requestId = randomUUID();
    const status = protocol === 'rest-json' ? 404 : 400;
    send(res, encodeError(protocol, { code: 'UnknownOperationException', status, message }, requestId, service));
  }

  private async operation(req: IncomingMessage, url: URL, rawBody: Buffer, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let route: Route | undefined;
    let pathParams: Record<string, string> = {};
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      route = this.routesByTarget.get(target);
      if (!route) {
        const service = this.servicesByPrefix.get(target.slice(0, target.lastIndexOf('.')));
        const protocol: WireProtocol =
          service?.protocol ?? (String(req.headers['content-type']).includes('1.0') ? 'json-1.0' : 'json-1.1');
        return this.unknownOperation(res, protocol, `Operation ${target} is not served by the sandbox`, service);
      }
    } else {
      const signingName = signingNameOf(req.headers);
      for (const candidate of this.restRoutes) {
        if (signingName && candidate.op.service.signingName !== signingName) continue;
        if (candidate.op.http!.method !== method) continue;
        const params = candidate.match!(url.pathname);
        if (params) {
          route = candidate;
          pathParams = params;
          break;
        }
      }
      if (!route) {
        const service = (Object.values(SERVICES) as ServiceDefinition[]).find((s) => s.signingName === signingName);
        return this.unknownOperation(res, 'rest-json', `No operation at ${method} ${url.pathname} in the sandbox`, service);
      }
    }

    const { op, key } = route;
    const service = op.service;
    const state = this.states.get(key)!;
    const stats = state.stats;
    const requestId = randomUUID();
    const now = performance.now();
    stats.calls++;

    // A malformed body is answered by the operation (a 4xx it counts as rejected), after the
    // injection and rate-limit checks every call goes through.
    let body: Record<string, unknown> | undefined;
    let malformed: ServiceError | undefined;
    try {
      body = this.parseBody(rawBody, service);
    } catch (failure) {
      if (!(failure instanceof ServiceError)) throw failure;
      malformed = failure;
    }

    // Every rule sees every call it selects, so counts stay deterministic whichever fires.
    const faults = this.faultRules.filter((rule) => rule.fires(service.id, op.name));
    const throttles = this.throttleRules.filter((rule) => rule.fires(service.id, op.name));

    let error: ErrorShape | undefined;
    if (faults.length > 0) {
      stats.injectedFaults++;
      error = faults[0].rule.status === 503 ? service.unavailableError : service.internalError;
    } else if (throttles.length > 0) {
      stats.injectedThrottles++;
      error = service.throttlingError;
    } else if (!this.takeToken(state, service.id, op.name, now)) {
      stats.throttled++;
      error = service.throttlingError;
    }

    // Messaging: the origination identity's own bucket (End User Messaging's MPS per sender).
    const identity = !error && body && op.pacedBy ? this.identityOf(op.pacedBy(body)) : undefined;
    let identityToken: TokenBucket | undefined;
    if (identity) {
      const taken = this.takeIdentityToken(identity.state, identity.name, now);
      if (taken === false) {
        stats.throttled++;
        identity.state.throttled++;
        this.usedBy(identity.state, op.name);
        error = service.throttlingError;
      } else {
        identityToken = taken;
      }
    }

    const latency = perOperation(
      typeof this.config.latencyMs === 'number' ? { '*': this.config.latencyMs } : this.config.latencyMs,
      service.id,
      op.name,
    );
    if (error) {
      if (latency) await sleep(latency);
      return send(res, encodeError(service.protocol, error, requestId, service));
    }

    stats.answered++;
    state.window.add(now);
    let wire: WireResponse;
    try {
      if (malformed) throw malformed;
      const answer = await op.handle({
        body: body ?? {},
        headers: req.headers,
        query: url.searchParams,
        pathParams,
        requestId,
        now: () => new Date(),
        record: (kind, data) => this.addRecord(route, requestId, kind, data),
        config: this.config,
        store: state.store,
        serviceStore: this.serviceStoreOf(service.id),
      });
      const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
      const status = answer.status ?? 200;
      wire = {
        status,
        headers: { 'content-type': contentType(service.protocol), 'x-amzn-requestid': requestId, ...answer.headers },
        body: payload,
      };
      if (identity && status < 300) {
        identity.state.messages++;
        identity.state.window.add(now);
        this.usedBy(identity.state, op.name);
      } else {
        identityToken?.refund();
      }
    } catch (failure) {
      if (!(failure instanceof ServiceError)) throw failure;
      identityToken?.refund();
      stats.rejected++;
      wire = encodeError(
        service.protocol,
        { code: failure.code, status: failure.status, message: failure.message },
        requestId,
        service,
        failure.members,
      );
    }
    if (latency) await sleep(latency);
    send(res, wire);
  }

  private parseBody(raw: Buffer, service: ServiceDefinition): Record<string, unknown> {
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      const { code, status, message } = service.badRequestError;
      throw new ServiceError(code, message, status);
    }
    return parsed as Record<string, unknown>;
  }

  /** The pacing state of an origination identity (its bucket included), created on first use. */
  private identityOf(name: string | undefined): { name: string; state: IdentityState } | undefined {
    if (name === undefined) return undefined;
    let state = this.identities.get(name);
    if (!state) {
      state = { operations: [], messages: 0, throttled: 0, window: new SlidingWindowMax() };
      this.identities.set(name, state);
    }
    return { name, state };
  }

  /** Note an operation that sent (or was throttled) from an identity: stats list these. */
  private usedBy(state: IdentityState, operation: string): void {
    if (!state.operations.includes(operation)) state.operations.push(operation);
  }

  /** The bucket a token was taken from, undefined when the identity has no limit, false when refused. */
  private takeIdentityToken(state: IdentityState, name: string, now: number): TokenBucket | undefined | false {
    const limits = this.config.identityRateLimits;
    const rate = limits?.[name] ?? limits?.['*'];
    if (rate === undefined) return undefined;
    if (!state.bucket || state.bucket.rate !== rate) state.bucket = new TokenBucket(rate, now);
    return state.bucket.take(now) ? state.bucket : false;
  }

  private takeToken(state: OperationState, serviceId: string, operation: string, now: number): boolean {
    const rate = perOperation(this.config.rateLimits, serviceId, operation);
    if (rate === undefined) return true;
    if (!state.bucket || state.bucket.rate !== rate) state.bucket = new TokenBucket(rate, now);
    return state.bucket.take(now);
  }
}

/** Start the sandbox in this process on 127.0.0.1 (port 0: a free port). */
export async function startSandbox(
  options: SandboxOptions = {},
  operations: readonly OperationModule[] = OPERATIONS,
): Promise<SandboxHandle> {
  const parsed = SandboxOptionsSchema.parse(options);
  const sandbox = new Sandbox(parsed, operations);
  const server = createServer((req, res) => {
    void sandbox.handle(req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(parsed.port ?? 0, parsed.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    port: address.port,
    stats: async () => sandbox.stats(),
    records: async <T = unknown>(kind?: string, query?: RecordsQuery) =>
      sandbox.records(kind, query) as SandboxRecord<T>[],
    config: async () => sandbox.getConfig(),
    configure: async (config) => sandbox.configure(config),
    reset: async (opts) => sandbox.reset(opts),
    inboundCall: async (call) => sandbox.inboundCall(call),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
