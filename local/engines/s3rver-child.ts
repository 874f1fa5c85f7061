/**
 * Child process: s3rver (S3 API) on 127.0.0.1 storing under `directory`. Must run with
 * `node --openssl-legacy-provider` (truncated ListObjectsV2 answers 500 otherwise).
 * S3 event notifications exist only in this process: they are forwarded to the parent
 * over IPC as `{ type: 's3event', event }`.
 */
import S3rver from 's3rver';
import { announce, childOptions, exitWithParent, fail } from './child-lifecycle';

export interface S3rverChildOptions {
  directory: string;
}

const { directory } = childOptions<S3rverChildOptions>();
const s3rver = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
s3rver.on('event', (event: unknown) => {
  if (process.connected) process.send?.({ type: 's3event', event });
});
s3rver.run().then(
  (address) => announce('s3', `http://127.0.0.1:${address.port}`),
  (error: unknown) => fail('s3rver', error),
);
exitWithParent(async () => {
  const closing = s3rver.close();
  s3rver.httpServer?.closeAllConnections();
  await closing;
});
