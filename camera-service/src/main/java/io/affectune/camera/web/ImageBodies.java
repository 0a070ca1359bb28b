package io.affectune.camera.web;

import io.affectune.camera.config.CameraProperties;
import io.affectune.camera.vision.ImageRejectedException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Reads an image request body into memory (never to disk), enforcing type and size limits. */
@Component
public class ImageBodies {

    private final long maxBytes;

    public ImageBodies(CameraProperties properties) {
        this.maxBytes = properties.limits().maxImageBytes();
    }

    public Mono<byte[]> read(ServerHttpRequest request) {
        MediaType type = request.getHeaders().getContentType();
        if (type != null && !(type.isCompatibleWith(MediaType.IMAGE_JPEG) || type.isCompatibleWith(MediaType.IMAGE_PNG)
                || type.isCompatibleWith(MediaType.APPLICATION_OCTET_STREAM))) {
            return Mono.error(new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type",
                    "Content-Type " + type + " is not supported: send the image itself as the body with "
                            + "Content-Type image/jpeg or image/png"));
        }
        long declared = request.getHeaders().getContentLength();
        if (declared > maxBytes) {
            return Mono.error(tooLarge());
        }
        return DataBufferUtils.join(request.getBody(), (int) Math.min(Integer.MAX_VALUE, maxBytes))
                .onErrorMap(org.springframework.core.io.buffer.DataBufferLimitException.class, e -> tooLarge())
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

    private ImageRejectedException tooLarge() {
        return ImageRejectedException.tooLarge("The image is larger than " + maxBytes + " bytes");
    }

    static void release(DataBuffer buffer) {
        DataBufferUtils.release(buffer);
    }
}
