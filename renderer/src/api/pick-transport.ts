import { bridgeTransport } from './bridge-transport.js';
import { httpTransport } from './http-transport.js';
import type { Transport } from './transport.js';

/** Inside the Electron shell the preload has put `window.benchtop` there; anywhere else we are a browser tab on the loopback host. */
export function pickTransport(win: Window = window): Transport {
  return win.benchtop ? bridgeTransport(win.benchtop) : httpTransport();
}
