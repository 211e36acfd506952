export interface ServerSentEvent {
  /** "message" unless the event named another type. */
  event: string;
  data: string;
}

/**
 * Turns the text of a `text/event-stream` body, chunk by chunk, into events, as EventSource does
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end in CRLF, LF or CR; a blank line dispatches; ':' starts a comment; data lines join
 * with '\n'. Browser mode reads its streams with fetch, because EventSource cannot send the
 * page secret as a header; `id` and `retry` are not used by our host and are ignored.
 */
export class EventStreamParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(text: string): ServerSentEvent[] {
    this.#buffer += text;
    const events: ServerSentEvent[] = [];
    const line = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = line.exec(this.#buffer); match; match = line.exec(this.#buffer)) {
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) break;
      const event = this.#take(this.#buffer.slice(start, match.index));
      if (event) events.push(event);
      start = line.lastIndex;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #take(line: string): ServerSentEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const event = { event: this.#event || 'message', data: this.#data.join('\n') };
    const hasData = this.#data.length > 0;
    this.#event = '';
    this.#data = [];
    return hasData ? event : undefined;
  }
}
