package io.github.sparkatlas.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sparkatlas.atlasrules.AtlasPaths;
import io.github.sparkatlas.lineage.PathDataset;
import io.github.sparkatlas.redact.Redactor;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Atlas mode names object stores and HDFS exactly as Atlas's own hooks do: every entity of a path (types,
 * qualifiedNames, names, key attributes, parent links) equals what Atlas's {@code AtlasPathExtractorUtil} makes of
 * the same path.
 */
class CloudPathEntitiesTest {
  private static final String NS = "cl1";

  private static PathEntity named(String uri, NamingMode mode) {
    return new DatasetNames(new Naming(NS, KafkaNamespaces.none(), mode), Redactor.defaults())
        .path(PathDataset.of(URI.create(uri)));
  }

  /** Our chain in the shape {@link AtlasPaths#extract} gives Atlas's: the dataset first, then its parents. */
  private static List<Map<String, String>> flat(PathEntity entity) {
    List<Map<String, String>> out = new ArrayList<>();
    for (PathEntity e = entity; e != null; e = e.parent()) {
      Map<String, String> flat = new TreeMap<>();
      flat.put("typeName", e.typeName());
      flat.put("qualifiedName", e.qualifiedName());
      flat.put("name", e.name());
      e.attributes().forEach((k, v) -> flat.put(k, String.valueOf(v)));
      if (e.parent() != null) {
        flat.put("rel:" + e.parentAttribute(), e.parent().qualifiedName());
      }
      out.add(flat);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "s3a://lake", "s3a://lake/", "s3a://lake/events", "s3a://lake/raw/2024/events/", "s3a://Lake/Raw/Events",
      "s3://lake/raw/events", "s3a://lake/raw//events", "s3a://lake/my%20dir/x",
      "abfss://raw@acct.dfs.core.windows.net/events", "abfss://raw@acct.dfs.core.windows.net/a/b/c/",
      "abfs://Raw@Acct.dfs.core.windows.net/Landing/Orders", "abfss://raw@acct.dfs.core.windows.net:443/a",
      "gs://bucket", "gs://bucket/", "gs://bucket/a", "gs://bucket/a/b/c/", "gs://Bucket/Upper/Case",
      "hdfs://nn:8020/data/raw/events", "hdfs://nn:8020/data/raw/events/", "hdfs://nn/Upper/Case",
      "hdfs://nameservice1/warehouse/t"})
  void atlasModeNamesEveryLevelAsAtlasPathExtractorDoes(String path) {
    List<Map<String, String>> ours = flat(named(path, NamingMode.ATLAS));
    List<Map<String, String>> atlas = AtlasPaths.extract(path, NS);

    assertEquals(atlas.get(0), ours.get(0), "the dataset's own entity of " + path);
    assertEquals(new HashSet<>(atlas), new HashSet<>(ours), "every entity of " + path);
  }

  /**
   * Atlas's extractor answers the storage account for a container root, which is no DataSet (adls_gen2_account is an
   * Asset) and so cannot be a process's input or output: the dataset is the container, and the entities are the same.
   */
  @ParameterizedTest
  @ValueSource(strings = {"abfss://raw@acct.dfs.core.windows.net", "abfss://raw@acct.dfs.core.windows.net/"})
  void anAdlsContainerRootIsTheContainerWithTheEntitiesAtlasMakes(String path) {
    List<Map<String, String>> ours = flat(named(path, NamingMode.ATLAS));
    List<Map<String, String>> atlas = AtlasPaths.extract(path, NS);

    assertEquals("adls_gen2_account", atlas.get(0).get("typeName"));
    assertEquals("adls_gen2_container", ours.get(0).get("typeName"));
    assertEquals("abfss://raw@acct@cl1", ours.get(0).get("qualifiedName"));
    assertEquals(new HashSet<>(atlas), new HashSet<>(ours));
  }

  /** Atlas's extractor knows s3 and s3a only (s3n becomes a lower-cased hdfs_path without namespace): s3n as s3. */
  @Test
  void s3nIsNamedAsAtlasNamesS3() {
    List<Map<String, String>> ours = flat(named("s3n://Lake/Raw/events", NamingMode.ATLAS));
    List<Map<String, String>> asS3 = new ArrayList<>();
    for (Map<String, String> entity : AtlasPaths.extract("s3://Lake/Raw/events", NS)) {
      Map<String, String> renamed = new TreeMap<>();
      entity.forEach((k, v) -> renamed.put(k, v.replace("s3://", "s3n://")));
      asS3.add(renamed);
    }

    assertEquals(asS3.get(0), ours.get(0));
    assertEquals(new HashSet<>(asS3), new HashSet<>(ours));
    assertEquals("s3n://lake/Raw/events/@cl1", ours.get(0).get("qualifiedName"));
  }

