import { safeStorage } from 'electron';
import { type SecretStore, createEncryptedSecretStore, createPlainFileSecretStore } from '../settings/secret-store.js';

/**
 * Secrets through the OS keychain (Keychain, DPAPI, libsecret/kwallet). On Linux without a keyring
 * Electron falls back to a hard-coded key ('basic_text'), which is not protection; then we say so
 * and use the same 0600 file as browser mode rather than pretend.
 */
export function createDesktopSecretStore(dataDir: string, warn: (message: string) => void): SecretStore {
  const available = safeStorage.isEncryptionAvailable();
  const weak = process.platform === 'linux' && available && safeStorage.getSelectedStorageBackend() === 'basic_text';
  if (available && !weak) return createEncryptedSecretStore(dataDir, safeStorage);
  return createPlainFileSecretStore(dataDir, (m) => warn(`No OS keyring is available. ${m}`));
}
