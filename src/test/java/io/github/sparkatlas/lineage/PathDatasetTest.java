package io.github.sparkatlas.lineage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import org.junit.jupiter.api.Test;

class PathDatasetTest {
  private static PathDataset path(String uri) {
    return PathDataset.of(URI.create(uri));
  }

  @Test
  void accessKeyAndSecretInTheUserInfoAreNotPartOfTheName() {
    PathDataset dataset = path("s3a://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI%2FK7MDENG@bucket/raw/events/");

    assertEquals(URI.create("s3a://bucket/raw/events"), dataset.uri());
    assertNull(dataset.uri().getUserInfo());
    assertFalse(dataset.key().contains("AKIA"), dataset.key());
    assertFalse(dataset.key().contains("wJalrXUtnFEMI"), dataset.key());
  }

  @Test
  void abfsContainerBeforeTheAtSignIsKept() {
    PathDataset dataset = path("abfss://container@acct.dfs.core.windows.net/data/sales");

    assertEquals(URI.create("abfss://container@acct.dfs.core.windows.net/data/sales"), dataset.uri());
    assertEquals("path:abfss://container@acct.dfs.core.windows.net/data/sales", dataset.key());
  }

  @Test
  void sasTokenInTheQueryIsNotPartOfTheName() {
    PathDataset dataset = path("https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
        + "&se=2030-01-01T00:00:00Z&sig=SECRETSIGNATURE%3D");

    assertEquals(URI.create("https://acct.blob.core.windows.net/c/f.csv"), dataset.uri());
    assertNull(dataset.uri().getQuery());
    assertFalse(dataset.key().contains("SECRET"), dataset.key());
    assertFalse(dataset.key().contains("sig="), dataset.key());
  }

  @Test
  void fragmentIsDroppedAndThePathThenLosesItsTrailingSlash() {
    assertEquals(URI.create("hdfs://nn:8020/data/x"), path("hdfs://nn:8020/data/x/#frag").uri());
  }

  @Test
  void opaqueUriIsKeptAsItIs() {
    assertEquals(URI.create("mailto:owner@example.com"), path("mailto:owner@example.com").uri());
  }

  @Test
  void plainPathsKeepTheirNameWithoutTrailingSlashAndWithHadoopsEmptyAuthority() {
    assertEquals(URI.create("hdfs://nn:8020/warehouse/t"), path("hdfs://nn:8020/warehouse/t/").uri());
    assertEquals(URI.create("file:/tmp/out"), path("file:///tmp/out/").uri());
    assertEquals(URI.create("file:/"), path("file:///").uri());
    assertEquals("hdfs", path("HDFS://nn/x").scheme());
  }
}
