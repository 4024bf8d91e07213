/** Finds this package's root (the folder whose package.json is named hexabase-aiops), from src/ or dist/src/. */
/* eslint-disable security/detect-non-literal-fs-filename -- paths derive from this module's own location */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'hexabase-aiops';

export function findPackageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === PACKAGE_NAME) return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
}

/** `<package root>/prompts`: what the composition root passes to `createPromptLibrary`. */
export function defaultPromptsDir(): string {
  return path.join(findPackageRoot(), 'prompts');
}
