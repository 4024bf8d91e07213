/** What the composition root starts and stops, whichever engine schedules the ticks. */
export interface MonitorScheduler {
  start(): Promise<void>;
  /**
   * Stops taking ticks and waits for the evaluations in flight (shutdown). `force` does not wait: with
   * BullMQ their ticks stall and another replica takes them over, as after a crash.
   */
  stop(options?: { force?: boolean }): Promise<void>;
}

/** The workspaces to monitor: the configured list, or those the metrics source knows. */
export type WorkspaceDiscovery = () => Promise<string[]>;
