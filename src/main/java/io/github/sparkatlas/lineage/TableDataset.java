package io.github.sparkatlas.lineage;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * A catalog table (Hive, data source or DSv2 session catalog table). Everything but database and table name is
 * optional detail that makes the Atlas entity richer; the capture fills in what is cheaply known.
 */
public final class TableDataset extends Dataset {
  private final String database;
  private final String table;
  private final String tableType;
  private final String provider;
  private final URI location;
  private final String owner;
  private final Long createTime;
  private final String comment;
  private final String inputFormat;
  private final String outputFormat;
  private final String serde;
  private final List<String> partitionColumns;
  private final List<Column> columns;
  private final Map<String, String> properties;

  private TableDataset(Builder b) {
    this.database = b.database.toLowerCase(Locale.ROOT);
    this.table = b.table.toLowerCase(Locale.ROOT);
    this.tableType = b.tableType;
    this.provider = b.provider;
    this.location = b.location;
    this.owner = b.owner;
    this.createTime = b.createTime;
    this.comment = b.comment;
    this.inputFormat = b.inputFormat;
    this.outputFormat = b.outputFormat;
    this.serde = b.serde;
    this.partitionColumns = Collections.unmodifiableList(new ArrayList<>(b.partitionColumns));
    this.columns = Collections.unmodifiableList(new ArrayList<>(b.columns));
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(b.properties));
  }

  public static Builder builder(String database, String table) {
    return new Builder(database, table);
  }

  /** Lower-cased, as Spark's and Hive's catalogs treat names. */
  public String database() {
    return database;
  }

  /** Lower-cased, as Spark's and Hive's catalogs treat names. */
  public String table() {
    return table;
  }

  /** MANAGED, EXTERNAL or VIEW; null when unknown. */
  public String tableType() {
    return tableType;
  }

  public String provider() {
    return provider;
  }

  public URI location() {
    return location;
  }

  public String owner() {
    return owner;
  }

  public Long createTime() {
    return createTime;
  }

  public String comment() {
    return comment;
  }

  public String inputFormat() {
    return inputFormat;
  }

  public String outputFormat() {
    return outputFormat;
  }

  public String serde() {
    return serde;
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  public List<Column> columns() {
    return columns;
  }

  /**
   * The table's properties (TBLPROPERTIES) where a catalog change read them; empty otherwise. Not part of what makes
   * a process's message news: only DDL changes them in the agent's view.
   */
  public Map<String, String> properties() {
    return properties;
  }

  /** The same details under another name: a renamed table. */
  public TableDataset renamed(String newDatabase, String newTable) {
    return toBuilder(newDatabase, newTable).build();
  }

  /** A builder holding this table's details under the given name. */
  public Builder toBuilder(String newDatabase, String newTable) {
    return builder(newDatabase, newTable).tableType(tableType).provider(provider).location(location).owner(owner)
        .createTime(createTime).comment(comment).storage(inputFormat, outputFormat, serde)
        .partitionColumns(partitionColumns).columns(columns).properties(properties);
  }

  @Override
  public String key() {
    return "table:" + database + "." + table;
  }

  /** Collects a table's details; only database and table are required. */
  public static final class Builder {
    private final String database;
    private final String table;
    private String tableType;
    private String provider;
    private URI location;
    private String owner;
    private Long createTime;
    private String comment;
    private String inputFormat;
    private String outputFormat;
    private String serde;
    private List<String> partitionColumns = Collections.emptyList();
    private List<Column> columns = Collections.emptyList();
    private Map<String, String> properties = Collections.emptyMap();

    private Builder(String database, String table) {
      this.database = database;
      this.table = table;
    }

    public Builder tableType(String value) {
      this.tableType = value;
      return this;
    }

    public Builder provider(String value) {
      this.provider = value;
      return this;
    }

    public Builder location(URI value) {
      this.location = value;
      return this;
    }

    public Builder owner(String value) {
      this.owner = value;
      return this;
    }

    public Builder createTime(Long value) {
      this.createTime = value;
      return this;
    }

    public Builder comment(String value) {
      this.comment = value;
      return this;
    }

    public Builder storage(String input, String output, String serdeClass) {
      this.inputFormat = input;
      this.outputFormat = output;
      this.serde = serdeClass;
      return this;
    }

    public Builder partitionColumns(List<String> value) {
      this.partitionColumns = value;
      return this;
    }

    public Builder columns(List<Column> value) {
      this.columns = value;
      return this;
    }

    public Builder properties(Map<String, String> value) {
      this.properties = value;
      return this;
    }

    public TableDataset build() {
      return new TableDataset(this);
    }
  }
}
