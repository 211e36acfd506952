import { describe, expect, it } from 'vitest';
import { EventStreamParser } from './event-stream-parser.js';

describe('event stream parser', () => {
  it('reads data events and named events, skipping comments', () => {
    const parser = new EventStreamParser();
    expect(parser.push(': open\n\ndata: {"n":1}\n\nevent: error\ndata: {"code":"not-found"}\n\n')).toEqual([
      { event: 'message', data: '{"n":1}' },
      { event: 'error', data: '{"code":"not-found"}' },
    ]);
  });

  it('keeps an event cut across chunks, a CRLF cut between its CR and LF included', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: {"n"')).toEqual([]);
    expect(parser.push(':1}\r')).toEqual([]);
    expect(parser.push('\n\r')).toEqual([]);
    expect(parser.push('\ndata: 2\r\rdata:3\n\n')).toEqual([
      { event: 'message', data: '{"n":1}' },
      { event: 'message', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  it('joins data lines with a newline, and a block without data dispatches nothing', () => {
    const parser = new EventStreamParser();
    expect(parser.push('event: ping\n\ndata: a\ndata\ndata:  b\n\n')).toEqual([{ event: 'message', data: 'a\n\n b' }]);
  });
});
