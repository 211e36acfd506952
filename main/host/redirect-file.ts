import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RedirectFile {
  path: string;
  remove(): void;
}

const escapeAttribute = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The page the browser is opened on, as Jupyter does: the address with its token stays out of the
 * opener's command line (which every local user can read in /proc) and in a file only we can read.
 * Created afresh with O_EXCL ('wx'), so a file or link someone put there is never written through.
 */
export function writeRedirectFile(dir: string, url: string): RedirectFile {
  const file = path.join(dir, `browser-open-${process.pid}.html`);
  const href = escapeAttribute(url);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${href}">
<title>Opening Benchtop</title>
</head>
<body>
<p>Opening Benchtop… If nothing happens, <a href="${href}">open Benchtop</a>.</p>
</body>
</html>
`;
  rmSync(file, { force: true });
  writeFileSync(file, html, { mode: 0o600, flag: 'wx' });
  return { path: file, remove: () => rmSync(file, { force: true }) };
}
