// Per-step timing of a usage import.
/**
 * Milliseconds per step of one import (docs/consumption.md §10), written to `usage_imports.phase_ms`
 * when it completes and logged at debug: `lap(step)` charges the time since the previous lap to `step`.
 */
export class StepTimes {
  readonly ms: Record<string, number> = {};
  private last = process.hrtime.bigint();

  lap(step: string): void {
    const now = process.hrtime.bigint();
    this.ms[step] = (this.ms[step] ?? 0) + Number(now - this.last) / 1e6;
    this.last = now;
  }

  /** The steps' times in whole ms. */
  rounded(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v)]));
  }
}
