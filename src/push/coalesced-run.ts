/**
 * A task run one at a time: a call while it runs makes exactly one more run after it (what changed during a
 * run is looked at again), never a queue of runs. Failures go to `onError`; `run()` never rejects.
 */
export class CoalescedRun {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts a run, or asks for one more after the run under way; resolves when that run ends. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.task()
      .catch(this.onError)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.run();
        }
      });
    return this.running;
  }

  /** Resolves once no run is under way, the one asked for after it included. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** The run under way, or null. */
  get current(): Promise<void> | null {
    return this.running;
  }
}
