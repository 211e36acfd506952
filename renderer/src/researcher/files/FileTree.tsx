import { useMemo } from 'react';
import { formatBytes } from '../format.js';

export interface TreeFile {
  path: string;
  size: number;
}

interface Folder {
  name: string;
  path: string;
  folders: Map<string, Folder>;
  files: TreeFile[];
}

function build(files: readonly TreeFile[]): Folder {
  const root: Folder = { name: '', path: '', folders: new Map(), files: [] };
  for (const file of files) {
    const parts = file.path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      let next = folder.folders.get(part);
      if (!next) {
        next = { name: part, path: folder.path ? `${folder.path}/${part}` : part, folders: new Map(), files: [] };
        folder.folders.set(part, next);
      }
      folder = next;
    }
    folder.files.push(file);
  }
  return root;
}

/** Files as a folder tree (folders first, open), the selected one marked. */
export function FileTree({ files, selected, onSelect, label }: { files: readonly TreeFile[]; selected?: string; onSelect: (path: string) => void; label: string }) {
  const root = useMemo(() => build(files), [files]);
  return (
    <nav className="rs-tree" aria-label={label}>
      <FolderItems folder={root} selected={selected} onSelect={onSelect} />
    </nav>
  );
}

function FolderItems({ folder, selected, onSelect }: { folder: Folder; selected?: string; onSelect: (path: string) => void }) {
  const folders = [...folder.folders.values()].sort((a, b) => a.name.localeCompare(b.name));
  const files = [...folder.files].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <ul className="rs-tree__list">
      {folders.map((f) => (
        <li key={f.path}>
          <details open>
            <summary className="rs-tree__folder">{f.name}/</summary>
            <FolderItems folder={f} selected={selected} onSelect={onSelect} />
          </details>
        </li>
      ))}
      {files.map((f) => (
        <li key={f.path}>
          <button
            type="button"
            className={f.path === selected ? 'rs-tree__file rs-tree__file--selected' : 'rs-tree__file'}
            aria-current={f.path === selected ? 'true' : undefined}
            onClick={() => onSelect(f.path)}
          >
            <span>{f.path.split('/').pop()}</span>
            <span className="rs-tree__size">{formatBytes(f.size)}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
