package io.github.sparkatlas.delivery.spool;

import java.nio.file.Path;

/** Where the spool lives and its limits, as configured. */
public final class SpoolSettings {
  private final Path base;
  private final Path fallback;
  private final long maxBytes;
  private final long retentionMillis;
  private final long retentionBytes;

  /**
   * @param base            the configured (or default) spool base
   * @param fallback        the private directory used when {@code base} cannot be trusted; null when there is none
   * @param maxBytes        size limit of one application's spool
   * @param retentionMillis age limit of spools left for other destinations and of dead-letter files
   * @param retentionBytes  size limit of all of those together
   */
  public SpoolSettings(Path base, Path fallback, long maxBytes, long retentionMillis, long retentionBytes) {
    this.base = base;
    this.fallback = fallback;
    this.maxBytes = maxBytes;
    this.retentionMillis = retentionMillis;
    this.retentionBytes = retentionBytes;
  }

  public Path base() {
    return base;
  }

  public Path fallback() {
    return fallback;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public long retentionMillis() {
    return retentionMillis;
  }

  public long retentionBytes() {
    return retentionBytes;
  }
}
