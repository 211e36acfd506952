import path from 'node:path';

/**
 * Which file of the built renderer answers an app:// URL. Paths are resolved inside the renderer
 * folder only (no `..` escape); a path without a file extension is a client-side route and gets
 * index.html, as the browser-mode host does.
 */
export function resolveAppFile(rendererDir: string, url: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  const root = path.resolve(rendererDir);
  const target = path.resolve(root, `.${path.posix.normalize(pathname)}`);
  if (target !== root && !target.startsWith(`${root}${path.sep}`)) return undefined;
  if (pathname.endsWith('/') || path.extname(pathname) === '') return path.join(root, 'index.html');
  return target;
}
