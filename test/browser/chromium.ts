/**
 * Debian's Chromium, headless, driven by playwright-core (no browser download: `scripts/ensure-chromium.sh`
 * installs /usr/bin/chromium, and `npm test` runs it). The flags keep Chromium off the network: without
 * the background-networking ones it keeps trying to reach Google's hosts (see platform-notes §6).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox', // the test runs as root in a container
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium with a new, empty profile (removed on close). */
export async function launchChromium(viewport = { width: 1440, height: 1000 }): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test does) to install Debian's chromium`);
  const profile = mkdtempSync(path.join(tmpdir(), 'aiops-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
