/**
 * The archive of a finished video: our own copy in storage (see @vidqueue/storage), recorded on the
 * video and on its batch row. `pending` from the video's completion until the archive job settles,
 * then `archived` or `archive_failed` with a reason. Snake_case: it is what the API shows.
 */
import { z } from 'zod';

export const ARCHIVE_STATUSES = ['pending', 'archived', 'archive_failed'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

/** Why an archive failed: the source expired (403/404/410), refused, too big, not an MP4, or storage trouble. */
export const ArchiveFailure = {
  SourceExpired: 'source_expired',
  SourceRefused: 'source_refused',
  TooLarge: 'too_large',
  NotMp4: 'not_mp4',
  DownloadFailed: 'download_failed',
  StorageFailed: 'storage_failed',
} as const;
export type ArchiveFailure = (typeof ArchiveFailure)[keyof typeof ArchiveFailure];

export const ArchiveRecordSchema = z.object({
  status: z.enum(ARCHIVE_STATUSES),
  /** Our key in storage (from our ids only): `videos/<id>.mp4`, `batches/<batchId>/<jobId>.mp4`. */
  storage_key: z.string(),
  bytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  archived_at: z.iso.datetime().nullable(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type ArchiveRecord = z.infer<typeof ArchiveRecordSchema>;

/** What a client sees of an archive (the storage key stays ours). */
export const ArchiveViewSchema = z
  .object({
    status: z.enum(ARCHIVE_STATUSES),
    bytes: z.number().int().nullable(),
    sha256: z.string().nullable().describe('SHA-256 (hex) of the archived MP4'),
    archived_at: z.iso.datetime().nullable(),
    reason: z.string().optional().describe('Why the archive failed, e.g. source_expired'),
  })
  .meta({ id: 'Archive' });
export type ArchiveView = z.infer<typeof ArchiveViewSchema>;

export function toArchiveView(record: ArchiveRecord | undefined): ArchiveView | null {
  if (!record) return null;
  return {
    status: record.status,
    bytes: record.bytes,
    sha256: record.sha256,
    archived_at: record.archived_at,
    ...(record.reason === undefined ? {} : { reason: record.reason }),
  };
}

/** The storage key of a video's archive: from our ids only, never from the provider's URL. */
export function archiveStorageKey(videoId: string, batchId?: string): string {
  return batchId === undefined ? `videos/${videoId}.mp4` : `batches/${batchId}/${videoId}.mp4`;
}

/** Where the archived file of a video is served: `GET /v1/videos/:id/content`. */
export function contentUrl(publicBase: string, videoId: string): string {
  return `${publicBase}/v1/videos/${encodeURIComponent(videoId)}/content`;
}

/** The URL a client should use: ours once archived, else the provider's (or none). */
export function chooseVideoUrl(
  publicBase: string | undefined,
  videoId: string,
  providerUrl: string | null,
  archive: ArchiveRecord | undefined,
): string | null {
  if (archive?.status === 'archived' && publicBase !== undefined) return contentUrl(publicBase, videoId);
  return providerUrl;
}

/** Parses a stored record; undefined for anything unreadable (an older format, a stray value). */
export function parseArchiveRecord(raw: string | null | undefined): ArchiveRecord | undefined {
  if (!raw) return undefined;
  try {
    return ArchiveRecordSchema.safeParse(JSON.parse(raw)).data;
  } catch {
    return undefined;
  }
}

/**
 * A view made without the archive (the shared video mapping) with the archive laid over it: `video_url`
 * becomes ours once archived, `archive` shows the record. For adapters that load the record apart.
 */
export function withArchive<V extends { id: string; status: string; provider_video_url: string | null }>(
  view: V,
  archive: ArchiveRecord | undefined,
  publicBase: string,
): V & { video_url: string | null; archive: ArchiveView | null } {
  if (view.status !== 'completed') return { ...view, archive: null, video_url: view.provider_video_url };
  return {
    ...view,
    video_url: chooseVideoUrl(publicBase, view.id, view.provider_video_url, archive),
    archive: toArchiveView(archive),
  };
}