  @Test
  void atlasModeChainsCarryTheirParentsUpToTheTop() {
    PathEntity directory = named("s3a://lake/raw/events", NamingMode.ATLAS);

    assertEquals("aws_s3_v2_directory:s3a://lake/raw/events/@cl1", directory.sentName());
    assertEquals("/raw/events/", directory.attributes().get("objectPrefix"));
    assertEquals("aws_s3_v2_directory:s3a://lake/raw/@cl1", directory.parent().sentName());
    assertEquals("aws_s3_v2_bucket:s3a://lake@cl1", directory.parent().parent().sentName());
    assertEquals(null, directory.parent().parent().parent());

    PathEntity adls = named("abfss://raw@acct.dfs.core.windows.net/landing/orders", NamingMode.ATLAS);
    assertEquals("adls_gen2_directory:abfss://raw@acct/landing/orders@cl1", adls.sentName());
    assertEquals("adls_gen2_directory:abfss://raw@acct/landing@cl1", adls.parent().sentName());
    assertEquals("adls_gen2_container:abfss://raw@acct@cl1", adls.parent().parent().sentName());
    assertEquals("account", adls.parent().parent().parentAttribute());
    assertEquals("adls_gen2_account:abfss://acct@cl1", adls.parent().parent().parent().sentName());
  }

  /** Atlas's extractor matches schemes case-sensitively (S3A:// would become a lower-cased hdfs_path); ours do not. */
  @Test
  void anUpperCaseSchemeIsNamedAsItsLowerCaseForm() {
    assertEquals("aws_s3_v2_directory:s3a://lake/Raw/@cl1", named("S3A://Lake/Raw", NamingMode.ATLAS).sentName());
    assertEquals("adls_gen2_directory:abfss://raw@acct/x@cl1",
        named("ABFSS://raw@acct.dfs.core.windows.net/x", NamingMode.ATLAS).sentName());
    assertEquals("gcp_storage_bucket:gs://b@cl1", named("GS://b", NamingMode.ATLAS).sentName());
  }

  /** What Atlas has no model for keeps the plain fs_path form in every mode. */
  @ParameterizedTest
  @ValueSource(strings = {"atlas", "purview", "path"})
  void localDbfsVolumesAndUnknownSchemesStayFsPathsInEveryMode(String mode) {
    NamingMode namingMode = NamingMode.ofSetting(mode);
    assertPlain("fs_path", "file:/tmp/Exports/orders.csv", "/tmp/Exports/orders.csv", namingMode);
    assertPlain("fs_path", "dbfs:/FileStore/tables/orders", "/FileStore/tables/orders", namingMode);
    assertPlain("fs_path", "dbfs:/Volumes/main/sales/landing/orders", "/Volumes/main/sales/landing/orders",
        namingMode);
    assertPlain("fs_path", "dbfs:/mnt/raw/orders", "/mnt/raw/orders", namingMode);
    assertPlain("fs_path", "ofs://ozone1/vol/bucket/key", "/vol/bucket/key", namingMode);
    assertPlain("fs_path", "webhdfs://nn:9870/x", "/x", namingMode);
    // An abfss host outside *.dfs.core.windows.net names no account Atlas's model could take.
    assertPlain("fs_path", "abfss://raw@acct.dfs.core.chinacloudapi.cn/x", "/x", namingMode);
    assertPlain("hdfs_path", "hdfs://nn:8020/data/x", "/data/x", namingMode);
  }

  @Test
  void wasbIsAnFsPathOutsidePurviewMode() {
    assertPlain("fs_path", "wasbs://raw@acct.blob.core.windows.net/x", "/x", NamingMode.ATLAS);
    assertPlain("fs_path", "wasbs://raw@acct.blob.core.windows.net/x", "/x", NamingMode.PATH);
  }

  @Test
  void pathModeNamesObjectStoresAsPlainFsPaths() {
    assertPlain("fs_path", "s3a://lake/raw/events", "/raw/events", NamingMode.PATH);
    assertPlain("fs_path", "abfss://raw@acct.dfs.core.windows.net/events", "/events", NamingMode.PATH);
    assertPlain("fs_path", "gs://bucket/a", "/a", NamingMode.PATH);
  }

  private static void assertPlain(String type, String uri, String name, NamingMode mode) {
    PathEntity entity = named(uri, mode);
    assertEquals(type + ":" + uri + "@" + NS, entity.sentName(), mode + " " + uri);
    assertEquals(name, entity.name());
    assertEquals(uri, entity.attributes().get("path"));
    assertEquals("hdfs_path".equals(type) ? NS : null, entity.attributes().get("clusterName"));
    assertEquals(null, entity.parent());
  }

  // ------------------------------------------------------------------------------------------ purview

  @Test
  void purviewModeNamesAdlsGen2AsPurviewsScanDoes() {
    PathEntity path = named("abfss://raw@Acct.DFS.core.windows.net/Landing/Orders/", NamingMode.PURVIEW);
    assertEquals("azure_datalake_gen2_path:https://acct.dfs.core.windows.net/raw/Landing/Orders", path.sentName());
    assertEquals("Orders", path.name());
    assertEquals(null, path.parent());

    PathEntity filesystem = named("abfs://raw@acct.dfs.core.windows.net/", NamingMode.PURVIEW);
    assertEquals("azure_datalake_gen2_filesystem:https://acct.dfs.core.windows.net/raw", filesystem.sentName());
    assertEquals("raw", filesystem.name());
  }

