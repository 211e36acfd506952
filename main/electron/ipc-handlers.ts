import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Router } from '../../common/api/router.js';
import { IpcBridge } from './ipc-bridge.js';
import { IPC_CALL, IPC_SUBSCRIBE, IPC_TERMINAL_CLOSE, IPC_TERMINAL_FRAME, IPC_UNSUBSCRIBE } from './ipc-channels.js';
import { IpcTerminalBridge } from './ipc-terminal.js';
import type { TerminalHub } from '../terminal/terminal-hub.js';
import type { SenderFrame } from './sender-validation.js';

function frameOf(event: IpcMainEvent | IpcMainInvokeEvent): SenderFrame | undefined {
  const frame = event.senderFrame;
  if (!frame) return undefined;
  // A frame without a parent is the top frame (as VS Code's validatedIpcMain checks it).
  return { url: frame.url, isMainFrame: frame.parent === null };
}

/** Wires the three IPC channels to the router; streams of a window end when it goes away or reloads. */
export function registerIpcHandlers(ipcMain: IpcMain, router: Router, terminals?: TerminalHub): IpcBridge {
  const bridge = new IpcBridge(router);
  const terminalBridge = terminals ? new IpcTerminalBridge(terminals) : undefined;
  const watched = new WeakSet<WebContents>();
  const watch = (contents: WebContents): void => {
    if (watched.has(contents)) return;
    watched.add(contents);
    const id = contents.id;
    contents.once('destroyed', () => {
      bridge.release(id);
      terminalBridge?.release(id);
    });
    contents.on('did-start-navigation', (_event, _url, isInPlace, isMainFrame) => {
      if (isMainFrame && !isInPlace) {
        bridge.release(id);
        terminalBridge?.release(id);
      }
    });
  };

  ipcMain.handle(IPC_CALL, (event, name: unknown, input: unknown) => bridge.call(frameOf(event), name, input));
  ipcMain.on(IPC_SUBSCRIBE, (event, id: unknown, name: unknown, input: unknown) => {
    watch(event.sender);
    bridge.subscribe(event.sender, frameOf(event), id, name, input);
  });
  ipcMain.on(IPC_UNSUBSCRIBE, (event, id: unknown) => bridge.unsubscribe(event.sender.id, id));
  if (terminalBridge) {
    ipcMain.on(IPC_TERMINAL_FRAME, (event, connection: unknown, frame: unknown) => {
      watch(event.sender);
      terminalBridge.frame(event.sender, frameOf(event), connection, frame);
    });
    ipcMain.on(IPC_TERMINAL_CLOSE, (event, connection: unknown) => terminalBridge.close(event.sender.id, connection));
  }
  return bridge;
}
