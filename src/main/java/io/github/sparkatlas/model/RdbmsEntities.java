package io.github.sparkatlas.model;

import io.github.sparkatlas.lineage.DatabaseTableDataset;
import io.github.sparkatlas.redact.Redactor;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Database tables read or written over JDBC, as entities: Atlas's RDBMS model ({@code rdbms_table} in its
 * {@code rdbms_db} on its {@code rdbms_instance}), or, in Purview mode, a SQL Server / Azure SQL table as Purview's
 * scanner registers it ({@code azure_sql_table} in {@code azure_sql_schema}, {@code azure_sql_db},
 * {@code azure_sql_server}), so that lineage lands on the scanned asset. Parents are sent with the table (the
 * message stands on its own) and once per message.
 *
 * <p>Atlas defines no qualifiedName convention for RDBMS; ours: {@code <system>://<host>:<port>@<ns>} for the
 * instance, {@code <system>://<host>:<port>/<database>@<ns>} for the database and
 * {@code <system>://<host>:<port>/<database>/<schema>.<table>@<ns>} for the table ({@code .../<database>/<table>@<ns>}
 * when the schema is unknown or the system has none). Purview's: {@code mssql://<host>/<database>/<schema>/<table>}
 * and its prefixes, no port, no namespace.
 */
final class RdbmsEntities {
  private final Naming naming;
  private final Redactor redactor;

  RdbmsEntities(Naming naming, Redactor redactor) {
    this.naming = naming;
    this.redactor = redactor;
  }

  /** The names one table is sent under, its parents' included; every part redacted once. */
  final class Names {
    final boolean purview;
    final String tableType;
    final String host;
    final String database;
    final String schema;
    final String table;
    final String address;
    final String system;

    Names(DatabaseTableDataset dataset) {
      this.system = dataset.system();
      this.host = redactor.redact(dataset.host());
      this.address = redactor.redact(dataset.serverAddress());
      this.database = dataset.database() == null ? "" : redactor.redact(dataset.database());
      this.schema = dataset.schema() == null ? null : redactor.redact(dataset.schema());
      this.table = redactor.redact(dataset.table());
      // Purview names a table by server, database and schema: without all three it cannot be its scanned asset.
      this.purview = naming.mode() == NamingMode.PURVIEW && "sqlserver".equals(system) && !host.isEmpty()
          && !database.isEmpty() && schema != null;
      this.tableType = purview ? "azure_sql_table" : "rdbms_table";
    }

    String instanceQualifiedName() {
      return purview ? "mssql://" + host : system + "://" + address + "@" + naming.namespace();
    }

    String databaseQualifiedName() {
      return purview ? instanceQualifiedName() + "/" + database
          : system + "://" + address + "/" + database + "@" + naming.namespace();
    }

    String schemaQualifiedName() {
      return databaseQualifiedName() + "/" + schema;
    }

    String tableQualifiedName() {
      if (purview) {
        return schemaQualifiedName() + "/" + table;
      }
      return system + "://" + address + "/" + database + "/" + (schema == null ? "" : schema + ".") + table
          + "@" + naming.namespace();
    }
  }

  Names names(DatabaseTableDataset dataset) {
    return new Names(dataset);
  }

  /**
   * The table's entity; its parents go to {@code referred}, each once per message ({@code known} maps a parent's
   * {@code type:qualifiedName} to its id).
   */
  AtlasEntity table(Names names, Supplier<String> guids, Map<String, AtlasObjectId> known,
      Map<String, AtlasEntity> referred) {
    if (names.purview) {
      AtlasObjectId server = parent(known, referred, AtlasEntity.builder("azure_sql_server", guids.get())
          .attribute("qualifiedName", names.instanceQualifiedName())
          .attribute("name", names.host));
      AtlasObjectId database = parent(known, referred, AtlasEntity.builder("azure_sql_db", guids.get())
          .attribute("qualifiedName", names.databaseQualifiedName())
          .attribute("name", names.database)
          .relationship("server", server));
      AtlasObjectId schema = parent(known, referred, AtlasEntity.builder("azure_sql_schema", guids.get())
          .attribute("qualifiedName", names.schemaQualifiedName())
          .attribute("name", names.schema)
          .relationship("db", database));
      return AtlasEntity.builder("azure_sql_table", guids.get())
          .attribute("qualifiedName", names.tableQualifiedName())
          .attribute("name", names.table)
          .relationship("dbSchema", schema)
          .build();
    }
    AtlasObjectId instance = parent(known, referred, AtlasEntity.builder("rdbms_instance", guids.get())
        .attribute("qualifiedName", names.instanceQualifiedName())
        .attribute("name", names.address.isEmpty() ? names.system : names.address)
        .attribute("rdbms_type", names.system)
        .attribute("hostname", names.host.isEmpty() ? null : names.host)
        .attribute("port", names.address.isEmpty() || names.address.equals(names.host) ? null : port(names))
        .attribute("protocol", "jdbc"));
    AtlasObjectId database = parent(known, referred, AtlasEntity.builder("rdbms_db", guids.get())
        .attribute("qualifiedName", names.databaseQualifiedName())
        .attribute("name", names.database.isEmpty() ? names.system : names.database)
        .relationship("instance", instance));
    return AtlasEntity.builder("rdbms_table", guids.get())
        .attribute("qualifiedName", names.tableQualifiedName())
        .attribute("name", names.table)
        .attribute("name_path", names.schema == null ? null : names.schema + "." + names.table)
        .relationship("db", database)
        .build();
  }

  private static Integer port(Names names) {
    String text = names.address.substring(names.address.lastIndexOf(':') + 1);
    try {
      return Integer.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static AtlasObjectId parent(Map<String, AtlasObjectId> known, Map<String, AtlasEntity> referred,
      AtlasEntity.Builder builder) {
    AtlasEntity entity = builder.build();
    String key = entity.typeName() + ":" + entity.qualifiedName();
    AtlasObjectId id = known.get(key);
    if (id == null) {
      referred.put(entity.guid(), entity);
      id = entity.id();
      known.put(key, id);
    }
    return id;
  }
}
