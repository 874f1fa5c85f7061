/** Child process: dynalite (DynamoDB API) on 127.0.0.1, on disk at `path` or in memory. */
import { request } from 'node:http';
import dynalite from 'dynalite';
import { announce, childOptions, exitWithParent, fail } from './child-lifecycle';

export interface DynaliteChildOptions {
  path?: string;
}

/**
 * dynalite opens its LevelDB on the first request; ask it for ListTables before announcing
 * so a locked or unreadable state directory fails the start, not the first handler call.
 */
function probe(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'x-amz-date': '20200101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`ListTables answered ${res.statusCode}: ${body}`)),
        );
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

const { path } = childOptions<DynaliteChildOptions>();
const where = path
  ? `dynalite could not use ${path} (is another process using this state directory? LevelDB allows one)`
  : 'dynalite (in memory)';
process.on('uncaughtException', (error) => fail(where, error));
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.on('error', (error) => fail('dynalite', error));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') fail('dynalite', new Error('no TCP address'));
  probe(address.port).then(
    () => announce('dynamodb', `http://127.0.0.1:${address.port}`),
    (error: unknown) => fail(where, error),
  );
});
exitWithParent(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
