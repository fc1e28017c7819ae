package io.github.sparkatlas.lineage;

/** A column of a table's schema. */
public final class Column {
  private final String name;
  private final String type;
  private final boolean nullable;
  private final String comment;

  public Column(String name, String type, boolean nullable, String comment) {
    this.name = name;
    this.type = type;
    this.nullable = nullable;
    this.comment = comment;
  }

  public String name() {
    return name;
  }

  /** Spark's catalog string of the type, e.g. {@code int}, {@code array<string>}. */
  public String type() {
    return type;
  }

  public boolean nullable() {
    return nullable;
  }

  /** May be null. */
  public String comment() {
    return comment;
  }
}
