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

  /** Picks a source once the list has it (the deployments are read after the picker shows): a label, or the first option matching a pattern. */
  async pickSource(label: string | RegExp): Promise<void> {
    const picker = this.page.getByRole('combobox', { name: 'Source' });
    const option = picker.locator('option').filter({ hasText: typeof label === 'string' ? new RegExp(`^${escapeRegExp(label)}$`) : label }).first();
    try {
      await option.waitFor({ state: 'attached', timeout: 30_000 });
    } catch (error) {
      const options = await picker.locator('option').allTextContents();
      throw new Error(`no source ${String(label)} among ${options.join(', ') || 'no options'}: ${(error as Error).message}`);
    }
    await picker.selectOption({ label: (await option.textContent()) ?? '' });
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
