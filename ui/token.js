// The token: taken from `#token=…` (then removed from the URL) or pasted, kept in sessionStorage
// only (this tab; gone when it closes). The payload is decoded here just to show who and what it
// is for; the server verifies the signature and every claim on each call.
const KEY = 'aiops.console.token';

export function tokenFromFragment() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  // Out of the address bar and history at once: the URL must not keep (or leak) the token. What else
  // the fragment says (`incident=<id>`, a notification's link) stays for the console to open.
  const rest = window.location.hash
    .slice(1)
    .split('&')
    .filter((part) => part && !part.startsWith('token='))
    .join('&');
  window.history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? `#${rest}` : ''));
  return decodeURIComponent(match[1]);
}

export const storedToken = () => sessionStorage.getItem(KEY);
export const storeToken = (token) => sessionStorage.setItem(KEY, token);
export const forgetToken = () => sessionStorage.removeItem(KEY);

/** The JWT payload (not verified). Throws with a plain message when the text is not a JWT. */
export function decodeClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('this is not a JWT (expected three dot-separated parts)');
  try {
    const b64 = parts[1]
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(parts[1].length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    if (!claims || typeof claims !== 'object') throw new Error('payload is not an object');
    return claims;
  } catch (err) {
    throw new Error(`the token payload cannot be read (${err.message})`);
  }
}

/** The AIOps contract names the workspace `workspace_id`; the control plane's internal token `active_workspace_id`. */
export const workspaceOf = (claims) => claims.workspace_id ?? claims.active_workspace_id ?? null;
