// Worker entry when the service runs from its TypeScript sources (`tsx`, vitest): a worker thread
// does not inherit its parent's loader, so the task module is imported through tsx's scoped loader.
// Compiled builds (`npm run build`, dist/) load findings-worker.js directly and never use this file.
import { tsImport } from 'tsx/esm/api';

const task = await tsImport('./findings-worker.ts', import.meta.url);

export default task.default;
