import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * The one set of web preferences every Benchtop window gets. The numbers are items of the
 * Electron security checklist: https://www.electronjs.org/docs/latest/tutorial/security
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    sandbox: true, // 4. process sandboxing: the preload gets only a small, Node-free API
    contextIsolation: true, // 3. the preload's world and the page's are separate
    nodeIntegration: false, // 2. no Node.js in the page
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true, // 6. same-origin policy stays on
    allowRunningInsecureContent: false, // 8.
    experimentalFeatures: false, // 9.
    webviewTag: false, // 11. no <webview>
    navigateOnDragDrop: false, // a dropped file must not replace the app
    safeDialogs: true,
    spellcheck: false,
  };
}

export function secureWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    title: 'Benchtop',
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    // Shown on 'ready-to-show' so the user never sees a blank white frame.
    show: false,
    webPreferences: secureWebPreferences(preload),
  };
}
