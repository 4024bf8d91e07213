// Calls the AIOps API with the user's bearer token. Every non-2xx answer becomes an ApiError that
// carries the service's own message and reason ({error, message, statusCode, reason, …}).

export class ApiError extends Error {
  constructor(method, path, status, body) {
    const reason = body && typeof body === 'object' ? body.reason : undefined;
    const message = body && typeof body === 'object' && body.message ? body.message : `HTTP ${status}`;
    super(`${method} ${path} → ${status}${reason ? ` ${reason}` : ''}: ${message}`);
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

/** `getToken()` and `getWorkspace()` are read at call time, so a new token applies at once. */
export function createApi(getToken, getWorkspace) {
  async function raw(method, path, { body, accept = 'application/json', signal } = {}) {
    const headers = { accept, authorization: `Bearer ${getToken()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(method, path, 0, { message: `the service did not answer (${err.message})`, reason: 'network_error' });
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed = { message: text.slice(0, 300) || response.statusText };
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      throw new ApiError(method, path, response.status, parsed);
    }
    return response;
  }
  const ws = (path) => `/workspaces/${encodeURIComponent(getWorkspace())}${path}`;
  const json = async (method, path, body) => {
    const response = await raw(method, ws(path), { body });
    return { status: response.status, body: await response.json() };
  };
  return {
    raw,
    ws,
    get: async (path) => (await json('GET', path)).body,
    post: (path, body = {}) => json('POST', path, body),
  };
}
