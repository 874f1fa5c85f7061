/**
 * Used inside each engine child: announce the URL on stdout as one JSON line, and exit
 * when told to (SIGTERM/SIGINT) or when the parent is gone (IPC channel closed, or the
 * process re-parented) — so no engine outlives the process that started it.
 */
export function announce(key: string, url: string): void {
  process.stdout.write(`${JSON.stringify({ [key]: url })}\n`);
}

export function exitWithParent(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 5000);
    force.unref();
    close().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  if (process.send) process.on('disconnect', () => stop(0));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop(0);
  }, 1000).unref();
}

/** Parse the child's options: its first argument, as JSON. */
export function childOptions<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export function fail(name: string, error: unknown): never {
  process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
