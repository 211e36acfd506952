import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, ipcMain, session, utilityProcess } from 'electron';
import { createAppRouter } from '../app-router.js';
import { InviteLinkInbox, inviteLinkIn } from '../platform/connection/invite-link-inbox.js';
import { startSandboxForApp } from '../platform/connection/app-sandbox.js';
import { appDataDir } from '../settings/app-data-dir.js';
import { SettingsStore } from '../settings/settings-store.js';
import { registerAppScheme, serveRenderer } from './app-protocol.js';
import { createDesktopSecretStore } from './desktop-secrets.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { TerminalHub } from '../terminal/terminal-hub.js';
import { createSecureWindow } from './secure-window.js';
import { utilityAgentLauncher } from './utility-agent-launcher.js';
import { applySecurityRestrictions, hardenSession } from './security-restrictions.js';

// Bundled by scripts/build.mjs to dist/electron/main.cjs, next to preload.cjs; the renderer is in
// dist/renderer. In a packaged app all three are inside app.asar under the same layout.
const distDir = path.resolve(__dirname, '..');
const preload = path.join(distDir, 'electron', 'preload.cjs');
const rendererDir = path.join(distDir, 'renderer');

registerAppScheme();
applySecurityRestrictions(app);
// A clicked `benchtop://connect?…` invite opens the app: the page pre-fills its join form with it.
app.setAsDefaultProtocolClient('benchtop');
const inviteLinks = new InviteLinkInbox();
const launchInvite = inviteLinkIn(process.argv);
if (launchInvite) inviteLinks.deliver(launchInvite);
// macOS hands the link over as an event, also when it starts the app.
app.on('open-url', (event, url) => {
  event.preventDefault();
  inviteLinks.deliver(url);
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    const link = inviteLinkIn(argv);
    if (link) inviteLinks.deliver(link);
    const [window] = BrowserWindow.getAllWindows();
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  void app.whenReady().then(() => {
    const dataDir = appDataDir();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    hardenSession(session.defaultSession);
    serveRenderer(rendererDir);
    const log = (m: string) => console.warn(m);
    const sandbox = startSandboxForApp(dataDir, process.env, log, utilityAgentLauncher(utilityProcess.fork, path.join(distDir, 'agents')));
    if (sandbox) stopOnQuit(sandbox.stop);
    const terminals = new TerminalHub();
    app.on('will-quit', () => terminals.closeAll());
    const router = createAppRouter({
      terminals,
      inviteLinks,
      ...(sandbox ? { localPlatform: sandbox.platform } : {}),
      shell: 'desktop',
      version: app.getVersion(),
      dataDir,
      settings: new SettingsStore(dataDir),
      secrets: createDesktopSecretStore(dataDir, (m) => console.warn(`benchtop: ${m}`)),
      env: process.env,
    });
    registerIpcHandlers(ipcMain, router, terminals);
    createSecureWindow(preload);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createSecureWindow(preload);
    });
  });

  // The sandbox's workers hand back their runs before the app goes, so nothing queued is lost.
  function stopOnQuit(stop: () => Promise<void>): void {
    let stopped = false;
    app.on('will-quit', (event) => {
      if (stopped) return;
      event.preventDefault();
      void stop().finally(() => {
        stopped = true;
        app.quit();
      });
    });
  }

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
