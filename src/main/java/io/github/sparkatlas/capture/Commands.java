package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tells the commands the agent should have captured but could not (a missing capability, worth a warning) from
 * those that by nature write no dataset. Matched by simple class name, like the extractors, so that the list stays
 * short and readable and vendor copies match too.
 */
final class Commands {
  /** Spark's trait of every logical command, v1 and v2, from 3.3 to 4.0. */
  private static final String COMMAND_TRAIT = "org.apache.spark.sql.catalyst.plans.logical.Command";

  /**
   * Families of commands that only read, show or tune the session: SHOW ..., DESCRIBE ..., EXPLAIN, ANALYZE
   * (statistics), REFRESH, CACHE / UNCACHE / CLEAR CACHE, LIST FILE/JAR/ARCHIVE.
   */
  private static final List<String> NO_DATASET_PREFIXES = Collections.unmodifiableList(Arrays.asList(
      "Show", "Describe", "Explain", "Analyze", "Refresh", "Cache", "Uncache", "ClearCache", "List"));

  /**
   * Single commands that write no dataset: SET / RESET, USE (catalog or namespace), ADD FILE/JAR/ARCHIVE, temporary
   * views, functions and session variables.
   */
  private static final Set<String> NO_DATASET = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "SetCommand", "ResetCommand", "SetCatalogAndNamespace", "SetCatalogCommand", "SetNamespaceCommand",
      "StreamingExplainCommand", "AddJarsCommand", "AddFilesCommand", "AddArchivesCommand", "CreateTempViewUsing",
      "DropTempViewCommand", "CreateFunctionCommand", "DropFunctionCommand", "CreateFunction", "DropFunction",
      "CreateVariable", "DropVariable", "SetVariable")));

  /**
   * DDL whose changes the agent sends as catalog changes: on the session catalog (v1 commands, and v2 ones Spark
   * runs against it) from the catalog's events, which say what really changed; on other DSv2 catalogs from the
   * commands themselves ({@link V2TableCommands}, {@link V2NamespaceCommands}). {@code NoopCommand} is Spark 3.3's
   * DROP ... IF EXISTS of something absent.
   */
  private static final Set<String> CATALOG_CHANGES = Collections.unmodifiableSet(new HashSet<>(Arrays.asList(
      "CreateTableCommand", "CreateDataSourceTableCommand", "CreateTableLikeCommand", "CreateTable", "ReplaceTable",
      "AlterTableAddColumnsCommand", "AlterTableChangeColumnCommand", "AlterTableReplaceColumnsCommand",
      "AlterTableSetPropertiesCommand", "AlterTableUnsetPropertiesCommand", "AlterTableSetLocationCommand",
      "AlterTableSerDePropertiesCommand", "AlterTableRenameCommand", "AlterViewAsCommand", "DropTableCommand",
      "DropTable", "RenameTable", "AddColumns", "ReplaceColumns", "DropColumns", "RenameColumn", "AlterColumn",
      "SetTableProperties", "UnsetTableProperties", "SetTableLocation", "CommentOnTable", "CreateNamespace",
      "CreateDatabaseCommand", "DropNamespace", "DropDatabaseCommand", "SetNamespaceProperties",
      "SetNamespaceLocation", "CommentOnNamespace", "AlterDatabasePropertiesCommand",
      "AlterDatabaseSetLocationCommand", "NoopCommand")));

  /** Per class: whether it is a logical command. Bounded by the plan classes Spark has, held by each class. */
  private static final ClassValue<Boolean> IS_COMMAND = new ClassValue<Boolean>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      return implementsByName(type, COMMAND_TRAIT);
    }
  };

  private Commands() {
  }

  /** Whether a plan node is a logical command (a write, DDL, SET, ...), not part of a query. */
  static boolean isCommand(Object node) {
    return node != null && IS_COMMAND.get(node.getClass());
  }

  /**
   * Whether a command that no extractor knows is a missing capability (a TRUNCATE, a partition command, a MERGE,
   * ...) rather than one of those that by nature write no dataset (SET, SHOW, ...) or a DDL sent as a catalog change.
   */
  static boolean isUncaptured(Object command) {
    String name = command.getClass().getSimpleName();
    if (NO_DATASET.contains(name) || CATALOG_CHANGES.contains(name)) {
      return false;
    }
    for (String prefix : NO_DATASET_PREFIXES) {
      if (name.startsWith(prefix)) {
        return false;
      }
    }
    return true;
  }

  private static boolean implementsByName(Class<?> type, String interfaceName) {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      for (Class<?> implemented : c.getInterfaces()) {
        if (implemented.getName().equals(interfaceName) || implementsByName(implemented, interfaceName)) {
          return true;
        }
      }
    }
    return false;
  }
}
