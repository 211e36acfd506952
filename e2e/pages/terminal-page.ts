import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { callApi, UI_POLL } from '../harness.js';

/** The Terminal page: tabs of xterm terminals and the "New terminal" choices. */
export class TerminalPage {
  constructor(readonly page: Page) {}

  /** The shown terminal (hidden tabs stay mounted). */
  terminal(): Locator {
    return this.page.locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal-view"]');
  }

  /** What xterm has on screen, one string per row. */
  async screenText(): Promise<string> {
    return (await this.terminal().locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * Waits for the shell's first output (its prompt). xterm is on screen before the page's link to
   * the session is open, and keys typed before that are dropped; output only comes once it is.
   */
  async waitForShell(): Promise<void> {
    await expect.poll(async () => (await this.screenText()).trim(), UI_POLL).not.toBe('');
  }

  async type(line: string): Promise<void> {
    await this.waitForShell();
    await this.terminal().locator('.xterm-screen').click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** Calls the app's API as the page does (its page secret), for set-up steps the spec does not test. */
  call<T>(name: string, input: unknown): Promise<T> {
    return callApi<T>(this.page, name, input);
  }
}
