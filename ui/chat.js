// The chat pane: POST /chat answered as Server-Sent Events, read with fetch() (see sse.js). Text
// streams in as `token` events arrive; tool calls and results show as activity; each
// `approval_request` becomes a card with Approve / Reject (see remediation.js).
import { badge, h } from './dom.js';
import { remediationCard } from './remediation.js';
import { readEvents } from './sse.js';

export function createChat({ api, charts, report, onRemediation, can }) {
  const log = document.getElementById('chat-log');
  const form = document.getElementById('chat-form');
  const input = document.getElementById('chat-input');
  const send = document.getElementById('chat-send');
  const threadLabel = document.getElementById('chat-thread');
  let threadId = null;

  const setThread = (id) => {
    threadId = id;
    threadLabel.textContent = id ? `Conversation ${id.slice(0, 8)}` : 'New conversation';
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message || send.disabled) return;
    input.value = '';
    send.disabled = true;
    try {
      await ask(message);
    } finally {
      send.disabled = false;
      input.focus();
    }
  });
  document.getElementById('chat-new').addEventListener('click', () => {
    setThread(null);
    log.replaceChildren();
    input.focus();
  });

  async function ask(message) {
    log.append(h('div', { class: 'msg msg-user' }, h('span', { class: 'who' }, 'You'), h('p', {}, message)));
    const text = h('p', { class: 'answer-text' });
    const activity = h('ul', { class: 'activity', 'aria-label': 'Tool activity' });
    const turn = h(
      'div',
      { class: 'msg msg-assistant', 'data-state': 'streaming', 'data-tokens': '0' },
      h('span', { class: 'who' }, 'AIOps'),
      activity,
      text,
    );
    log.append(turn);
    log.scrollTop = log.scrollHeight;
    let tokens = 0;
    const calls = new Map();
    try {
      const response = await api.raw('POST', api.ws('/chat'), {
        body: { message, ...(threadId ? { thread_id: threadId } : {}) },
        accept: 'text/event-stream',
      });
      for await (const { event, data } of readEvents(response.body)) {
        const payload = safeJson(data);
        const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40; // follow the stream unless the user scrolled up
        switch (event) {
          case 'thread':
            setThread(payload.thread_id);
            break;
          case 'token':
            text.append(payload.text ?? '');
            turn.dataset.tokens = String(++tokens);
            break;
          case 'tool_call': {
            const item = h('li', { class: 'tool tool-running' }, `Calling ${payload.name}(${brief(payload.args)})…`);
            calls.set(payload.id, item);
            activity.append(item);
            break;
          }
          case 'tool_result': {
            const item = calls.get(payload.id) ?? activity.appendChild(h('li'));
            item.className = `tool tool-${payload.status}`;
            item.replaceChildren(badge(payload.status.replace(/_/g, ' '), payload.status), ` ${payload.name}: ${payload.summary ?? ''}`);
            break;
          }
          case 'approval_request':
            turn.append(remediationCard(api, payload.remediation, { report, onDecided: onRemediation, can }));
            onRemediation?.(payload.remediation);
            break;
          case 'answer':
            // The answer is authoritative: it replaces what streamed (same text when all tokens arrived).
            text.textContent = payload.text ?? text.textContent;
            turn.append(answerFooter(payload, charts));
            break;
          case 'error':
            turn.append(h('p', { class: 'warn' }, `Error: ${payload.message}${payload.reason ? ` (${payload.reason})` : ''}`));
            report(new Error(`chat: ${payload.message}${payload.reason ? ` (${payload.reason})` : ''}`));
            break;
          case 'done':
            turn.dataset.state = 'done';
            break;
          default:
            break; // unknown events are ignored (forward compatible)
        }
        if (atBottom) log.scrollTop = log.scrollHeight;
      }
    } catch (err) {
      turn.append(h('p', { class: 'warn' }, err.message));
      report(err);
    } finally {
      if (turn.dataset.state !== 'done') turn.dataset.state = 'ended';
    }
  }

  return {
    reset: () => {
      setThread(null);
      log.replaceChildren();
    },
  };
}

function answerFooter(answer, charts) {
  const evidence = answer.evidence ?? [];
  return h(
    'div',
    { class: 'answer-meta' },
    answer.partial ? h('p', { class: 'warn' }, 'Partial answer: the step limit of this turn was reached.') : null,
    answer.mode === 'deterministic' ? h('p', { class: 'muted' }, 'Answered without a language model (common questions only).') : null,
    evidence.length
      ? h(
          'details',
          {},
          h('summary', {}, `Evidence (${evidence.length})`),
          h(
            'ul',
            { class: 'evidence' },
            evidence
              .slice(0, 8)
              .map((e) =>
                h(
                  'li',
                  {},
                  badge(e.kind, 'kind'),
                  ` ${e.description} `,
                  h('code', {}, e.ref),
                  /\{/.test(e.ref ?? '') ? charts.chart(e.ref, {}) : null,
                ),
              ),
          ),
        )
      : null,
  );
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

function brief(args) {
  const text = JSON.stringify(args ?? {});
  return text.length > 80 ? `${text.slice(0, 77)}…` : text.replace(/^\{\}$/, '');
}
