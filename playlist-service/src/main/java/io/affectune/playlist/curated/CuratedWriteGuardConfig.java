package io.affectune.playlist.curated;

import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Every write to /api/v1/curated-playlists needs the admin token, checked before the body is
 * even read, so an anonymous caller learns nothing about validation rules.
 */
@Configuration
@SecurityScheme(
        name = "adminToken",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "The ADMIN_TOKEN the service was started with")
public class CuratedWriteGuardConfig implements WebMvcConfigurer {

    private final AdminTokenGuard guard;

    public CuratedWriteGuardConfig(AdminTokenGuard guard) {
        this.guard = guard;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                        String method = request.getMethod();
                        if (!("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method))) {
                            guard.requireAdmin(request.getHeader(HttpHeaders.AUTHORIZATION));
                        }
                        return true;
                    }
                })
                .addPathPatterns("/api/v1/curated-playlists", "/api/v1/curated-playlists/**");
    }
}
