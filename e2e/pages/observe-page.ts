import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ARTIFACTS } from '../harness.js';

/** Monitoring (charts, logs) and Alarms as an admin or a PI meets them. */
export class ObservePage {
  constructor(readonly page: Page) {}

  async go(hashPath: string): Promise<void> {
    await this.page.evaluate((p) => (window.location.hash = p), hashPath);
  }

  async pickSource(label: string | RegExp): Promise<void> {
    const picker = this.page.getByRole('combobox', { name: 'Source' });
    await picker.waitFor({ timeout: 20_000 });
    const matches = (o: string) => (typeof label === 'string' ? o === label : label.test(o));
    let options: string[] = [];
    for (let i = 0; i < 100 && !options.some(matches); i += 1) {
      options = await picker.locator('option').allTextContents();
      if (!options.some(matches)) await this.page.waitForTimeout(200);
    }
    const wanted = options.find(matches);
    if (!wanted) throw new Error(`no source ${String(label)} among ${options.join(', ')}`);
    await picker.selectOption({ label: wanted });
  }

  /** The chart's drawn plot (uPlot's canvas), not its empty state. */
  plot(chartId: string): Locator {
    return this.page.locator(`[data-chart="${chartId}"] .chart__plot canvas`);
  }

  chartEmpty(chartId: string): Locator {
    return this.page.locator(`[data-chart="${chartId}"] .chart__empty`);
  }

  get metricsMeta(): Locator {
    return this.page.getByTestId('metrics-meta');
  }

  get followMode(): Locator {
    return this.page.getByTestId('follow-mode');
  }

  logRow(text: string | RegExp): Locator {
    return this.page.locator('[data-log-row]', { hasText: text });
  }

  alarm(name: string): Locator {
    return this.page.locator(`[data-alarm="${name}"]`);
  }

  async mute(name: string, reason: string): Promise<void> {
    const card = this.alarm(name);
    await card.getByRole('button', { name: 'Mute…' }).click();
    await card.getByRole('textbox', { name: 'Why mute it' }).fill(reason);
    await card.getByRole('button', { name: 'Mute', exact: true }).click();
    await card.getByText(`Muted because: ${reason}`).waitFor();
  }

  async unmute(name: string): Promise<void> {
    const card = this.alarm(name);
    await card.getByRole('button', { name: 'Unmute' }).click();
    await card.getByRole('button', { name: 'Mute…' }).waitFor();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `observe-${name}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    return file;
  }
}
