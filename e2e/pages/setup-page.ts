import type { Locator, Page } from 'playwright-core';

/** The Setup page: AWS profiles and the identity check of the chosen one. */
export class SetupPage {
  constructor(readonly page: Page) {}

  get profiles(): Locator {
    return this.page.getByRole('region', { name: 'AWS profiles' });
  }

  get identity(): Locator {
    return this.page.getByRole('region', { name: /^Identity/ });
  }

  async profileNames(): Promise<string[]> {
    await this.profiles.getByRole('table').waitFor();
    return this.profiles.locator('tbody th[scope="row"]').allTextContents();
  }

  async useProfile(name: string): Promise<void> {
    await this.profiles.getByRole('button', { name: `Use profile ${name}` }).click();
  }

  identityError(): Locator {
    return this.identity.getByRole('alert');
  }
}
