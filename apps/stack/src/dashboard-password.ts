import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The local dashboard password when DASHBOARD_PASSWORD is not set: made once, kept in a file only
 * the owner can read, and never printed (the log names the file instead).
 */
export function localDashboardPassword(file: string): string {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (saved.length >= 8) return saved;
  }
  mkdirSync(dirname(file), { recursive: true });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}
