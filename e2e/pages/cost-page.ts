import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, callApi } from '../harness.js';

/** The Cost and Backups pages, and the app API the page itself uses (signed in with the tab's secret). */
export class CostPage {
  constructor(readonly page: Page) {}

  async go(hashPath: string): Promise<void> {
    await this.page.evaluate((p) => (window.location.hash = p), hashPath);
  }

  /** Calls the app API as the page does, with the secret this tab holds. */
  call<T>(name: string, input: unknown): Promise<T> {
    return callApi<T>(this.page, name, input);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: path.join(ARTIFACTS, `cost-${name}.png`), fullPage: true });
  }
}
