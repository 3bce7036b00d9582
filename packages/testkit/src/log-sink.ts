import { Writable } from 'node:stream';

/** A stream that keeps every pino line written to it, parsed, for assertions. */
export class LogSink extends Writable {
  readonly raw: string[] = [];

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.raw.push(line);
    cb();
  }

  get lines(): Record<string, unknown>[] {
    return this.raw.map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  text(): string {
    return this.raw.join('\n');
  }
}
