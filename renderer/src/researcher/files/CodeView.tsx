import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import ini from 'highlight.js/lib/languages/ini';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import julia from 'highlight.js/lib/languages/julia';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import r from 'highlight.js/lib/languages/r';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import yaml from 'highlight.js/lib/languages/yaml';
import { useMemo } from 'react';

const LANGUAGES = { bash, dockerfile, ini, javascript, json, julia, markdown, python, r, sql, typescript, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);

// Highlighting is synchronous; past this size the text is shown plain so the window stays responsive.
const MAX_HIGHLIGHT_CHARS = 300_000;

/** Source code with syntax highlight (highlight.js escapes the text it wraps in spans). */
export function CodeView({ code, language }: { code: string; language?: string }) {
  const html = useMemo(() => {
    if (!language || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(language)) return undefined;
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  }, [code, language]);
  return (
    <pre className="rs-code" data-language={language ?? 'text'}>
      {html === undefined ? <code>{code}</code> : <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} />}
    </pre>
  );
}
