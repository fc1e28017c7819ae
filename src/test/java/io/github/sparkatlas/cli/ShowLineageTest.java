package io.github.sparkatlas.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.delivery.FileSink;
import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.CatalogChangeNotifications;
import io.github.sparkatlas.model.HookNotification;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.message.NotificationEncoder;
import io.github.sparkatlas.message.NotificationJson;
import io.github.sparkatlas.message.OutboundMessage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.ProcessLineage;
import io.github.sparkatlas.model.SparkEntityFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `show` prints the latest state of every process of an application, whatever the granularity. */
class ShowLineageTest {
  @TempDir
  Path tmp;

  private final Naming naming = new Naming("cl1");
  private final SparkEntityFactory entities = new SparkEntityFactory(naming);

  private static QueryLineage record(String query, String input, String output) {
    return new QueryLineage("local-1", "app", -1, "StreamingQuery", "user", 1,
        List.of(PathDataset.of(URI.create(input))), List.of(PathDataset.of(URI.create(output))), null)
        .withStreamingQuery(query);
  }

  private void send(FileSink sink, ProcessLineage process) {
    sink.accept(new OutboundMessage("local-1", naming.process(process.key()), "user", 1,
        NotificationJson.toText(NotificationJson.toJson(entities.processNotification(process))), false, true));
  }

  @Test
  void queryGranularityShowsTheLatestStateOfEveryProcessNotOnlyTheLastMessage() throws Exception {
    FileSink sink = new FileSink(tmp, new NotificationEncoder(900_000, true, "127.0.0.1", "test", "0"));
    ProcessLineage first = new ProcessLineage(entities.processKey(record("q-1", "file:/a", "file:/a-out"), true),
        false);
    first.add(record("q-1", "file:/a", "file:/a-out"));
    send(sink, first);
    first.add(record("q-1", "file:/a2", "file:/a-out"));
    send(sink, first);
    ProcessLineage second = new ProcessLineage(entities.processKey(record("q-2", "file:/b", "file:/b-out"), true),
        false);
    second.add(record("q-2", "file:/b", "file:/b-out"));
    send(sink, second);
    sink.close(1_000);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(0, new ShowLineage(new PrintStream(bytes, true, "UTF-8")).show(tmp));
    String shown = bytes.toString(StandardCharsets.UTF_8.name());

    assertTrue(shown.contains("3 message(s)"), shown);
    assertTrue(shown.contains("file:/a2@cl1"), "the first query's latest state: " + shown);
    assertTrue(shown.contains("file:/b-out@cl1"), "the second query: " + shown);
    assertEquals(2, shown.split("process spark_process", -1).length - 1, "each process once: " + shown);
  }

  @Test
  void aHiveTableReferencedByQualifiedNameIsShownByItsName() throws Exception {
    Naming hiveTables = new Naming("cl1").withHiveTables(true);
    SparkEntityFactory hiveEntities = new SparkEntityFactory(hiveTables);
    QueryLineage write = new QueryLineage("local-1", "app", 1, "InsertIntoHiveTable", "user", 1,
        List.of(PathDataset.of(URI.create("file:/in"))),
        List.of(TableDataset.builder("sales", "orders").provider("hive").build()), null);
    ProcessLineage process = new ProcessLineage(hiveEntities.processKey(write, false), false);
    process.add(write);
    FileSink sink = new FileSink(tmp, new NotificationEncoder(900_000, true, "127.0.0.1", "test", "0"));
    sink.accept(new OutboundMessage("local-1", hiveTables.process(process.key()), "user", 1,
        NotificationJson.toText(NotificationJson.toJson(hiveEntities.processNotification(process))), false, true));
    sink.close(1_000);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(0, new ShowLineage(new PrintStream(bytes, true, "UTF-8")).show(tmp));
    String shown = bytes.toString(StandardCharsets.UTF_8.name());

    assertTrue(shown.contains("output  hive_table     sales.orders@cl1 (reference)"), shown);
    assertTrue(shown.contains("input   fs_path        file:/in@cl1"), shown);
  }

  @Test
  void catalogChangesArePrintedInOrderDefinitionsDeletesAndRenames() throws Exception {
    FileSink sink = new FileSink(tmp, new NotificationEncoder(900_000, true, "127.0.0.1", "test", "0"));
    CatalogChangeNotifications changes = new CatalogChangeNotifications(entities);
    TableDataset orders = TableDataset.builder("sales", "orders")
        .columns(List.of(new Column("id", "int", true, null))).build();
    List<HookNotification> all = new ArrayList<>();
    all.add(changes.tableDefined("user", orders));
    all.addAll(changes.tableRenamed("user", orders, orders.renamed("sales", "orders_v2")));
    all.addAll(changes.tablesDropped("user", List.of(orders.renamed("sales", "orders_v2"))));
    for (HookNotification notification : all) {
      sink.accept(new OutboundMessage("local-1", "local-1@cl1", "user", 1,
          NotificationJson.toText(NotificationJson.toJson(notification)), false, false));
    }
    sink.close(1_000);

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(0, new ShowLineage(new PrintStream(bytes, true, "UTF-8")).show(tmp));
    String shown = bytes.toString(StandardCharsets.UTF_8.name());

    String defined = "  defined spark_table    sales.orders@cl1";
    String renamed = "  renamed spark_table    sales.orders@cl1 -> sales.orders_v2@cl1";
    String column = "  renamed spark_column   sales.orders.id@cl1 -> sales.orders_v2.id@cl1";
    String deleted = "  deleted spark_table    sales.orders_v2@cl1";
    for (String line : List.of(defined, column, renamed, deleted)) {
      assertTrue(shown.contains(line), line + " in " + shown);
    }
    assertTrue(shown.indexOf(defined) < shown.indexOf(column) && shown.indexOf(column) < shown.indexOf(renamed)
        && shown.indexOf(renamed) < shown.indexOf(deleted), "in order: " + shown);
    assertTrue(shown.contains("  deleted spark_storagedesc sales.orders_v2@cl1_storage"), shown);
  }
}
