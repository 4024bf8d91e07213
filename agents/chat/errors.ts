import { DependencyUnavailable } from '../../src/resilience/dependency-unavailable.js';

/** Failures of a chat turn that the caller should see with a stable reason (the `error` event). */
export class ChatTurnError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChatTurnError';
  }
}

/** The thread does not exist for this caller (another user's or workspace's is indistinguishable). */
export class ThreadNotFound extends Error {
  constructor(threadId: string) {
    super(`no chat thread ${threadId} for you in this workspace`);
    this.name = 'ThreadNotFound';
  }
}

/** Another turn is running on the thread (one turn at a time, across replicas). */
export class ThreadBusy extends Error {
  constructor(threadId: string) {
    super(`chat thread ${threadId} is answering another message; wait for its done event and send again`);
    this.name = 'ThreadBusy';
  }
}

/** The thread index or the checkpoint store cannot be used right now: DependencyUnavailable 'chat_store' (503 `chat_store_unavailable`). */
export class ChatStoreUnavailable extends DependencyUnavailable {
  constructor(cause: unknown) {
    super('chat_store', { cause });
    this.name = 'ChatStoreUnavailable';
  }
}
