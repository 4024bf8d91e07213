import { describe, expect, it } from 'vitest';
import { encodeSse, negotiateChatFormat, parseSse } from '../../../src/chat/sse.js';

describe('SSE encoding', () => {
  it('one event per block, one data line, round-trips through the parser (line breaks and separators in text included)', () => {
    const text = 'line one\n\nline two\r\nevent: fake\ndata: {}';
    const body =
      encodeSse({ event: 'thread', data: { thread_id: 't1' } }) +
      encodeSse({ event: 'token', data: { text } }) +
      encodeSse({ event: 'done', data: {} });
    expect(body).toBe(
      `event: thread\ndata: {"thread_id":"t1"}\n\nevent: token\ndata: ${JSON.stringify({ text })}\n\nevent: done\ndata: {}\n\n`,
    );
    expect(parseSse(body)).toEqual([
      { event: 'thread', data: { thread_id: 't1' } },
      { event: 'token', data: { text } },
      { event: 'done', data: {} },
    ]);
  });
});

describe('Accept negotiation', () => {
  it.each([
    [undefined, 'sse'],
    ['', 'sse'],
    ['*/*', 'sse'],
    ['text/event-stream', 'sse'],
    ['application/json', 'json'],
    ['application/json, text/plain', 'json'],
    ['text/event-stream, application/json', 'sse'],
    ['application/json;q=0.9, text/event-stream;q=0.5', 'json'],
    ['application/json;q=0.5, */*;q=0.9', 'sse'],
    ['text/*', 'sse'],
    ['text/html', undefined],
    ['application/json;q=0, text/html', undefined],
  ])('%s → %s', (accept, expected) => {
    expect(negotiateChatFormat(accept)).toBe(expected);
  });
});
