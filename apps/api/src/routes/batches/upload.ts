import type { FastifyRequest } from 'fastify';
import type { BatchFormat } from '@vidqueue/core/contract';
import { UploadAbortedError } from '@vidqueue/core/producer';
import { HttpError } from '../../errors.js';

/** Media types accepted as a whole-body batch file, and the format each one means. */
export const BODY_FORMATS: Readonly<Record<string, BatchFormat>> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/jsonlines': 'jsonl',
};

const EXTENSIONS: Readonly<Record<string, BatchFormat>> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

/** Room for the multipart envelope on top of MAX_UPLOAD_BYTES when checking Content-Length. */
export const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * The format of a multipart file part: from its extension when it has a known one (browsers send
 * `.csv` files as `application/vnd.ms-excel` or `application/octet-stream`), else from its type.
 */
export function partFormat(
  filename: string | undefined,
  mimetype: string | undefined,
): BatchFormat | undefined {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename ?? '')?.[1]?.toLowerCase();
  if (ext !== undefined && EXTENSIONS[ext]) return EXTENSIONS[ext];
  const type = (mimetype ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return BODY_FORMATS[type];
}

export type Upload = {
  source: NodeJS.ReadableStream;
  format: BatchFormat;
  /**
   * After the file was read: reads what follows it and answers the multipart text fields, wherever they
   * were in the body (`UPLOAD_FIELDS`). A second file, a field given twice, and a field this upload does
   * not read (an option meant for the query string) are each a 400: each would otherwise be dropped
   * without a word (one upload is one file, and a batch sent to the wrong model costs money).
   */
  rest(): Promise<Record<string, string>>;
};

/** The multipart text fields an upload reads; every other option is a query parameter. */
export const UPLOAD_FIELDS: readonly string[] = ['webhook_url', 'webhook_events'];
/** The options of POST /v1/batches that are query parameters only. */
const QUERY_OPTIONS = new Set(['on_invalid', 'model', 'dry_run', 'max_cost_usd', 'ignore_balance']);

const noFields = () => Promise.resolve({});

type FieldValue = { type?: unknown; value?: unknown };

/** The text fields of a multipart body once it was read to its end (`part.fields`, kept up to date by @fastify/multipart). */
function uploadFields(all: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(all)) {
    const values = (Array.isArray(entry) ? entry : [entry]) as FieldValue[];
    const texts = values.filter((v) => v?.type === 'field');
    if (texts.length === 0) continue; // the file part
    const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 59)}…` : name);
    if (!UPLOAD_FIELDS.includes(name)) {
      throw new HttpError.BadRequest(
        QUERY_OPTIONS.has(name)
          ? `The multipart field ${shown} is not read: give it in the query string (POST /v1/batches?${name}=…); the fields read are ${UPLOAD_FIELDS.join(' and ')}, and the file in "file"`
          : `The multipart field ${shown} is not a field of an upload: the fields read are ${UPLOAD_FIELDS.join(' and ')}, and the file in "file"`,
      );
    }
    if (texts.length > 1) {
      throw new HttpError.BadRequest(
        `The multipart field ${shown} is given ${texts.length} times; give it once`,
      );
    }
    const value = texts[0]?.value;
    if (typeof value !== 'string') {
      throw new HttpError.BadRequest(`The multipart field ${shown} must be text, not JSON`);
    }
    out[name] = value;
  }
  return out;
}

/** The uploaded file's bytes and format: the whole body, or the multipart field `file`. */
export async function openUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  if (request.isMultipart()) {
    const files = request.files({ limits: { fileSize: maxBytes + 1, files: 1 } });
    const first = await files.next();
    const part = first.done ? undefined : first.value;
    // A body that ends inside the file part (no closing boundary) is all parsed while this awaited:
    // @fastify/multipart has already destroyed the part with busboy's error, and a destroyed stream
    // emits neither 'end' nor 'error' again, so spooling it would wait until the rate check cut it.
    if (part?.file.destroyed) {
      throw part.file.errored ?? new UploadAbortedError('the upload ended before its last byte');
    }
    if (!part || part.fieldname !== 'file') {
      part?.file.resume();
      throw new HttpError.BadRequest('The multipart body needs a file field named "file"');
    }
    const format = partFormat(part.filename, part.mimetype);
    if (format === undefined) {
      part.file.resume();
      const shown = JSON.stringify((part.filename ?? '').slice(0, 100));
      throw new HttpError.PartMediaType(`${shown} (${(part.mimetype ?? 'no type').slice(0, 100)})`);
    }
    const rest = async () => {
      const next = await files.next().catch((err: unknown) => {
        // @fastify/multipart's FilesLimitError: busboy saw a second file past `files: 1`.
        if ((err as { code?: unknown }).code === 'FST_FILES_LIMIT')
          return { done: false as const, value: undefined };
        throw err;
      });
      if (!next.done) {
        next.value?.file.resume();
        throw new HttpError.BadRequest(
          'The multipart body has more than one file: send one file per upload (in the field "file")',
        );
      }
      // The body has been parsed to its end: every field is in, before the file or after it.
      return uploadFields(part.fields);
    };
    return { source: part.file, format, rest };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const format = BODY_FORMATS[type];
  if (format === undefined) throw new HttpError.BatchMediaType();
  return { source: request.body as NodeJS.ReadableStream, format, rest: noFields };
}

/**
 * A multipart upload's failure as the client's mistake when it is one: busboy's parse errors ("Multipart:
 * Boundary not found", "Unexpected end of multipart data", a malformed part header...) are plain `Error`s
 * (no code, no status), and a body that is not the multipart it claims to be is a 400
 * `MALFORMED_MULTIPART`, never a 500. Anything else (a limit's 413, a connection gone, a disk error) as is.
 */
export function multipartError(request: FastifyRequest, err: unknown): unknown {
  if (!request.isMultipart() || request.raw.readableAborted) return err;
  if (!(err instanceof Error) || err.constructor !== Error || 'code' in err) return err;
  return new HttpError.MalformedMultipart(describeMultipartError(err.message));
}

function describeMultipartError(message: string): string {
  if (/boundary not found/i.test(message)) {
    return 'The multipart/form-data Content-Type has no boundary parameter (multipart/form-data; boundary=...)';
  }
  if (/unexpected end|terminated early/i.test(message)) {
    return 'The body ended before the multipart data did: it needs parts delimited by --<boundary> and a closing --<boundary>--';
  }
  return `The multipart body is malformed: ${message}`;
}
