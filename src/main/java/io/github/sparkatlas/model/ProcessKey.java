package io.github.sparkatlas.model;

import java.util.Objects;

/**
 * Which spark_process a lineage record belongs to: the whole application (application granularity), or, at query
 * granularity, one distinct write of the application or one streaming query. {@link Naming#process(ProcessKey)}
 * turns it into the process's qualifiedName.
 */
public final class ProcessKey {
  /** What a spark_process stands for. */
  public enum Kind {
    /** Everything the application read and wrote: {@code <applicationId>@<ns>}. */
    APPLICATION,
    /** One batch write: the same inputs written to the same outputs again in the application is the same process. */
    WRITE,
    /** One streaming query, across restarts from its checkpoint. */
    STREAMING_QUERY
  }

  private final Kind kind;
  private final String applicationId;
  private final String id;

  private ProcessKey(Kind kind, String applicationId, String id) {
    this.kind = kind;
    this.applicationId = Objects.requireNonNull(applicationId, "applicationId");
    this.id = Objects.requireNonNull(id, "id");
  }

  public static ProcessKey application(String applicationId) {
    return new ProcessKey(Kind.APPLICATION, applicationId, applicationId);
  }

  /** @param digest names the write's inputs and outputs (see {@link SparkEntityFactory#processKey}) */
  public static ProcessKey write(String applicationId, String digest) {
    return new ProcessKey(Kind.WRITE, applicationId, digest);
  }

  /** @param queryId {@code StreamingQuery.id}, the same after a restart from the same checkpoint */
  public static ProcessKey streamingQuery(String applicationId, String queryId) {
    return new ProcessKey(Kind.STREAMING_QUERY, applicationId, queryId);
  }

  public Kind kind() {
    return kind;
  }

  /** The application whose record made this key (a streaming query's process outlives it). */
  public String applicationId() {
    return applicationId;
  }

  /** The application id, the write's digest or the streaming query's id. */
  public String id() {
    return id;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ProcessKey)) {
      return false;
    }
    ProcessKey that = (ProcessKey) other;
    // A streaming query is one process whichever application runs it.
    return kind == that.kind && id.equals(that.id)
        && (kind == Kind.STREAMING_QUERY || applicationId.equals(that.applicationId));
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, id);
  }

  @Override
  public String toString() {
    return kind + ":" + (kind == Kind.WRITE ? applicationId + "/" : "") + id;
  }
}
