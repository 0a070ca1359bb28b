package io.affectune.emotion.prediction;

import io.affectune.support.problem.ApiProblem;
import io.affectune.support.reactive.RequestBodies;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.core.publisher.Flux;

/**
 * Reads a multipart/form-data request part by part, in memory only (Spring's default multipart
 * reader spools large parts to temporary files; face images are personal data and must not touch
 * the disk), enforcing the whole body's size, the per-part size and the part count while streaming: a body
 * without a boundary or without an end is refused (400) after at most the body limit, never read to its end.
 */
final class MultipartImages {

    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();
    private final int maxPartBytes;
    private final int maxParts;
    private final long maxBodyBytes;

    MultipartImages(int maxPartBytes, int maxParts, long maxBodyBytes) {
        this.maxPartBytes = maxPartBytes;
        this.maxParts = maxParts;
        this.maxBodyBytes = maxBodyBytes;
        reader.setMaxInMemorySize(maxPartBytes);
    }

    Flux<ImagePart> read(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        if (type == null
                || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type)
                || type.getParameter("boundary") == null) {
            throw ApiProblem.unsupportedMediaType(
                    "Send the images as multipart/form-data (with a boundary), one part named 'image' per image; got "
                            + (type == null ? "no Content-Type" : type.toString()));
        }
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBodyBytes) {
            throw tooLarge(maxBodyBytes);
        }
        ServerHttpRequest limited = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return RequestBodies.limit(super.getBody(), maxBodyBytes, MultipartImages::tooLarge);
            }
        };
        Flux<PartEvent> events = reader.read(ResolvableType.forClass(PartEvent.class), limited, Map.of());
        return Flux.defer(() -> {
            Assembly assembly = new Assembly();
            return events.<ImagePart>handle((event, sink) -> {
                        try {
                            ImagePart part = assembly.accept(event);
                            if (part != null) {
                                sink.next(part);
                            }
                        } catch (ApiProblem problem) {
                            sink.error(problem);
                        }
                    })
                    .doOnDiscard(PartEvent.class, event -> DataBufferUtils.release(event.content()));
        });
    }

    private final class Assembly {
        private int index;
        private PartEvent first;
        private ByteArrayOutputStream content;

        ImagePart accept(PartEvent event) {
            DataBuffer buffer = event.content();
            try {
                if (first == null) {
                    index++;
                    if (index > maxParts) {
                        throw ApiProblem.tooLarge(
                                "Too many images",
                                "A batch holds at most " + maxParts + " image parts (EMOTION_MAX_BATCH_IMAGES); "
                                        + "part " + index + " is one too many");
                    }
                    first = event;
                    content = new ByteArrayOutputStream();
                }
                int size = buffer.readableByteCount();
                if (content.size() + (long) size > maxPartBytes) {
                    throw PredictionService.inPart(
                            ApiProblem.tooLarge(
                                    "Image too large",
                                    "the image is larger than the limit of " + maxPartBytes
                                            + " bytes (EMOTION_MAX_IMAGE_SIZE)"),
                            index,
                            filename(first));
                }
                byte[] bytes = new byte[size];
                buffer.read(bytes);
                content.writeBytes(bytes);
            } finally {
                DataBufferUtils.release(buffer);
            }
            if (!event.isLast()) {
                return null;
            }
            ImagePart part = new ImagePart(
                    index, first.name(), filename(first), first.headers().getContentType(), content.toByteArray());
            first = null;
            content = null;
            return part;
        }
    }

    private static ApiProblem tooLarge(long limit) {
        return ApiProblem.tooLarge(
                        "Payload too large",
                        "The multipart body is larger than " + limit
                                + " bytes (EMOTION_MAX_BATCH_BODY_SIZE): send fewer or smaller images")
                .with("maxBytes", limit);
    }

    private static String filename(PartEvent event) {
        return event.headers().getContentDisposition().getFilename();
    }
}
