package io.affectune.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.affectune.support.problem.ApiProblem;
import io.affectune.support.problem.ProblemMapper;
import io.affectune.support.problem.ProblemObserver;
import io.affectune.support.problem.ProblemResolver;
import io.affectune.support.reactive.DecodingFailureProblems;
import io.affectune.support.reactive.ProblemWebExceptionHandler;
import io.affectune.support.servlet.ProblemErrorController;
import io.affectune.support.servlet.ProblemErrorReportValve;
import io.affectune.support.servlet.RequestSizeLimitFilter;
import io.affectune.support.servlet.ServletProblemHandler;
import io.affectune.support.timeouts.ConnectionTimeouts;
import io.affectune.support.timeouts.KeepAliveReads;
import io.affectune.support.timeouts.NettyConnectionTimeouts;
import io.affectune.support.timeouts.TomcatConnectionTimeouts;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.web.reactive.WebFluxAutoConfiguration;
import org.springframework.boot.autoconfigure.web.reactive.error.ErrorWebFluxAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.error.ErrorMvcAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;
import reactor.netty.http.server.HttpServer;

/**
 * Switches the shared plumbing on in every service that has this library on its class path: one problem
 * resolver, and the adapters of the web stack the service runs on (WebFlux: camera, emotion, gateway;
 * servlet: playlist). Services contribute only {@link ProblemMapper}s for their own domain exceptions.
 */
@AutoConfiguration(
        before = {
            ErrorWebFluxAutoConfiguration.class,
            WebFluxAutoConfiguration.class,
            ErrorMvcAutoConfiguration.class,
            WebMvcAutoConfiguration.class
        })
public class ServiceSupportAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProblemResolver problemResolver(ObjectProvider<ProblemMapper> mappers, ObjectProvider<ProblemObserver> observers) {
        return new ProblemResolver(
                mappers.orderedStream().toList(), observers.orderedStream().toList());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    static class Reactive {

        @Bean
        @Order(-2) // before Spring Boot's DefaultErrorWebExceptionHandler (-1), which answers in another shape
        ProblemWebExceptionHandler problemWebExceptionHandler(ProblemResolver resolver, ObjectMapper json) {
            return new ProblemWebExceptionHandler(resolver, json);
        }

        @Bean
        @ConditionalOnClass(HttpServer.class)
        DecodingFailureProblems decodingFailureProblems(ObjectMapper json) {
            return new DecodingFailureProblems(json);
        }

        @Bean
        @ConditionalOnClass(HttpServer.class)
        NettyConnectionTimeouts nettyConnectionTimeouts(Environment environment) {
            return new NettyConnectionTimeouts(ConnectionTimeouts.from(environment));
        }

        @Bean
        @ConditionalOnClass(HttpServer.class)
        KeepAliveReads keepAliveReads() {
            return new KeepAliveReads();
        }

        @Bean
        @ConditionalOnClass(HttpServer.class)
        @Order(Ordered.LOWEST_PRECEDENCE)
        ProblemMapper requestTimeouts() {
            return NettyConnectionTimeouts.requestTimeouts();
        }
    }

    /** @param maxRequestBytes largest request body a servlet service accepts (MAX_REQUEST_BYTES); more: 413 */
    @ConfigurationProperties("affectune.web")
    public record ServletLimits(@DefaultValue("65536") long maxRequestBytes) {}

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @EnableConfigurationProperties(ServletLimits.class)
    static class Servlet {

        @Bean
        ServletProblemHandler servletProblemHandler(ProblemResolver resolver) {
            return new ServletProblemHandler(resolver);
        }

        @Bean
        ProblemErrorController problemErrorController(ProblemResolver resolver) {
            return new ProblemErrorController(resolver);
        }

        @Bean
        @Order(Ordered.LOWEST_PRECEDENCE)
        ProblemMapper unreadableBodies() {
            return error -> {
                if (error instanceof RequestSizeLimitFilter.TooLarge tooLarge) {
                    return tooLarge.problem();
                }
                // Tomcat's own verdict on a body it cannot read (a chunk header that is not hex, ...)
                if ("org.apache.coyote.BadRequestException"
                        .equals(error.getClass().getName())) {
                    return new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "Malformed request body",
                            "The request body cannot be read: " + ProblemResolver.firstLine(error.getMessage()));
                }
                if (error instanceof HttpMessageNotReadableException unreadable
                        && ProblemResolver.find(unreadable, RequestSizeLimitFilter.TooLarge.class) == null) {
                    return new ApiProblem(
                            HttpStatus.BAD_REQUEST,
                            "Malformed request body",
                            "The request body is not valid JSON for this endpoint: "
                                    + ProblemResolver.firstLine(
                                            unreadable.getMostSpecificCause().getMessage()));
                }
                return null;
            };
        }

        @Bean
        FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(ServletLimits limits, ObjectMapper json) {
            FilterRegistrationBean<RequestSizeLimitFilter> registration =
                    new FilterRegistrationBean<>(new RequestSizeLimitFilter(limits.maxRequestBytes(), json));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
            return registration;
        }

        @Bean
        @ConditionalOnClass(StandardHost.class)
        @Order(Ordered.LOWEST_PRECEDENCE) // after Spring Boot's customizer, which sets its own connection timeout
        TomcatConnectionTimeouts tomcatConnectionTimeouts(Environment environment) {
            return new TomcatConnectionTimeouts(ConnectionTimeouts.from(environment));
        }

        @Bean
        @ConditionalOnClass(StandardHost.class)
        @Order(Ordered.LOWEST_PRECEDENCE)
        ProblemMapper tomcatRequestTimeouts() {
            return TomcatConnectionTimeouts.requestTimeouts();
        }

        @Bean
        @ConditionalOnClass(StandardHost.class)
        @Order(Ordered.LOWEST_PRECEDENCE) // after Spring Boot's customizer, which adds its own ErrorReportValve
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve() {
            return factory -> factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }
    }
}
