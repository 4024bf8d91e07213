import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatEvent } from '../../../src/chat/events.js';
import { encodeSse, negotiateChatFormat, parseSse, sseStream } from '../../../src/chat/sse.js';

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

/** Events handed over one by one, when the test says so. */
function eventQueue() {
  const waiting: ((r: IteratorResult<ChatEvent>) => void)[] = [];
  const events: AsyncIterable<ChatEvent> = {
    [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<ChatEvent>>((resolve) => waiting.push(resolve)) }),
  };
  return {
    events,
    push: (e: ChatEvent) => waiting.shift()!({ value: e, done: false }),
    end: () => waiting.shift()!({ value: undefined, done: true }),
  };
}

function bodyOf(stream: Readable): { text: () => string; ended: () => boolean } {
  let text = '';
  let ended = false;
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  stream.on('end', () => (ended = true));
  return { text: () => text, ended: () => ended };
}

describe('the SSE stream of a turn', () => {
  afterEach(() => vi.useRealTimers());

  it('writes each event as it comes, a keep-alive comment after each idle interval, and ends after the last event', async () => {
    vi.useFakeTimers();
    const q = eventQueue();
    const body = bodyOf(sseStream(q.events, 1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(body.text()).toBe('');
    await vi.advanceTimersByTimeAsync(1);
    expect(body.text()).toBe(': keep-alive\n\n');
    q.push({ event: 'thread', data: { thread_id: 't1' } });
    await vi.advanceTimersByTimeAsync(999); // an event resets the idle interval
    expect(body.text()).toBe(': keep-alive\n\nevent: thread\ndata: {"thread_id":"t1"}\n\n');
    await vi.advanceTimersByTimeAsync(1001); // idle since t=1000: beats at 2000 and 3000
    expect(body.text().split(': keep-alive').length - 1).toBe(3);
    q.push({ event: 'done', data: {} });
    await vi.advanceTimersByTimeAsync(0);
    q.end();
    await vi.advanceTimersByTimeAsync(5000);
    expect(body.ended()).toBe(true);
    expect(parseSse(body.text())).toEqual([
      { event: 'thread', data: { thread_id: 't1' } },
      { event: 'done', data: {} },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops at the next event once its signal aborts (the client went away)', async () => {
    const q = eventQueue();
    const controller = new AbortController();
    const body = bodyOf(sseStream(q.events, 60_000, controller.signal));
    q.push({ event: 'thread', data: { thread_id: 't1' } });
    await new Promise((r) => setImmediate(r));
    controller.abort();
    q.push({ event: 'token', data: { text: 'late' } });
    await new Promise((r) => setImmediate(r));
    expect(body.ended()).toBe(true);
    expect(parseSse(body.text())).toEqual([{ event: 'thread', data: { thread_id: 't1' } }]);
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
