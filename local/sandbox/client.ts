/** A client for the sandbox's control API (`/_sandbox/*`) — for a sandbox in another process. */
import type {
  InboundCall,
  RecordsQuery,
  ResetOptions,
  SandboxConfig,
  SandboxControl,
  SandboxRecord,
  SandboxStats,
} from './types';

export class SandboxClient implements SandboxControl {
  readonly url: string;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_sandbox/${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} /_sandbox/${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  health(): Promise<{ ok: boolean; operations: string[] }> {
    return this.call('GET', 'health');
  }

  stats(): Promise<SandboxStats> {
    return this.call('GET', 'stats');
  }

  async records<T = unknown>(kind?: string, query: RecordsQuery = {}): Promise<SandboxRecord<T>[]> {
    const params = new URLSearchParams();
    if (kind) params.set('kind', kind);
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    const qs = params.toString();
    const answer = await this.call<{ records: SandboxRecord<T>[] }>('GET', `records${qs ? `?${qs}` : ''}`);
    return answer.records;
  }

  config(): Promise<SandboxConfig> {
    return this.call('GET', 'config');
  }

  configure(config: SandboxConfig): Promise<SandboxConfig> {
    return this.call('POST', 'config', config);
  }

  inboundCall(call: InboundCall): Promise<{ ContactId: string }> {
    return this.call('POST', 'inbound-call', call);
  }

  async reset(options: ResetOptions = {}): Promise<void> {
    await this.call('POST', 'reset', options);
  }
}
