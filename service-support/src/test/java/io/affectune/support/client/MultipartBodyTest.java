package io.affectune.support.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.DefaultPartHttpMessageReader;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;

/** The body as Spring's own multipart parser (the one a receiving service uses) reads it back. */
class MultipartBodyTest {

    @Test
    void springsParserReadsThePartsBackInOrderWithTheirNamesTypesAndBytes() {
        byte[] first = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0, 1, 2};
        byte[] second = "--not-the-boundary\r\n".getBytes(StandardCharsets.US_ASCII);
        MultipartBody body = new MultipartBody()
                .part("image", "face-0.png", MediaType.IMAGE_PNG, first)
                .part("image", "face-1.png", MediaType.IMAGE_PNG, second);

        List<Part> parts = parse(body);

        assertThat(parts).hasSize(2);
        for (int i = 0; i < 2; i++) {
            FilePart part = (FilePart) parts.get(i);
            assertThat(part.name()).isEqualTo("image");
            assertThat(part.filename()).isEqualTo("face-" + i + ".png");
            assertThat(part.headers().getContentType()).isEqualTo(MediaType.IMAGE_PNG);
            byte[] content = DataBufferUtils.join(part.content())
                    .map(buffer -> {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        DataBufferUtils.release(buffer);
                        return bytes;
                    })
                    .block(Duration.ofSeconds(5));
            assertThat(content).isEqualTo(i == 0 ? first : second);
        }
    }

    @Test
    void eachBodyHasItsOwnBoundary() {
        assertThat(new MultipartBody().contentType().getParameter("boundary"))
                .isNotEqualTo(new MultipartBody().contentType().getParameter("boundary"));
    }

    @Test
    void namesThatWouldBreakTheHeaderAreRefused() {
        assertThatThrownBy(() -> new MultipartBody().part("image", "a\"b.png", MediaType.IMAGE_PNG, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultipartBody().part("im\r\nage", "a.png", MediaType.IMAGE_PNG, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Part> parse(MultipartBody body) {
        byte[] bytes = body.toByteArray();
        MockServerHttpRequest request = MockServerHttpRequest.post("/")
                .contentType(body.contentType())
                .contentLength(bytes.length)
                .body(reactor.core.publisher.Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)));
        return new DefaultPartHttpMessageReader()
                .read(ResolvableType.forClass(Part.class), request, Map.of())
                .collectList()
                .block(Duration.ofSeconds(5));
    }
}
