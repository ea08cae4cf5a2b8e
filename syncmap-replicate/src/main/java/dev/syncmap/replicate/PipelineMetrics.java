package dev.syncmap.replicate;

import java.time.Duration;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/**
 * The replicator's Micrometer meters, all named under {@code syncmap.replication} and tagged with the
 * replicator's name (and the sink's, per sink). See {@code docs/replication.md} for the list.
 */
final class PipelineMetrics {

    static final String PREFIX = "syncmap.replication.";

    private final MeterRegistry registry;
    private final Tags tags;

    PipelineMetrics(MeterRegistry registry, String replicator) {
        this.registry = registry;
        this.tags = Tags.of("replicator", replicator);
    }

    MeterRegistry registry() {
        return registry;
    }

    <T> void gauge(String name, String description, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(PREFIX + name, obj, f).description(description).tags(tags).register(registry);
    }

    <T> void counter(String name, String description, Tags extra, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(PREFIX + name, obj, f).description(description).tags(tags.and(extra))
            .register(registry);
    }

    SinkMeters sink(String sink) {
        return new SinkMeters(sink);
    }

    /** The meters of one sink's writer. */
    final class SinkMeters {
        final Tags sinkTags;
        private final Counter changes;
        private final Counter failures;
        private final DistributionSummary batchSize;
        private final Timer writeTime;
        private final Timer lag;

        SinkMeters(String sink) {
            this.sinkTags = tags.and("sink", sink);
            changes = Counter.builder(PREFIX + "changes").description("changes written to the sink")
                .tags(sinkTags).register(registry);
            failures = Counter.builder(PREFIX + "write.failures").description("failed batch writes (retried)")
                .tags(sinkTags).register(registry);
            batchSize = DistributionSummary.builder(PREFIX + "batch.size").description("changes per batch written")
                .tags(sinkTags).publishPercentiles(0.5, 0.99).register(registry);
            writeTime = Timer.builder(PREFIX + "stage.duration").description("time to write one batch to the sink")
                .tags(sinkTags.and("stage", "sink")).publishPercentiles(0.5, 0.99, 0.999)
                .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
            lag = Timer.builder(PREFIX + "lag").description("time from the source reading a change to the sink"
                    + " having written it").tags(sinkTags).publishPercentiles(0.5, 0.99, 0.999)
                .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
        }

        void batch(int size, long writeNanos, long lagNanos) {
            changes.increment(size);
            batchSize.record(size);
            writeTime.record(Duration.ofNanos(writeNanos));
            lag.record(Duration.ofNanos(lagNanos));
        }

        void failure() {
            failures.increment();
        }

        <T> void gauge(String name, String description, T obj, ToDoubleFunction<T> f) {
            Gauge.builder(PREFIX + name, obj, f).description(description).tags(sinkTags).register(registry);
        }
    }
}
