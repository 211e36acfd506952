import type { Locator, Page } from 'playwright-core';

/** The Users and Datasets pages as an admin and a researcher meet them. */
export class PeoplePage {
  constructor(readonly page: Page) {}

  async go(hashPath: string): Promise<void> {
    await this.page.evaluate((p) => (window.location.hash = p), hashPath);
  }

  heading(name: string | RegExp): Locator {
    return this.page.getByRole('heading', { level: 1, name });
  }

  /** Invites someone on the Users page and answers the invite link it shows once. */
  async invite(name: string, role: 'Researcher' | 'PI' | 'Admin'): Promise<string> {
    await this.go('/users/people');
    await this.page.getByRole('form', { name: 'Invite a user' }).waitFor();
    await this.page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await this.page.getByRole('combobox', { name: 'Role', exact: true }).selectOption({ label: role });
    await this.page.getByRole('button', { name: 'Make invite' }).click();
    const link = this.page.getByRole('region', { name: `Invite for ${name}` }).getByRole('textbox', { name: 'Invite link' });
    await link.waitFor();
    return link.inputValue();
  }

  async join(link: string): Promise<void> {
    await this.go('/users/join');
    await this.page.getByRole('textbox', { name: '…or paste the invite link' }).fill(link);
    await this.page.getByRole('button', { name: 'Connect' }).click();
    await this.page.getByText(/^Connected to /).waitFor();
  }

  async createDataset(name: string): Promise<void> {
    await this.go('/datasets');
    await this.heading('Datasets').waitFor();
    await this.page.getByText('New dataset').click();
    await this.page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await this.page.getByRole('button', { name: 'Create and upload files' }).click();
    await this.heading(name).waitFor();
  }

  async uploadFiles(files: Array<{ name: string; mimeType: string; buffer: Buffer }>): Promise<void> {
    await this.page.locator('label', { hasText: 'Choose files' }).locator('input[type=file]').setInputFiles(files);
    await this.page.getByRole('button', { name: 'Upload and seal a version' }).click();
  }
}
