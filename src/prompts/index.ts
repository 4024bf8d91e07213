export { createPromptLibrary, PromptError, type PromptLibrary, type PromptValue, type PromptVars, type RenderedPrompt } from './render.js';
export { fenceUntrusted, untrustedText } from './fence.js';
export { defaultPromptsDir, findPackageRoot } from './package-root.js';
