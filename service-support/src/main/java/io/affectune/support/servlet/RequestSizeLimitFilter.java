package io.affectune.support.servlet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the limit with 413 problem+json before anything parses them: at once when
 * Content-Length says so, or as soon as a chunked body passes the limit (then the reader fails with
 * {@link TooLarge}, which the problem handler answers as 413). Also refuses a request target (path and
 * query) over {@link #MAX_URI_LENGTH} characters with 414, as the Netty services do: Tomcat itself only
 * limits the whole head.
 */
public class RequestSizeLimitFilter extends OncePerRequestFilter {

    /** The longest request target (path + query) served, as Netty's request-line limit on the other services. */
    public static final int MAX_URI_LENGTH = 4096;

    private final long maxBytes;
    private final ObjectMapper json;

    public RequestSizeLimitFilter(long maxBytes, ObjectMapper json) {
        this.maxBytes = maxBytes;
        this.json = json;
    }

    public static ApiProblem tooLarge(long limit) {
        return ApiProblem.tooLarge(
                        "Payload too large", "The request body is larger than " + limit + " bytes; send a smaller one.")
                .with("maxBytes", limit);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String query = request.getQueryString();
        int uriLength = request.getRequestURI().length() + (query == null ? 0 : query.length() + 1);
        if (uriLength > MAX_URI_LENGTH) {
            refuse(
                    response,
                    new ApiProblem(
                            HttpStatus.URI_TOO_LONG,
                            "URI too long",
                            "The request target is " + uriLength + " characters; at most " + MAX_URI_LENGTH
                                    + " are served: shorten the URI or its query string."),
                    null);
            return;
        }
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            refuse(response, tooLarge(maxBytes), request.getRequestURI());
            return;
        }
        chain.doFilter(declared >= 0 ? request : new LimitedRequest(request, maxBytes), response);
    }

    private void refuse(HttpServletResponse response, ApiProblem problem, String instance) throws IOException {
        response.setStatus(problem.status().value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setHeader("Connection", "close");
        json.writeValue(response.getOutputStream(), Problems.detail(problem, instance));
    }

    /** A chunked body passed the limit while being read; carries the 413 problem. */
    public static final class TooLarge extends IOException {
        private final transient ApiProblem problem;

        TooLarge(long limit) {
            super("Request body is larger than " + limit + " bytes");
            this.problem = tooLarge(limit);
        }

        public ApiProblem problem() {
            return problem;
        }
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {
        private final long limit;
        private ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedInputStream(super.getInputStream(), limit);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(
                    getInputStream(), encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }
    }

    private static final class LimitedInputStream extends ServletInputStream {
        private final ServletInputStream delegate;
        private final long limit;
        private long read;

        LimitedInputStream(ServletInputStream delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws TooLarge {
            read += n;
            if (read > limit) {
                throw new TooLarge(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
