import { ApiError, NotFoundError, UnavailableError, ValidationError, type FieldIssue } from './errors.js';

type ErrorBody = { error?: { code?: string; message?: string; details?: unknown } };

/**
 * The SDK error for an API answer that is not 2xx, as the Redis mode makes it from a producer refusal
 * (`redis-errors.ts`): `ValidationError` for a 400 with field issues, `NotFoundError` for a resource's
 * 404, `UnavailableError` for 502/503/504, else `ApiError` with the status, code, message and details.
 */
export async function toError(res: Response, id: string): Promise<Error> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON: keep the status only
  }
  const code = body.error?.code ?? `HTTP_${res.status}`;
  const message = body.error?.message ?? `${res.status} ${res.statusText}`;
  const details = body.error?.details;
  if (res.status === 400 && code === 'VALIDATION_ERROR' && Array.isArray(details)) {
    return new ValidationError(
      details as FieldIssue[],
      `${message}: ${(details as FieldIssue[]).map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ')}`,
    );
  }
  if (res.status === 404 && code !== 'ROUTE_NOT_FOUND') {
    return new NotFoundError(id, message, code);
  }
  if (res.status === 503 || res.status === 502 || res.status === 504) return new UnavailableError(message);
  return new ApiError(res.status, code, message, details);
}

/** Why a request never got an answer: the network error's code or message. */
export function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
