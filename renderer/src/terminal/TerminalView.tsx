import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { TerminalSessionInfo } from '../../../common/api/terminal.contract.js';
import type { TerminalControl } from '../../../common/api/terminal-stream.js';
import { Button } from '../components/Button.js';
import { downloadBlob } from '../researcher/download.js';
import { OutputPacer } from './output-pacer.js';
import type { OpenLink } from './terminal-link.js';
import { type LinkState, TerminalStreamClient } from './terminal-stream-client.js';
import { Transcript } from './transcript.js';

export interface TerminalViewProps {
  session: TerminalSessionInfo;
  openLink: OpenLink;
  /** Whether this tab is the one shown (a hidden terminal keeps its stream but is not fitted). */
  visible: boolean;
  onExit?: (exitCode: number | null) => void;
}

type Banner = { tone: 'info' | 'danger'; text: string; fix?: string | undefined; retry?: boolean } | undefined;

function bannerFor(state: LinkState, detail: string | undefined): Banner {
  if (state === 'lost') return { tone: 'info', text: `Reconnecting to the terminal (${detail ?? 'connection lost'})…`, retry: true };
  if (state === 'closed') return { tone: 'danger', text: `The terminal connection is lost: ${detail ?? ''}`, fix: 'Reconnect to resume the session where it was.', retry: true };
  return undefined;
}

const encoder = new TextEncoder();

/** One terminal: xterm with fit, search and links, wired to its session's stream. */
export function TerminalView({ session, openLink, visible, onExit }: TerminalViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const fitRef = useRef<FitAddon | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const clientRef = useRef<TerminalStreamClient | null>(null);
  const transcript = useRef(new Transcript());
  const [banner, setBanner] = useState<Banner>();
  const [sessionBanner, setSessionBanner] = useState<Banner>();
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  const onExitRef = useRef(onExit);
  onExitRef.current = onExit;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const term = new Terminal({ cursorBlink: true, scrollback: 10_000, fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace', fontSize: 13, allowProposedApi: false });
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(new WebLinksAddon((_event, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
    term.open(element);
    fitRef.current = fit;
    searchRef.current = search;

    const pacer = new OutputPacer(term);
    const control = (c: TerminalControl): void => {
      if (c.type === 'status') setSessionBanner(c.state === 'reconnecting' ? { tone: 'info', text: c.message } : undefined);
      if (c.type === 'exit') {
        setSessionBanner({ tone: c.exitCode === 0 ? 'info' : 'danger', text: c.reason, fix: c.fix });
        onExitRef.current?.(c.exitCode);
      }
      if (c.type === 'error') setSessionBanner({ tone: 'danger', text: c.message, fix: c.fix });
      // Through the pacer, behind output still queued from before the link dropped; it is no session output to acknowledge.
      if (c.type === 'attached' && c.lost) pacer.push(encoder.encode('\r\n\x1b[2m[earlier output was dropped from Benchtop’s buffer]\x1b[0m\r\n'), () => undefined);
    };
    const client = new TerminalStreamClient(session.id, openLink, {
      onData: (bytes, written) => {
        transcript.current.add(bytes);
        pacer.push(bytes, written);
      },
      onControl: control,
      onLinkState: (state, detail) => {
        setBanner(bannerFor(state, detail));
        if (state === 'open') {
          fit.fit();
          client.resize(term.cols, term.rows);
        }
      },
    });
    clientRef.current = client;
    term.onData((data) => client.send(encoder.encode(data)));
    term.onBinary((data) => client.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff)));
    term.onResize(({ cols, rows }) => client.resize(cols, rows));
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as terminal emulators do (Ctrl+C belongs to the shell).
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      const key = event.key.toLowerCase();
      if (key === 'c') {
        const selected = term.getSelection();
        if (selected) void navigator.clipboard?.writeText(selected);
        return false;
      }
      if (key === 'v') {
        void navigator.clipboard?.readText().then((text) => term.paste(text));
        return false;
      }
      if (key === 'f') {
        setSearching(true);
        return false;
      }
      return true;
    });
    const observer = new ResizeObserver(() => {
      if (element.offsetParent !== null) fit.fit();
    });
    observer.observe(element);
    client.start();
    term.focus();
    return () => {
      observer.disconnect();
      client.stop();
      pacer.stop();
      term.dispose();
    };
  }, [session.id, openLink]);

  useEffect(() => {
    if (visible) fitRef.current?.fit();
  }, [visible]);

  const shown = sessionBanner ?? banner;
  return (
    <div className="term" data-testid="terminal-view">
      <div className="term__toolbar">
        <span className="term__note">{session.note}</span>
        <Button size="sm" variant="ghost" onClick={() => setSearching((s) => !s)} aria-pressed={searching} title="Search the scrollback (Ctrl+Shift+F)">
          Search
        </Button>
        <Button size="sm" variant="ghost" onClick={() => downloadBlob(`${session.title.replace(/[^A-Za-z0-9_.-]+/g, '-')}.log`, transcript.current.blob())} title="Download everything this terminal showed">
          Download transcript
        </Button>
      </div>
      {searching ? (
        <form
          className="term__search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            searchRef.current?.findNext(query);
          }}
        >
          <input
            autoFocus
            aria-label="Search the terminal"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setSearching(false);
              if (e.key === 'Enter' && e.shiftKey) {
                e.preventDefault();
                searchRef.current?.findPrevious(query);
              }
            }}
          />
          <Button size="sm" type="submit">Next</Button>
          <Button size="sm" onClick={() => searchRef.current?.findPrevious(query)}>Previous</Button>
        </form>
      ) : null}
      {shown ? (
        <div className={`term__banner term__banner--${shown.tone}`} role="status">
          <span>{shown.text}</span>
          {shown.fix ? <span className="term__fix">{shown.fix}</span> : null}
          {shown.retry && shown === banner ? (
            <Button size="sm" onClick={() => clientRef.current?.retry()}>
              Reconnect
            </Button>
          ) : null}
        </div>
      ) : null}
      <div className="term__screen" ref={host} />
    </div>
  );
}
