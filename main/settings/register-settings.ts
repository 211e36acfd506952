import {
  deleteSecret,
  getPreferences,
  hasSecret,
  listDeployments,
  removeDeployment,
  saveDeployment,
  setPreferences,
  setSecret,
} from '../../common/api/settings.contract.js';
import type { Router } from '../../common/api/router.js';
import type { SecretStore } from './secret-store.js';
import type { SettingsStore } from './settings-store.js';

export function registerSettings(router: Router, deps: { settings: SettingsStore; secrets: SecretStore }): void {
  const { settings, secrets } = deps;
  router
    .handle(getPreferences, () => settings.getPreferences())
    .handle(setPreferences, (patch) => settings.setPreferences(patch))
    .handle(listDeployments, () => ({ deployments: settings.listDeployments() }))
    .handle(saveDeployment, (input) => settings.saveDeployment(input))
    .handle(removeDeployment, ({ id }) => ({ removed: settings.removeDeployment(id) }))
    .handle(setSecret, ({ key, value }) => {
      secrets.set(key, value);
      return { key };
    })
    .handle(hasSecret, ({ key }) => ({ present: secrets.has(key) }))
    .handle(deleteSecret, ({ key }) => ({ deleted: secrets.delete(key) }));
}
