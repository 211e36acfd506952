import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS, UI_POLL } from '../harness.js';

/** Capsules and runs as a researcher meets them: the platform badge, capsule pages, run pages. */
export class ResearcherPage {
  constructor(readonly page: Page) {}

  get platformBadge(): Locator {
    return this.page.locator('.rs-platform-badge > summary');
  }

  heading(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  async go(hashPath: string): Promise<void> {
    await this.page.evaluate((p) => (window.location.hash = p), hashPath);
  }

  /** Waits until the header says the local sandbox answers (it starts with the app). */
  async waitForPlatform(timeoutMs = 90_000): Promise<void> {
    await this.page.locator('.rs-platform-badge[data-state="connected"]').waitFor({ timeout: timeoutMs });
  }

  /** Waits for the local sandbox to connect; when it never does, the error carries the host's stderr. */
  async waitForSandbox(hostStderr: () => string): Promise<void> {
    try {
      await this.waitForPlatform();
    } catch (error) {
      throw new Error(`the local sandbox never answered: ${(error as Error).message}\nhost stderr:\n${hostStderr()}`);
    }
  }

  async createFromTemplate(name: string, template: 'Python' | 'R' | 'Shell'): Promise<void> {
    await this.go('/capsules');
    await this.page.getByRole('link', { name: 'New capsule' }).first().click();
    await this.heading('New capsule').waitFor();
    await this.page.getByRole('textbox', { name: 'Name' }).fill(name);
    await this.page.getByRole('radio', { name: new RegExp(`^${template}`) }).check();
    await this.page.getByRole('button', { name: 'Create capsule' }).click();
    await this.heading(name).waitFor();
  }

  async openFile(file: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Capsule files' }).getByRole('button', { name: new RegExp(`^${file.replace('.', '\\.')}`) }).click();
    await this.page.locator('.rs-viewer__path', { hasText: file }).waitFor();
  }

  async editFile(file: string, change: (text: string) => string): Promise<void> {
    await this.openFile(file);
    await this.page.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = this.page.getByRole('textbox', { name: `Content of ${file}` });
    await editor.fill(change(await editor.inputValue()));
    await this.page.getByRole('button', { name: 'Save as new version' }).click();
    await this.page.getByText(new RegExp(`Saved ${file.replace('.', '\\.')} as version`)).waitFor();
  }

  viewerText(): Locator {
    return this.page.locator('.rs-viewer pre');
  }

  /** From a capsule page: opens the launch form, submits it as it is, lands on the new run's page. */
  async launchRunFromCapsule(): Promise<string> {
    await this.page.getByRole('button', { name: 'Launch run' }).click();
    await this.heading('Launch a run').waitFor();
    // The command field fills in with the capsule's default command once the capsule is read.
    // Launching before that would submit an empty command.
    const command = this.page.getByRole('textbox', { name: 'Command' });
    await expect.poll(() => command.inputValue(), UI_POLL).not.toBe('');
    await this.page.getByRole('button', { name: 'Launch run' }).click();
    return this.currentRunId();
  }

  async currentRunId(): Promise<string> {
    await this.heading(/^Run run_/).waitFor();
    return ((await this.heading(/^Run run_/).textContent()) ?? '').replace(/^Run /, '');
  }

  runState(): Locator {
    return this.page.locator('.page-header [data-run-state]');
  }

  async waitForRunState(state: string, timeoutMs = 60_000): Promise<void> {
    await this.page.locator(`.page-header [data-run-state="${state}"]`).waitFor({ timeout: timeoutMs });
  }

  logCount(): Locator {
    return this.page.locator('.rs-log__count');
  }

  /**
   * Starts writing down, in the page, every line count the log's toolbar shows while it says
   * "live"; the returned function reads them back. Kept by the page itself, so a count shown for
   * a moment between two round trips of the test is not missed.
   */
  async recordLiveLogCounts(): Promise<() => Promise<number[]>> {
    await this.page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { liveLogCounts: number[] }).liveLogCounts = seen;
      const note = () => {
        const text = document.querySelector('.rs-log__count')?.textContent ?? '';
        const count = Number(text.replace(/[^\d]/g, ''));
        if (text.includes('live') && count !== seen.at(-1)) seen.push(count);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    return () => this.page.evaluate(() => (window as unknown as { liveLogCounts: number[] }).liveLogCounts);
  }

  /**
   * Starts writing down, in the page, every notification (toast) it shows; the returned function
   * reads them back. A toast is gone a few seconds after it shows, which on a busy machine can be
   * before the test, waiting on something else first, would look for it.
   */
  async recordToasts(): Promise<() => Promise<string[]>> {
    await this.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenToasts: string[] }).seenToasts = seen;
      const region = document.querySelector('.toasts');
      if (!region) throw new Error('the page has no notification region (.toasts)');
      const note = () => {
        for (const message of region.querySelectorAll('.toast__message')) {
          const text = message.textContent ?? '';
          if (!seen.includes(text)) seen.push(text);
        }
      };
      new MutationObserver(note).observe(region, { subtree: true, childList: true, characterData: true });
    });
    return () => this.page.evaluate(() => (window as unknown as { seenToasts: string[] }).seenToasts);
  }

  /** Stops following and scrolls the log to its first line, as a reader going back to the start. */
  async scrollLogToTop(): Promise<void> {
    await this.page.getByTestId('log-scroller').evaluate((el) => el.scrollTo(0, 0));
  }

  logRow(text: string | RegExp): Locator {
    return this.page.locator('[data-log-row]', { hasText: text });
  }

  async tab(name: 'Logs' | 'Results' | 'Details'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `researcher-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
