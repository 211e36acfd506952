import { z } from 'zod';
import { readPrivateJson, writePrivateJson } from '../settings/private-json-file.js';

const mutesFile = z.record(z.string(), z.record(z.string(), z.object({ reason: z.string(), at: z.string() })));

/**
 * Why each alarm was muted, kept by the app (CloudWatch keeps only that its actions are off):
 * `<app-data>/alarm-mutes.json`, by source ("local", "stack:<region>:<name>") and alarm name.
 */
export class AlarmMutes {
  constructor(private readonly file: string) {}

  private read() {
    return readPrivateJson(this.file, mutesFile, {}, { what: 'alarm mute reasons', fix: 'Fix or delete the file; only the reasons are lost.' });
  }

  reasons(source: string): Map<string, string> {
    return new Map(Object.entries(this.read()[source] ?? {}).map(([name, m]) => [name, m.reason]));
  }

  set(source: string, name: string, reason: string | undefined): void {
    const all = this.read();
    const forSource = { ...(all[source] ?? {}) };
    if (reason) forSource[name] = { reason, at: new Date().toISOString() };
    else delete forSource[name];
    writePrivateJson(this.file, { ...all, [source]: forSource });
  }
}
