# syntax=docker/dockerfile:1
# One image recipe for every GrowthOps app: pass the project to publish and the assembly to run, e.g.
#   docker build --build-arg PROJECT=services/Leads/GrowthOps.Leads/GrowthOps.Leads.csproj \
#                --build-arg APP_DLL=GrowthOps.Leads.dll -t growthops/leads .
# docker-compose.yml does this for each service and the gateway.

ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG PROJECT
RUN test -n "$PROJECT" || (echo "build arg PROJECT (path of the .csproj) is required" >&2; exit 1)
WORKDIR /src
# Build inputs only (tests, scripts and deploy files do not change the image).
COPY global.json nuget.config Directory.* .editorconfig ./
COPY contracts/ contracts/
COPY services/ services/
COPY gateway/ gateway/
# Outputs copied from a developer machine would confuse restore; start clean.
RUN find . -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore "$PROJECT"
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish "$PROJECT" -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS final
ARG APP_DLL
RUN test -n "$APP_DLL" || (echo "build arg APP_DLL (the entry assembly, e.g. GrowthOps.Leads.dll) is required" >&2; exit 1)
ENV APP_DLL=${APP_DLL} \
    ASPNETCORE_URLS=http://+:8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
WORKDIR /app
COPY --from=build /app ./
COPY --chmod=0755 deploy/docker/healthcheck.sh /usr/local/bin/healthcheck
# The non-root user the .NET images provide.
USER $APP_UID
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=6 CMD ["healthcheck"]
# exec: dotnet becomes PID 1 and receives SIGTERM for a graceful shutdown.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"/app/$APP_DLL\""]
