import type { z } from 'zod';
import type { Db } from './db.js';

/**
 * The agent's own settings (the local rate, the budget's hard stop): one JSON value per key.
 * A value that no longer parses (an older agent wrote another shape) reads as absent.
 */
export class PlatformSettings {
  constructor(private readonly db: Db) {}

  get<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
    const row = this.db.prepare('SELECT value FROM platform_settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return null;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      return null;
    }
    const parsed = schema.safeParse(raw);
    return parsed.success ? (parsed.data as z.output<S>) : null;
  }

  /** Call inside a write (WriteQueue). */
  set(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO platform_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}
