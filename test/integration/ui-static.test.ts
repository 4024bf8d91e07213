/**
 * The web console's static files (src/routes/ui.ts) on the real app: /ui serves index.html under a
 * strict 'self'-only CSP with no inline script, every asset has its content type and cache headers,
 * traversal in any spelling finds nothing, and the console is public while every API call it makes
 * still needs a token.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadUiAssets, UI_CSP, VENDOR_FILES } from '../../src/routes/ui.js';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { contractToken, rsaKey, type RsaKey } from '../helpers/keys.js';

const UI_DIR = path.resolve(import.meta.dirname, '../../ui');
const uiFiles = readdirSync(UI_DIR).filter((f) => /\.(html|js|css)$/.test(f));

let key: RsaKey;
let app: FastifyInstance;

beforeAll(async () => {
  key = await rsaKey();
  app = await testApp(testEnv(key));
});
afterAll(async () => app?.close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('the console page', () => {
  it('the root is the front door: GET / redirects to the console', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/ui');
  });

  it('/ui and /ui/ serve index.html with the strict CSP, no token needed', async () => {
    for (const url of ['/ui', '/ui/', '/ui/index.html']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      expect(res.body).toContain('<main id="main"');
    }
    const csp = (await get('/ui')).headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('has no inline script, inline style or inline event handler, and loads nothing from another origin', async () => {
    const html = (await get('/ui')).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc="\/ui\/[a-z0-9-]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    for (const file of uiFiles) {
      const text = readFileSync(path.join(UI_DIR, file), 'utf8');
      // No CDN, font service or any absolute URL (the only one allowed is the SVG namespace name, never fetched).
      const urls = [...text.matchAll(/https?:\/\/[^\s'"`)]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg');
      expect(urls, file).toEqual([]);
      expect(text, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    }
  });

  it('serves every asset with its content type and revalidation headers; 304 on a matching ETag', async () => {
    const types: Record<string, string> = {
      '.html': 'text/html; charset=utf-8',
      '.js': 'text/javascript; charset=utf-8',
      '.css': 'text/css; charset=utf-8',
    };
    expect(uiFiles).toEqual(expect.arrayContaining(['index.html', 'app.js', 'styles.css', 'sse.js', 'chart.js']));
    for (const file of uiFiles) {
      const res = await get(`/ui/${file}`);
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['content-type'], file).toBe(types[path.extname(file)]);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(readFileSync(path.join(UI_DIR, file), 'utf8'));
      const etag = res.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]{22}"$/);
      const again = await get(`/ui/${file}`, { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    }
    const head = await app.inject({ method: 'HEAD', url: '/ui/app.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('serves the vendor files (uPlot) from node_modules as they are, under the same headers; nothing else of node_modules', async () => {
    const require = createRequire(import.meta.url);
    const expected: Record<string, string> = {
      '/ui/vendor/uplot.min.js': 'text/javascript; charset=utf-8',
      '/ui/vendor/uplot.min.css': 'text/css; charset=utf-8',
    };
    for (const [url, type] of Object.entries(expected)) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(type);
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      const { pkg, file } = VENDOR_FILES[url.slice('/ui/'.length)]!;
      expect(res.body).toBe(readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file), 'utf8'));
    }
    expect((await get('/ui/vendor/uplot.min.js')).body).toMatch(/^\/\*! https:\/\/github\.com\/leeoniya\/uPlot/);
    for (const url of [
      '/ui/vendor/uPlot.esm.js',
      '/ui/vendor/%2e%2e/%2e%2e/node_modules/uplot/package.json',
      '/ui/uplot/package.json',
      '/ui/vendor/',
    ]) {
      expect((await get(url)).statusCode, url).toBe(404);
    }
  });

  it('every module the page imports is served (no missing file, nothing outside /ui)', async () => {
    const html = (await get('/ui')).body;
    const pending = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1]!);
    const seen = new Set<string>();
    while (pending.length > 0) {
      const url = pending.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      if (url.endsWith('.js')) {
        for (const m of res.body.matchAll(/^import\s[^'"]*['"]([^'"]+)['"]/gm)) {
          expect(m[1], `${url} imports ${m[1]}`).toMatch(/^\.\/[a-z0-9-]+\.js$/);
          pending.push(`/ui/${m[1]!.slice(2)}`);
        }
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(8);
  });
});

describe('nothing outside the console can be reached', () => {
  it('traversal in every spelling is 404 and never shows another file', async () => {
    const attempts = [
      '/ui/../package.json',
      '/ui/..%2Fpackage.json',
      '/ui/%2e%2e/package.json',
      '/ui/%2e%2e%2fpackage.json',
      '/ui/%2E%2E%2Fpackage.json',
      '/ui/..%5cpackage.json',
      '/ui/....//package.json',
      '/ui//etc/passwd',
      '/ui/%2Fetc%2Fpasswd',
      '/ui/..%252Fpackage.json',
      '/ui/app.js%00.html',
      '/ui/./app.js/../../package.json',
      '/ui/../src/config.ts',
      '/ui/../.git/config',
    ];
    for (const url of attempts) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain('hexabase-aiops"');
      expect(res.body, url).not.toContain('root:');
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
    }
  });

  it('an unknown asset is 404 with the error body', async () => {
    for (const url of ['/ui/nope.js', '/ui/APP.JS', '/ui/index.htm', '/ui/sub/app.js']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    }
  });

  it('only plain asset files of ui/ are loaded: dotfiles, other types and subfolders are not', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ui-assets-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(dir, 'app.js'), 'export {}');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    writeFileSync(path.join(dir, 'notes.txt'), 'x');
    writeFileSync(path.join(dir, 'server.ts'), 'x');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'x.js'), 'x');
    expect([...loadUiAssets(dir).keys()].sort()).toEqual(['app.js', 'index.html', ...Object.keys(VENDOR_FILES)].sort());
    const noIndex = mkdtempSync(path.join(tmpdir(), 'ui-assets-'));
    expect(() => loadUiAssets(noIndex)).toThrow(/no index\.html/);
  });
});

describe('public page, guarded API', () => {
  it('the console routes are declared public; the API it calls still needs the token', async () => {
    const ui = app.routeCatalog.filter((r) => r.url.startsWith('/ui'));
    expect(ui.length).toBeGreaterThanOrEqual(2);
    for (const r of ui) expect(r.auth).toEqual({ public: true });
    for (const url of ['/workspaces/ws-a/alerts', '/workspaces/ws-a/recommendations', '/workspaces/ws-a/metrics/catalog']) {
      const anonymous = await get(url);
      expect(anonymous.statusCode, url).toBe(401);
      expect(anonymous.json().reason).toBe('missing_token');
      const withToken = await get(url, bearer(await contractToken(key, { workspaceId: 'ws-a' })));
      expect(withToken.statusCode, url).toBe(200);
    }
    // A token for /ui changes nothing: the page is the same for everyone, it holds no data.
    const withToken = await get('/ui', bearer(await contractToken(key, { workspaceId: 'ws-a' })));
    expect(withToken.body).toBe((await get('/ui')).body);
  });
});
