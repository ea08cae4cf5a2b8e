package dev.syncmap.kafka;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

import dev.syncmap.copy.Codec;
import dev.syncmap.copy.Codecs;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka {@link Serializer} and {@link Deserializer} over one of core's {@link Codec}s, so the changelog topic
 * holds keys and values in the same encoding as syncmap's snapshot files and spill queue.
 *
 * <p>{@code null} maps to {@code null} both ways (a Kafka tombstone has a null value). A decoding that fails, or
 * that leaves bytes unread (the record was written with another codec), throws a {@link SerializationException}
 * that names the codec; the applier reports such a record by its policy (see {@link UnreadableRecordPolicy}).
 *
 * <p>Stateless and thread-safe if the codec is.
 *
 * @param <T> the type encoded
 */
public final class CodecSerde<T> implements Serializer<T>, Deserializer<T> {

    private final Codec<T> codec;

    /**
     * A serde over a codec.
     *
     * @param codec the codec, not null
     */
    public CodecSerde(Codec<T> codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            codec.write(data, out);
        } catch (IOException e) {
            throw new SerializationException("codec " + codec.id() + " could not encode a value for topic " + topic
                + ": " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return Codecs.decode(codec, data);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("codec " + codec.id() + " cannot decode " + data.length
                + " bytes of a record of topic " + topic + ": " + (e instanceof IOException ? e.getMessage() : e), e);
        }
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // the codec is the whole configuration
    }

    @Override
    public void close() {
        // nothing to release
    }
}
