/**
 * `--model deterministic|ollama|openai`: which configuration the app under test gets, read from the
 * same variables the service reads (OLLAMA_*, OPENAI_*, LLM_TIMEOUT_SECONDS), and the LLM the judge
 * uses. One provider per mode (no fallback), so a run measures exactly the model it names.
 */
import type { AuditLog } from '../../src/audit/event.js';
import { loadConfig } from '../../src/config.js';
import type { ChatLlm } from '../../src/llm/types.js';
import { buildChatLlm } from '../../src/wiring/llm.js';

export const MODEL_MODES = ['deterministic', 'ollama', 'openai'] as const;
export type ModelMode = (typeof MODEL_MODES)[number];

export interface ModelSettings {
  mode: ModelMode;
  /** e.g. `ollama:llama3.1:8b`; null in deterministic mode. */
  name: string | null;
  /** The variables handed to the app's configuration. */
  appEnv: Record<string, string>;
}

const VARS: Record<Exclude<ModelMode, 'deterministic'>, readonly string[]> = {
  ollama: ['OLLAMA_BASE_URL', 'OLLAMA_MODEL'],
  openai: ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL'],
};

export function isModelMode(value: string): value is ModelMode {
  return (MODEL_MODES as readonly string[]).includes(value);
}

export function modelSettings(mode: ModelMode, env: Readonly<Record<string, string | undefined>>): ModelSettings {
  if (mode === 'deterministic') return { mode, name: null, appEnv: {} };
  const appEnv: Record<string, string> = {};
  for (const v of [...VARS[mode], 'LLM_TIMEOUT_SECONDS']) {
    const value = env[v]?.trim();
    if (value) appEnv[v] = value;
  }
  const required = mode === 'ollama' ? 'OLLAMA_BASE_URL' : 'OPENAI_API_KEY';
  if (!appEnv[required]) throw new Error(`--model ${mode} needs ${required} (the same variable the service reads)`);
  const { llm } = loadConfig({ NODE_ENV: 'test', ...appEnv });
  return { mode, name: mode === 'ollama' ? `ollama:${llm.ollamaModel}` : `openai:${llm.openaiModel}`, appEnv };
}

/** The model as an LLM-layer client (the judge's), audited into `audit`; undefined in deterministic mode. */
export function modelLlm(settings: ModelSettings, audit: AuditLog): ChatLlm | undefined {
  if (settings.mode === 'deterministic') return undefined;
  return buildChatLlm(loadConfig({ NODE_ENV: 'test', ...settings.appEnv }), { audit });
}
