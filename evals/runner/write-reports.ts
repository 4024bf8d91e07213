/** Writes `report.json` (validated against its schema first) and the self-contained `report.html`. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { externalReferences, renderHtml } from './report-html.js';
import { RunReportSchema, type RunReport } from './report-schema.js';

/** `reports/evals/2026-11-28T12-00-00Z`: a folder name per run, sortable, valid everywhere. */
export function defaultOutDir(root: string, at: Date = new Date()): string {
  return join(
    root,
    'reports',
    'evals',
    at
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replace(/:/g, '-'),
  );
}

export async function writeReports(report: RunReport, outDir: string): Promise<{ json: string; html: string }> {
  const valid = RunReportSchema.parse(report);
  await mkdir(outDir, { recursive: true });
  const json = join(outDir, 'report.json');
  const html = join(outDir, 'report.html');
  await writeFile(json, `${JSON.stringify(valid, null, 2)}\n`);
  const page = renderHtml(valid);
  const external = externalReferences(page);
  if (external.length > 0) throw new Error(`the HTML report must be self-contained but references ${external.join(', ')}`);
  await writeFile(html, page);
  return { json, html };
}
