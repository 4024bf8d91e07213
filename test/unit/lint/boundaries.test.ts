/**
 * The lint rules that hold the bands (eslint.config.js): each forbidden import, written into a file of
 * the band, is an error; the same import one band higher is fine.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function restricted(filePath: string, source: string): Promise<boolean> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
}

describe('import boundaries', () => {
  it.each([
    ['a src library imports agents/', 'src/metrics/x.ts', "import '../../agents/runs.js';"],
    ['a src library imports tools/', 'src/analysis/x.ts', "import '../../tools/toolbox.js';"],
    ['a src library imports a route', 'src/remediation/x.ts', "import '../routes/remediations.js';"],
    ['a src library imports the HTTP errors', 'src/runs/x.ts', "import '../http/http-errors.js';"],
    ['a src library imports the wiring', 'src/audit/x.ts', "import '../wiring/limits.js';"],
    ['a src library imports Fastify', 'src/limits/x.ts', "import 'fastify';"],
    ['a client imports a src library', 'src/clients/x.ts', "import '../metrics/metrics-source.js';"],
    ['a tool imports agents/', 'tools/x.ts', "import '../agents/runs.js';"],
    ['a tool imports a route', 'tools/x.ts', "import '../src/routes/chat.js';"],
    ['an agent imports the HTTP layer', 'agents/x.ts', "import '../src/http/http-errors.js';"],
    ['an agent imports the wiring', 'agents/chat/x.ts', "import '../../src/wiring/chat.js';"],
    ['the analytics library does I/O', 'src/analytics/x.ts', "import 'node:fs';"],
  ])('refuses: %s', async (_, file, source) => {
    expect(await restricted(file, source)).toBe(true);
  });

  it.each([
    ['a route imports agents/', 'src/routes/x.ts', "import '../../agents/runs.js';"],
    ['the wiring imports tools/', 'src/wiring/x.ts', "import '../../tools/toolbox.js';"],
    ['an agent imports a tool', 'agents/x.ts', "import '../tools/toolbox.js';"],
    ['a tool imports a src library', 'tools/x.ts', "import '../src/metrics/metrics-source.js';"],
    ['a src library imports a client', 'src/metrics/x.ts', "import '../clients/prometheus.js';"],
    ['a client imports the budget helpers', 'src/clients/x.ts', "import '../budget/deadline.js';"],
  ])('allows: %s', async (_, file, source) => {
    expect(await restricted(file, source)).toBe(false);
  });
});
