package io.affectune.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A tracing backend for tests: an OTLP/HTTP receiver (POST /v1/traces, protobuf, the services' exporter's
 * default) on a free local port that keeps every span it is sent. It reads the few fields a test asserts on
 * (service.name of the resource; trace, span and parent span id, name, kind and string attributes of each span)
 * straight from the protobuf wire format of opentelemetry-proto's ExportTraceServiceRequest, and skips the rest.
 */
final class OtlpReceiver implements AutoCloseable {

    /** SpanKind of opentelemetry-proto: 2 = SERVER, 3 = CLIENT. */
    static final int SERVER = 2;

    static final int CLIENT = 3;

    record Span(
            String service,
            String traceId,
            String spanId,
            String parentSpanId,
            String name,
            int kind,
            Map<String, String> attributes) {}

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();

    OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                spans.addAll(exportRequest(body));
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                // an empty ExportTraceServiceResponse: everything accepted
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    static List<Span> exportRequest(byte[] message) {
        List<Span> out = new ArrayList<>();
        Wire wire = new Wire(message);
        while (wire.more()) {
            if (wire.tag() == 1 && wire.type() == 2) {
                resourceSpans(wire.bytes(), out);
            } else {
                wire.skip();
            }
        }
        return out;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    private static void resourceSpans(byte[] message, List<Span> out) {
        String service = "";
        List<byte[]> scopes = new ArrayList<>();
        Wire wire = new Wire(message);
        while (wire.more()) {
            if (wire.tag() == 1 && wire.type() == 2) {
                // Resource { repeated KeyValue attributes = 1; }
                service = attributes(wire.bytes()).getOrDefault("service.name", "");
            } else if (wire.tag() == 2 && wire.type() == 2) {
                scopes.add(wire.bytes());
            } else {
                wire.skip();
            }
        }
        for (byte[] scope : scopes) {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
            Wire scopeWire = new Wire(scope);
            while (scopeWire.more()) {
                if (scopeWire.tag() == 2 && scopeWire.type() == 2) {
                    out.add(span(service, scopeWire.bytes()));
                } else {
                    scopeWire.skip();
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; ... }
    private static Span span(String service, byte[] message) {
        String traceId = "";
        String spanId = "";
        String parent = "";
        String name = "";
        int kind = 0;
        Map<String, String> attributes = new HashMap<>();
        Wire wire = new Wire(message);
        while (wire.more()) {
            int tag = wire.tag();
            if (tag == 1 && wire.type() == 2) {
                traceId = HEX.formatHex(wire.bytes());
            } else if (tag == 2 && wire.type() == 2) {
                spanId = HEX.formatHex(wire.bytes());
            } else if (tag == 4 && wire.type() == 2) {
                parent = HEX.formatHex(wire.bytes());
            } else if (tag == 5 && wire.type() == 2) {
                name = new String(wire.bytes(), StandardCharsets.UTF_8);
            } else if (tag == 6 && wire.type() == 0) {
                kind = (int) wire.varint();
            } else if (tag == 9 && wire.type() == 2) {
                attributes.putAll(keyValue(wire.bytes()));
            } else {
                wire.skip();
            }
        }
        return new Span(service, traceId, spanId, parent, name, kind, Map.copyOf(attributes));
    }

    private static Map<String, String> attributes(byte[] message) {
        Map<String, String> attributes = new HashMap<>();
        Wire wire = new Wire(message);
        while (wire.more()) {
            if (wire.tag() == 1 && wire.type() == 2) {
                attributes.putAll(keyValue(wire.bytes()));
            } else {
                wire.skip();
            }
        }
        return attributes;
    }

    // KeyValue { string key = 1; AnyValue value = 2; }  AnyValue { string string_value = 1; ... }: strings only
    private static Map<String, String> keyValue(byte[] message) {
        String key = null;
        String value = null;
        Wire wire = new Wire(message);
        while (wire.more()) {
            if (wire.tag() == 1 && wire.type() == 2) {
                key = new String(wire.bytes(), StandardCharsets.UTF_8);
            } else if (wire.tag() == 2 && wire.type() == 2) {
                Wire any = new Wire(wire.bytes());
                while (any.more()) {
                    if (any.tag() == 1 && any.type() == 2) {
                        value = new String(any.bytes(), StandardCharsets.UTF_8);
                    } else {
                        any.skip();
                    }
                }
            } else {
                wire.skip();
            }
        }
        return key != null && value != null ? Map.of(key, value) : Map.of();
    }

    private static final HexFormat HEX = HexFormat.of();

    /** The protobuf wire format: a field's key (number and wire type) then its value. */
    private static final class Wire {

        private final ByteBuffer buffer;
        private int key;

        Wire(byte[] message) {
            buffer = ByteBuffer.wrap(message);
        }

        /** Reads the next field's key; false at the end of the message. */
        boolean more() {
            if (!buffer.hasRemaining()) {
                return false;
            }
            key = (int) varint();
            return true;
        }

        int tag() {
            return key >>> 3;
        }

        int type() {
            return key & 7;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("malformed varint");
        }

        byte[] bytes() {
            byte[] value = new byte[(int) varint()];
            buffer.get(value);
            return value;
        }

        void skip() {
            switch (type()) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> bytes();
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalStateException("unsupported wire type " + type());
            }
        }
    }
}
