/**
 * Per-node health-check counters, as pgpool's pcp_health_check_stats / SHOW pool_health_check_stats report them.
 */
import type { HealthCheckStats } from '../api';

export class HealthStats {
  private total = 0;
  private ok = 0;
  private failed = 0;
  private skipped = 0;
  private retries = 0;
  private maxRetries = 0;
  private checked = 0;
  private sumMs = 0;
  private maxMs = 0;
  private minMs = 0;
  private last: Date | null = null;
  private lastOk: Date | null = null;
  private lastSkip: Date | null = null;
  private lastFail: Date | null = null;

  constructor(private readonly nodeId: number) {}

  skip(): void {
    this.total++;
    this.skipped++;
    this.last = this.lastSkip = new Date();
  }

  success(durationMs: number, retries: number): void {
    this.ok++;
    this.record(durationMs, retries);
    this.lastOk = this.last;
  }

  failure(durationMs: number, retries: number): void {
    this.failed++;
    this.record(durationMs, retries);
    this.lastFail = this.last;
  }

  private record(durationMs: number, retries: number): void {
    this.total++;
    this.checked++;
    this.retries += retries;
    this.maxRetries = Math.max(this.maxRetries, retries);
    this.sumMs += durationMs;
    this.maxMs = Math.max(this.maxMs, durationMs);
    this.minMs = this.checked === 1 ? durationMs : Math.min(this.minMs, durationMs);
    this.last = new Date();
  }

  snapshot(): HealthCheckStats {
    return {
      nodeId: this.nodeId,
      totalCount: this.total,
      successCount: this.ok,
      failCount: this.failed,
      skipCount: this.skipped,
      retryCount: this.retries,
      averageRetryCount: this.checked ? this.retries / this.checked : 0,
      maxRetryCount: this.maxRetries,
      maxDurationMs: this.maxMs,
      minDurationMs: this.minMs,
      averageDurationMs: this.checked ? this.sumMs / this.checked : 0,
      lastHealthCheck: this.last,
      lastSuccessfulHealthCheck: this.lastOk,
      lastSkipHealthCheck: this.lastSkip,
      lastFailedHealthCheck: this.lastFail,
    };
  }
}
