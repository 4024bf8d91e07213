// Server-Sent Events over fetch(): EventSource cannot send an Authorization header, so the chat
// reads the response body stream and splits it into events itself (the WHATWG event-stream format:
// `event:` and `data:` lines, blank line ends an event, `:` lines are comments).

/** Yields {event, data} (data is the raw text; several data lines are joined with \n). */
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    // Normalise line ends; a trailing \r may be the first half of \r\n, so it waits for the next chunk.
    const cut = !done && buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    let text = buffer.slice(0, cut).replace(/\r\n?/g, '\n');
    const rest = buffer.slice(cut);
    let end;
    while ((end = text.indexOf('\n\n')) >= 0) {
      const event = parseBlock(text.slice(0, end));
      text = text.slice(end + 2);
      if (event) yield event;
    }
    buffer = text + rest;
    if (done) return; // an event not ended by a blank line is incomplete: discarded, as EventSource does
  }
}

function parseBlock(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { event, data: data.join('\n') } : null;
}
