import type { FileContent } from '../../../../common/api/capsules.contract.js';
import { Button } from '../../components/Button.js';
import { base64ToBytes, downloadBlob } from '../download.js';
import { formatBytes } from '../format.js';
import { CodeView } from './CodeView.js';
import { CODE_LANGUAGES, extensionOf, fileKind, imageType } from './file-kind.js';
import { parseCsv } from './parse-csv.js';

/** Shows a file as what it is: an image inline, a CSV as a table, code highlighted, anything else as bytes to download. */
export function FileViewer({ file }: { file: FileContent }) {
  const kind = fileKind(file.path, file.encoding);
  const download = () => {
    const type = imageType(file.path) ?? (file.encoding === 'utf8' ? 'text/plain' : 'application/octet-stream');
    downloadBlob(file.path, new Blob([file.encoding === 'utf8' ? file.content : base64ToBytes(file.content)], { type }));
  };
  return (
    <div className="rs-viewer" data-kind={kind}>
      <div className="rs-viewer__bar">
        <code className="rs-viewer__path">{file.path}</code>
        <span className="rs-viewer__size">{formatBytes(file.size)}</span>
        <Button size="sm" variant="ghost" onClick={download} disabled={file.truncated} title={file.truncated ? 'Only the beginning was loaded for viewing' : undefined}>
          Download
        </Button>
      </div>
      {file.truncated ? <p className="rs-viewer__note">Only the first {formatBytes(file.content.length)} are shown.</p> : null}
      <FileBody file={file} kind={kind} />
    </div>
  );
}

function FileBody({ file, kind }: { file: FileContent; kind: ReturnType<typeof fileKind> }) {
  switch (kind) {
    case 'image': {
      const base64 = file.encoding === 'base64' ? file.content : btoa(unescape(encodeURIComponent(file.content)));
      return <img className="rs-viewer__image" alt={file.path} src={`data:${imageType(file.path)};base64,${base64}`} />;
    }
    case 'table':
      return <CsvTable text={file.content} separator={extensionOf(file.path) === 'tsv' ? '\t' : ','} />;
    case 'code':
      return <CodeView code={file.content} language={CODE_LANGUAGES[extensionOf(file.path)]} />;
    case 'text':
      return <CodeView code={file.content} />;
    case 'binary':
      return <p className="rs-viewer__note">A binary file of {formatBytes(file.size)}; download it to open it.</p>;
  }
}

export function CsvTable({ text, separator = ',' }: { text: string; separator?: string }) {
  const { rows, truncated } = parseCsv(text, { separator, maxRows: 1001 });
  const [head, ...body] = rows;
  if (!head) return <p className="rs-viewer__note">The table is empty.</p>;
  return (
    <div className="table-wrap rs-csv">
      <table className="table">
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {body.map((row, r) => (
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {truncated ? <p className="rs-viewer__note">The first 1,000 rows are shown.</p> : null}
    </div>
  );
}
