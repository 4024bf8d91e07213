import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPromptLibrary, PromptError } from '../../../src/prompts/render.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'prompts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('renderPrompt', () => {
  const dir = dirWith({
    'hello.md': 'Hello {{name}}, you have {{count}} alerts:\n{{items}}\n{{> _footer}}',
    '_footer.md': 'Workspace {{workspace}}.\n',
    'nested.md': '{{> _outer}}',
    '_outer.md': 'outer [{{> _footer}}]',
    'broken.md': 'x {{> _nope}}',
    'fenced.md': 'Data:\n{{fenced:labels}}',
    'README.md': 'not a prompt',
  });
  const lib = createPromptLibrary(dir);

  it('substitutes variables, lists and partials', () => {
    const { text, ref } = lib.renderPrompt('hello', { name: 'Ops', count: 2, items: ['a', 'b'], workspace: 'ws-1' });
    expect(text).toBe('Hello Ops, you have 2 alerts:\n- a\n- b\nWorkspace ws-1.');
    expect(ref.name).toBe('hello');
  });

  it('lists only prompts, not partials or other files', () => {
    expect(lib.names).toEqual(['broken', 'fenced', 'hello', 'nested']);
  });

  it('throws on a missing variable, naming it', () => {
    expect(() => lib.renderPrompt('hello', { name: 'Ops', count: 2, items: [] })).toThrow(/missing variable\(s\) workspace/);
    expect(() => lib.renderPrompt('hello', { name: 'Ops', count: 2, items: [] })).toThrow(PromptError);
  });

  it('throws on an unknown partial or prompt, and refuses path-like names', () => {
    expect(() => lib.renderPrompt('broken', {})).toThrow(/unknown partial \{\{> _nope\}\}/);
    expect(() => lib.renderPrompt('nope', {})).toThrow(/unknown prompt: nope/);
    expect(() => lib.renderPrompt('../etc/passwd', {})).toThrow(/invalid prompt name/);
    expect(() => lib.renderPrompt('_footer', { workspace: 'x' })).toThrow(/invalid prompt name/);
  });

  it('expands nested partials', () => {
    expect(lib.renderPrompt('nested', { workspace: 'w' }).text).toBe('outer [Workspace w.]');
  });

  it('hashes the template with partials expanded, independent of the variables', () => {
    const a = lib.renderPrompt('hello', { name: 'A', count: 1, items: [], workspace: 'x' }).ref.hash;
    const b = lib.renderPrompt('hello', { name: 'B', count: 9, items: ['z'], workspace: 'y' }).ref.hash;
    expect(a).toBe(b);
    const expanded = 'Hello {{name}}, you have {{count}} alerts:\n{{items}}\nWorkspace {{workspace}}.';
    expect(a).toBe(createHash('sha256').update(expanded).digest('hex'));
    expect(createPromptLibrary(dir).renderPrompt('hello', { name: 'C', count: 0, items: [], workspace: 'z' }).ref.hash).toBe(a);
  });

  it('changes the hash when a partial changes', () => {
    const other = createPromptLibrary(
      dirWith({
        'hello.md': 'Hello {{name}}, you have {{count}} alerts:\n{{items}}\n{{> _footer}}',
        '_footer.md': 'Project {{workspace}}.',
      }),
    );
    expect(other.renderPrompt('hello', { name: 'A', count: 1, items: [], workspace: 'x' }).ref.hash).not.toBe(
      lib.renderPrompt('hello', { name: 'A', count: 1, items: [], workspace: 'x' }).ref.hash,
    );
  });

  it('substitutes in one pass: a value containing a placeholder stays literal', () => {
    const { text } = lib.renderPrompt('hello', { name: '{{workspace}} {{> _footer}}', count: 1, items: [], workspace: 'w' });
    expect(text).toContain('Hello {{workspace}} {{> _footer}}, you have');
  });

  it('fences {{fenced:x}} values as untrusted data', () => {
    const { text } = lib.renderPrompt('fenced', { labels: { pod: 'cart-1' } });
    expect(text).toMatch(
      /^Data:\n<<<UNTRUSTED_DATA label="labels" id="[0-9a-f]{16}">>>\n\{\n {2}"pod": "cart-1"\n\}\n<<<END_UNTRUSTED_DATA id="[0-9a-f]{16}">>>$/,
    );
  });
});
