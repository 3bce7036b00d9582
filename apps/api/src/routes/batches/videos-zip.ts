import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { batchVideoFileName, type BatchResultRow } from '@vidqueue/core/contract';
import type { Config } from '@vidqueue/core/runtime';
import {
  classifyAddress,
  isIpLiteral,
  isSafeHttpError,
  safeFetch,
  type AddressPolicy,
} from '@vidqueue/safe-http';
import { BatchErrorSchema } from '../error-schema.js';
import { IdParams, type ZodApp } from './schemas.js';

/** Largest video put in a zip, and the longest one video's transfer may take. */
const MAX_VIDEO_BYTES = 2 * 1024 ** 3;
const VIDEO_TIMEOUT_MS = 10 * 60_000;

/**
 * Which non-public addresses the API may fetch video URLs from: none, unless the provider's base URL is
 * itself a loopback or private address (the simulator on this machine or in a compose network), whose
 * range is then allowed. The cloud metadata service (link-local) never is.
 */
export function videoFetchPolicy(providerBaseUrl: string): AddressPolicy {
  const host = new URL(providerBaseUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost' || host.endsWith('.localhost')) return { allowRanges: ['loopback'] };
  if (!isIpLiteral(host)) return {};
  const info = classifyAddress(host);
  if (!info || info.public || info.range === 'linkLocal') return {};
  return { allowRanges: [info.range] };
}

/**
 * `GET /v1/batches/:id/videos.zip`: the completed rows' videos in one zip, streamed as it is made. Rows
 * are read a thousand at a time, videos one at a time: an archived row's file from storage, any other
 * from the provider's URL through `@vidqueue/safe-http` (checked addresses and redirects, a size cap and
 * a deadline), and piped into the zip entry by entry, so neither
 * the zip nor a video is ever held in memory. A video that cannot be fetched becomes a small
 * `<name>.error.txt` entry saying why, and the rest goes on. Entries are stored, not deflated (MP4 is
 * already compressed); yazl writes ZIP64 records when the zip passes 4 GiB.
 */
export function batchVideosZipRoute(app: ZodApp, config: Config): void {
  const policy = videoFetchPolicy(config.AIMLAPI_BASE_URL);
  const fetchVideo = async (url: string): Promise<Readable> =>
    (await safeFetch(url, { ...policy, maxBytes: MAX_VIDEO_BYTES, timeoutMs: VIDEO_TIMEOUT_MS })).body;

  /** An archived row's file from storage (the provider's link may have expired), else the provider URL. */
  const openVideo = async (batchId: string, row: BatchResultRow, archived: boolean): Promise<Readable> => {
    const { storage, store } = app.archive;
    if (archived && storage) {
      const record = (await store.rows(batchId, [row.row])).get(row.row);
      const read = record?.status === 'archived' ? await storage.read(record.storage_key) : undefined;
      if (read) return read.body;
    }
    if (!row.video_url) throw new Error('no archived file and no provider URL');
    return fetchVideo(row.video_url);
  };
  app.get(
    '/v1/batches/:id/videos.zip',
    {
      schema: {
        tags: ['batches'],
        summary: 'The completed videos of a batch in one zip, streamed',
        description:
          'One entry per completed row, named like `vidq download` names files (`<row>-<custom_id>.mp4`): our archived copy when there is one, else the provider’s file. A video that cannot be had is replaced by `<name>.error.txt` with the reason.',
        params: IdParams,
        response: {
          200: z.string().describe('application/zip, streamed'),
          404: BatchErrorSchema,
          503: BatchErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { rows } = await app.producer.openBatchResults(id); // 404 before anything streams
      const zip = new ZipFile();
      const state: ZipState = { closed: false, current: undefined };
      reply.raw.on('close', () => {
        // The client went away: stop fetching; a video being read is dropped.
        state.closed = true;
        state.current?.destroy();
      });
      zip.on('error', (err: unknown) => {
        request.log.warn({ batchId: id, err }, 'zip: a video broke off');
        reply.raw.destroy();
      });
      const fill = async () => {
        for await (const row of rows) {
          if (state.closed) break;
          if (row.status !== 'completed') continue;
          const archived = row.archive?.status === 'archived';
          if (!row.video_url && !archived) continue;
          await addVideo(zip, row, () => openVideo(id, row, archived), state);
        }
      };
      fill()
        .catch((err: unknown) => request.log.warn({ batchId: id, err }, 'zip: rows unreadable'))
        .finally(() => zip.end());
      reply.header('content-disposition', `attachment; filename="${id}.videos.zip"`);
      return reply.type('application/zip').send(zip.outputStream as unknown as string);
    },
  );
}

/** Adds one row's video (or why it is missing) and resolves once its bytes have gone into the zip. */
type ZipState = { closed: boolean; current: Readable | undefined };

async function addVideo(
  zip: ZipFile,
  row: BatchResultRow,
  open: () => Promise<Readable>,
  state: ZipState,
): Promise<void> {
  const name = batchVideoFileName(row);
  let body: Readable;
  try {
    body = await open();
  } catch (err) {
    const reason = isSafeHttpError(err) ? `${err.code}: ${err.message}` : 'the video could not be fetched';
    zip.addBuffer(Buffer.from(`Row ${row.row}: ${reason}\n`), `${name}.error.txt`, { compress: false });
    return;
  }
  if (state.closed) {
    body.destroy();
    return;
  }
  state.current = body;
  zip.addReadStreamLazy(name, { compress: false }, (cb) => cb(null, body));
  // One video at a time: the next is fetched once this one has been read into the zip.
  await once(body, 'close').catch(() => undefined);
  state.current = undefined;
}
