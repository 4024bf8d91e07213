/**
 * The web console (ui/): static files served at /ui and /ui/*, public (the page holds no data; every
 * API call it makes carries the user's token and goes through the guard like any other client).
 *
 * The files (and the few vendor files of VENDOR_FILES, from node_modules: uPlot for the charts) are
 * read once at start into a map keyed by file name, and a request is answered only
 * by a map lookup: no request path is ever joined to a filesystem path, so traversal (`..`, encoded
 * or not) has nothing to reach. The console's own CSP allows only 'self': no inline script or
 * style, no other origin, no framing.
 */
/* eslint-disable security/detect-non-literal-fs-filename -- the folder is fixed (the package's ui/) and the vendor files a constant list, read once at start */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../http/http-errors.js';
import { PUBLIC } from '../http/route-auth.js';
import { findPackageRoot } from '../prompts/package-root.js';

export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Only plain file names of a known type are served (a file outside this pattern in ui/ is not an asset). */
const ASSET_NAME = /^[a-z0-9][a-z0-9_-]*\.(html|js|css|svg|png|ico)$/;

export interface UiAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * Third-party files the console uses, from the installed packages (never a CDN): served name →
 * package and file inside it. A fixed list read at start, like ui/: a request only picks a key.
 */
export const VENDOR_FILES: Readonly<Record<string, { pkg: string; file: string }>> = {
  'vendor/uplot.min.js': { pkg: 'uplot', file: 'dist/uPlot.iife.min.js' },
  'vendor/uplot.min.css': { pkg: 'uplot', file: 'dist/uPlot.min.css' },
};

const requireFromHere = createRequire(import.meta.url);
const packageDir = (pkg: string) => path.dirname(requireFromHere.resolve(`${pkg}/package.json`));

function asset(body: Buffer, name: string): UiAsset | undefined {
  const contentType = CONTENT_TYPES[path.extname(name)];
  if (!contentType) return undefined;
  return { body, contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

/** Reads the console's files into memory (flat folder; subfolders and unknown types are ignored), and the vendor files. */
export function loadUiAssets(dir: string = path.join(findPackageRoot(), 'ui')): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !ASSET_NAME.test(entry.name)) continue;
    const loaded = asset(readFileSync(path.join(dir, entry.name)), entry.name);
    if (loaded) assets.set(entry.name, loaded);
  }
  if (!assets.has('index.html')) throw new Error(`the web console has no index.html in ${dir}`);
  for (const [name, { pkg, file }] of Object.entries(VENDOR_FILES)) {
    const loaded = asset(readFileSync(path.join(packageDir(pkg), file)), name);
    if (!loaded) throw new Error(`the console's vendor file ${name} has no known content type`);
    assets.set(name, loaded);
  }
  return assets;
}

const uiRoutes: FastifyPluginAsyncZod<{ assets?: Map<string, UiAsset> }> = async (app, options) => {
  const assets = options.assets ?? loadUiAssets();

  const send = (name: string, ifNoneMatch: string | undefined, reply: FastifyReply) => {
    const asset = assets.get(name);
    if (!asset) throw notFound(`no console file "${name.slice(0, 100)}"`);
    // No content hashes in the file names (no build step): always revalidate, cheaply, by ETag.
    reply
      .header('Content-Security-Policy', UI_CSP)
      .header('Cache-Control', 'no-cache')
      .header('ETag', asset.etag)
      .header('Cross-Origin-Resource-Policy', 'same-origin');
    if (ifNoneMatch === asset.etag) return reply.code(304).send();
    return reply.type(asset.contentType).send(asset.body);
  };

  const schema = { hide: true, tags: ['console'] };
  // The front door: the service's root is the console.
  app.get('/', { config: { auth: PUBLIC }, schema: { hide: true } }, async (_request, reply) => reply.redirect('/ui', 302));
  app.get('/ui', { config: { auth: PUBLIC }, schema }, async (request, reply) =>
    send('index.html', request.headers['if-none-match'], reply),
  );
  app.get(
    '/ui/*',
    {
      config: { auth: PUBLIC },
      schema: { ...schema, params: z.object({ '*': z.string() }) },
    },
    async (request, reply) => send(request.params['*'] || 'index.html', request.headers['if-none-match'], reply),
  );
};

export default uiRoutes;
