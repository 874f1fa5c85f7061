/**
 * S3: ranged, streaming reads of uploaded files and writes of reports. Reads never load
 * a whole file; report files are streamed up in parts.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';

export interface StoredObject {
  readonly size: number;
  readonly etag: string;
  readonly versionId?: string;
  readonly lastModified?: string;
}

export class ObjectStore {
  constructor(private readonly s3: S3Client = new S3Client({})) {}

  async head(bucket: string, key: string, versionId?: string): Promise<StoredObject> {
    const out = await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return { size: out.ContentLength ?? 0, etag: (out.ETag ?? '').replace(/"/g, ''), versionId: out.VersionId, lastModified: out.LastModified?.toISOString() };
  }

  /** The object's bytes from `from` to the end (or to `to`, inclusive), as a stream of chunks. */
  async read(bucket: string, key: string, versionId: string | undefined, from: number, to?: number): Promise<Readable> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, Range: `bytes=${from}-${to ?? ''}` }));
    return out.Body as Readable;
  }

  async readBytes(bucket: string, key: string, versionId: string | undefined, from: number, to: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of await this.read(bucket, key, versionId, from, to)) parts.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(parts);
  }

  /** Streams lines produced by `lines` into one object (multipart above 5 MiB). */
  async writeLines(bucket: string, key: string, contentType: string, lines: AsyncIterable<string>): Promise<void> {
    const body = Readable.from(
      (async function* () {
        for await (const line of lines) yield Buffer.from(line);
      })(),
    );
    await new Upload({ client: this.s3, params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType } }).done();
  }

  async writeText(bucket: string, key: string, contentType: string, text: string): Promise<void> {
    await new Upload({ client: this.s3, params: { Bucket: bucket, Key: key, Body: text, ContentType: contentType } }).done();
  }
}
