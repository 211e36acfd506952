import { BrowserWindow } from 'electron';
import { APP_START_URL } from './app-origin.js';
import { secureWindowOptions } from './secure-window-options.js';

/** Every Benchtop window is made here, with the pinned secure options (see secure-window-options.ts). */
export function createSecureWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow(secureWindowOptions(preload));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_START_URL);
  return window;
}
