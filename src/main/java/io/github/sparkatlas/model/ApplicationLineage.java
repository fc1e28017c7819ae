package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.QueryLineage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one Spark application has read and written so far. The spark_process is re-sent with this union
 * after each write, so Atlas shows the whole application whether it merges or replaces the process's arrays.
 * Owned by the agent thread only; bounded by {@link #MAX_DATASETS_PER_SIDE}.
 */
public final class ApplicationLineage {
  /** Beyond this many inputs (or outputs) new ones are not added: bounded memory and message size. */
  public static final int MAX_DATASETS_PER_SIDE = 5_000;

  private final String applicationId;
  private String applicationName;
  private String user;
  private long latestExecutionId = -1;
  private String latestOperation;
  private String latestPlanText;
  private final Map<String, Dataset> inputs = new LinkedHashMap<>();
  private final Map<String, Dataset> outputs = new LinkedHashMap<>();
  private long datasetsNotAdded;

  public ApplicationLineage(String applicationId) {
    this.applicationId = applicationId;
  }

  /** Adds one query's lineage; a dataset seen again keeps its place and takes the newer details. */
  public void add(QueryLineage query) {
    applicationName = query.applicationName();
    user = query.user();
    latestExecutionId = query.executionId();
    latestOperation = query.operation();
    latestPlanText = query.planText();
    for (Dataset output : query.outputs()) {
      put(outputs, output);
    }
    for (Dataset input : query.inputs()) {
      put(inputs, input);
    }
    // What the application wrote itself is not also drawn as its input: no loop from a table to itself.
    inputs.keySet().removeAll(outputs.keySet());
  }

  private void put(Map<String, Dataset> side, Dataset dataset) {
    if (side.containsKey(dataset.key()) || side.size() < MAX_DATASETS_PER_SIDE) {
      side.put(dataset.key(), dataset);
    } else {
      datasetsNotAdded++;
    }
  }

  public String applicationId() {
    return applicationId;
  }

  public String applicationName() {
    return applicationName;
  }

  public String user() {
    return user;
  }

  public long latestExecutionId() {
    return latestExecutionId;
  }

  public String latestOperation() {
    return latestOperation;
  }

  public String latestPlanText() {
    return latestPlanText;
  }

  public List<Dataset> inputs() {
    return Collections.unmodifiableList(new ArrayList<>(inputs.values()));
  }

  public List<Dataset> outputs() {
    return Collections.unmodifiableList(new ArrayList<>(outputs.values()));
  }

  public long datasetsNotAdded() {
    return datasetsNotAdded;
  }
}
