/** `redis://:secret@host:6379/0` becomes `redis://***@host:6379/0`: safe to log or show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
