import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS, callApi } from '../harness.js';

export type ThemeLabel = 'System' | 'Light' | 'Dark';

/** The app shell as a user meets it: sidebar, header, page heading, shortcuts. */
export class ShellPage {
  constructor(readonly page: Page) {}

  get nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Pages' });
  }

  get banner(): Locator {
    return this.page.getByRole('banner');
  }

  get main(): Locator {
    return this.page.getByRole('main');
  }

  get profilePicker(): Locator {
    return this.page.getByRole('combobox', { name: 'AWS profile' });
  }

  get helpDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  }

  navLink(label: string): Locator {
    return this.nav.getByRole('link', { name: label, exact: true });
  }

  /** Waits until the page with this heading is shown. */
  async waitForPage(label: string): Promise<void> {
    await this.page.getByRole('heading', { level: 1, name: label, exact: true }).waitFor();
  }

  async currentNavLabel(): Promise<string> {
    return (await this.nav.locator('a[aria-current="page"] .nav-link__label').textContent()) ?? '';
  }

  async clickPage(label: string): Promise<void> {
    await this.navLink(label).click();
    await this.waitForPage(label);
  }

  async pressAltDigit(position: number): Promise<void> {
    await this.page.keyboard.press(`Alt+Digit${position}`);
  }

  async pressChord(letter: string): Promise<void> {
    await this.page.keyboard.press('g');
    await this.page.keyboard.press(letter);
  }

  /** Clears focus so the next Tab starts at the top of the document. */
  async blur(): Promise<void> {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  }

  /** Puts the keyboard's starting point at the top of the page, as after a fresh load: the next Tab is the first stop. */
  async focusDocumentStart(): Promise<void> {
    await this.page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
  }

  async focusedText(): Promise<string> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
    });
  }

  /**
   * Clicks the option where a user does (its face, which names it in its title), then waits for
   * what they see: that radio checked. check() instead reads the state back once right after the
   * click, which raced the render on Debian's Chromium 156.
   */
  async chooseTheme(label: ThemeLabel): Promise<void> {
    await this.page.getByTitle(`${label} theme`, { exact: true }).click();
    await this.waitForThemeChoice(label);
  }

  async waitForThemeChoice(label: ThemeLabel): Promise<void> {
    await this.page.getByRole('radio', { name: `${label} theme`, checked: true }).waitFor();
  }

  async appliedTheme(): Promise<string | undefined> {
    return this.page.evaluate(() => document.documentElement.dataset.theme);
  }

  async waitForTheme(theme: 'light' | 'dark'): Promise<void> {
    await this.page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
  }

  /**
   * The preferences as the host has stored them. The page saves a choice (a theme, the page it
   * is on) in a call after it shows it; a reload before that call reached the host reopens with
   * the older choice, so a spec waits on this before reloading.
   */
  async storedPreferences(): Promise<{ theme?: string; lastPage?: string }> {
    return callApi(this.page, 'settings:get-preferences', undefined);
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
