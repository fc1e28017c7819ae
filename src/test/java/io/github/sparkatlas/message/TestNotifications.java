package io.github.sparkatlas.message;

import io.github.sparkatlas.lineage.Column;
import io.github.sparkatlas.lineage.Dataset;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.lineage.QueryLineage;
import io.github.sparkatlas.lineage.TableDataset;
import io.github.sparkatlas.model.ApplicationLineage;
import io.github.sparkatlas.model.Naming;
import io.github.sparkatlas.model.SparkEntityFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Real hook notifications for the delivery tests: entities made by {@link SparkEntityFactory} from one
 * application's lineage and written by {@link NotificationJson}, exactly as the agent thread makes them.
 */
public final class TestNotifications {
  public static final String APP_ID = "application_1700000000000_0042";
  public static final String NAMESPACE = "cl1";
  /** The Kafka record key of every message of the application: its spark_process qualifiedName. */
  public static final String KEY = new Naming(NAMESPACE).process(APP_ID);
  public static final String USER = "etl-user";
  public static final long CREATED = 1_700_000_123_456L;

  private TestNotifications() {
  }

  /** Execution {@code n} of the application: read a table and a path, wrote table mart.daily_n. */
  public static OutboundMessage of(int n, String planText) {
    return of(n, 0, planText);
  }

  /**
   * Like {@link #of(int, String)}, with {@code extraPaths} more input paths of random names: a message whose size
   * is not plan text, so shedding plan text cannot make it small.
   */
  public static OutboundMessage of(int n, int extraPaths, String planText) {
    TableDataset source = TableDataset.builder("sales", "orders")
        .location(URI.create("hdfs://nn/warehouse/sales.db/orders"))
        .columns(List.of(new Column("id", "bigint", false, null), new Column("amount", "double", true, null)))
        .build();
    TableDataset target = TableDataset.builder("mart", "daily_" + n)
        .columns(List.of(new Column("day", "date", false, null), new Column("total", "double", true, null)))
        .build();
    List<Dataset> inputs = new ArrayList<>();
    inputs.add(source);
    inputs.add(PathDataset.of(URI.create("hdfs://nn/raw/fx")));
    Random random = new Random(n);
    for (int i = 0; i < extraPaths; i++) {
      inputs.add(PathDataset.of(URI.create("hdfs://nn/raw/" + randomWord(random, 40) + "/" + i)));
    }
    ApplicationLineage app = new ApplicationLineage(APP_ID);
    app.add(new QueryLineage(APP_ID, "daily sales", n, "InsertIntoHadoopFsRelationCommand", USER, CREATED + n,
        inputs, List.of(target), planText));
    String body = NotificationJson.toText(NotificationJson.toJson(
        new SparkEntityFactory(new Naming(NAMESPACE)).processNotification(app)));
    return new OutboundMessage(APP_ID, KEY, USER, CREATED + n, body, planText != null);
  }

  /** Plan text gzip cannot shrink much, so sizes on disk and on the wire are predictable. */
  public static String incompressiblePlan(int chars, long seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(chars + 40).append("== Analyzed Logical Plan ==\n");
    while (text.length() < chars) {
      text.append(randomWord(random, 60)).append(' ');
    }
    return text.substring(0, chars);
  }

  private static String randomWord(Random random, int length) {
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    StringBuilder word = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      word.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return word.toString();
  }
}
