/**
 * Start one engine in its own Node process and wait until it announces its URL.
 * Children run `process.execPath [nodeArgs] --require <tsx/cjs> <script.ts> <options JSON>`
 * with an IPC channel (the child exits when it closes) and are killed on stop or parent exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  script: string;
  /** Passed to the child as its first argument, as JSON. */
  options?: unknown;
  /** Node flags before the tsx hook, e.g. `--openssl-legacy-provider`. */
  nodeArgs?: string[];
  /** The key of the JSON line the child prints when ready: `{"<readyKey>":"http://..."}`. */
  readyKey: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  onMessage?: (message: unknown) => void;
}

export interface EngineChild {
  name: string;
  pid: number;
  url: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Last output of the child (stdout after the ready line, and stderr), for diagnostics. */
  output(): string;
}

const OUTPUT_TAIL = 8 * 1024;

/**
 * tsx's CommonJS register hook, by absolute path so it works whatever the child's cwd.
 * The project is CommonJS, so `--require tsx/cjs` suffices; it starts about twice as fast as
 * `--import tsx` (whose ESM hooks slow every module load — ~0.5 s more for s3rver's tree).
 */
export function tsxRequireHook(): string {
  return require.resolve('tsx/cjs');
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export function startChild(spec: ChildSpec): Promise<EngineChild> {
  const args = [
    ...(spec.nodeArgs ?? []),
    '--require',
    tsxRequireHook(),
    spec.script,
    JSON.stringify(spec.options ?? {}),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: spec.env ?? process.env,
    windowsHide: true,
  });
  let tail = '';
  const keep = (text: string) => {
    tail = (tail + text).slice(-OUTPUT_TAIL);
  };
  child.stderr!.setEncoding('utf8').on('data', keep);
  if (spec.onMessage) child.on('message', spec.onMessage);
  const exited = new Promise<void>((resolve) => {
    if (!isRunning(child)) resolve();
    else child.once('exit', () => resolve());
  });

  const stop = async (graceMs = 5000): Promise<void> => {
    if (isRunning(child)) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (isRunning(child)) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }
    if (child.connected) child.disconnect();
  };

  return new Promise<EngineChild>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      void stop(1000);
      reject(new Error(`${spec.name} did not start within ${spec.timeoutMs ?? 30_000} ms\n${tail}`));
    }, spec.timeoutMs ?? 30_000);

    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (ready) return keep(`${line}\n`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return keep(`${line}\n`);
      }
      const url = (parsed as Record<string, unknown> | null)?.[spec.readyKey];
      if (typeof url !== 'string') return keep(`${line}\n`);
      ready = true;
      clearTimeout(timer);
      resolve({ name: spec.name, pid: child.pid!, url, process: child, stop, output: () => tail });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${spec.name} could not be started: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      if (ready) return;
      clearTimeout(timer);
      // Let the last stderr arrive before reporting.
      setImmediate(() =>
        reject(new Error(`${spec.name} exited before it was ready (code ${code}, signal ${signal})\n${tail}`)),
      );
    });
  });
}
