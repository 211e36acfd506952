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

  /** From the first step: names the stack, keeps the defaults but the certificate and the domain, checks, plans and installs. */
  async installWithDefaults(options: { stackName: string; certificateArn: string; certificateLabel: string; domainName: string; alarmEmail?: string }): Promise<void> {
    const name = this.card.getByRole('textbox', { name: 'Stack name' });
    await name.fill(options.stackName);
    await this.next();
    await this.next();
    const cert = this.card.getByRole('combobox', { name: 'Certificate (ACM)' });
    await cert.locator('option', { hasText: options.certificateLabel }).waitFor({ state: 'attached', timeout: 30_000 });
    await cert.selectOption(options.certificateArn);
    await this.card.getByRole('textbox', { name: /^Domain name/ }).fill(options.domainName);
    for (const step of ['Compute', 'Storage & backup', 'Alarms & budget', 'Review']) {
      await this.next();
      await this.card.locator('h3', { hasText: step }).waitFor();
      if (step === 'Alarms & budget') await this.card.getByRole('textbox', { name: 'Alarm e-mail' }).fill(options.alarmEmail ?? 'pi@lab.example.org');
    }
    await this.card.getByRole('button', { name: 'Run preflight checks' }).click();
    await this.card.getByText(/^Preflight passed/).waitFor({ timeout: 30_000 });
    await this.card.getByRole('button', { name: 'Create the plan' }).click();
    const install = this.card.getByRole('button', { name: 'Install', exact: true });
    await install.waitFor({ timeout: 60_000 });
    await install.click();
    await this.card.getByRole('progressbar').waitFor();
  }
}
