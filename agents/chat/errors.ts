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
