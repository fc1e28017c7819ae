package io.github.sparkatlas.capture;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/** INSERT OVERWRITE [LOCAL] DIRECTORY, in both its Hive-format and its USING-format form. */
final class DirectoryWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("InsertIntoHiveDirCommand", "InsertIntoDataSourceDirCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    Object location = Reflect.option(Reflect.get(Reflect.get(node, "storage"), "locationUri"));
    if (!(location instanceof URI)) {
      return null;
    }
    boolean local = Boolean.TRUE.equals(Reflect.get(node, "isLocal"));
    return Write.of(context.path((URI) location, local), Reflect.get(node, "query"));
  }
}
