package io.affectune.support.reactive;

import io.affectune.support.problem.ApiProblem;
import java.util.function.LongFunction;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Request bodies under a byte limit on WebFlux, in memory only (frames and face crops are personal data and
 * never go to disk). A declared Content-Length over the limit is refused before a byte is read; a chunked
 * body is counted as it arrives and refused the moment it passes the limit, so nobody can make a service
 * read 60 MB to find out that it wanted 5.
 */
public final class RequestBodies {

    private RequestBodies() {}

    /** The whole body as bytes (empty array for none), or an error with {@code tooLarge}'s problem. */
    public static Mono<byte[]> readAll(ServerHttpRequest request, long maxBytes, LongFunction<ApiProblem> tooLarge) {
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge.apply(maxBytes));
        }
        return DataBufferUtils.join(limit(request.getBody(), maxBytes, tooLarge))
                .map(buffer -> {
                    try {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        return bytes;
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty(new byte[0]);
    }

    /**
     * The body, failing with {@code tooLarge}'s problem once more than {@code maxBytes} have passed (the buffer
     * that crosses the limit is released here, the ones before it by whoever joined them).
     */
    public static Flux<DataBuffer> limit(Flux<DataBuffer> body, long maxBytes, LongFunction<ApiProblem> tooLarge) {
        return Flux.defer(() -> {
            long[] seen = {0};
            return body.handle((buffer, sink) -> {
                seen[0] += buffer.readableByteCount();
                if (seen[0] > maxBytes) {
                    DataBufferUtils.release(buffer);
                    sink.error(tooLarge.apply(maxBytes));
                } else {
                    sink.next(buffer);
                }
            });
        });
    }
}
