import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS } from '../harness.js';

/** The Cost and Backups pages, and the app API the page itself uses (signed in with the tab's secret). */
export class CostPage {
  constructor(readonly page: Page) {}

  async go(hashPath: string): Promise<void> {
    await this.page.evaluate((p) => (window.location.hash = p), hashPath);
  }

  /** Calls the app API as the page does, with the secret this tab holds. */
  async call<T>(name: string, input: unknown): Promise<T> {
    const answer = await this.page.evaluate(
      async ({ name, input }) => {
        const secret = window.sessionStorage.getItem('benchtop.page-secret') ?? '';
        const res = await fetch(`/api/call/${name}`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ input }) });
        return (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
      },
      { name, input },
    );
    if (!answer.ok) throw new Error(`${name}: ${answer.error?.message ?? 'failed'}`);
    return answer.value as T;
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: path.join(ARTIFACTS, `cost-${name}.png`), fullPage: true });
  }
}
