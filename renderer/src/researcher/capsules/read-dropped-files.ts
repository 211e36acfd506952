import type { FileWrite } from '../../../../common/protocol/index.js';

/**
 * What one new version may carry through the app: files travel base64-encoded (4/3 larger) in one
 * call, and the host and the platform take bodies up to 64 MiB.
 */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;

export interface PickedFile {
  path: string;
  file: File;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Files as commit writes: text stays text, anything else goes as base64. */
export async function toFileWrites(files: readonly PickedFile[], prefix = ''): Promise<FileWrite[]> {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const writes: FileWrite[] = [];
  for (const { path, file } of files) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const target = prefix ? `${prefix.replace(/\/+$/, '')}/${path}` : path;
    let text: string | undefined;
    if (!bytes.includes(0)) {
      try {
        text = utf8.decode(bytes);
      } catch {
        text = undefined;
      }
    }
    writes.push(text === undefined ? { path: target, content: encodeBase64(bytes), encoding: 'base64' } : { path: target, content: text });
  }
  return writes;
}

/** Files from an <input type=file webkitdirectory> or multiple: paths relative to the chosen folder (its own name dropped). */
export function fromInput(list: FileList, dropTopFolder: boolean): PickedFile[] {
  return Array.from(list, (file) => {
    const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
    return { path: dropTopFolder ? rel.split('/').slice(1).join('/') || file.name : rel, file };
  });
}

/** Files and folders dropped on the page, walked recursively (a dropped folder keeps its name as the top folder). */
export async function fromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries = Array.from(items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => !!e);
  const out: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: `${prefix}${entry.name}`, file });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries answers in batches; an empty batch means the folder is done.
    for (let i = 0; i < 10_000; i += 1) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

const IGNORED = new Set(['.git', '__pycache__', 'node_modules', '.DS_Store', '.ipynb_checkpoints']);

/** Drops what never belongs in a capsule version: VCS folders, caches, OS litter. */
export function withoutIgnored(files: readonly PickedFile[]): PickedFile[] {
  return files.filter((f) => !f.path.split('/').some((part) => IGNORED.has(part)));
}

export function totalSize(files: readonly PickedFile[]): number {
  return files.reduce((n, f) => n + f.file.size, 0);
}
