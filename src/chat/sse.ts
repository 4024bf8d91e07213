/**
 * Server-Sent Events for chat: the encoding of chat events, the stream of a turn's events with its
 * keep-alive, and the choice between SSE and JSON from the request's Accept header (RFC 9110
 * q-values, most specific range wins).
 */
import { PassThrough, type Readable } from 'node:stream';
import type { ChatEvent } from './events.js';

/** The response headers of an event stream: no caching, no buffering by proxies (nginx honours x-accel-buffering). */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
} as const;

/** One event as `event: <name>\ndata: <json>\n\n`. JSON never contains a raw line break, so one data line suffices. */
export function encodeSse(e: ChatEvent): string {
  return `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/**
 * The events as an SSE body, ended after the last one. A long model call or analysis sends nothing
 * for a while: a comment line (ignored by SSE clients) after each idle `keepAliveMs` keeps proxies
 * and load balancers from closing the stream. Once `signal` aborts (the client went away), the
 * stream stops at the next event.
 */
export function sseStream(events: AsyncIterable<ChatEvent>, keepAliveMs: number, signal?: AbortSignal): Readable {
  const stream = new PassThrough();
  let idle = setTimeout(function beat() {
    stream.write(': keep-alive\n\n');
    idle = setTimeout(beat, keepAliveMs);
  }, keepAliveMs);
  void (async () => {
    try {
      for await (const e of events) {
        if (signal?.aborted) break;
        idle.refresh();
        stream.write(encodeSse(e));
      }
    } finally {
      clearTimeout(idle);
      stream.end();
    }
  })();
  return stream;
}

/** Parses an SSE text into events (tests and clients); comment lines and unknown fields are ignored. */
export function parseSse(text: string): { event: string; data: unknown }[] {
  const out: { event: string; data: unknown }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) out.push({ event, data: JSON.parse(data.join('\n')) as unknown });
  }
  return out;
}

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): Range[] {
  return header.split(',').flatMap((part) => {
    const [media, ...params] = part.trim().split(';');
    const [type, subtype] = (media ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) return [];
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k?.trim().toLowerCase() === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      }
    }
    return [{ type, subtype, q }];
  });
}

function qualityOf(ranges: Range[], type: string, subtype: string): number {
  let best: { specificity: number; q: number } | undefined;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype
        ? 2
        : r.type === type && r.subtype === '*'
          ? 1
          : r.type === '*' && r.subtype === '*'
            ? 0
            : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { specificity, q: r.q };
  }
  return best?.q ?? 0;
}

/** 'sse' (the default, also without an Accept header), 'json', or undefined when the client accepts neither. */
export function negotiateChatFormat(accept: string | undefined): 'sse' | 'json' | undefined {
  if (!accept || accept.trim() === '') return 'sse';
  const ranges = parseAccept(accept);
  const sse = qualityOf(ranges, 'text', 'event-stream');
  const json = qualityOf(ranges, 'application', 'json');
  if (sse === 0 && json === 0) return undefined;
  return json > sse ? 'json' : 'sse';
}
