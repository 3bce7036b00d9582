// The value shapes settings are written in (milliseconds, comma lists, origins, hosts), for ConfigSchema.
import { z } from 'zod';

/** Milliseconds, given as a plain integer. */
export const ms = () => z.coerce.number().int().min(0);
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0),
);

/** An origin as browsers send it: `http(s)://host[:port]`, nothing after; normalised (`new URL().origin`). */
export function origin() {
  return z.string().transform((raw, ctx) => {
    try {
      const url = new URL(raw);
      const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if ((url.protocol === 'http:' || url.protocol === 'https:') && bare && !raw.endsWith('/')) {
        return url.origin;
      }
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: `${raw} is not an origin such as https://tool.example` });
    return z.NEVER;
  });
}

/** A Host header value to allow: `name` (any port) or `name:port`, lower-cased. */
export function hostEntry() {
  return z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'must be a host name, optionally with :port')
    .transform((h) => h.toLowerCase());
}
