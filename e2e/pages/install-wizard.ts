import type { Locator, Page } from 'playwright-core';

/** The install wizard on Setup and the Deployment page's upgrade, as the admin drives them. */
export class InstallWizardPage {
  constructor(readonly page: Page) {}

  get card(): Locator {
    return this.page.getByRole('region', { name: 'Install the platform' });
  }

  async next(): Promise<void> {
    await this.card.getByRole('button', { name: 'Next', exact: true }).click();
  }

  async heading(): Promise<string> {
    return (await this.card.locator('h3').first().textContent()) ?? '';
  }
}
