/**
 * Prompt templates: one Markdown file per prompt under a directory given at construction, with
 * `{{variable}}` placeholders, `{{fenced:variable}}` placeholders (the value is fenced as untrusted
 * data, see fence.ts) and `{{> _partial}}` includes of `_partial.md`. Rendering throws on a missing
 * variable or an unknown partial, substitutes in one pass (a value that contains `{{x}}` stays
 * literal) and returns the prompt's name and the sha256 of its source with partials expanded.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- the directory comes from the composition root; names are validated */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PromptRef } from '../llm/types.js';
import { fenceUntrusted } from './fence.js';

/** A value for a placeholder: text, a number, or a list (rendered one `- item` per line). */
export type PromptValue =
  string | number | boolean | readonly (string | number)[] | Record<string, unknown> | readonly Record<string, unknown>[];
export type PromptVars = Readonly<Record<string, PromptValue>>;

export interface RenderedPrompt {
  text: string;
  ref: PromptRef;
}

export interface PromptLibrary {
  /** Names of the prompts (not partials) found in the directory. */
  readonly names: readonly string[];
  renderPrompt(name: string, vars: PromptVars): RenderedPrompt;
  /** The template with partials expanded, and its ref (for evals and docs). */
  source(name: string): RenderedPrompt;
}

export class PromptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptError';
  }
}

const NAME = /^_?[a-z][a-z0-9_-]*$/;
const PARTIAL = /\{\{>\s*([A-Za-z0-9_-]+)\s*\}\}/g;
const PLACEHOLDER = /\{\{\s*(fenced:)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const MAX_PARTIAL_DEPTH = 5;

/** Loads every `*.md` template of `dir` (eagerly, so a bad directory fails at boot). */
export function createPromptLibrary(dir: string): PromptLibrary {
  const templates = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const name = file.endsWith('.md') ? file.slice(0, -3) : '';
    if (NAME.test(name)) templates.set(name, readFileSync(path.join(dir, file), 'utf8'));
  }
  const expanded = new Map<string, RenderedPrompt>();

  function source(name: string): RenderedPrompt {
    const cached = expanded.get(name);
    if (cached) return cached;
    if (!NAME.test(name) || name.startsWith('_')) throw new PromptError(`invalid prompt name: ${JSON.stringify(name)}`);
    const template = templates.get(name);
    if (template === undefined) throw new PromptError(`unknown prompt: ${name} (in ${dir})`);
    const text = expandPartials(template, templates, name, 0);
    const result = { text, ref: { name, hash: createHash('sha256').update(text).digest('hex') } };
    expanded.set(name, result);
    return result;
  }

  return {
    names: [...templates.keys()].filter((n) => !n.startsWith('_')).sort(),
    source,
    renderPrompt(name, vars) {
      const { text, ref } = source(name);
      return { text: substitute(text, vars, name), ref };
    },
  };
}

function expandPartials(text: string, templates: ReadonlyMap<string, string>, within: string, depth: number): string {
  return text.replace(PARTIAL, (_m, partial: string) => {
    if (depth >= MAX_PARTIAL_DEPTH) throw new PromptError(`partials nested too deeply in ${within}`);
    const body = partial.startsWith('_') ? templates.get(partial) : undefined;
    if (body === undefined) throw new PromptError(`unknown partial {{> ${partial}}} in ${within}`);
    return expandPartials(body.replace(/\n+$/, ''), templates, partial, depth + 1);
  });
}

function substitute(text: string, vars: PromptVars, name: string): string {
  const missing = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) {
    const key = m[2] ?? '';
    if (!Object.hasOwn(vars, key) || vars[key] === undefined || vars[key] === null) missing.add(key);
  }
  if (missing.size > 0) throw new PromptError(`prompt ${name}: missing variable(s) ${[...missing].join(', ')}`);
  return text.replace(PLACEHOLDER, (_m, fenced: string | undefined, key: string) => {
    const value = vars[key] as PromptValue;
    return fenced ? fenceUntrusted(key, value) : formatValue(value);
  });
}

function formatValue(value: PromptValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return '(none)';
    return value.map((v: unknown) => `- ${typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)}`).join('\n');
  }
  return JSON.stringify(value);
}
