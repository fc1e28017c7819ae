package io.github.sparkatlas.model;

/**
 * Everything one Spark application has read and written so far: its spark_process at application granularity.
 * The process is sent with this whole union, since Atlas replaces a process's inputs and outputs with what a
 * message says. What the application wrote itself is not also drawn as its input: no loop from a table to itself.
 */
public final class ApplicationLineage extends ProcessLineage {
  public ApplicationLineage(String applicationId) {
    super(ProcessKey.application(applicationId), true);
  }
}
