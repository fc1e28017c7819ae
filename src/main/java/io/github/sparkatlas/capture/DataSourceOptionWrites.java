package io.github.sparkatlas.capture;

import java.util.Arrays;
import java.util.List;

/**
 * {@code df.write.format(x).save(path)} for sources that are not file formats (Delta among them): the path
 * option is the output. Kafka's sink names topics instead ({@link KafkaWrites}), JDBC's a database table
 * ({@link JdbcWrites}); other sources without a path are reported as unknown.
 */
final class DataSourceOptionWrites implements WriteExtractor {
  @Override
  public List<String> nodeNames() {
    return Arrays.asList("SaveIntoDataSourceCommand");
  }

  @Override
  public Write extract(Object node, CaptureContext context) {
    if (KafkaWrites.isKafkaProvider(Reflect.get(node, "dataSource"))) {
      return KafkaWrites.save(node, context);
    }
    if (JdbcRelations.isProvider(Reflect.get(node, "dataSource"))) {
      return JdbcWrites.save(node, context);
    }
    for (Object entry : Reflect.elements(Reflect.get(node, "options"))) {
      if ("path".equalsIgnoreCase(String.valueOf(Reflect.get(entry, "_1")))) {
        return Write.of(context.path(String.valueOf(Reflect.get(entry, "_2")), false), Reflect.get(node, "query"));
      }
    }
    context.unknownNode(node);
    return null;
  }
}
