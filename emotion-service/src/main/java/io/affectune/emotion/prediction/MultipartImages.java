package io.affectune.emotion.prediction;

import io.affectune.emotion.problem.InputProblem;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.PartEvent;
import org.springframework.http.codec.multipart.PartEventHttpMessageReader;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Flux;

import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * Reads a multipart/form-data request part by part, in memory only (Spring's default multipart
 * reader spools large parts to temporary files; face images are personal data and must not touch
 * the disk), enforcing the per-part size and the part count while streaming.
 */
final class MultipartImages {

    private final PartEventHttpMessageReader reader = new PartEventHttpMessageReader();
    private final int maxPartBytes;
    private final int maxParts;

    MultipartImages(int maxPartBytes, int maxParts) {
        this.maxPartBytes = maxPartBytes;
        this.maxParts = maxParts;
        reader.setMaxInMemorySize(maxPartBytes);
    }

    Flux<ImagePart> read(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        if (type == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(type) || type.getParameter("boundary") == null) {
            throw new InputProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "send the images as multipart/form-data (with a boundary), one part named 'image' per image; got "
                            + (type == null ? "no Content-Type" : type.toString()));
        }
        Flux<PartEvent> events = reader.read(ResolvableType.forClass(PartEvent.class), request, Map.of());
        return Flux.defer(() -> {
            Assembly assembly = new Assembly();
            return events.<ImagePart>handle((event, sink) -> {
                try {
                    ImagePart part = assembly.accept(event);
                    if (part != null) {
                        sink.next(part);
                    }
                } catch (InputProblem problem) {
                    sink.error(problem);
                }
            }).doOnDiscard(PartEvent.class, event -> DataBufferUtils.release(event.content()));
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
                        throw new InputProblem(HttpStatus.PAYLOAD_TOO_LARGE, "Too many images",
                                "a batch holds at most " + maxParts + " image parts (EMOTION_MAX_BATCH_IMAGES); "
                                        + "part " + index + " is one too many");
                    }
                    first = event;
                    content = new ByteArrayOutputStream();
                }
                int size = buffer.readableByteCount();
                if (content.size() + (long) size > maxPartBytes) {
                    throw new InputProblem(HttpStatus.PAYLOAD_TOO_LARGE, "Image too large",
                            "the image is larger than the limit of " + maxPartBytes + " bytes (EMOTION_MAX_IMAGE_SIZE)")
                            .inPart(index, filename(first));
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
            ImagePart part = new ImagePart(index, first.name(), filename(first), first.headers().getContentType(),
                    content.toByteArray());
            first = null;
            content = null;
            return part;
        }
    }

    private static String filename(PartEvent event) {
        return event.headers().getContentDisposition().getFilename();
    }
}
