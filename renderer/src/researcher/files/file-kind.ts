export type FileKind = 'image' | 'table' | 'code' | 'text' | 'binary';

const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

/** highlight.js language per extension; only these are bundled. */
export const CODE_LANGUAGES: Record<string, string> = {
  py: 'python',
  r: 'r',
  sh: 'bash',
  bash: 'bash',
  js: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  json: 'json',
  yaml: 'yaml',
  yml: 'yaml',
  md: 'markdown',
  dockerfile: 'dockerfile',
  toml: 'ini',
  ini: 'ini',
  cfg: 'ini',
  sql: 'sql',
  jl: 'julia',
};

export function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  if (name.toLowerCase() === 'dockerfile') return 'dockerfile';
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function imageType(path: string): string | undefined {
  return IMAGE_TYPES[extensionOf(path)];
}

export function fileKind(path: string, encoding: 'utf8' | 'base64'): FileKind {
  const ext = extensionOf(path);
  if (IMAGE_TYPES[ext]) return 'image';
  if (encoding === 'base64') return 'binary';
  if (ext === 'csv' || ext === 'tsv') return 'table';
  if (CODE_LANGUAGES[ext]) return 'code';
  return 'text';
}
