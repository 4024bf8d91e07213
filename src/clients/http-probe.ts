/** A GET that succeeds on any 2xx: the readiness probe of HTTP dependencies. */
export async function httpProbe(url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { signal, headers, redirect: 'manual' });
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) throw new Error(`HTTP ${response.status}`);
}
