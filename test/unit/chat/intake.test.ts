import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { repairDanglingToolCalls } from '../../../agents/chat/nodes/intake.js';
import { chunkText } from '../../../agents/chat/token-stream.js';

describe('a history left by an interrupted turn', () => {
  it('gets a "not executed" result for each tool call that has none, right after its call', () => {
    const messages = [
      new HumanMessage({ id: 'h1', content: 'q' }),
      new AIMessage({
        id: 'a1',
        content: '',
        tool_calls: [
          { id: 'c1', name: 'list_alerts', args: {} },
          { id: 'c2', name: 'query_metrics', args: {} },
        ],
      }),
      new ToolMessage({ id: 't1', tool_call_id: 'c1', content: 'ok' }),
      new HumanMessage({ id: 'h2', content: 'again' }),
    ];
    const repaired = repairDanglingToolCalls(messages);
    expect(repaired.map((m) => m.getType())).toEqual(['human', 'ai', 'tool', 'tool', 'human']);
    const added = repaired[2] as ToolMessage;
    expect(added.tool_call_id).toBe('c2');
    expect(String(added.content)).toMatch(
      /^<<<UNTRUSTED_DATA label="tool_result.query_metrics"[\s\S]*not executed: the turn was interrupted/,
    );
    expect(added.id).toBeTruthy();
    expect(repairDanglingToolCalls(repaired)).toHaveLength(repaired.length); // nothing left to repair
  });
});

describe('answer chunks', () => {
  it('split at word boundaries and join back to the text', () => {
    const text = 'First to run out: pvc_usage{namespace="data"} in about 6 h.\n\n(Forecast from the trend.)';
    const chunks = chunkText(text);
    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunkText('')).toEqual([]);
  });
});
