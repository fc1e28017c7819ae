package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A dataset's weight (what decides whether a process is small, or grew enough to be sent at once) counts the
 * entities a path is really sent as: an object-store path in atlas naming is one entity per directory level.
 */
class DatasetDetailsTest {
  private static int sentEntities(String uri, NamingMode mode) {
    PathEntity entity = new DatasetNames(new Naming("cl1", KafkaNamespaces.none(), mode), Redactor.defaults())
        .path(PathDataset.of(URI.create(uri)));
    int count = 0;
    for (PathEntity e = entity; e != null; e = e.parent()) {
      count++;
    }
    return count;
  }

  private static int weight(String uri) {
    return DatasetDetails.weight(PathDataset.of(URI.create(uri)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "s3a://bucket/lake/sales/orders", "s3://bucket", "gs://bucket/a/b",
      "abfss://data@acct.dfs.core.windows.net/a/b/c", "abfss://data@acct.dfs.core.windows.net", "hdfs://nn:8020/warehouse/a/b", "file:/tmp/a/b/c",
      "s3a://bucket/a%20b/c/"})
  void anObjectStorePathWeighsAsManyEntitiesAsAtlasNamingSendsForIt(String uri) {
    assertEquals(sentEntities(uri, NamingMode.ATLAS), weight(uri), uri);
  }

  @Test
  void aDeepS3PathWeighsOneUnitPerLevelAndItsBucket() {
    assertEquals(5, weight("s3a://bucket/lake/sales/orders/day"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3a://bucket/a/b/c", "abfss://data@acct.dfs.core.windows.net/a/b",
      "wasbs://c@a.blob.core.windows.net/x"})
  void noNamingModeSendsMoreEntitiesForAPathThanItsWeight(String uri) {
    for (NamingMode mode : NamingMode.values()) {
      assertTrue(sentEntities(uri, mode) <= weight(uri), uri + " in " + mode);
    }
  }

  @Test
  void aPathDeeperThanTheNamingBoundIsSentPlainAndWeighsOne() {
    StringBuilder uri = new StringBuilder("s3a://bucket");
    for (int i = 0; i <= CloudPathEntities.MAX_LEVELS; i++) {
      uri.append("/d").append(i);
    }
    assertEquals(1, sentEntities(uri.toString(), NamingMode.ATLAS));
    assertEquals(1, weight(uri.toString()));
    StringBuilder deepest = new StringBuilder("s3a://bucket");
    for (int i = 0; i < CloudPathEntities.MAX_LEVELS; i++) {
      deepest.append("/d").append(i);
    }
    assertEquals(CloudPathEntities.MAX_LEVELS + 1, weight(deepest.toString()));
    assertEquals(sentEntities(deepest.toString(), NamingMode.ATLAS), weight(deepest.toString()));
  }
}