  @Test
  void purviewModeNamesBlobStorageAsPurviewsScanDoes() {
    PathEntity path = named("WASBS://raw@acct.blob.core.windows.net/landing/orders.csv", NamingMode.PURVIEW);
    assertEquals("azure_blob_path:https://acct.blob.core.windows.net/raw/landing/orders.csv", path.sentName());
    assertEquals("orders.csv", path.name());

    PathEntity container = named("wasb://raw@acct.blob.core.windows.net", NamingMode.PURVIEW);
    assertEquals("azure_blob_container:https://acct.blob.core.windows.net/raw", container.sentName());
  }

  @Test
  void purviewModeNamesOtherStoresAsAtlasModeDoes() {
    for (String uri : List.of("s3a://lake/raw/events", "gs://bucket/a/b", "hdfs://nn:8020/x", "file:/tmp/x",
        "dbfs:/Volumes/main/sales/landing/x")) {
      assertEquals(flat(named(uri, NamingMode.ATLAS)), flat(named(uri, NamingMode.PURVIEW)), uri);
    }
  }

  // ------------------------------------------------------------------------------------------ Databricks mounts

  private static PathEntity mounted(String uri, NamingMode mode, String mounts) {
    Naming naming = new Naming(NS, KafkaNamespaces.none(), mode).withMounts(DatabricksMounts.parse(mounts));
    return new DatasetNames(naming, Redactor.defaults()).path(PathDataset.of(URI.create(uri)));
  }

  @Test
  void aPathUnderAMountIsNamedAsItsCloudPathInEachMode() {
    String mounts = "/mnt/raw=abfss://raw@acct.dfs.core.windows.net/, /mnt/lake = s3a://lake/data/,"
        + "/mnt/raw/eu=gs://eu-bucket";

    assertEquals("adls_gen2_directory:abfss://raw@acct/orders/2024@cl1",
        mounted("dbfs:/mnt/raw/orders/2024", NamingMode.ATLAS, mounts).sentName());
    assertEquals("adls_gen2_container:abfss://raw@acct@cl1",
        mounted("dbfs:/mnt/raw", NamingMode.ATLAS, mounts).sentName());
    assertEquals("azure_datalake_gen2_path:https://acct.dfs.core.windows.net/raw/orders/2024",
        mounted("dbfs:/mnt/raw/orders/2024", NamingMode.PURVIEW, mounts).sentName());
    assertEquals("fs_path:abfss://raw@acct.dfs.core.windows.net/orders/2024@cl1",
        mounted("dbfs:/mnt/raw/orders/2024", NamingMode.PATH, mounts).sentName());
    assertEquals("aws_s3_v2_directory:s3a://lake/data/events/@cl1",
        mounted("dbfs:/mnt/lake/events", NamingMode.ATLAS, mounts).sentName());
    // the longest mount point wins
    assertEquals("gcp_storage_virtual_directory:gs://eu-bucket/x/@cl1",
        mounted("dbfs:/mnt/raw/eu/x", NamingMode.ATLAS, mounts).sentName());
    // only whole levels match, and only dbfs paths
    assertEquals("fs_path:dbfs:/mnt/rawdata/x@cl1", mounted("dbfs:/mnt/rawdata/x", NamingMode.ATLAS, mounts)
        .sentName());
    assertEquals("fs_path:file:/mnt/raw/x@cl1", mounted("file:/mnt/raw/x", NamingMode.ATLAS, mounts).sentName());
    assertEquals("fs_path:dbfs:/Volumes/main/sales/v/x@cl1",
        mounted("dbfs:/Volumes/main/sales/v/x", NamingMode.ATLAS, mounts).sentName());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mnt/raw", "mnt/raw=s3a://b/x", "/mnt/raw=/local/path", "/mnt/raw=s3a://b/x,/mnt/raw=gs://c",
      "=s3a://b", "/mnt/raw=abfss://raw@acct dfs/x"})
  void aBadMountTableIsRefusedWithWhatIsWrong(String setting) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> DatabricksMounts.parse(setting));
    org.junit.jupiter.api.Assertions.assertFalse(e.getMessage().isEmpty());
  }

  @Test
  void noMountTableChangesNothing() {
    assertEquals(true, DatabricksMounts.parse(" ").isEmpty());
    assertEquals(true, DatabricksMounts.parse(null).isEmpty());
    assertEquals(URI.create("dbfs:/mnt/raw/x"), DatabricksMounts.parse("").resolve(URI.create("dbfs:/mnt/raw/x")));
    Set<String> unchanged = Set.of(mounted("dbfs:/mnt/raw/x", NamingMode.ATLAS, null).sentName());
    assertEquals(Set.of("fs_path:dbfs:/mnt/raw/x@cl1"), unchanged);
  }
}
